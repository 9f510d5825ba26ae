"""Which arguments a compiled policy may write (arenas.policy.writes): every way of writing into
an argument found so far is caught, plain reads are cleared, and the answer survives numba's
disk cache (which keeps no typed IR) through the record kept beside the cached code."""
import numpy as np
import pytest

from arenas.policy.sandbox import compile_function, compile_policy
from arenas.policy.writes import ATTRIBUTE, written_arguments
from arenas.ssd import engine

HEADER = "def policy(grid, positions, orientations, timeouts, me, step):\n"

WRITING = {
    "an item": "    grid[1, 1] = 2\n    return 4\n",
    "a slice": "    grid[0:2, 0] = 5\n    return 4\n",
    "an alias": "    g = grid\n    g[0, 0] = 1\n    return 4\n",
    "a row": "    r = grid[1]\n    r[2] = 1\n    return 4\n",
    "a row met in a loop": "    for row in grid:\n        row[0] = 1\n    return 4\n",
    "the transpose": "    grid.T[0, 0] = 1\n    return 4\n",
    "fill": "    grid.fill(0)\n    return 4\n",
    "sorting a row in place": "    grid[1].sort()\n    return 4\n",
    "ravel": "    v = grid.ravel()\n    v[0] = 3\n    return 4\n",
    "reshape": "    v = grid.reshape(-1)\n    v[0] = 3\n    return 4\n",
    "an in-place sum": "    grid += 1\n    return 4\n",
    "an in-place sum on a row": "    r = grid[0]\n    r += 1\n    return 4\n",
    "a tuple": "    t = (grid, 1)\n    t[0][0, 0] = 5\n    return 4\n",
    "a numpy function": "    np.random.shuffle(grid[0])\n    return 4\n",
    "a new axis": "    k = None\n    v = grid[k, 0]\n    v[0, 0] = 5\n    return 4\n",
    "a named expression": "    if (g := grid)[0, 0] == 1:\n        g[0, 0] = 2\n    return 4\n",
    "a conditional": "    g = grid if step > 0 else timeouts.reshape(1, -1)\n    g[0, 0] = 2\n    return 4\n",
}

READING = {
    "items": "    return grid[1, 1] % 5\n",
    "the shape": "    return (grid.shape[0] + len(grid)) % 5\n",
    "a row": "    r = grid[1]\n    return r[2] % 5\n",
    "rows in a loop": "    s = 0\n    for row in grid:\n        s += row[0]\n    return s % 5\n",
    "a copy, then writing it": "    g = grid.copy()\n    g[0, 0] = 1\n    return g[0, 0] % 5\n",
    "astype, then writing it": "    g = grid.astype(np.int64)\n    g[0, 0] = 1\n    return g[0, 0] % 5\n",
    "a reducing method": "    return grid.sum() % 5\n",
    "a comparison's array": "    return np.sum(grid == 2) % 5\n",
    "argwhere": "    a = np.argwhere(grid == 2)\n    return len(a) % 5\n",
    "a list comprehension": "    s = [grid[r, 0] for r in range(grid.shape[0])]\n    return s[0] % 5\n",
}


def written(body: str):
    policy = compile_policy(HEADER + body, "policy", engine.signature())
    return written_arguments(next(iter(policy.function.overloads.values())))


@pytest.mark.parametrize("name", list(WRITING))
def test_a_write_into_the_grid_is_found(name):
    assert 0 in written(WRITING[name])


@pytest.mark.parametrize("name", list(READING))
def test_reading_the_grid_is_not_a_write(name):
    assert written(READING[name]) == frozenset()


def test_each_argument_is_told_apart():
    assert written("    positions[me, 0] = 1\n    return 4\n") == {1}
    assert written("    g = grid if step > 0 else positions\n    g[0, 0] = 2\n    return 4\n") == {0, 1}


def test_an_unknown_answer_means_every_argument_may_be_written():
    policy = compile_policy(HEADER + READING["items"], "policy", engine.signature())
    assert not policy.may_write(0)
    setattr(policy.function, ATTRIBUTE, None)
    assert policy.may_write(0) and policy.may_write(3)


def _compiled_from(cache_dir, body):
    from arenas.policy.lift import with_parameters
    return compile_function(with_parameters(HEADER + body), "policy", engine.signature(), str(cache_dir))


@pytest.mark.parametrize("body, expected", [(READING["items"], frozenset()), (WRITING["an item"], {0})])
def test_the_answer_survives_numba_s_disk_cache(tmp_path, body, expected):
    fresh = _compiled_from(tmp_path, body)
    loaded = _compiled_from(tmp_path, body)
    assert isinstance(next(iter(loaded.overloads.values())).type_annotation, str)   # no typed IR kept
    assert getattr(fresh, ATTRIBUTE) == getattr(loaded, ATTRIBUTE) == expected


def test_without_its_record_a_cached_function_may_write_everything(tmp_path):
    _compiled_from(tmp_path, READING["items"])
    for record in tmp_path.glob("*.writes"):
        record.unlink()
    loaded = _compiled_from(tmp_path, READING["items"])
    assert getattr(loaded, ATTRIBUTE) is None


def test_a_policy_that_only_reads_plays_the_same_from_shared_arrays():
    """The engine's two ways of handing over an array give the same episode for a reading policy."""
    from arenas.policy.sandbox import CONTROL_SIZE
    from arenas.ssd import maps
    source = (HEADER + "    row = positions[me, 0]\n    col = positions[me, 1]\n"
              "    for r in range(grid.shape[0]):\n        for c in range(grid.shape[1]):\n"
              "            if grid[r, c] == 2:\n                if r < row:\n                    return 0\n"
              "                if r > row:\n                    return 2\n                return 1 if c > col else 3\n"
              "    return np.random.randint(4)\n")
    policy = compile_policy(source, "policy", engine.signature())
    assert not any(policy.may_write(k) for k in range(4))
    layout = maps.gathering("small")
    settings = dict(agents=6, focal=3, steps=200, cleanup=0, respawn=25, beam_length=20, removal_steps=25,
                    hits_to_remove=2, clean_length=5, waste_prob=0.5, apple_prob=0.05, depletion=0.4)
    ints, floats = engine.parameter_arrays(settings)
    outcomes = []
    for shared in ([[0] * 4] * 2, [[1] * 4] * 2, [[1] * 4, [0] * 4], [[1, 0, 1, 0], [0, 1, 0, 1]]):
        stats, trace = np.zeros(len(engine.STATS)), np.zeros((200, 6, 5), np.int64)
        engine.episode(*policy, *policy, layout.grid, layout.spawns, ints, floats, np.array(shared, np.int64), 7,
                       np.zeros(CONTROL_SIZE, np.int64), stats, trace, np.zeros((200, 2), np.int64))
        outcomes.append((stats, trace))
    assert outcomes[0][0][0] > 0
    for stats, trace in outcomes[1:]:
        np.testing.assert_array_equal(stats, outcomes[0][0])
        np.testing.assert_array_equal(trace, outcomes[0][1])
