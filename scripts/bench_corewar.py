#!/usr/bin/env python3
"""Speed of the Core War engine against pMARS and exhaust-ma, in one run on this machine.

  python scripts/bench_corewar.py [--rounds 1000] [--batch 200] [--skip-cold] [--parts suite,batch]

1. The exhaust-ma suite (-F 4000, fixed/jaguar/stalker/npaper2, 10 pairs): redqueen's battle()
   on one thread, with statistics (the Red Queen loop's path) and without (`redqueen battle`'s: the
   ahead-of-time engine once a `redqueen battle` has built it, else the JIT one), exhaust-ma's
   C simulator (its CLI built from the C sources the package ships:
   its fastest honest path, with pMARS's -F placement; the cffi API plays one round per call with
   its own placement) and pMARS. Results of all three must agree.
2. Batch throughput: independent one-round battles of the same warriors over many seeds, on one
   thread and on all cores, for both schedulers.
3. `redqueen battle` start-up: cold (empty Numba cache: compiles) and warm.
4. One full 80000-cycle battle (a tie), against the DRQ study's pure-Python engine's 2.5 s.
Single-thread times are CPU seconds (this process's, or its children's for pMARS and exhaust-ma:
less disturbed by other load on the machine than wall-clock); batch and start-up times are
wall-clock. Each figure is the best of `--repeat` runs.
"""
import argparse
import importlib.resources
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

EXHAUST_DIR = importlib.resources.files("exhaust_ma") / "exhaust-ma"
NAMES = ("fixed", "jaguar", "stalker", "npaper2")
PAIRS = [(a, b) for i, a in enumerate(NAMES) for b in NAMES[:i + 1]]
DRQ_PYTHON_SECONDS = 2.5


def best_of(repeat, work):
    """Best wall-clock time of `repeat` runs, and the last value."""
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = work()
        times.append(time.perf_counter() - start)
    return min(times), value


def cpu_seconds():
    """CPU time of this process and of its finished children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def best_cpu_of(repeat, work):
    """Best CPU time of `repeat` runs (single-threaded work), and the last value."""
    times, value = [], None
    for _ in range(repeat):
        start = cpu_seconds()
        value = work()
        times.append(cpu_seconds() - start)
    return min(times), value


def build_exhaust(workdir: Path):
    """exhaust-ma's command-line simulator from the package's C sources, or None without cc."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    sources = [EXHAUST_DIR / f for f in ("sim.c", "asm.c", "pspace.c", "exhaust.c")]
    binary = workdir / "exhaust"
    subprocess.run([compiler, "-O2", "-fomit-frame-pointer", "-o", str(binary), *map(str, sources)],
                   check=True, cwd=EXHAUST_DIR, capture_output=True)
    return binary


def run_suite_external(binary, rounds):
    outputs = []
    for a, b in PAIRS:
        out = subprocess.run([str(binary), "-bkF", "4000", "-r", str(rounds), str(EXHAUST_DIR / f"{a}.rc"),
                              str(EXHAUST_DIR / f"{b}.rc")], capture_output=True, text=True, check=True)
        outputs.append(out.stdout)
    return outputs


def run_suite_redqueen(warriors, rounds, statistics=True):
    from arenas.corewar.battle import battle
    outputs, instructions = [], 0
    for a, b in PAIRS:
        result = battle([warriors[a], warriors[b]], rounds=rounds, fixed_position=4000, statistics=statistics)
        outputs.append(result.pmars_output(koth=True))
        instructions += result.instructions
    return outputs, instructions


def suite(args, warriors, workdir):
    print(f"== exhaust-ma suite: 10 pairs x {args.rounds} rounds, -F 4000 (CPU s, best of {args.repeat})")
    run_suite_redqueen(warriors, 2)            # load the compiled code first
    run_suite_redqueen(warriors, 2, statistics=False)
    ours_time, (ours, instructions) = best_cpu_of(args.repeat, lambda: run_suite_redqueen(warriors, args.rounds))
    bare_time, (bare, _) = best_cpu_of(args.repeat, lambda: run_suite_redqueen(warriors, args.rounds, False))
    rows = [("redqueen battle() with statistics", ours_time, ours),
            ("redqueen, statistics=False (CLI)", bare_time, bare)]
    exhaust = build_exhaust(workdir)
    if exhaust:
        rows.append(("exhaust-ma (C CLI, -O2)",
                     *best_cpu_of(args.repeat, lambda: run_suite_external(exhaust, args.rounds))))
    pmars = shutil.which("pmars")
    if pmars:
        rows.append(("pMARS 0.9.2", *best_cpu_of(args.repeat, lambda: run_suite_external(pmars, args.rounds))))
    for name, seconds, outputs in rows:
        agree = "same results" if outputs == ours else "RESULTS DIFFER"
        print(f"  {name:32s} {seconds:7.2f} s  {instructions / seconds / 1e6:7.1f} M instr/s  "
              f"redqueen/this {ours_time / seconds:5.2f}x  ({agree})")
    print(f"  instructions executed: {instructions:,}")


