"""A run killed at any moment resumes to the very run it would have been."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from invariants import check_run, replayed
from redqueen.db import Archive
from redqueen.loop import RedQueen
from redqueen.mutators import make_mutator
from tiny_run import CONFIG, CONFIGS
from tinygame import TinyArena

SCRIPT = Path(__file__).with_name("tiny_run.py")


def reference(tmp_path, name="drq"):
    archive = Archive(tmp_path / f"reference-{name}.db")
    arena, config = TinyArena(), CONFIGS[name]
    mutator = make_mutator("builtin", arena, **config.mutator_options)
    run_id = RedQueen.start(archive, config, arena, mutator, progress=False).run()
    result = [(c["round"], c["digest"], c["fitness"]) for c in archive.champions(run_id)]
    stats = [replayed(r["stats"]) for r in archive.rounds(run_id)]
    archive.close()
    return result, stats


def progress(db: Path) -> tuple[int, int]:
    """(rounds started, iterations of the newest round), read while the writer runs."""
    if not db.exists():
        return 0, 0
    archive = Archive(db)
    try:
        row = archive.db.execute("SELECT count(*), max(number) FROM rounds").fetchone()
        latest = archive.db.execute("SELECT iterations FROM rounds ORDER BY number DESC LIMIT 1").fetchone()
        return row[0], latest[0] if latest else 0
    finally:
        archive.close()


def kill_when(db: Path, process, ready, deadline=60.0):
    start = time.monotonic()
    while time.monotonic() - start < deadline and process.poll() is None:
        if ready(*progress(db)):
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.01)
    return False


@pytest.mark.parametrize("moment", [
    lambda rounds, iters: rounds >= 1,                       # during round 0's initialisation
    lambda rounds, iters: rounds >= 2 and iters >= 10,       # mid round 1
    lambda rounds, iters: rounds >= 4 and iters >= 39,       # around the end of round 3
])
@pytest.mark.parametrize("name", ["drq", "strong"])
def test_kill_9_then_resume_finishes_the_same_run(tmp_path, moment, name):
    """`strong` adds carried elites, champion confirmation and adaptive operator weights: the
    learned operator counts and the confirmation seeds must come back identically too."""
    db = tmp_path / "killed.db"
    env = dict(os.environ, REDQUEEN_TINY_CONFIG=name)
    process = subprocess.Popen([sys.executable, str(SCRIPT), str(db), "start"], stdout=subprocess.PIPE, env=env)
    assert kill_when(db, process, moment), "the run ended before the moment to kill it"
    assert process.returncode == -signal.SIGKILL

    archive = Archive(db)
    assert archive.integrity_check() == "ok"
    [run] = archive.runs()
    assert run["status"] == "running" and run["rounds_done"] < CONFIGS[name].rounds
    archive.close()

    resumed = subprocess.run([sys.executable, str(SCRIPT), str(db), "resume", str(run["id"]), "0"],
                             capture_output=True, text=True, timeout=120, env=env)
    assert resumed.returncode == 0, resumed.stderr

    archive = Archive(db)
    check_run(archive, run["id"], TinyArena())
    assert archive.run(run["id"])["status"] == "finished"
    count = lambda table: archive.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    assert count("rounds") == count("champions") == CONFIGS[name].rounds
    assert archive.db.execute("SELECT count(*) FROM (SELECT round_id, program_id FROM evaluations "
                              "GROUP BY 1, 2 HAVING count(*) > 1)").fetchone()[0] == 0
    champions = [(c["round"], c["digest"], c["fitness"]) for c in archive.champions(run["id"])]
    stats = [replayed(r["stats"]) for r in archive.rounds(run["id"])]
    archive.close()
    assert (champions, stats) == reference(tmp_path, name)


class Crash(Exception):
    pass


def test_an_exception_mid_round_marks_the_run_failed_and_resume_completes_it(tmp_path):
    archive, arena = Archive(tmp_path / "crash.db"), TinyArena()
    steps = []

    def crash_on_the_twentieth_step(loop, state):
        steps.append(state.number)
        if len(steps) == 20:
            raise Crash("disk on fire")
    loop = RedQueen.start(archive, CONFIG, arena, make_mutator("builtin", arena), progress=False,
                          on_step=crash_on_the_twentieth_step)
    with pytest.raises(Crash):
        loop.run()
    assert archive.run(loop.run_id)["status"] == "failed"
    assert "disk on fire" in archive.run(loop.run_id)["error"]
    RedQueen.resume(archive, loop.run_id, arena, make_mutator("builtin", arena), progress=False).run()
    check_run(archive, loop.run_id, arena)
    champions = [(c["round"], c["digest"], c["fitness"]) for c in archive.champions(loop.run_id)]
    assert champions == reference(tmp_path)[0]
    archive.close()
