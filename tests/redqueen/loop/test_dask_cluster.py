"""The dask executor on a real cluster: a scheduler and two workers started here as separate
processes bound to 127.0.0.1, stopped at the end by their process ids. An evolve and an eval
through the cluster must equal local ones with the same seed; a run during which a worker
process is killed mid-task must still end with the local run's champions and an archive with
no evaluation missing or twice."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the dask extra is not installed (pip install distributed)")
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
REDQUEEN = [sys.executable, "-c", "from redqueen.cli import main; main()"]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
EVOLVE = ["evolve", "--rounds", "2", "--iters", "16", "--seeds", "3", "-A", "maxcycles=2000", "-q"]


def _dask(*args, cwd):
    command = [sys.executable, "-c", "import sys; from dask.__main__ import main; sys.argv[0] = 'dask'; main()",
               *args]
    return subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _start_worker(address, name, cwd):
    return _dask("worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny",
                 "--no-dashboard", "--name", name, cwd=cwd)


def _wait_for_workers(address, count, timeout=60):
    from distributed import Client
    with Client(address, timeout="20s") as client:
        client.wait_for_workers(count, timeout=timeout)


def _scheduler_address(scheduler_file: Path, timeout=60) -> str:
    """The address the scheduler wrote, once the file is complete."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return json.loads(scheduler_file.read_text())["address"]
        except (OSError, ValueError, KeyError):
            time.sleep(0.1)
    raise AssertionError(f"the scheduler wrote no address to {scheduler_file}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(scheduler address, workers' Popen by name, the directory) of a cluster on 127.0.0.1."""
    where = tmp_path_factory.mktemp("cluster")
    started = []
    scheduler_file = where / "scheduler.json"
    try:
        started.append(_dask("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                             "--scheduler-file", str(scheduler_file), cwd=where))
        address = _scheduler_address(scheduler_file)
        assert address.startswith("tcp://127.0.0.1:")
        workers = {name: _start_worker(address, name, where) for name in ("w1", "w2")}
        started.extend(workers.values())
        _wait_for_workers(address, 2)
        yield address, workers, where, started
    finally:
        for process in reversed(started):  # only what this module started, by pid; workers first
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()


def _champions(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT c.run_id, c.round, p.digest, c.fitness FROM champions c JOIN programs p "
            "ON p.id = c.program_id ORDER BY c.run_id, c.round").fetchall()


def _evaluations(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT round_id, program_id, fitness FROM evaluations "
                                  "ORDER BY round_id, program_id, id").fetchall()


def _evolve(db, *extra):
    done = subprocess.run([*REDQUEEN, *EVOLVE, "--db", str(db), *extra], capture_output=True, env=ENV,
                          timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    db = tmp_path_factory.mktemp("local") / "local.db"
    _evolve(db)
    return db


def test_evolve_on_the_cluster_equals_a_local_run(cluster, local_run, tmp_path):
    address, _, _, _ = cluster
    db = tmp_path / "dask.db"
    _evolve(db, "--executor", "dask", "--scheduler", address)
    assert _champions(db) and _champions(db) == _champions(local_run)
    assert _evaluations(db) == _evaluations(local_run)


def test_eval_on_the_cluster_equals_local(cluster, tmp_path):
    address, _, _, _ = cluster
    program = REPO / "arenas" / "corewar" / "programs" / "imp.red"
    reports = []
    for extra in ([], ["--executor", "dask", "--scheduler", address]):
        done = subprocess.run([*REDQUEEN, "eval", str(program), "--seeds", "3", "--json", "-q",
                               "--db", str(tmp_path / f"eval{len(reports)}.db"), *extra],
                              capture_output=True, env=ENV, timeout=300)
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        reports.append(json.loads(done.stdout))
    local, remote = reports
    assert remote["executor"] == "dask" and remote["games_played"] == local["games_played"] > 0
    assert remote["programs"][0]["per_opponent"] == local["programs"][0]["per_opponent"]


def test_completed_yields_each_task_once_with_its_index(cluster):
    import operator

    from redqueen.executor import DaskExecutor
    address, _, _, _ = cluster
    tasks = list(range(40))
    with DaskExecutor(address) as executor:
        done = list(executor.completed(operator.neg, tasks))
    assert sorted(index for index, _ in done) == tasks
    assert all(result == -tasks[index] for index, result in done)


def test_a_worker_killed_mid_task_loses_and_duplicates_nothing(cluster, local_run, tmp_path):
    """A third worker joins; while it holds tasks of a step it is killed (SIGKILL): its tasks
    rerun on the others, and the run ends as the local one did."""
    from redqueen.db import Archive
    from redqueen.executor import DaskExecutor
    from redqueen.loop import RedQueen, RunConfig
    from redqueen.mutators import make_mutator
    from redqueen.registry import make_arena

    address, _, where, started = cluster
    victim = _start_worker(address, "victim", where)
    started.append(victim)
    _wait_for_workers(address, 3)
    killed = []

    class KillingExecutor(DaskExecutor):
        """The real dask executor, which kills the victim once it is running one of the tasks."""

        def map(self, function, tasks):
            futures = self.client.map(function, list(tasks), pure=False, retries=3)
            if not killed:
                victim_address = next(a for a, w in self.client.scheduler_info()["workers"].items()
                                      if w.get("name") == "victim")
                deadline = time.monotonic() + 30
                while not self.client.processing().get(victim_address) and time.monotonic() < deadline:
                    time.sleep(0.005)
                if self.client.processing().get(victim_address):
                    os.kill(victim.pid, signal.SIGKILL)
                    killed.append(victim_address)
            return self.client.gather(futures)

    db = tmp_path / "killed.db"
    stored = json.loads(json.dumps(_config_of(local_run)))
    config = RunConfig.from_json(stored)
    arena = make_arena(config.arena, config.arena_options)
    archive = Archive(db)
    executor = KillingExecutor(address)
    try:
        loop = RedQueen.start(archive, config, arena, make_mutator("builtin", arena, **config.mutator_options),
                              progress=False, executor=executor)
        loop.run()
    finally:
        executor.close()
        archive.close()
    victim.wait(timeout=20)
    assert killed, "the victim worker never received a task"
    assert victim.returncode == -signal.SIGKILL
    assert _champions(db) == _champions(local_run)
    evaluations = _evaluations(db)
    assert evaluations == _evaluations(local_run)
    assert len({(r, p) for r, p, _ in evaluations}) == len(evaluations)


def _config_of(db: Path) -> dict:
    with sqlite3.connect(db) as connection:
        (config,) = connection.execute("SELECT config FROM runs").fetchone()
    return json.loads(config)


def test_tournament_on_the_cluster_equals_local(cluster):
    address, _, _, _ = cluster
    programs = sorted(str(p) for p in (REPO / "archive" / "heldout").glob("*.red"))[:6]
    assert len(programs) >= 3
    tables = []
    for extra in ([], ["--executor", "dask", "--scheduler", address]):
        done = subprocess.run([*REDQUEEN, "tournament", "-r", "10", "--seed", "99", "--json", *programs, *extra],
                              capture_output=True, env=ENV, timeout=300)
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        tables.append(json.loads(done.stdout))
    assert tables[0] == tables[1] and len(tables[0]) == len(programs)


def test_reproduce_runs_in_parallel_on_the_cluster_as_one_after_another_here(cluster, tmp_path):
    """scripts/reproduce.py with two runs evolving at once through the cluster: the same runs,
    champions and report as one run after the other locally."""
    address, _, _, _ = cluster
    toy = ["--runs", "2", "--rounds", "2", "--iters", "8", "--seeds", "2", "--n-init", "3", "--heldout-seeds", "2",
           "-A", "maxcycles=2000", "--against", str(REPO / "archive" / "heldout"), "--quiet"]
    reports, champions = [], []
    for name, extra in (("here", []), ("cluster", ["--executor", "dask", "--scheduler", address,
                                                   "--parallel-runs", "2"])):
        out = tmp_path / name
        done = subprocess.run([sys.executable, str(REPO / "scripts" / "reproduce.py"), *toy, *extra, "--out", str(out)],
                              capture_output=True, env=ENV, timeout=600, cwd=REPO)
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        reports.append(json.loads((out / "report.json").read_text()))
        champions.append(_champions(out / "runs.db"))
    assert len(champions[0]) == 4 and champions[0] == champions[1]
    assert reports[0]["per_round"] == reports[1]["per_round"] and reports[0]["runs"] == reports[1]["runs"]
