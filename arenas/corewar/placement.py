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
from numba import njit

# The seed arithmetic of the command line lives in `seeds` (no Numba import): re-exported here.
from .seeds import SEED_LIMIT, checksum_seed, clock_seed, permutation_seed, seed_for_position  # noqa: F401

_RETRIES = 20            # draws for one warrior before backtracking
_BACKTRACKS = 4          # backtracks before giving up and spreading deterministically


@njit(cache=True, nogil=True)
def rng(seed):
    """One step of the Park-Miller minimal standard generator (Schrage's decomposition)."""
    value = 16807 * (seed % 127773) - 2836 * (seed // 127773)
    if value < 0:
        value += 2147483647
    return value


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
