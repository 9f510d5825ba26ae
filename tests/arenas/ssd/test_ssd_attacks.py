"""Reward hacking in Gathering and Cleanup: the attacks of the policy-synthesis reference
(teleporting, disabling rivals, purging waste, spawning apples, all combined), plus writing to the
given arrays and reaching other agents' state, are refused by validation or change nothing.

A writing attack runs a harvester's decision first and then writes; if a write reached the game,
the episode would differ from the same harvester without the write."""
import numpy as np
import pytest

from redqueen.arena import ProgramError

from arenas.policy.validate import validate
from arenas.ssd import maps
from arenas.ssd.arena import SSDArena

from .helpers import compiled, run

HARVEST = '''
def policy(grid, positions, orientations, timeouts, me, step):
    row = positions[me, 0]
    col = positions[me, 1]
    action = 4
    best = 1 << 30
    for r in range(grid.shape[0]):
        for c in range(grid.shape[1]):
            if grid[r, c] == 2 and abs(r - row) + abs(c - col) < best:
                best = abs(r - row) + abs(c - col)
                action = 0 if r < row else (2 if r > row else (1 if c > col else (3 if c < col else 4)))
    if step % 7 == 3:
        action = 8 if grid[1, 1] == 4 or grid[1, 1] == 3 else 7
#ATTACK
    return action
'''

WRITES = {
    "teleport": "    positions[me, 0] = 10\n    positions[me, 1] = 10\n",
    "disable rivals": "    timeouts[:] = 1000\n    for j in range(positions.shape[0]):\n"
                      "        if j != me:\n            positions[j, 0] = -1\n            positions[j, 1] = -1\n",
    "purge waste": "    for r in range(grid.shape[0]):\n        for c in range(grid.shape[1]):\n"
                   "            if grid[r, c] == 3:\n                grid[r, c] = 4\n",
    "spawn apples": "    for r in range(1, grid.shape[0] - 1):\n        for c in range(1, grid.shape[1] - 1):\n"
                    "            grid[r, c] = 2\n",
    "turn rivals": "    orientations[:] = 0\n",
    "purge through a view": "    g = grid.T\n    for r in range(g.shape[0]):\n        for c in range(g.shape[1]):\n"
                            "            if g[r, c] == 3:\n                g[r, c] = 4\n",
    "spawn through rows": "    for cells in grid[1:-1]:\n        cells[1:-1] = 2\n",
}
WRITES["all combined"] = "".join(WRITES.values())


def attack(lines: str) -> str:
    return HARVEST.replace("#ATTACK\n", lines)


@pytest.mark.parametrize("name", list(WRITES))
@pytest.mark.parametrize("game", ["gathering", "cleanup"])
def test_writing_to_the_given_arrays_changes_nothing(name, game):
    cleanup = game == "cleanup"
    layout = maps.cleanup() if cleanup else maps.gathering("small")
    honest = compiled(attack(""))
    cheat = compiled(attack(WRITES[name]))
    _, honest_stats, honest_trace, honest_world = run(honest, honest, layout, 5, 150, 6, focal=3, cleanup=cleanup)
    _, cheat_stats, cheat_trace, cheat_world = run(cheat, honest, layout, 5, 150, 6, focal=3, cleanup=cleanup)
    assert not honest.may_write(0)        # the honest policy reads the step's shared grid
    np.testing.assert_array_equal(cheat_trace, honest_trace)
    np.testing.assert_array_equal(cheat_world, honest_world)
    assert cheat_stats == honest_stats


def test_the_writes_would_matter_if_they_reached_the_game():
    """The harvester's next decision reads the grid: a persistent 'all apples' grid would change it."""
    layout = maps.gathering("small")
    _, stats, _, _ = run(compiled(attack("")), compiled(attack("")), layout, 5, 150, 6)
    assert stats["focal_return"] > 0          # it harvests, so its decisions depend on the grid


REFUSED = {
    "the game's globals": "    g = policy.__globals__\n    return 0\n",
    "reseeding the game's numbers": "    np.random.seed(0)\n    return 0\n",
    "an import": "    import os\n    return 0\n",
    "the array's memory": "    p = grid.ctypes\n    return 0\n",
    "the array's base": "    b = positions.base\n    return 0\n",
    "making the copy writeable elsewhere": "    grid.flags.writeable = True\n    return 0\n",
    "an attribute write": "    grid.shape = (1, 1)\n    return 0\n",
    "a global": "    global state\n    return 0\n",
    "builtins": "    return __builtins__\n",
    "its own lifted constants": "    _ints[0] = 9\n    return _c0\n",
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_reaching_beyond_the_arguments_is_refused_by_validation(name):
    source = "def policy(grid, positions, orientations, timeouts, me, step):\n" + REFUSED[name]
    with pytest.raises(ProgramError):
        validate(source, SSDArena.signature)


@pytest.mark.slow
def test_through_the_sandbox_an_attacker_scores_like_the_honest_policy(tmp_path):
    from arenas.cleanup.arena import CleanupArena
    arena = CleanupArena(workers=1, agents=4, steps=120, progress=False)
    try:
        honest = arena.parse(attack(""), origin="honest.py")
        cheat = arena.parse(attack(WRITES["all combined"]), origin="cheat.py")
        a, b = arena.duel(honest, [honest], [1, 2]), arena.duel(cheat, [honest], [1, 2])
        assert a.fitness_a.tolist() == b.fitness_a.tolist() and a.fitness_b.tolist() == b.fitness_b.tolist()
        assert a.details["metrics"] == b.details["metrics"]
    finally:
        arena.close()
