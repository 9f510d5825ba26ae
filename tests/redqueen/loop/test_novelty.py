"""The novelty filter: proposals too similar to a current elite are recorded, not evaluated."""
import re

import pytest

from redqueen.db import Archive
from redqueen.loop import RedQueen, RunConfig
from redqueen.mutators import make_mutator
from tinygame import TinyArena


def jaccard_of_trigrams(a: str, b: str) -> float:
    """Independent of redqueen.novelty: word trigrams of the lowercased texts."""
    def grams(text):
        words = re.findall(r"\w+|[^\w\s]", text.lower())
        return {tuple(words[i:i + 3]) for i in range(len(words) - 2)} if len(words) >= 3 else {tuple(words)}
    x, y = grams(a), grams(b)
    return len(x & y) / len(x | y)


def run(tmp_path, threshold):
    archive = Archive(tmp_path / f"novelty-{threshold}.db")
    config = RunConfig(arena="tiny", rounds=2, iters=40, seeds=3, n_init=4, batch=4, seed=11,
                       novelty_threshold=threshold)
    arena = TinyArena()
    run_id = RedQueen.start(archive, config, arena, make_mutator("builtin", arena), progress=False).run()
    return archive, run_id


def test_near_duplicates_of_elites_are_rejected_unevaluated_and_counted(tmp_path):
    archive, run_id = run(tmp_path, 0.5)
    rejected = [f for f in archive.failures(run_id) if f["stage"] == "novelty"]
    assert rejected
    for failure in rejected:
        program_id, similarity = re.match(r"near-duplicate of program (\d+) \(similarity ([\d.]+)",
                                          failure["error"]).groups()
        elite = archive.program(int(program_id))
        assert jaccard_of_trigrams(failure["source"], elite["source"]) == pytest.approx(float(similarity), abs=0.01)
        assert float(similarity) >= 0.5
        assert archive.evaluation(failure["round_id"], elite["id"]) is not None   # it was in that round's grid
        digest = TinyArena().parse(failure["source"]).digest          # not evaluated in that step
        assert archive.db.execute(
            "SELECT count(*) FROM evaluations JOIN programs ON programs.id = evaluations.program_id "
            "WHERE evaluations.round_id = ? AND evaluations.iteration = ? AND programs.digest = ?",
            [failure["round_id"], failure["iteration"], digest]).fetchone()[0] == 0
    for row in archive.rounds(run_id):
        in_round = sum(f["round_id"] == row["id"] for f in rejected)
        assert row["stats"].get("failed_novelty", 0) == in_round
        assert row["stats"]["failures"] == sum(f["round_id"] == row["id"] and f["stage"] != "novelty"
                                               for f in archive.failures(run_id))
    archive.close()


def test_threshold_one_turns_the_filter_off(tmp_path):
    archive, run_id = run(tmp_path, 1.0)
    assert not [f for f in archive.failures(run_id) if f["stage"] == "novelty"]
    assert all("failed_novelty" not in r["stats"] for r in archive.rounds(run_id))
    archive.close()
