"""Constant lifting (arenas.policy.lift): policies that differ only in their constants share one
compiled shape, and a lifted policy plays exactly the games of the same code compiled as written."""
import ast
from pathlib import Path

import numpy as np
import pytest

from arenas.ipd import game as ipd_game
from arenas.ipd.arena import IPDArena
from arenas.ipd.family import FAMILY as IPD_FAMILY
from arenas.policy.lift import FLOATS, INTS, lift, with_parameters
from arenas.policy.sandbox import CONTROL_SIZE, CompileError, Policy, PolicyCache, compile_function, compile_policy
from arenas.policy.validate import validate
from arenas.tron import game as tron_game
from arenas.tron.arena import TronArena
from arenas.tron.family import FAMILY as TRON_FAMILY
from policy_helpers import ipd_source, tron_source

REPO = Path(__file__).resolve().parents[3]
IPD_PROGRAMS = sorted((REPO / "arenas" / "ipd" / "programs").glob("*.py"))
TRON_PROGRAMS = sorted((REPO / "arenas" / "tron" / "programs").glob("*.py"))
TRON_BOTS = sorted((REPO / "arenas" / "tron" / "heldout").glob("*.py"))


def code_of(path: Path, arena) -> str:
    """A program file's code as the arena compiles it (validated: `import numpy as np` dropped)."""
    return validate(path.read_text(), arena.signature, str(path)).code


def as_written(code: str, signature) -> Policy:
    """The policy compiled with no lifting at all: the reference the lifted one must match."""
    return Policy(compile_function(with_parameters(code), "policy", signature), np.zeros(0, np.int64),
                  np.zeros(0, np.float64))


def python_function(code: str):
    namespace = {"np": np}
    exec(code, namespace)
    return namespace["policy"]


# ---- the transformation ------------------------------------------------------------------------
def test_family_members_share_a_shape_and_carry_their_parameters():
    rng = np.random.default_rng(11)
    params = [TRON_FAMILY.random(rng) for _ in range(6)]
    for p in params:
        p["w_territory"] = 0.5
    params[1]["w_toward"] = -abs(params[1]["w_toward"])          # a negative constant: the same shape
    params[2]["w_toward"] = abs(params[2]["w_toward"])
    lifted = [lift(TRON_FAMILY.source(p)) for p in params]
    assert len({item.digest for item in lifted}) == 1
    for p, item in zip(params, lifted):
        assert p["reach"] in item.ints.tolist()
        for key in ("w_space", "w_toward", "w_walls", "w_center", "w_territory", "jitter"):
            assert p[key] in item.floats.tolist(), key
    without_territory = dict(params[0], w_territory=0.0)
    assert lift(TRON_FAMILY.source(without_territory)).digest != lifted[0].digest


def test_lifted_code_computes_what_the_original_computes_in_python():
    """Independent of numba: the shape run as Python with its arrays returns the original's moves."""
    rng = np.random.default_rng(4)
    sources = [code_of(path, IPDArena) for path in IPD_PROGRAMS] + \
        [IPD_FAMILY.source(IPD_FAMILY.random(rng)) for _ in range(8)]
    for source in sources:
        item = lift(source)
        original, shaped = python_function(source), python_function(item.shape)
        for turn in range(0, 30, 3):
            mine, theirs = rng.integers(0, 2, turn), rng.integers(0, 2, turn)
            np.random.seed(turn)
            expected = original(mine.copy(), theirs.copy(), turn)
            np.random.seed(turn)
            assert shaped(mine.copy(), theirs.copy(), turn, item.ints, item.floats) == expected


