"""`--fitness hill` scores each 1v1 round as `pmars -b` does, checked against pMARS itself.

A battle seed s is pMARS's seed for round 1, so the round equals `pmars -b -r 1 -F X` with
X = mindistance + s % (coresize + 1 - 2 * mindistance): the same placement, the candidate loaded
first and moving first. Warriors are the project's own classic set (archive/heldout)."""
from pathlib import Path

import numpy as np
import pytest

from arenas.corewar.arena import make_arena
from pmars_helpers import pmars_many

pytestmark = pytest.mark.oracle

HELDOUT = Path(__file__).resolve().parents[3] / "archive" / "heldout"


def pmars_points(lines: str) -> list[int]:
    """The two "NAME by AUTHOR scores N" figures of `pmars -b` output, in load order."""
    return [int(line.rsplit(" scores ", 1)[1]) for line in lines.splitlines() if " scores " in line]


def test_hill_points_equal_pmars_scores_per_round(pmars):
    files = sorted(HELDOUT.glob("*.red"))
    assert len(files) >= 6
    arena = make_arena()
    settings = arena.settings
    rng = np.random.default_rng(7)
    candidate_files = list(rng.choice(files, size=3, replace=False))
    opponent_files = list(rng.choice(files, size=4, replace=False))
    seeds = [int(s) for s in rng.integers(1, 2**31 - 1, size=3)] + [0, settings.coresize]
    candidates = [arena.parse(f.read_text(), str(f)) for f in candidate_files]
    opponents = [arena.parse(f.read_text(), str(f)) for f in opponent_files]
    evaluations = arena.evaluate(candidates, opponents, seeds, fitness="hill")

    span = settings.coresize + 1 - 2 * settings.mindistance
    runs = [(c, o, ["-b", "-r", "1", "-F", settings.mindistance + s % span, candidate_files[c], opponent_files[o]])
            for c in range(len(candidates)) for o in range(len(opponents)) for s in seeds]
    outputs = pmars_many(pmars, [args for _, _, args in runs], timeout=60)
    assert all(out is not None for out in outputs), "pMARS did not finish a round"
    expected = np.zeros((len(candidates), len(opponents), 2))
    for (c, o, _), out in zip(runs, outputs):
        expected[c, o] += pmars_points(out)
    expected /= len(seeds)

    decisive = 0
    for c, evaluation in enumerate(evaluations):
        assert evaluation.details["per_opponent"] == pytest.approx(expected[c, :, 0], abs=1e-6)
        assert evaluation.details["opponent_points"] == pytest.approx(expected[c, :, 1], abs=1e-6)
        assert evaluation.fitness == pytest.approx(expected[c, :, 0].mean())
        assert evaluation.beaten_by == tuple(int(o) for o in np.flatnonzero(expected[c, :, 1] > expected[c, :, 0]))
        decisive += int(np.sum(expected[c, :, 0] != expected[c, :, 1]))
    assert decisive > 0, "the sample should hold pairs that are not even"
