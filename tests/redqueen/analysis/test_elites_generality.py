"""scripts/elites_generality.py: every elite of a small run against a held-out set, the
champion's rank among its round's programs, and its one-line refusals."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("arenas.corewar.assembler", reason="the Redcode assembler is not in this checkout")

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "elites_generality.py"
HELDOUT = REPO / "archive" / "heldout"


def command(*args, timeout=600):
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          cwd=REPO)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    db = tmp_path_factory.mktemp("elites") / "run.db"
    made = command("-m", "redqueen", "evolve", "--rounds", "2", "--iters", "10", "--seeds", "2", "--n-init", "4",
                   "-A", "maxcycles=2000", "--seed", "4", "--db", db)
    assert made.returncode == 0, made.stderr
    return db


def test_each_round_ranks_its_champion_among_its_elites(small_run):
    done = command(SCRIPT, small_run, "--against", HELDOUT, "--seeds", "2", "--json")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [row["round"] for row in rows] == [0, 1]
    # the champions' generality is what `redqueen eval` reports for them on the same seeds
    evaluated = command("-m", "redqueen", "eval", "--run", "1", "--against", HELDOUT, "--seeds", "2",
                        "-A", "maxcycles=2000", "--db", small_run, "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    report = json.loads(evaluated.stdout)
    by_id = {entry["program_id"]: entry["generality"] for entry in report["programs"]}
    for row in rows:
        assert row["champion_generality"] == pytest.approx(by_id[row["champion"]])
        assert row["best_generality"] >= row["champion_generality"]
        assert row["best_generality"] == max(row["champion_generality"], row["best_other_generality"] or 0)
        assert 1 <= row["champion_rank"] <= row["elites"] + 1
        assert (row["champion_rank"] == 1) == (row["champion_generality"] == row["best_generality"])
    table = command(SCRIPT, small_run, "--against", HELDOUT, "--seeds", "2")
    assert table.returncode == 0 and table.stdout.splitlines()[-1].startswith("the champion was the most general")


def test_a_missing_archive_or_run_is_one_line(small_run, tmp_path):
    for args in ([tmp_path / "none.db"], [small_run, "--run", "7"]):
        done = command(SCRIPT, *args, "--against", HELDOUT)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
