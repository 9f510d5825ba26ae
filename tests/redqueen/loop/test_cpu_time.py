"""Each round records the CPU seconds it cost (`stats["cpu_s"]`): this process, reaped child
processes and live ones, kept across kill -9 and resume."""
import subprocess
import sys

from redqueen.cputime import CpuMeter, cpu_seconds, live_descendants_seconds
from redqueen.db import Archive
from redqueen.loop import RedQueen, RunConfig
from redqueen.mutators import make_mutator
from test_resume import SCRIPT, kill_when
from tinygame import TinyArena

BURN = 0.05     # CPU seconds each evaluation spends in a child process of its own


def burn_in_child(seconds: float, then_wait: bool = False) -> subprocess.Popen:
    """A Python child that spends `seconds` of its own CPU (by its own clock), says so, and
    then ends, or waits for stdin to close."""
    code = ("import sys, time\n"
            f"while time.process_time() < {seconds}: pass\n"
            "print(time.process_time(), flush=True)\n"
            + ("sys.stdin.read()\n" if then_wait else ""))
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


class BurningArena(TinyArena):
    """The tiny arena, each evaluation also running a child process that burns CPU; counts
    its evaluations."""
    calls = 0

    def evaluate(self, candidates, opponents, seeds, fitness="battle"):
        child = burn_in_child(BURN)
        child.communicate()
        self.calls += 1
        return super().evaluate(candidates, opponents, seeds, fitness)


def test_each_round_records_at_least_the_cpu_its_child_processes_spent(tmp_path):
    archive, arena = Archive(tmp_path / "cpu.db"), BurningArena()
    calls = []
    config = RunConfig(arena="tiny", rounds=3, iters=6, seeds=2, n_init=2, batch=3, seed=5)
    loop = RedQueen.start(archive, config, arena, make_mutator("builtin", arena), progress=False,
                          on_round=lambda *_: calls.append(arena.calls))
    run_id = loop.run()
    spent = [r["stats"]["cpu_s"] for r in archive.rounds(run_id)]
    per_round = [after - before for before, after in zip([0] + calls, calls)]
    assert all(n > 0 for n in per_round)
    for cpu, evaluations in zip(spent, per_round):
        assert cpu >= evaluations * BURN        # the children's own clocks, summed
    cumulative = [sum(spent[:k + 1]) for k in range(len(spent))]
    assert cumulative == sorted(cumulative) and cumulative[0] > 0
    archive.close()


def test_live_children_are_counted_before_they_are_reaped():
    before = cpu_seconds()
    child = burn_in_child(0.3, then_wait=True)
    own_clock = float(child.stdout.readline())          # it has burnt its share and now waits
    try:
        assert live_descendants_seconds() >= own_clock - 0.02     # /proc counts in clock ticks
        assert cpu_seconds() - before >= own_clock - 0.02
    finally:
        child.communicate("")
    meter = CpuMeter()
    assert meter.take() >= 0 and meter.take() >= 0


def test_cpu_seconds_add_up_across_kill_9_and_resume(tmp_path):
    """The CPU a round committed before the kill stays in it; the resumed process adds to it."""
    db = tmp_path / "killed.db"
    process = subprocess.Popen([sys.executable, str(SCRIPT), str(db), "start"], stdout=subprocess.PIPE)
    assert kill_when(db, process, lambda rounds, iters: rounds >= 2 and iters >= 10)
    archive = Archive(db)
    interrupted = archive.rounds(1)[-1]
    committed = interrupted["stats"]["cpu_s"]
    assert interrupted["status"] != "finished" and committed > 0
    archive.close()

    resumed = subprocess.run([sys.executable, str(SCRIPT), str(db), "resume", "1", "0"], capture_output=True,
                             text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    archive = Archive(db)
    rounds = archive.rounds(1)
    assert all(r["status"] == "finished" and r["stats"]["cpu_s"] > 0 for r in rounds)
    assert rounds[interrupted["number"]]["stats"]["cpu_s"] > committed
    archive.close()

