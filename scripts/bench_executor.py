#!/usr/bin/env python3
"""Held-out evaluation through the executors: one warrior against a held-out directory (default
the 316 usable DRQ warriors) x 20 seeds, locally on one thread against a local Dask cluster of
N single-thread worker processes; and the Dask round trip of an empty task (per-task overhead).

    python3 scripts/bench_executor.py                  # 2 workers
    python3 scripts/bench_executor.py --workers 4 --program my.red
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
HELDOUT = REPO.parent / "shared" / "warriors" / "drq-heldout"


def _noop(task):
    return task


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--program", default=str(REPO / "archive" / "heldout" / "glance.red"))
    parser.add_argument("--against", default=str(HELDOUT))
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from redqueen.db import Archive
    from redqueen.executor import DaskExecutor, LocalExecutor
    from redqueen.report import heldout_report

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

    evaluate(LocalExecutor())                                   # warm this process's engine
    local_s, local = evaluate(LocalExecutor())
    with DaskExecutor(workers=args.workers) as executor:
        evaluate(executor)                                      # warm the workers
        dask_s, remote = evaluate(executor)
        started = time.perf_counter()
        executor.map(_noop, list(range(200)))
        overhead_ms = (time.perf_counter() - started) / 200 * 1000
    same = [p["per_opponent"] for p in local["programs"]] == [p["per_opponent"] for p in remote["programs"]]
    games = local["games_played"]
    print(f"{Path(args.program).name} vs {local['opponents']} held-out x {args.seeds} seeds = {games} games")
    print(f"local, 1 thread:            {local_s:.2f} s")
    print(f"dask, {args.workers} worker processes:   {dask_s:.2f} s   speed-up {local_s / dask_s:.2f}x; "
          f"identical results: {same}")
    print(f"dask per-task overhead (empty task, 200 in flight): {overhead_ms:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
