"""pMARS's round-1 seed from its options, in plain Python (no Numba import: the command line
needs it before any engine loads). See `placement` for what a seed means."""
import time

import numpy as np

SEED_LIMIT = 2**31 - 1   # the generator's modulus; seeds live in [0, SEED_LIMIT)


def rng(seed: int) -> int:
    """One step of the Park-Miller minimal standard generator, as `placement.rng` (compiled)."""
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
