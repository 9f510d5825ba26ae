"""The game module of both sequential social dilemmas, as sandbox workers use it (see
`arenas.policy.sandbox`): `options` carry the game ("gathering" or "cleanup"), its map and the
rule parameters (`engine.INT_PARAMS`, `engine.FLOAT_PARAMS`)."""
import numpy as np

from . import maps
from .engine import STATS, episodes, invalid_move, parameter_arrays, signature  # noqa: F401

SMOKE_STEPS = 30

SMOKE_OPPONENT = '''
def policy(grid, positions, orientations, timeouts, me, step):
    return np.random.randint(5)
'''


def game_map(options: dict) -> maps.GameMap:
    if options["game"] == "cleanup":
        return maps.cleanup()
    return maps.gathering(options["map"])


def warm_up():
    """Nothing to do: the game loop compiled (or loaded from numba's cache) at import."""


def play_batch(policy_a, policy_b, seeds, options, control, stats, statuses, bad_values):
    """Episodes for `seeds`: focal agents (the first `focal`) play A, the others B."""
    layout = game_map(options)
    ints, floats = parameter_arrays(options)
    episodes(policy_a, policy_b, layout.grid, layout.spawns, ints, floats, np.asarray(seeds, np.int64),
             control, stats, statuses, bad_values)


def smoke_options(options: dict) -> dict:
    return dict(options, steps=min(SMOKE_STEPS, int(options["steps"])))
