"""Throughput bound by latency: wall time per round against requests x mean latency / concurrency.

A local chat server (127.0.0.1, one thread per connection, HTTP/1.1 keep-alive like hosted
endpoints) answers every request after 0.5 to 1.5 s (uniform, chosen by the request's seed; mean
1.0 s) with a small valid warrior (a bomber whose step the seed sets, so nearly every answer is
a new program that is evaluated). For each concurrency C the script runs one Core War round of
`redqueen evolve --mutator llm` with `--per-slot` x C iterations in batches of 8, `--pipeline`
2 ceil(C / 8) + 1 (batches whose answers are all in but wait their turn hold no request, so more
batches than C / 8 keep C requests busy) and no initial new programs (`--n-init 0`, so every
request of the round is pipelined), and prints the run's wall time (its one round, from the
archive: evaluation and the last answers' latency included, start-up not) next to the bound
requests x mean latency / C.

Each of the C request slots serves about `--per-slot` requests in turn, and the round ends when
the last slot's last answer is in: with few requests per slot that tail (up to one 1.5 s answer)
is a large share of the round, so the default (32) measures the pipeline's steady state. The
table also gives the evaluation rate (answers parsed, evaluated and committed per second of the
loop's own time, from the round's step times): while it is well above the arrival rate
C / mean latency, evaluation is not the bound and the round waits on the endpoint.

    python3 scripts/bench_llm_latency.py [--concurrency 1 4 16 64] [--per-slot 32]
"""
from __future__ import annotations

import argparse
import hashlib
import math
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "redqueen" / "llm")]
WARRIOR = (";redcode-94\n;name Bomber {step}\nstep EQU {step}\n ADD.AB #step, 3\n MOV.AB #0, @2\n JMP -2\n"
           " DAT #0, #0\n END\n")


def latency(seed: int) -> float:
    return 0.5 + int(hashlib.sha256(str(seed).encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def respond(body, index):
    seed = body.get("seed", 0)
    return ("slow", latency(seed), "```redcode\n" + WARRIOR.format(step=3 + seed % 7991) + "```")


def run_round(concurrency: int, per_slot: int, db: Path) -> list[int]:
    """One round at this concurrency; the seeds of the requests the server answered."""
    from chatserver import ChatServer
    with ChatServer(respond, keep_alive=True) as server:
        command = [sys.executable, "-m", "redqueen", "evolve", "--mutator", "llm", "--base-url", server.base_url,
                   "--model", "stand-in", "--rounds", "1", "--iters", str(per_slot * concurrency), "--batch", "8",
                   "--n-init", "0", "--seeds", "2", "-A", "maxcycles=2000",
                   "--concurrency", str(concurrency), "--pipeline", str(2 * math.ceil(concurrency / 8) + 1),
                   "--quiet", "--db", str(db)]
        env = {"OPENAI_API_KEY": "stand-in", "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
        if result.returncode:
            sys.exit(result.stderr)
        return [r["seed"] for r in server.requests[1:]]           # the first is the endpoint check


def main():
    from redqueen.db import Archive
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--per-slot", type=int, default=32, help="requests per concurrency slot")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    print("| C | requests | mean latency (s) | bound (s) | round wall time (s) | ratio | evaluation rate (answers/s) "
          "| arrival rate C / latency (answers/s) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for concurrency in args.concurrency:
        db = work / f"c{concurrency}.db"
        seeds = run_round(concurrency, args.per_slot, db)
        archive = Archive(db)
        wall = archive.run(1)["elapsed_s"]       # the one-round run's time, waiting for answers included
        round_row = archive.rounds(1)[0]
        archive.close()
        mean = sum(map(latency, seeds)) / len(seeds)
        bound = len(seeds) * mean / concurrency
        rate = round_row["stats"]["candidates"] / round_row["elapsed_s"]   # the steps' own time
        print(f"| {concurrency} | {len(seeds)} | {mean:.2f} | {bound:.1f} | {wall:.1f} | {wall / bound:.2f} "
              f"| {rate:.0f} | {concurrency / mean:.0f} |", flush=True)


if __name__ == "__main__":
    main()
