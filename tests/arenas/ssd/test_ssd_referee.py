"""The compiled Gathering and Cleanup episodes against the plain NumPy referee: same seeds and
policies, identical trajectories (positions, orientations, timeouts, rewards, apples, waste)."""
import numpy as np
import pytest

from arenas.ssd import maps

from . import referee
from .helpers import RULES, compiled, plain, run

# Deterministic policies that exercise moves, turns, tagging and cleaning.
WANDERER = '''
def policy(grid, positions, orientations, timeouts, me, step):
    return (me * 7 + step * 3 + positions[me, 0] + 2 * positions[me, 1]) % 8
'''
HARVESTER = '''
def policy(grid, positions, orientations, timeouts, me, step):
    row = positions[me, 0]
    col = positions[me, 1]
    best = -1
    best_distance = 1000000
    for r in range(grid.shape[0]):
        for c in range(grid.shape[1]):
            if grid[r, c] == 2:
                d = abs(r - row) + abs(c - col)
                if d < best_distance:
                    best_distance = d
                    best = r * grid.shape[1] + c
    if best < 0:
        return 5 + (step % 3)
    r = best // grid.shape[1]
    c = best % grid.shape[1]
    if r < row:
        return 0
    if r > row:
        return 2
    if c > col:
        return 1
    if c < col:
        return 3
    return 4
'''
TAGGER = '''
def policy(grid, positions, orientations, timeouts, me, step):
    if step % 4 == 0:
        return 6
    if (step + me) % 3 == 0:
        return (me + step) % 4
    return 7
'''
CLEANER = '''
def policy(grid, positions, orientations, timeouts, me, step):
    if orientations[me] != 3:
        return 5
    if grid[positions[me, 0], positions[me, 1] - 1] == 4 or grid[positions[me, 0], positions[me, 1] - 1] == 3:
        return 8
    return 3
'''
RANDOMISED = '''
def policy(grid, positions, orientations, timeouts, me, step):
    return int(np.random.random() * 8)
'''

MIXES = {
    "gathering": ([HARVESTER, TAGGER, WANDERER], False),
    "cleanup": ([CLEANER, HARVESTER, TAGGER, WANDERER], True),
}


@pytest.mark.parametrize("game", ["gathering", "cleanup"])
@pytest.mark.parametrize("seed", [1, 7])
def test_compiled_episode_matches_the_referee(game, seed):
    sources, cleanup = MIXES[game]
    layout = maps.cleanup() if cleanup else maps.gathering("small")
    agents, steps = 8, 250
    # Focal agents 0..3 play A, the rest B; the referee gets the same assignment.
    a, b = sources[0], sources[1 % len(sources)]
    status, stats, trace, world = run(compiled(a), compiled(b), layout, seed, steps, agents, focal=4,
                                      cleanup=cleanup)
    assert status == 0
    policies = [plain(a)] * 4 + [plain(b)] * 4
    want_trace, want_world, returns = referee.play(policies, layout.grid, layout.spawns, seed, steps,
                                                   cleanup=cleanup, **_referee_rules())
    np.testing.assert_array_equal(world, want_world)
    np.testing.assert_array_equal(trace, want_trace)
    assert stats["focal_return"] == returns[:4].sum() and stats["background_return"] == returns[4:].sum()


@pytest.mark.parametrize("game", ["gathering", "cleanup"])
def test_every_agent_its_own_mix(game):
    """Tagging, cleaning and random policies on one map (A for agents 0-4, B for the rest)."""
    sources, cleanup = MIXES[game]
    layout = maps.cleanup() if cleanup else maps.gathering("small")
    for a, b in [(sources[-1], sources[-2]), (RANDOMISED, sources[0])]:
        status, _, trace, world = run(compiled(a), compiled(b), layout, 3, 200, 10, focal=5, cleanup=cleanup)
        assert status == 0
        want_trace, want_world, _ = referee.play([plain(a)] * 5 + [plain(b)] * 5, layout.grid, layout.spawns,
                                                 3, 200, cleanup=cleanup, **_referee_rules())
        np.testing.assert_array_equal(trace, want_trace)
        np.testing.assert_array_equal(world, want_world)


def test_the_referee_sees_removals_and_waste():
    """The referee comparisons above are not vacuous: tagging removes agents, waste appears."""
    _, _, trace, world = run(compiled(TAGGER), compiled(TAGGER), maps.cleanup(), 1, 250, 8, cleanup=True)
    assert (trace[:, :, 3] > 0).any() and world[:, 1].max() > 0


def test_the_python_generator_matches_the_compiled_one():
    from arenas.policy.rng import next_uniform, seed_state
    ours, state = referee.Random(99), seed_state(99, 3)
    for _ in range(5):
        state, u = next_uniform(state)
        assert ours.uniform() == u


def _referee_rules():
    rules = dict(RULES)
    rules["removal"] = rules.pop("removal_steps")
    return rules
