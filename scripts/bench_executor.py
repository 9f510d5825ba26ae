#!/usr/bin/env python3
"""Held-out evaluation through the executors: one warrior against a held-out directory (default
the 316 usable DRQ warriors) x 20 seeds, locally on one thread against a local Dask cluster of
N single-thread worker processes; and the Dask round trip of an empty task (per-task overhead).

Both backends read the held-out set from the same warm parsed-program cache (a fresh one in a
temporary directory, as $REDQUEEN_CACHE); parsing it cold is timed separately. Each repetition
times local then Dask, so a load from elsewhere on the machine hits both; the speed-up is the
ratio of the medians (and of the best times, the least disturbed by other processes), and the
load average is printed with the figures. The CPU seconds of this
process (local) and of each Dask worker process (games, parsing and Dask's own threads) show the
Dask overhead (their difference) and how evenly the work was shared (under load a starved worker
does less, so the split then says little).

    python3 scripts/bench_executor.py                  # 2 workers, 5 repetitions
    python3 scripts/bench_executor.py --workers 4 --repeat 5 --program my.red
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
HELDOUT = REPO.parent / "shared" / "warriors" / "drq-heldout"


def _noop(task):
    return task


def _load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--program", default=str(REPO / "archive" / "heldout" / "glance.red"))
    parser.add_argument("--against", default=str(HELDOUT))
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        os.environ["REDQUEEN_CACHE"] = cache          # the workers inherit it
        return _bench(args)


def _bench(args) -> int:
    from redqueen.db import Archive
    from redqueen.executor import DaskExecutor, LocalExecutor
    from redqueen.heldout import load_heldout
    from redqueen.registry import make_arena
    from redqueen.report import heldout_report

    print(f"start: {_load_average()}")
    arena = make_arena("corewar", {"threads": 1})
    started = time.perf_counter()
    heldout = load_heldout(arena, args.against)
    cold_s = time.perf_counter() - started
    started = time.perf_counter()
    load_heldout(arena, args.against)
    warm_s = time.perf_counter() - started
    print(f"held-out set ({len(heldout)} programs, {len(heldout.skipped)} skipped): parsed cold {cold_s:.3f} s, "
          f"from the cache {warm_s:.3f} s")

    def evaluate(executor) -> tuple[float, dict]:
        with tempfile.TemporaryDirectory() as scratch:
            archive = Archive(Path(scratch) / "bench.db")
            try:
                started = time.perf_counter()
                report = heldout_report(archive, [args.program], against=args.against, seeds=args.seeds,
                                        arena_options={"threads": 1}, progress=False, executor=executor)
                return time.perf_counter() - started, report
            finally:
                archive.close()

    def worker_cpu(executor) -> dict:
        return executor.client.run(time.process_time)

    local_times, dask_times, local_cpu, worker_cpus = [], [], [], []
    with DaskExecutor(workers=args.workers) as executor:
        evaluate(LocalExecutor())                               # warm this process's engine
        evaluate(executor)                                      # warm the workers
        for _ in range(args.repeat):
            cpu = time.process_time()
            local_s, local = evaluate(LocalExecutor())
            local_cpu.append(time.process_time() - cpu)
            before = worker_cpu(executor)
            dask_s, remote = evaluate(executor)
            after = worker_cpu(executor)
            worker_cpus.append(sorted(after[w] - before[w] for w in after))
            same = [p["per_opponent"] for p in local["programs"]] == [p["per_opponent"] for p in remote["programs"]]
            if not same:
                print("dask results differ from local ones", file=sys.stderr)
                return 1
            local_times.append(local_s)
            dask_times.append(dask_s)
            print(f"  local {local_s:.2f} s ({local_cpu[-1]:.2f} CPU s), dask {dask_s:.2f} s ({local_s / dask_s:.2f}x; "
                  f"workers' CPU s {', '.join(f'{c:.2f}' for c in worker_cpus[-1])}); {_load_average()}")
        started = time.perf_counter()
        executor.map(_noop, list(range(200)))
        overhead_ms = (time.perf_counter() - started) / 200 * 1000
    local_s, dask_s = statistics.median(local_times), statistics.median(dask_times)
    print(f"{Path(args.program).name} vs {local['opponents']} held-out x {args.seeds} seeds = "
          f"{local['games_played']} games; medians of {args.repeat}, warm cache on both:")
    print(f"local, 1 thread:            {local_s:.2f} s")
    print(f"dask, {args.workers} worker processes:   {dask_s:.2f} s   speed-up {local_s / dask_s:.2f}x; "
          f"identical results: True")
    print(f"best times: local {min(local_times):.2f} s, dask {min(dask_times):.2f} s, "
          f"speed-up {min(local_times) / min(dask_times):.2f}x")
    cpu_local = statistics.median(local_cpu)
    cpu_all = statistics.median(sum(c) for c in worker_cpus)
    busiest = statistics.median(max(c) for c in worker_cpus)
    print(f"CPU time: local {cpu_local:.2f} s; dask workers {cpu_all:.2f} s in all, the busiest {busiest:.2f} s; "
          f"local / (workers' total / {args.workers}) = {cpu_local * args.workers / cpu_all:.2f}x, "
          f"the speed-up of a perfect balance")
    print(f"dask per-task overhead (empty task, 200 in flight): {overhead_ms:.2f} ms")
    print(f"end: {_load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