def test_literals_numba_may_need_as_constants_stay():
    item = lift(tron_source("""
        x = turn ** 2 + 0.5 ** 3
        if 1 == 1 and grid.ndim == 2:
            x = x - 7
        flag = True
        big = 18446744073709551615
        return int(x * 1.5) % 4
    """))
    tree = ast.parse(item.shape)
    kept = sorted((type(node.value).__name__, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and not isinstance(node.value, str)
                  and not _is_array_index(tree, node))
    assert kept == [("bool", True), ("int", 1), ("int", 1), ("int", 2), ("int", 2), ("int", 3),
                    ("int", 18446744073709551615)]
    assert item.ints.tolist() == [7, 4] and item.floats.tolist() == [0.5, 1.5]


def test_literals_numba_folds_through_variables_stay():
    item = lift(ipd_source("""
        pair = (1, 2)
        k = 1
        debug = 0
        if debug:
            return pair[k] + 9
        return (pair[0] + turn * 5) % 2
    """))
    assert "pair[k]" in item.shape and "pair[0]" in item.shape and "debug = 0" in item.shape and "k = 1" in item.shape
    assert sorted(item.ints.tolist()) == [1, 2, 2, 5, 9]       # the tuple's items, 9, 5 and the modulus


def test_a_tuple_index_out_of_range_is_still_refused_when_compiling():
    """numba checks constant tuple indices while compiling: lifted, the error would wait for a game."""
    source = ipd_source("""
        steps = (1, 0)
        return steps[2]
    """)
    with pytest.raises(CompileError) as error:
        compile_policy(source, "policy", ipd_game.signature())
    assert error.value.line == 3 and "tuple index out of range" in error.value.reason


def _is_array_index(tree, constant) -> bool:
    """The index in `_ints[k]` / `_floats[k]` of the prologue."""
    return any(isinstance(node, ast.Subscript) and node.slice is constant and isinstance(node.value, ast.Name)
               and node.value.id in (INTS, FLOATS) for node in ast.walk(tree))


def test_negative_zero_keeps_its_sign():
    item = lift(ipd_source("return int(-0.0 < 0.0)"))
    assert item.floats.tolist() == [-0.0, 0.0] and np.signbit(item.floats[0])


# ---- compilation -------------------------------------------------------------------------------
def test_a_shape_numba_rejects_is_compiled_as_written():
    source = ipd_source("""
        pair = (1, 2.5)
        head = pair[0:1]
        return int(head[0] + pair[1]) % 2
    """)
    shapes, compilations = {}, []
    policy = compile_policy(source, "policy", ipd_game.signature(), shapes=shapes,
                            before_compile=lambda: compilations.append(1))
    assert [type(entry) for entry in shapes.values()] == [CompileError]     # the shape was tried
    assert len(compilations) == 2                                           # each with a fresh budget
    assert policy.ints.size == 0 and policy.floats.size == 0
    assert policy(np.zeros(0, np.int64), np.zeros(0, np.int64), 0) == int(1 + 2.5) % 2


def test_compile_errors_are_those_of_the_code_as_written():
    source = ipd_source("""
        x = 0.5
        x = my_moves
        return x
    """)
    with pytest.raises(CompileError) as lifted_error:
        compile_policy(source, "policy", ipd_game.signature())
    with pytest.raises(CompileError) as plain_error:
        as_written(source, ipd_game.signature())
    assert lifted_error.value.line == 4 == plain_error.value.line
    assert lifted_error.value.reason == plain_error.value.reason


@pytest.mark.parametrize("code", ["x = 1\n", "def policy():\n    return 0\n", "def policy(a, b c):\n"])
def test_code_that_is_not_a_policy_is_a_compile_error(code):
    """Only validated code reaches the compiler; anything else must still fail cleanly."""
    with pytest.raises(CompileError):
        compile_policy(code, "policy", ipd_game.signature())


def test_the_worker_cache_compiles_one_function_per_shape():
    rng = np.random.default_rng(2)
    params = IPD_FAMILY.random(rng)
    variants = [dict(params, d_cc=round(float(p), 4)) for p in (0.1, 0.2, 0.3)]
    compilations = []
    cache = PolicyCache("policy", ipd_game.signature(), size=16, before_compile=lambda: compilations.append(1))
    policies = [cache.get(f"digest{i}", IPD_FAMILY.source(p)) for i, p in enumerate(variants)]
    assert len(cache.shapes) == 1 and len(compilations) == 1
    assert len({id(policy.function) for policy in policies}) == 1
    assert [policy.floats.tolist() for policy in policies] != [policies[0].floats.tolist()] * 3


# ---- same games, lifted or not -----------------------------------------------------------------
def _ipd_stats(a: Policy, b: Policy, seeds) -> np.ndarray:
    count = len(seeds)
    stats = np.zeros((count, len(ipd_game.STATS)))
    statuses, bad = np.zeros(count, np.int64), np.zeros(count, np.int64)
    ipd_game.play_batch(a, b, np.asarray(seeds, np.int64), {"turns": 120, "noise": 0.1},
                        np.zeros(CONTROL_SIZE, np.int64), stats, statuses, bad)
    return np.column_stack([stats, statuses])


def _tron_stats(a: Policy, b: Policy, seeds, size=12) -> np.ndarray:
    count = len(seeds)
    stats = np.zeros((count, len(tron_game.STATS)))
    statuses, bad = np.zeros(count, np.int64), np.zeros(count, np.int64)
    tron_game.play_batch(a, b, np.asarray(seeds, np.int64), {"rows": size, "cols": size},
                         np.zeros(CONTROL_SIZE, np.int64), stats, statuses, bad)
    return np.column_stack([stats, statuses])


def _same_games(sources, signature, play, seeds):
    lifted = [compile_policy(s, "policy", signature) for s in sources]
    plain = [as_written(s, signature) for s in sources]
    assert any(p.ints.size + p.floats.size for p in lifted), "nothing was lifted"
    for i in range(len(sources)):
        for j in range(len(sources)):
            expected = play(plain[i], plain[j], seeds)
            assert np.array_equal(play(lifted[i], lifted[j], seeds), expected), (i, j)
            assert np.array_equal(play(lifted[i], plain[j], seeds), expected), (i, j)


def test_ipd_programs_play_the_same_matches_lifted():
    rng = np.random.default_rng(8)
    family = [IPD_FAMILY.source(IPD_FAMILY.random(rng)) for _ in range(2)]
    sources = [code_of(p, IPDArena) for p in IPD_PROGRAMS] + family
    _same_games(sources, ipd_game.signature(), _ipd_stats, list(range(6)))


def _tron_family(count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    params = [TRON_FAMILY.random(rng) for _ in range(count)]
    params[0]["w_territory"] = 0.0
    params[-1]["w_territory"] = max(params[-1]["w_territory"], 0.2)
    return [TRON_FAMILY.source(p) for p in params]


def test_tron_programs_play_the_same_games_lifted():
    sources = [code_of(p, TronArena) for p in TRON_PROGRAMS] + _tron_family(1, 5)
    _same_games(sources, tron_game.signature(), _tron_stats, list(range(4)))


@pytest.mark.slow
def test_tron_bots_play_the_same_games_lifted():
    sources = [code_of(p, TronArena) for p in TRON_BOTS] + _tron_family(3, 9)
    _same_games(sources, tron_game.signature(), lambda a, b, s: _tron_stats(a, b, s, size=20), list(range(4)))
