"""`redqueen tournament` as a real process against pMARS run pair by pair (`pmars -b -r R -F POS A B`
for every pair): each program's total score and W/T/L must equal the sums of pMARS's results."""
import itertools
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from pmars_helpers import pmars_many

pytestmark = pytest.mark.oracle
REDQUEEN = [sys.executable, "-c", "from redqueen.cli import main; main()"]
_SCORES = re.compile(rb"^.* scores (-?\d+)$", re.MULTILINE)
_RESULTS = re.compile(rb"^Results: (\d+) (\d+) (\d+)$", re.MULTILINE)


def _sample(directory, count, seed):
    files = sorted(str(p) for p in directory.glob("*.red"))
    return [files[i] for i in np.random.default_rng(seed).choice(len(files), count, replace=False)]


def _pmars_pair(out: str):
    """(score of A, score of B, wins of A, wins of B, ties) from one `pmars -b` output."""
    data = out.encode("utf-8", "surrogateescape")
    scores = [int(s) for s in _SCORES.findall(data)]
    results = _RESULTS.search(data)
    assert len(scores) == 2 and results, out
    wins_a, wins_b, ties = (int(v) for v in results.groups())
    return scores[0], scores[1], wins_a, wins_b, ties


def _expected(pmars, pairs, options):
    """Per file: [score, wins, ties, losses] summed over pMARS's battles of `pairs`."""
    outputs = pmars_many(pmars, [["-b", *options, a, b] for a, b in pairs])
    totals = {}
    for (a, b), out in zip(pairs, outputs):
        score_a, score_b, wins_a, wins_b, ties = _pmars_pair(out)
        for file, row in ((a, [score_a, wins_a, ties, wins_b]), (b, [score_b, wins_b, ties, wins_a])):
            totals[file] = [x + y for x, y in zip(totals.get(file, [0, 0, 0, 0]), row)]
    return totals


def _ours(arguments):
    done = subprocess.run([*REDQUEEN, "tournament", "--json", *arguments], capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    rows = json.loads(done.stdout)
    return {row["file"]: row for row in rows}


def _check(ours, expected):
    assert set(ours) == set(expected)
    for file, (score, wins, ties, losses) in expected.items():
        row = ours[file]
        assert (row["score"], row["wins"], row["ties"], row["losses"]) == (score, wins, ties, losses), file
    ranked = sorted(ours.values(), key=lambda r: r["rank"])
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    assert all(a["score"] >= b["score"] for a, b in zip(ranked, ranked[1:]))


@pytest.mark.parametrize("options", [["-r", "20", "-F", "4000"],
                                     ["-r", "12", "-F", "2345", "-c", "20000", "-p", "64"]])
def test_round_robin_totals_equal_pmars_pair_by_pair(pmars, shared_warriors, options):
    files = _sample(shared_warriors / "drq-heldout", 7, seed=len(options))
    expected = _expected(pmars, list(itertools.combinations(files, 2)), options)
    _check(_ours([*options, *files]), expected)


def test_against_a_directory_equals_pmars(pmars, shared_warriors, tmp_path):
    hill = _sample(shared_warriors / "koenigstuhl-94nop", 3, seed=5)
    for file in hill:
        (tmp_path / file.rsplit("/", 1)[1]).symlink_to(file)
    linked = sorted(str(p) for p in tmp_path.glob("*.red"))
    players = _sample(shared_warriors / "drq-heldout", 3, seed=6)
    options = ["-r", "15", "-F", "3000"]
    expected = _expected(pmars, [(a, b) for a in players for b in linked], options)
    ours = _ours([*options, "--against", str(tmp_path), *players])
    _check(ours, {file: expected[file] for file in players})


def test_a_file_that_does_not_assemble_is_one_line_and_exit_1(tmp_path):
    bad = tmp_path / "bad.red"
    bad.write_text("mov 0, 1\nmov 0, )\n")
    good = tmp_path / "good.red"
    good.write_text("mov 0, 1\n")
    done = subprocess.run([*REDQUEEN, "tournament", str(good), str(bad)], capture_output=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.decode().strip().startswith(str(bad))
