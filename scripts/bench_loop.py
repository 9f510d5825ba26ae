#!/usr/bin/env python3
"""Benchmarks of the Red Queen loop on Core War (figures printed, nothing asserted).

    python3 scripts/bench_loop.py evals [--opponents 20] [--seeds 20] [--batch 8]
        evaluations per second: a batch of candidates, each in one battle with N opponents,
        over S seeds (the DRQ fitness), through the arena's batched engine call.
    python3 scripts/bench_loop.py run --preset short|reference [--operators fixed|adaptive] [--db PATH]
        wall time of a built-in-mutator run: short = 3 rounds x 30 iterations x 20 seeds,
        reference = DRQ's defaults, 20 rounds x 250 iterations x 20 seeds; `--operators adaptive`
        draws from every Core War operator (archetypes, module and constant operators) instead of
        the first release's random/mutate/crossover, to see what the new operators cost.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PRESETS = {
    "short": dict(rounds=3, iters=30),
    "reference": dict(rounds=20, iters=250),
}


def opponents_for(arena, count: int):
    """`count` opponents: human-written warriors from ../shared when present, else mutants of the imp."""
    import numpy as np
    heldout = REPO.parent / "shared" / "warriors" / "drq-heldout"
    if heldout.is_dir():
        programs, _ = arena.load_directory(heldout)
        if len(programs) >= count:
            return programs[:count], f"the first {count} warriors of {heldout}"
    rng = np.random.default_rng(0)
    imp = arena.initial_programs()[0]
    return [arena.parse(arena.mutate(imp, rng)) for _ in range(count)], f"{count} imp mutants"


def bench_evals(args) -> None:
    import numpy as np
    from redqueen.registry import make_arena
    arena = make_arena("corewar")
    opponents, what = opponents_for(arena, args.opponents)
    rng = np.random.default_rng(1)
    seeds = [int(s) for s in rng.integers(1, 2**31 - 1, size=args.seeds)]
    candidates = [arena.parse(arena.mutate(opponents[i % len(opponents)], rng)) for i in range(args.batch)]
    arena.evaluate(candidates[:1], opponents[:2], seeds[:1])          # compile (or load) the engine
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        arena.evaluate(candidates, opponents, seeds)
        timings.append(time.perf_counter() - started)
    best = min(timings)
    battles = args.batch * args.seeds
    print(f"opponents: {what}")
    print(f"{args.batch} candidates x {args.opponents} opponents x {args.seeds} seeds "
          f"({battles} battles of {args.opponents + 1} warriors) in {best:.2f} s (best of {args.repeat})")
    print(f"{args.batch / best:.2f} evaluations/s, {battles / best:.1f} battles/s")


def bench_run(args) -> None:
    from redqueen.db import Archive
    from redqueen.loop import RedQueen, RunConfig
    from redqueen.mutators import make_mutator
    preset = PRESETS[args.preset]
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="bench-loop-")) / "bench.db"
    from redqueen.registry import make_arena
    archive, arena = Archive(db), make_arena("corewar")
    options = {"adaptive": True} if args.operators == "adaptive" else {}
    config = RunConfig(seed=args.seed, mutator="builtin", mutator_options=options, **preset)
    started = time.perf_counter()
    loop = RedQueen.start(archive, config, arena, make_mutator("builtin", arena, **options), progress=not args.quiet)
    loop.run()
    elapsed = time.perf_counter() - started
    evaluations = archive.db.execute("SELECT count(*) FROM evaluations WHERE run_id = ?", [loop.run_id]).fetchone()[0]
    print(f"preset {args.preset}: {preset['rounds']} rounds x {preset['iters']} iterations x 20 seeds, "
          f"builtin mutator, {args.operators} operators, seed {args.seed}")
    print(f"wall time {elapsed:.1f} s ({elapsed / 60:.1f} min), {evaluations} evaluations, "
          f"{evaluations / elapsed:.2f} evaluations/s; archive {db}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    evals = commands.add_parser("evals", help="evaluations per second")
    evals.add_argument("--opponents", type=int, default=20)
    evals.add_argument("--seeds", type=int, default=20)
    evals.add_argument("--batch", type=int, default=8)
    evals.add_argument("--repeat", type=int, default=3)
    run = commands.add_parser("run", help="wall time of a built-in run")
    run.add_argument("--preset", choices=sorted(PRESETS), default="short")
    run.add_argument("--db", default=None)
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--operators", choices=["fixed", "adaptive"], default="fixed")
    run.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    bench_evals(args) if args.command == "evals" else bench_run(args)


if __name__ == "__main__":
    main()