def available_parallelism(threads):
    """CPU seconds per wall second that `threads` busy threads (compiled, without the GIL) get
    right now; other jobs on the machine take the rest. The ceiling for the speed-ups measured
    in the same minute."""
    import threading
    from numba import njit

    @njit(nogil=True)
    def spin(n):
        total = 0
        for k in range(n):
            total += k % 7
        return total

    spin(10)
    workers = [threading.Thread(target=spin, args=(300_000_000,)) for _ in range(threads)]
    cpu, wall = time.process_time(), time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return (time.process_time() - cpu) / (time.perf_counter() - wall)


def batch(args, warriors):
    from arenas.corewar.battle import WarriorPool, batch_battle
    pool = WarriorPool([warriors[n] for n in NAMES])
    index = {n: i for i, n in enumerate(NAMES)}
    rng = np.random.default_rng(1)
    members = np.asarray([[index[a], index[b]] for a, b in PAIRS] * (args.batch // len(PAIRS)))
    seeds = rng.integers(0, 7801, size=len(members))
    cores = os.cpu_count() or 1
    print(f"== batch: {len(members)} one-round battles of the suite's pairs, random seeds")
    print(f"  cores free for {cores} busy threads right now: {available_parallelism(cores):.2f} "
          "(CPU s per wall s; the ceiling for the speed-ups below)")
    for scheduler in ("threads", "prange"):
        batch_battle(pool, members[:4], seeds[:4], scheduler=scheduler)
        single, _ = best_of(args.repeat, lambda: batch_battle(pool, members, seeds, threads=1, scheduler=scheduler))
        parallel, _ = best_of(args.repeat,
                              lambda: batch_battle(pool, members, seeds, threads=cores, scheduler=scheduler))
        print(f"  {scheduler:8s} 1 thread {single:6.2f} s ({len(members) / single:6.1f} battles/s)   "
              f"{cores} threads {parallel:6.2f} s ({len(members) / parallel:6.1f} battles/s)   "
              f"speed-up {single / parallel:4.2f}x")


def startup(args):
    files = [str(EXHAUST_DIR / "imp.rc"), str(EXHAUST_DIR / "spl.rc")]
    command = [sys.executable, "-c", "from redqueen.cli import main; main()", "battle", "-b", "-r", "1",
               "-F", "4000", *files]
    print("== `redqueen battle -b -r 1 -F 4000 imp.rc spl.rc` start-up")
    if not args.skip_cold:
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, NUMBA_CACHE_DIR=cache)
            cold, _ = best_of(1, lambda: subprocess.run(command, env=env, check=True, capture_output=True))
        print(f"  cold (empty Numba cache, compiles): {cold:6.2f} s")
    subprocess.run(command, check=True, capture_output=True)
    warm, _ = best_of(args.repeat, lambda: subprocess.run(command, check=True, capture_output=True))
    print(f"  warm:                               {warm:6.2f} s")


def long_battle(args, warriors):
    from arenas.corewar.battle import battle
    pair = [warriors["npaper2"], warriors["npaper2"]]
    battle(pair, rounds=1, fixed_position=4000)
    seconds, result = best_cpu_of(args.repeat, lambda: battle(pair, rounds=1, fixed_position=4000))
    assert result.ties.tolist() == [1, 1], "expected a full-length tie"
    print(f"== one 80000-cycle battle (npaper2 vs npaper2, a tie): {seconds * 1000:.1f} ms, "
          f"{DRQ_PYTHON_SECONDS / seconds:,.0f}x the DRQ pure-Python engine's {DRQ_PYTHON_SECONDS} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-cold", action="store_true", help="skip the cold start (it compiles, ~1 min)")
    parser.add_argument("--parts", default="suite,batch,long,startup",
                        help="comma-separated subset of: suite, batch, long, startup")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    from arenas.corewar.assembler import assemble_file
    warriors = {n: assemble_file(EXHAUST_DIR / f"{n}.rc") for n in NAMES}
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    if "suite" in parts:
        with tempfile.TemporaryDirectory() as workdir:
            suite(args, warriors, Path(workdir))
    if "batch" in parts:
        batch(args, warriors)
    if "long" in parts:
        long_battle(args, warriors)
    if "startup" in parts:
        startup(args)


if __name__ == "__main__":
    main()
