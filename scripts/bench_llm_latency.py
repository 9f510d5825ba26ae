"""Throughput bound by latency: wall time per round against requests x mean latency / concurrency.

A local chat server (127.0.0.1) answers every request after 0.5 to 1.5 s (uniform, chosen by the
request's seed; mean 1.0 s) with a small valid warrior. For each concurrency C the script runs
one Core War round of `redqueen evolve --mutator llm` with 8 * C iterations in batches of 8,
`--pipeline` 2 ceil(C / 8) + 1 (batches whose answers are all in but wait their turn hold no
request, so more batches than C / 8 keep C requests busy) and no initial new programs (`--n-init 0`,
so every request of the round is pipelined), and prints the run's wall time (its one round, from
`archive runs`: start-up, evaluation and the last answers' latency included) next to the bound
requests x mean latency / C.

    python3 scripts/bench_llm_latency.py [--concurrency 1 4 16 64]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "llm")]
WARRIOR = (";redcode-94\n;name Bomber {step}\nstep EQU {step}\n ADD.AB #step, 3\n MOV.AB #0, @2\n JMP -2\n"
           " DAT #0, #0\n END\n")


def latency(seed: int) -> float:
    return 0.5 + int(hashlib.sha256(str(seed).encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def respond(body, index):
    seed = body.get("seed", 0)
    return ("slow", latency(seed), "```redcode\n" + WARRIOR.format(step=3 + seed % 89) + "```")


def main():
    from chatserver import ChatServer
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16, 64])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    print("| C | requests | mean latency (s) | bound (s) | round wall time (s) | ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    for concurrency in args.concurrency:
        db = work / f"c{concurrency}.db"
        with ChatServer(respond) as server:
            command = [sys.executable, "-m", "redqueen", "evolve", "--mutator", "llm", "--base-url", server.base_url,
                       "--model", "stand-in", "--rounds", "1", "--iters", str(8 * concurrency), "--batch", "8",
                       "--n-init", "0", "--seeds", "2", "-A", "maxcycles=2000",
                       "--concurrency", str(concurrency), "--pipeline", str(2 * math.ceil(concurrency / 8) + 1),
                       "--quiet", "--db", str(db)]
            env = {"OPENAI_API_KEY": "stand-in", "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
            result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
            if result.returncode:
                sys.exit(result.stderr)
            seeds = [r["seed"] for r in server.requests[1:]]           # the first is the endpoint check
        runs = json.loads(subprocess.run([sys.executable, "-m", "redqueen", "archive", "runs", "--json",
                                          "--db", str(db)], capture_output=True, text=True, env=env,
                                         cwd=REPO).stdout)
        wall = runs[0]["elapsed_s"]         # the one-round run's time, waiting for answers included
        mean = sum(map(latency, seeds)) / len(seeds)
        bound = len(seeds) * mean / concurrency
        print(f"| {concurrency} | {len(seeds)} | {mean:.2f} | {bound:.1f} | {wall:.1f} | {wall / bound:.2f} |")


if __name__ == "__main__":
    main()
