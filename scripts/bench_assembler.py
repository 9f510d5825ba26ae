"""Assembler throughput on the human-written corpora (../shared/warriors): prints figures.

    python scripts/bench_assembler.py [--repeat N]

Each pass assembles every file of drq-heldout and koenigstuhl-94nop from bytes already in
memory; the best of N passes, in CPU time, is reported (the machine may be busy).
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from arenas.corewar.assembler import RedcodeError, assemble
from arenas.corewar.settings import Settings

SHARED = Path(os.environ.get("REDQUEEN_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = sorted(p for d in ("drq-heldout", "koenigstuhl-94nop")
                   for p in (SHARED / "warriors" / d).glob("*") if p.is_file())
    if not files:
        raise SystemExit(f"no warriors under {SHARED / 'warriors'}")
    sources = [p.read_bytes().decode("utf-8", "surrogateescape") for p in files]
    settings = Settings()
    best, rejected = float("inf"), 0
    for _ in range(args.repeat):
        start, rejected = time.process_time(), 0
        for source in sources:
            try:
                assemble(source, settings)
            except RedcodeError:
                rejected += 1
        best = min(best, time.process_time() - start)
    lines = sum(s.count("\n") for s in sources)
    print(f"{len(files)} files ({lines} lines, {rejected} rejected): best of {args.repeat} passes "
          f"{best:.2f} s CPU, {1000 * best / len(files):.2f} ms per file, {len(files) / best:.0f} files/s")


if __name__ == "__main__":
    main()
