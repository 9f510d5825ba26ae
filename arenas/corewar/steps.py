"""Step tables for a core size: the constants bombers, scanners and papers spread over core with.

A step s visits 0, s, 2s, ... (mod CORESIZE). It reaches every address when gcd(s, CORESIZE) = 1
(a coprime step) and every N-th address when gcd(s, CORESIZE) = N (a "mod-N" step: a bomber
with a mod-4 step never hits inside a 3-instruction gap, so it can be made immune to its own
bombs). Among steps of one modulus, the good ones split the reachable addresses evenly at
*every* stage of bombing, not only at the end: after k bombs the largest unbombed gap should be
close to the ideal M / k. The Core War literature calls the best of them "optima" steps; here
they are computed for the core size at hand (never tabulated for 8000), ranked by the mean over
probe stages of largest gap / ideal gap (1.0 is perfect, lower is better).
"""
from __future__ import annotations

from functools import lru_cache
from math import gcd

import numpy as np

# Stages (bomb counts) at which a step's spread is judged; beyond a few hundred bombs every
# decent step is even, and early stages are what decides a fast battle.
PROBE_STAGES = (3, 5, 8, 13, 21, 34, 55, 89, 144)


def moduli(coresize: int, largest: int = 16) -> list[int]:
    """The moduli a step can have in this core: divisors of coresize up to `largest`."""
    return [n for n in range(1, largest + 1) if coresize % n == 0]


def steps_with_mod(coresize: int, mod: int = 1) -> np.ndarray:
    """Steps s in [1, coresize/2] with gcd(s, coresize) == mod (s and coresize - s bomb alike)."""
    steps = np.arange(1, coresize // 2 + 1)
    return steps[np.gcd(steps, coresize) == mod]


def spread(coresize: int, steps: np.ndarray) -> np.ndarray:
    """Mean over PROBE_STAGES of (largest gap after k bombs) / (ideal gap), per step."""
    steps = np.asarray(steps, dtype=np.int64)
    reach = coresize // np.gcd(steps, coresize)          # addresses a step can ever bomb
    ratios = np.zeros(len(steps))
    stages = [k for k in PROBE_STAGES if k < coresize]
    for k in stages:
        positions = np.sort((steps[:, None] * np.arange(k)) % coresize, axis=1)
        gaps = np.diff(np.concatenate([positions, positions[:, :1] + coresize], axis=1), axis=1)
        ideal = coresize / np.minimum(k, reach)
        ratios += gaps.max(axis=1) / ideal
    return ratios / len(stages)


@lru_cache(maxsize=64)
def _ranked(coresize: int, mod: int, min_step: int) -> tuple[int, ...]:
    steps = steps_with_mod(coresize, mod)
    steps = steps[steps >= min_step]
    if len(steps) == 0:
        return ()
    quality = spread(coresize, steps)
    order = np.lexsort((steps, quality))                 # ties broken by the smaller step
    return tuple(int(s) for s in steps[order])


def optima_steps(coresize: int, mod: int = 1, count: int = 32, min_step: int = 0) -> list[int]:
    """The `count` most even steps of modulus `mod` that are at least `min_step`, best first."""
    if coresize % mod:
        raise ValueError(f"mod {mod} does not divide the core size {coresize}")
    return list(_ranked(coresize, mod, min_step)[:count])


def draw_step(rng: np.random.Generator, coresize: int, mod: int | None = None, min_step: int = 0,
              top: int = 32) -> int:
    """A step for a bomber or scanner: one of the `top` optima steps of modulus `mod` (drawn
    from the core's small moduli when None), returned as s or coresize - s at random."""
    if mod is None:
        mod = int(rng.choice(moduli(coresize, 8)))
    table = optima_steps(coresize, mod, top, min_step) or optima_steps(coresize, 1, top, min_step)
    if not table:
        return 1
    step = int(table[int(rng.integers(len(table)))])
    return step if rng.random() < 0.5 else coresize - step


def nearby_step(rng: np.random.Generator, coresize: int, step: int, min_step: int = 0) -> int:
    """A step of the same modulus as `step`, drawn among the optima: the constant-tuning move
    for a field that holds a step (a small nudge usually changes the modulus and ruins it)."""
    mod = gcd(step % coresize, coresize) or coresize
    if mod == coresize:
        return draw_step(rng, coresize, None, min_step)
    return draw_step(rng, coresize, mod, min_step)
