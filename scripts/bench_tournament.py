#!/usr/bin/env python3
"""A round robin of N warriors at -r R: `redqueen tournament` (one process, every core) against
pMARS run pair by pair, one `pmars -b -r R -F POS A B` process per pair, as users script it.

    python3 scripts/bench_tournament.py                       # 50 DRQ warriors, -r 100, every pair
    python3 scripts/bench_tournament.py --pmars-pairs 200     # time pMARS on 200 pairs, extrapolate

Both sides run whole processes (start-up included). With --pmars-pairs the pMARS time of the
full round robin is extrapolated from a random sample of its pairs, whose scores are also
checked against the tournament's battles.
"""
from __future__ import annotations

import argparse
import itertools
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "warriors" / "drq-heldout"
REDQUEEN = [sys.executable, "-c", "from redqueen.cli import main; main()"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warriors", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--position", type=int, default=4000)
    parser.add_argument("--corpus", default=str(CORPUS))
    parser.add_argument("--pmars-pairs", type=int, default=0, help="time pMARS on this many pairs (0: all)")
    parser.add_argument("--executor", default="local")
    args = parser.parse_args()
    files = sorted(str(p) for p in Path(args.corpus).glob("*.red"))[:args.warriors]
    options = ["-r", str(args.rounds), "-F", str(args.position)]
    env = {"PYTHONPATH": str(REPO)}
    subprocess.run([*REDQUEEN, "tournament", "-r", "1", files[0], files[1]], capture_output=True,
                   env=env, check=True)                                       # warm the Numba cache
    started, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run([*REDQUEEN, "tournament", "--json", "--executor", args.executor, *options, *files],
                          capture_output=True, env=env, check=True)
    ours, ours_cpu = time.perf_counter() - started, _children_cpu() - cpu
    json.loads(done.stdout)
    pairs = list(itertools.combinations(files, 2))
    sample = pairs
    if args.pmars_pairs:
        chosen = np.random.default_rng(0).choice(len(pairs), min(args.pmars_pairs, len(pairs)), replace=False)
        sample = [pairs[i] for i in sorted(chosen)]
    started, cpu = time.perf_counter(), _children_cpu()
    outputs = [subprocess.run([str(REPO / "scripts" / "pmars_oracle.sh"), "-b", *options, a, b],
                              capture_output=True).stdout for a, b in sample]
    theirs = (time.perf_counter() - started) * len(pairs) / len(sample)
    theirs_cpu = (_children_cpu() - cpu) * len(pairs) / len(sample)
    checked = _check_sample(sample[:5], outputs[:5], options, env)
    print(f"{len(files)} warriors, {len(pairs)} pairs x {args.rounds} rounds")
    print(f"redqueen tournament ({args.executor}): {ours:.2f} s wall, {ours_cpu:.2f} s CPU (one process)")
    print(f"pmars pair by pair: {theirs:.2f} s wall, {theirs_cpu:.2f} s CPU"
          + (f" (extrapolated from {len(sample)} pairs)" if len(sample) < len(pairs) else ""))
    print(f"speed-up: {theirs / ours:.1f}x wall, {theirs_cpu / ours_cpu:.1f}x CPU; "
          f"pMARS scores equal ours on {checked}/5 pairs checked")
    return 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _check_sample(sample, outputs, options, env) -> int:
    """Pairs whose pMARS scores equal those of a tournament of just that pair (the tests check
    whole round robins)."""
    equal = 0
    for (a, b), out in zip(sample, outputs):
        theirs = [int(s) for s in re.findall(rb" scores (-?\d+)$", out, re.MULTILINE)]
        done = subprocess.run([*REDQUEEN, "tournament", "--json", *options, a, b], capture_output=True, env=env)
        rows = {row["file"]: row["score"] for row in json.loads(done.stdout or b"[]")}
        equal += theirs == [rows.get(a), rows.get(b)]
    return equal


if __name__ == "__main__":
    sys.exit(main())
