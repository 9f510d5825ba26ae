"""Where warriors are loaded each round, by pMARS 0.9.2's own random number generator.

A *seed* here is pMARS's internal seed at the start of round 1 (a non-negative integer below
2**31 - 1). pMARS derives it from its options:

- `-F X`: seed = X - separation, so round 1 puts warrior 2 exactly at X (`seed_for_position`);
- `-f`:   seed = rng(checksum of the warriors' code) (`checksum_seed`);
- neither: seed = rng(time(0)) (`clock_seed`).
- With `-P` the seed becomes seed * warriors (`permutation_seed`), an index into the table of
  every (position, first mover) combination.

Warrior 1 is always at address 0. Each round:
- two warriors: warrior 2 at separation + seed % (coresize + 1 - 2 * separation), then the
  seed advances one step;
- more: a rejection sampler (`_posit`), falling back to a deterministic spread (`_npos`) when it
  gives up, both advancing the seed as they draw;
- `-P` (two warriors only): draw without replacement from the (position, first mover) table.
"""
import time

import numpy as np
from numba import njit

SEED_LIMIT = 2**31 - 1   # the generator's modulus; seeds live in [0, SEED_LIMIT)
_RETRIES = 20            # draws for one warrior before backtracking
_BACKTRACKS = 4          # backtracks before giving up and spreading deterministically


@njit(cache=True, nogil=True)
def rng(seed):
    """One step of the Park-Miller minimal standard generator (Schrage's decomposition)."""
    value = 16807 * (seed % 127773) - 2836 * (seed // 127773)
    if value < 0:
        value += 2147483647
    return value


def seed_for_position(position: int, separation: int) -> int:
    """The seed pMARS uses for `-F position`."""
    if position < separation:
        raise ValueError(f"fixed position {position} is closer than the minimum distance {separation}")
    return position - separation


def clock_seed() -> int:
    """The seed pMARS uses without -F/-f: one generator step from the current time."""
    return int(rng(int(time.time())))


def checksum_seed(codes) -> int:
    """The seed pMARS uses for `-f`: one generator step from a checksum of the warriors' code.

    `codes` are the warriors' (n, 6) code arrays in command-line order. Each field is XORed
    with a counter that runs over all fields of all warriors, then summed."""
    total, counter = 0, 0
    for code in codes:
        for op, modifier, a_mode, a_value, b_mode, b_value in np.asarray(code).tolist():
            for value in (op * 8 + modifier, _pmars_mode(a_mode), _pmars_mode(b_mode), a_value, b_value):
                total += value ^ counter
                counter += 1
    return int(rng(total))


def _pmars_mode(mode: int) -> int:
    """pMARS's stored mode byte: # $ @ < > as 0..4; * { } as @ < > with the A-field flag 0x80."""
    return mode if mode < 5 else 0x80 | (mode - 3)


def permutation_seed(seed: int, n_warriors: int) -> int:
    """-F combined with -P: pMARS turns the seed into a table index."""
    return seed * n_warriors


@njit(cache=True, nogil=True)
def _posit(positions, n, seed, coresize, separation):
    """pMARS's rejection sampler for three or more warriors. Returns (seed, failed)."""
    placed, retries, backtracks = 1, _RETRIES, _BACKTRACKS
    span = coresize - 2 * separation + 1
    while True:
        seed = rng(seed)
        positions[placed] = seed % span + separation
        conflict = 1
        while conflict < placed:
            if abs(positions[placed] - positions[conflict]) < separation:
                break
            conflict += 1
        if conflict == placed:
            placed += 1
        elif backtracks == 0:
            return seed, True
        elif retries == 0:
            placed = conflict       # redraw from the last conflict on
            backtracks -= 1
            retries = _RETRIES
        else:
            retries -= 1
        if placed >= n:
            return seed, False


@njit(cache=True, nogil=True)
def _npos(positions, n, seed, coresize, separation):
    """pMARS's fallback: sorted random gaps, spread by the separation, then shuffled."""
    room = coresize - separation * n + 1
    for i in range(1, n):
        seed = rng(seed)
        drawn = seed % room
        j = i - 1
        while j > 0:            # insertion sort of the draws among positions[1..i-1]
            if drawn > positions[j]:
                break
            positions[j + 1] = positions[j]
            j -= 1
        positions[j + 1] = drawn
    shift = separation
    for i in range(1, n):
        positions[i] += shift
        shift += separation
    for i in range(1, n):
        seed = rng(seed)
        j = seed % (n - i) + i
        positions[i], positions[j] = positions[j], positions[i]
    return seed


@njit(cache=True, nogil=True)
def place_round(positions, n, seed, coresize, separation, permutation, perm_left):
    """Positions for one round (positions[0] stays 0). Returns (seed, starter, perm_left):
    `starter` is the first mover chosen by the permutation table, or -1 to keep the rotation.
    `permutation` is None-like (length 0) unless -P is on; `perm_left` counts its unused entries."""
    starter = -1
    if n == 2:
        span = coresize + 1 - 2 * separation
        if permutation.shape[0] > 0:
            if perm_left == 0:          # (re)fill the table of every combination
                for k in range(permutation.shape[0]):
                    permutation[k] = k
                perm_left = permutation.shape[0]
            pick = seed % perm_left
            entry = permutation[pick]
            positions[1] = separation + entry // 2
            starter = entry % 2
            perm_left -= 1
            permutation[pick] = permutation[perm_left]
        else:
            positions[1] = separation + seed % span
        seed = rng(seed)
    elif n > 2:
        seed, failed = _posit(positions, n, seed, coresize, separation)
        if failed:
            seed = _npos(positions, n, seed, coresize, separation)
    return seed, starter, perm_left
