"""`redqueen eval` and `redqueen analyze` end to end: real processes, a real SQLite archive
made by a small builtin-mutator Core War run."""
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from .test_plots import assert_png

pytest.importorskip("arenas.corewar.assembler", reason="the Redcode assembler is not in this checkout")
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
CLASSICS = REPO / "archive" / "heldout"
FAST = ["-A", "maxcycles=2000"]


def redqueen(*args, cwd=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "redqueen", *map(str, args)], capture_output=True, text=True,
                          timeout=600, cwd=cwd or REPO, env=env)


def in_process(*args):
    """The same command line run in this process (for quick error-path checks)."""
    from click.testing import CliRunner
    from redqueen.cli import main
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)


@pytest.fixture(scope="module")
def archive_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("cli") / "runs.db"
    for seed in (1, 2):
        result = redqueen("evolve", "--rounds", "3", "--iters", "16", "--seeds", "2", "--n-init", "4",
                          "--batch", "8", "--seed", seed, *FAST, "--quiet", "--db", db)
        assert result.returncode == 0, result.stderr
    return db


def test_eval_of_a_run_is_stored_and_not_replayed(archive_db):
    first = redqueen("eval", "--run", "1", "--seeds", "3", "--json", "-q", "--db", archive_db)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["opponents"] == len(list(CLASSICS.glob("*.red"))) and report["skipped"] == []
    assert report["generality_rule"] == "head-to-head"
    assert [p["program"] for p in report["programs"]] == ["run1/round0", "run1/round1", "run1/round2"]
    for program in report["programs"]:
        rows = program["per_opponent"]
        a, b = np.array([r["fitness_a"] for r in rows]), np.array([r["fitness_b"] for r in rows])
        assert program["generality"] == pytest.approx(np.mean(a >= b - 1e-9))
        assert program["beaten"] == pytest.approx(np.mean(a > b + 1e-9))
        assert [r["matched"] for r in rows] == list(a >= b - 1e-9)
        assert program["generality_rule"] == "head-to-head"
        assert all(r["wins"] + r["ties"] + r["losses"] == 3 for r in rows)
    again = json.loads(redqueen("eval", "--run", "1", "--seeds", "3", "--json", "-q", "--db", archive_db).stdout)
    assert again["games_played"] == 0
    assert [p["generality"] for p in again["programs"]] == [p["generality"] for p in report["programs"]]


def test_eval_of_files_as_csv_and_table(archive_db, tmp_path):
    files = [CLASSICS / "pebble.red", CLASSICS / "lone_imp.red"]
    result = redqueen("eval", *files, *FAST, "--seeds", "2", "--csv", "-q", "--db", archive_db)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["program"] for r in rows] == ["pebble", "lone_imp"]
    assert 0 <= float(rows[0]["generality"]) <= 1
    assert {r["generality_rule"] for r in rows} == {"head-to-head"}
    table = redqueen("eval", *files, *FAST, "--seeds", "2", "-q", "--db", archive_db)
    assert table.stdout.splitlines()[0].split()[:3] == ["program", "generality", "beaten"]
    assert "generality rule: head-to-head" in table.stdout
    assert "0 games played" in table.stderr          # all stored by the CSV call
    long = redqueen("eval", *files, *FAST, "--seeds", "2", "--csv", "--per-opponent", "-q", "--db", archive_db)
    pairs = list(csv.DictReader(io.StringIO(long.stdout)))
    assert len(pairs) == 2 * len(list(CLASSICS.glob("*.red")))
    for row in pairs:
        assert row["matched"] == str(float(row["fitness_a"]) >= float(row["fitness_b"]) - 1e-9)
        assert row["generality_rule"] == "head-to-head"


