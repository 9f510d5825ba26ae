"""Gathering and Cleanup speed: the compiled episode against the plain NumPy referee, one run.

    python scripts/bench_ssd.py [--episodes N] [--referee-episodes M] [--agents 10] [--steps 1000]
                                [--sandbox-seeds S --workers W]

Same rules, seeds and policies on both sides: the project's policies (arenas/ssd/programs,
heldout) compiled with numba in process for the compiled engine, and as plain Python functions in
the referee (tests/arenas/ssd/referee.py: the environment in NumPy and Python, as in the policy-synthesis
reference code). Episodes per second in CPU time; the machine may be busy, so CPU time is used.
The first compiled episode (compilation) is not timed. With --sandbox-seeds, the same policy
is also evaluated through the arena (`arena.evaluate` against the six held-out populations, in
sandbox worker processes), reported in wall-clock episodes/s after a first untimed evaluation.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from arenas.policy.sandbox import CONTROL_SIZE, compile_policy  # noqa: E402
from arenas.ssd import engine, maps  # noqa: E402
from tests.arenas.ssd import referee  # noqa: E402

POLICIES = {"gathering": ("programs/nearest_apple.py", "heldout/free_rider.py"),
            "cleanup": ("programs/clean_then_harvest.py", "heldout/greedy_harvester.py")}


def plain(path: Path):
    namespace = {"np": np}
    exec(path.read_text(), namespace)
    return namespace["policy"]


def compiled_rate(game, a, b, layout, agents, steps, episodes) -> float:
    settings = dict(agents=agents, focal=agents // 2, steps=steps, cleanup=int(game == "cleanup"), respawn=25,
                    beam_length=20, removal_steps=25, hits_to_remove=2, clean_length=5, waste_prob=0.5,
                    apple_prob=0.05, depletion=0.4)
    ints, floats = engine.parameter_arrays(settings)
    control = np.zeros(CONTROL_SIZE, np.int64)
    stats = np.zeros((episodes, len(engine.STATS)))
    statuses, bad = np.zeros(episodes, np.int64), np.zeros(episodes, np.int64)
    seeds = np.arange(1, episodes + 1, dtype=np.int64)
    shared = engine.shared_flags(a, b)
    engine.episodes(*a, *b, layout.grid, layout.spawns, ints, floats, shared, seeds[:1], control, stats[:1],
                    statuses[:1], bad[:1])
    start = time.process_time()
    engine.episodes(*a, *b, layout.grid, layout.spawns, ints, floats, shared, seeds, control, stats, statuses, bad)
    assert not statuses.any()
    return episodes / (time.process_time() - start)


def referee_rate(game, a, b, layout, agents, steps, episodes) -> float:
    policies = [a] * (agents // 2) + [b] * (agents - agents // 2)
    start = time.process_time()
    for seed in range(1, episodes + 1):
        referee.play(policies, layout.grid, layout.spawns, seed, steps, cleanup=game == "cleanup")
    return episodes / (time.process_time() - start)


def sandbox_rate(game, path: Path, agents, steps, seeds, workers) -> float:
    from arenas.cleanup.arena import CleanupArena
    from arenas.gathering.arena import GatheringArena
    arena = (CleanupArena if game == "cleanup" else GatheringArena)(
        workers=workers, agents=agents, steps=steps, progress=False)
    try:
        program = arena.parse(path.read_text(), origin=str(path))
        opponents = arena.heldout_opponents()
        arena.evaluate([program], opponents, [0])
        start = time.perf_counter()
        arena.evaluate([program], opponents, list(range(1, seeds + 1)))
        return len(opponents) * seeds / (time.perf_counter() - start)
    finally:
        arena.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=20, help="compiled episodes timed")
    parser.add_argument("--referee-episodes", type=int, default=1, help="referee episodes timed")
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--sandbox-seeds", type=int, default=0, help="seeds per held-out population")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"{args.agents} agents, {args.steps} steps per episode; episodes/s in CPU time")
    print(f"{'game':10} {'compiled':>10} {'referee':>10} {'speed-up':>9}")
    for game, (file_a, file_b) in POLICIES.items():
        layout = maps.cleanup() if game == "cleanup" else maps.gathering("default")
        sources = [ROOT / "arenas" / "ssd" / f for f in (file_a, file_b)]
        policies = [compile_policy(p.read_text(), "policy", engine.signature()) for p in sources]
        fast = compiled_rate(game, *policies, layout, args.agents, args.steps, args.episodes)
        slow = referee_rate(game, *(plain(p) for p in sources), layout, args.agents, args.steps,
                            args.referee_episodes)
        print(f"{game:10} {fast:10.1f} {slow:10.3f} {fast / slow:8.0f}x", flush=True)
    if args.sandbox_seeds:
        for game, (file_a, _) in POLICIES.items():
            rate = sandbox_rate(game, ROOT / "arenas" / "ssd" / file_a, args.agents, args.steps,
                                args.sandbox_seeds, args.workers)
            print(f"{game:10} through arena.evaluate, {args.workers} sandbox workers: {rate:.1f} episodes/s "
                  "(wall clock)", flush=True)


if __name__ == "__main__":
    main()
