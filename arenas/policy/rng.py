"""A small counter-based random generator for game loops (numba), apart from numpy's stream.

Game dynamics (IPD noise, Tron start positions) draw from this generator, whose state lives in
the game loop's locals: policies may draw from `np.random`, but nothing they do can shift or
predict the numbers that decide the game.
"""
import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0      # 2**-53


@njit(cache=True)
def mix(value):
    """SplitMix64's finaliser: a well-spread 64-bit value from any 64-bit value."""
    z = np.uint64(value)
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def seed_state(seed, stream):
    """The starting state for game seed `seed` and an independent `stream` number."""
    return mix(np.uint64(seed) * _GOLDEN + np.uint64(stream))


@njit(cache=True)
def next_uniform(state):
    """(new state, a float in [0, 1))."""
    state = state + _GOLDEN
    return state, float(mix(state) >> np.uint64(11)) * _TO_UNIT


@njit(cache=True)
def policy_seed(seed):
    """The seed for numpy's stream (policies' randomness) in a game with this seed."""
    return np.int64(mix(np.uint64(seed) ^ np.uint64(0x5EED)) >> np.uint64(33))