def test_rejected_held_out_warriors_are_listed_not_hidden(archive_db, tmp_path):
    heldout = tmp_path / "heldout"
    heldout.mkdir()
    (heldout / "good.red").write_text((CLASSICS / "pebble.red").read_text())
    (heldout / "bad.red").write_text(";name bad\n mov 0, 1\n jmp nowhere\n")
    result = redqueen("eval", CLASSICS / "lone_imp.red", "--against", heldout, *FAST, "--seeds", "2",
                      "--json", "-q", "--db", archive_db)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["opponents"] == 1
    [skipped] = report["skipped"]
    assert skipped["file"].endswith("bad.red") and "bad.red:3" in skipped["reason"]
    assert "skipped " in result.stderr and "bad.red:3" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["no/such/file.red"], "no such file, and not a program id"),
    (["9999"], "no program 9999"),
    (["--run", "42"], "no run 42"),
    (["--against", "no/such/dir", str(CLASSICS / "pebble.red")], "no such directory"),
])
def test_bad_input_is_one_clear_line(archive_db, args, message):
    result = in_process("eval", *args, "-q", "--db", archive_db)
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_broken_program_file_names_file_and_line(archive_db, tmp_path):
    broken = tmp_path / "broken.red"
    broken.write_text(";name broken\n mov 0, 1\n frobnicate 3\n")
    result = in_process("eval", broken, "-q", "--db", archive_db)
    assert result.exit_code == 1
    assert f"{broken}:3" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_analyze_two_runs_writes_report_and_figures(archive_db, tmp_path):
    out = tmp_path / "analysis"
    result = redqueen("analyze", "1", "2", "--seeds", "2", "--json", "-q", "--out", out, "--db", archive_db)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["runs"] == [1, 2]
    assert [row["round"] for row in report["per_round"]] == [0, 1, 2]
    assert all(row["runs"] == 2 and row["phenotype_variance"] is not None for row in report["per_round"])
    assert len(report["champions"]) == 6 and len(report["cycles"]) == 2
    assert json.loads((out / "report.json").read_text())["per_round"] == report["per_round"]
    for name in ("generality.png", "variance.png", "map_elites_grid.png"):
        assert_png(out / name)
    text = redqueen("analyze", "1", "2", "--seeds", "2", "-q", "--no-cycles", "--db", archive_db)
    assert text.returncode == 0, text.stderr
    assert "linear probe genotype -> generality" in text.stdout and "intransitive" not in text.stdout


def test_analyze_refuses_a_missing_archive(tmp_path):
    result = in_process("analyze", "1", "--db", tmp_path / "none.db")
    assert result.exit_code == 1 and "no archive here" in result.stderr


def test_reference_set_of_the_drq_study(shared_warriors, archive_db):
    """The DRQ study's held-out warriors: every file is either an opponent or listed as skipped."""
    directory = shared_warriors / "drq-heldout"
    result = redqueen("eval", CLASSICS / "stone_and_ring.red", "--against", directory, *FAST, "--seeds", "1",
                      "--json", "-q", "--db", archive_db)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["opponents"] + len(report["skipped"]) == len(list(directory.glob("*.red")))
    assert all(item["reason"] for item in report["skipped"])


def test_worker_processes_give_the_same_results(tmp_path):
    """--jobs 2 spreads the games over worker processes; the numbers do not change."""
    reports = []
    for jobs in (1, 2):
        result = redqueen("eval", CLASSICS / "blizzard.red", CLASSICS / "glance.red", *FAST, "--seeds", "3",
                          "--jobs", jobs, "--json", "-q", "--db", tmp_path / f"jobs{jobs}.db")
        assert result.returncode == 0, result.stderr
        reports.append(json.loads(result.stdout))
    assert reports[0]["games_played"] == reports[1]["games_played"] > 0
    for one, two in zip(reports[0]["programs"], reports[1]["programs"]):
        assert one["per_opponent"] == two["per_opponent"]


def test_opponent_option_keeps_the_named_opponents_in_worker_processes_too(tmp_path):
    """--opponent restricts the held-out set (workers rebuild the same subset): the rows are those
    of a full evaluation for the opponents named; an unknown name is one line."""
    chosen = ["Pebble", "Seeker", "Cairn"]          # labels late in file order: indices would differ
    full = redqueen("eval", CLASSICS / "blizzard.red", *FAST, "--seeds", "2", "--json", "-q",
                    "--db", tmp_path / "full.db")
    only = [argument for name in chosen for argument in ("--opponent", name)]
    part = redqueen("eval", CLASSICS / "blizzard.red", *only, *FAST, "--seeds", "2", "--jobs", "2", "--json", "-q",
                    "--db", tmp_path / "part.db")
    assert full.returncode == 0 and part.returncode == 0, full.stderr + part.stderr
    rows = {row["opponent"]: row for row in json.loads(full.stdout)["programs"][0]["per_opponent"]}
    report = json.loads(part.stdout)
    assert report["opponents"] == 3 and report["games_played"] == 6
    assert report["programs"][0]["per_opponent"] == [rows[name] for name in chosen]
    assert report["programs"][0]["generality"] == pytest.approx(np.mean([rows[n]["matched"] for n in chosen]))
    wrong = redqueen("eval", CLASSICS / "blizzard.red", "--opponent", "nobody", *FAST, "-q",
                     "--db", tmp_path / "part.db")
    assert wrong.returncode == 1 and "no held-out opponent named 'nobody'" in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1
