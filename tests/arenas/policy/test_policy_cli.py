"""`redqueen arena check/play` and `redqueen evolve` with the policy arenas, as real processes."""
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from policy_helpers import ipd_source

REPO = Path(__file__).resolve().parents[3]
TIT_FOR_TAT = REPO / "arenas" / "ipd" / "programs" / "tit_for_tat.py"
FIRST_SAFE = REPO / "arenas" / "tron" / "programs" / "first_safe.py"
SPACE = REPO / "arenas" / "tron" / "heldout" / "space_maximiser.py"


def redqueen(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "redqueen", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


def one_line(result) -> str:
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_check_ok():
    result = redqueen("arena", "check", "--arena", "ipd", TIT_FOR_TAT)
    assert result.returncode == 0 and one_line(result) == "ok"


def test_check_rejects_with_file_line_and_reason(tmp_path):
    hostile = tmp_path / "escape.py"
    hostile.write_text(ipd_source("x = 1\nreturn '{0.__class__}'.format(my_moves)"))
    result = redqueen("arena", "check", "--arena", "ipd", hostile)
    assert result.returncode == 1
    assert one_line(result).startswith(f"{hostile}:3: ")


def test_check_reports_unknown_arena_and_missing_file(tmp_path):
    result = redqueen("arena", "check", "--arena", "chess", TIT_FOR_TAT)
    assert result.returncode != 0 and "unknown arena 'chess'" in one_line(result)
    result = redqueen("arena", "check", "--arena", "ipd", tmp_path / "absent.py")
    assert result.returncode == 1 and "cannot read" in one_line(result)


def test_play_prints_scores_and_disqualifications(tmp_path):
    looper = tmp_path / "looper.py"
    looper.write_text(ipd_source("""
        x = 0
        if turn > 100:
            while x >= 0:
                x = (x + 1) % 1000
        return x
    """))
    result = redqueen("arena", "play", "--arena", "ipd", "--seeds", "2", TIT_FOR_TAT, looper)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("A tit_for_tat: score 5.0000")
    assert lines[1] == "B looper: score 0.0000"
    assert lines[2].startswith("B disqualified in 2 of 2 games: exceeded the")


def test_play_with_a_rejected_file(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n" + ipd_source("return 0"))
    result = redqueen("arena", "play", "--arena", "ipd", TIT_FOR_TAT, bad)
    assert result.returncode == 1 and one_line(result).startswith(f"B disqualified: {bad}:1: imports")


def test_play_tron_with_options():
    result = redqueen("arena", "play", "--arena", "tron", "-A", "size=10", "--seeds", "4", SPACE, FIRST_SAFE)
    assert result.returncode == 0, result.stderr
    score_a = float(result.stdout.splitlines()[0].split("score ")[1].split()[0])
    score_b = float(result.stdout.splitlines()[1].split("score ")[1])
    assert score_a + score_b == pytest.approx(1.0)


@pytest.mark.slow
@pytest.mark.parametrize("arena, options", [("ipd", ["-A", "noise=0.05"]), ("tron", ["-A", "size=8"])])
def test_evolve_runs_offline_with_the_builtin_mutator(tmp_path, arena, options):
    db = tmp_path / "run.db"
    result = redqueen("evolve", "--arena", arena, *options, "--mutator", "builtin", "--rounds", "2", "--iters", "4",
                      "--seeds", "2", "--n-init", "4", "--batch", "4", "--db", db, "-q", timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(db) as connection:
        programs = connection.execute("SELECT count(*) FROM programs").fetchone()[0]
        evaluations = connection.execute("SELECT count(*) FROM evaluations").fetchone()[0]
    assert programs > 2 and evaluations > 2
