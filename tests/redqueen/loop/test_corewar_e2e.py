"""End to end: builtin-mutator Core War runs through the `redqueen` command line."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing

import pytest

from redqueen.registry import make_arena
from invariants import check_run
from redqueen.db import Archive
from loop_helpers import REPO, cli_env, pmars_listing, redqueen

pytestmark = pytest.mark.slow
pytest.importorskip("arenas.corewar.assembler", reason="the Redcode assembler is not in this checkout")
SMALL = ["-A", "maxcycles=2000", "--seeds", "3", "--n-init", "4", "--batch", "8", "--quiet"]


def small_arena():
    return make_arena("corewar", {"maxcycles": 2000})


def test_builtin_run_champions_exports_and_listings(tmp_path, pmars):
    db = str(tmp_path / "e2e.db")
    result = redqueen("evolve", "--rounds", "3", "--iters", "16", "--seed", "7", *SMALL, "--db", db)
    assert result.returncode == 0, result.stderr

    archive = Archive(db)
    [run] = archive.runs()
    arena = small_arena()
    check_run(archive, run["id"], arena)     # opponents per round, elites, champion, re-evaluation
    champions = archive.champions(run["id"])
    assert [len(c["opponents"]) for c in champions] == [1, 2, 3]
    stored_listings = [archive.program(c["program_id"])["listing"] for c in champions]
    archive.close()

    exported = redqueen("archive", "export", str(run["id"]), str(tmp_path / "out"), "--db", db)
    assert exported.returncode == 0, exported.stderr
    files = sorted((tmp_path / "out").glob("*.red"))
    assert len(files) == 3
    for path, champion in zip(files, champions):
        code, start = pmars_listing(pmars, path)      # pMARS accepts it ...
        warrior = arena.parse(path.read_text(), origin=str(path)).warrior
        assert (code == warrior.code).all() and start == warrior.start   # ... as the same program
        assert warrior.digest == champion["digest"]
    assert all(listing.startswith('Program "') for listing in stored_listings)

    for args in (["runs"], ["rounds", "1"], ["champions", "1"], ["show", str(champions[0]["program_id"])],
                 ["failures", "1"], ["calls", "1"]):
        listing = redqueen("archive", *args, "--json", "--db", db)
        assert listing.returncode == 0, listing.stderr
        json.loads(listing.stdout)
    table = redqueen("archive", "rounds", "1", "--db", db)
    assert table.stdout.splitlines()[0].split()[:3] == ["round", "status", "iters"]
    assert len(table.stdout.splitlines()) == 4


def latest_round(db):
    """(number, iterations) of the run's latest round, read without writing; None before any
    round (or while the schema is being created)."""
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.5)) as connection:
            return connection.execute("SELECT number, iterations FROM rounds ORDER BY number DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:
        return None


def test_kill_9_mid_round_then_resume_from_the_cli(tmp_path):
    db = tmp_path / "killed.db"
    env = cli_env()
    # Long enough rounds (1200 iterations, a few seconds each) that a fast machine cannot finish
    # before a poll sees round 1 under way; the kill lands wherever the run is then, mid-round or
    # between. The polls read the file read-only, so they never wait for or block the run's writes.
    args = [sys.executable, "-m", "redqueen", "evolve", "--rounds", "3", "--iters", "1200", "--seed", "3",
            *SMALL, "--batch", "2", "--db", str(db)]
    process = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 900      # a guard against a hung run, generous for a loaded machine
    killed = False
    while time.monotonic() < deadline and process.poll() is None:
        if db.exists():
            row = latest_round(db)
            if row and (row[0] > 1 or (row[0] == 1 and row[1] >= 10)):
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
                killed = True
                break
        time.sleep(0.05)
    if not killed and process.poll() is None:      # still at round 0 at the deadline: stop it
        process.kill()
        process.wait()
        raise AssertionError("the run did not reach round 1 before the deadline")
    assert killed, "the run ended before it could be killed"

    resumed = redqueen("evolve", "--resume", "latest", "--quiet", "--db", str(db))
    assert resumed.returncode == 0, resumed.stderr
    archive = Archive(db)
    [run] = archive.runs()
    check_run(archive, run["id"], small_arena())
    assert archive.db.execute("SELECT count(*) FROM rounds").fetchone()[0] == 3
    again = redqueen("evolve", "--resume", str(run["id"]), "--db", str(db))
    assert again.returncode != 0 and "already finished" in again.stderr
    archive.close()


def test_hill_fitness_run_keeps_the_invariants(tmp_path):
    db = str(tmp_path / "hill.db")
    result = redqueen("evolve", "--rounds", "2", "--iters", "8", "--seed", "3", "--fitness", "hill", *SMALL, "--db", db)
    assert result.returncode == 0, result.stderr
    archive = Archive(db)
    [run] = archive.runs()
    check_run(archive, run["id"], small_arena())   # includes re-evaluation in hill mode
    champions = archive.champions(run["id"])
    assert {c["fitness_mode"] for c in champions} == {"hill"}
    assert all(0 <= c["fitness"] <= 3 for c in champions)
    archive.close()
