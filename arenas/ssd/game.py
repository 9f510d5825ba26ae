"""The game module of both sequential social dilemmas, as sandbox workers use it (see
`arenas.policy.sandbox`): `options` carry the game ("gathering" or "cleanup"), its map and the
rule parameters (`engine.INT_PARAMS`, `engine.FLOAT_PARAMS`)."""
import numpy as np

from . import maps
from .engine import (REPLAY_FIELDS, STATS, episode, episodes, invalid_move, parameter_arrays,  # noqa: F401
                     shared_flags, signature)

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
    episodes(*policy_a, *policy_b, layout.grid, layout.spawns, ints, floats, shared_flags(policy_a, policy_b),
             np.asarray(seeds, np.int64), control, stats, statuses, bad_values)


def trace(policy_a, policy_b, seed, options, control) -> dict:
    """One episode recorded for a replay (the same compiled loop `play_batch` runs): the starting
    grid, per step every agent's REPLAY_FIELDS and the cells that changed, then the stats
    (returns, social metrics) and the status (0, or the side that returned an invalid action)."""
    layout = game_map(options)
    ints, floats = parameter_arrays(options)
    steps, agents = int(options["steps"]), int(options["agents"])
    rows, cols = layout.grid.shape
    agents_trace = np.full((steps, agents, len(REPLAY_FIELDS)), -2, np.int64)
    world = np.zeros((steps, 2 + rows * cols), np.int64)
    stats = np.zeros(len(STATS))
    status = episode(*policy_a, *policy_b, layout.grid, layout.spawns, ints, floats,
                     shared_flags(policy_a, policy_b), int(seed), control, stats, agents_trace, world)
    played = int((agents_trace[:, 0, 5] > -2).sum())     # fewer than `steps` after an invalid action
    grids = np.vstack([layout.grid.reshape(1, -1), world[:played, 2:]])
    changes = [np.flatnonzero(grids[t + 1] != grids[t]) for t in range(played)]
    return {"game": options["game"], "seed": int(seed), "status": int(status), "rows": rows, "cols": cols,
            "agents": agents, "focal": int(options["focal"]), "steps": steps, "played": played,
            "beam_length": int(options["beam_length"]), "clean_length": int(options["clean_length"]),
            "grid": layout.grid.tolist(), "fields": list(REPLAY_FIELDS),
            "trace": agents_trace[:played].tolist(), "counts": world[:played, :2].tolist(),
            "changes": [[[int(c), int(grids[t + 1][c])] for c in cells] for t, cells in enumerate(changes)],
            "stats": {name: float(value) for name, value in zip(STATS, stats)}}


def smoke_options(options: dict) -> dict:
    return dict(options, steps=min(SMOKE_STEPS, int(options["steps"])))
