#!/usr/bin/env python3
"""Speed of the policy arenas: compiled IPD matches and Tron games per second.

IPD: the same matches (seven classic strategies, every ordered pair, noise 0.05, 200 turns)
played by our numba engine with our policies, and by Axelrod's own engine with Axelrod's
implementations of the same strategies, in the same run; the ratio is ours / Axelrod's.
Both engines are timed in this process (no sandbox); the arena rows add the sandbox pool
(worker processes, limits, messages) as the Red Queen loop uses it.

    python scripts/bench_policy.py [--seeds 20] [--workers 2] [--no-axelrod]
"""
from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
IPD_PROGRAMS = REPO / "arenas" / "ipd" / "programs"
TRON_BOTS = REPO / "arenas" / "tron" / "heldout"
CLASSICS = {"tit_for_tat": "Tit For Tat", "grim_trigger": "Grudger", "win_stay_lose_shift": "Win-Stay Lose-Shift",
            "always_defect": "Defector", "always_cooperate": "Cooperator", "tit_for_two_tats": "Tit For 2 Tats",
            "alternator": "Alternator"}
TURNS, NOISE = 200, 0.05


def compiled(path: Path, signature_text, game_signature):
    from arenas.policy.sandbox import compile_policy
    from arenas.policy.validate import validate
    valid = validate(path.read_text(), signature_text, str(path))
    return compile_policy(valid.code, "policy", game_signature)


def _buffers(seeds: list[int], width: int):
    """Control array, seeds and result arrays of one pairing's batch of games."""
    count = len(seeds)
    return (np.zeros(8, np.int64), np.asarray(seeds, np.int64), np.zeros((count, width)),
            np.zeros(count, np.int64), np.zeros(count, np.int64))


def timed(function, repeat: int = 3) -> float:
    """Best wall time of `repeat` runs (seconds)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def bench_ipd_engine(seeds: list[int]) -> tuple[int, float]:
    from arenas.ipd import game
    from arenas.ipd.arena import IPDArena
    policies = [compiled(IPD_PROGRAMS / f"{name}.py", IPDArena.signature, game.signature()) for name in CLASSICS]
    control, seed_array, stats, statuses, bad = _buffers(seeds, len(game.STATS))
    pairs = list(itertools.product(policies, repeat=2))

    def run():
        for a, b in pairs:        # one compiled call per pairing, as the sandbox workers do
            game.matches(*a, *b, TURNS, NOISE, seed_array, control, stats, statuses, bad)
    run()                                   # warm
    return len(pairs) * len(seeds), timed(run)


def bench_axelrod(seeds: list[int]) -> tuple[int, float]:
    import axelrod as axl
    strategies = {s.name: s for s in axl.all_strategies}
    classes = [strategies[name] for name in CLASSICS.values()]
    pairs = list(itertools.product(classes, repeat=2))

    def run():
        for a, b in pairs:
            for seed in seeds:
                axl.Match((a(), b()), turns=TURNS, noise=NOISE, seed=seed).play()
    return len(pairs) * len(seeds), timed(run)


def bench_tron_engine(seeds: list[int], size: int) -> tuple[int, float]:
    from arenas.tron import game
    from arenas.tron.arena import TronArena
    bots = [compiled(path, TronArena.signature, game.signature()) for path in sorted(TRON_BOTS.glob("*.py"))]
    control, seed_array, stats, statuses, bad = _buffers(seeds, len(game.STATS))
    pairs = list(itertools.product(bots, repeat=2))

    def run():
        for a, b in pairs:
            game.games(*a, *b, size, size, seed_array, control, stats, statuses, bad)
    run()
    return len(pairs) * len(seeds), timed(run)


def bench_arena(arena, programs, seeds) -> tuple[int, float]:
    """Games through the sandbox pool, programs already compiled in the workers (second run)."""
    arena.evaluate(programs, programs, seeds)
    games = len(programs) ** 2 * len(seeds)
    return games, timed(lambda: arena.evaluate(programs, programs, seeds), repeat=2)


def report(label: str, games: int, seconds: float, unit: str) -> float:
    rate = games / seconds
    print(f"{label:<46} {games:>7} {unit} in {seconds:7.3f} s  = {rate:>10,.0f} {unit}/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20, help="seeds per pairing")
    parser.add_argument("--workers", type=int, default=2, help="sandbox worker processes")
    parser.add_argument("--size", type=int, default=20, help="Tron board size")
    parser.add_argument("--no-axelrod", action="store_true", help="skip Axelrod's engine")
    options = parser.parse_args()
    seeds = list(range(options.seeds))
    print(f"IPD: {len(CLASSICS)} classic strategies, all ordered pairs, {TURNS} turns, noise {NOISE}")
    ours = report("numba engine (in process)", *bench_ipd_engine(seeds), "matches")
    if not options.no_axelrod:
        theirs = report("Axelrod's engine (in process, same matches)", *bench_axelrod(seeds), "matches")
        print(f"{'ratio numba / Axelrod':<46} {ours / theirs:,.0f}x")
    from arenas.ipd.arena import IPDArena
    ipd = IPDArena(workers=options.workers, noise=NOISE, progress=False)
    programs = [ipd.parse((IPD_PROGRAMS / f"{n}.py").read_text(), origin=n) for n in CLASSICS]
    report(f"arena.evaluate ({options.workers} sandbox workers)", *bench_arena(ipd, programs, seeds), "matches")
    ipd.close()
    bots = len(list(TRON_BOTS.glob('*.py')))
    print(f"\nTron: {bots} held-out bots, all ordered pairs, {options.size}x{options.size}")
    report("numba engine (in process)", *bench_tron_engine(seeds, options.size), "games")
    from arenas.tron.arena import TronArena
    tron = TronArena(workers=options.workers, size=options.size, progress=False)
    bots = tron.heldout_opponents()
    report(f"arena.evaluate ({options.workers} sandbox workers)", *bench_arena(tron, bots, seeds), "games")
    tron.close()


if __name__ == "__main__":
    main()
