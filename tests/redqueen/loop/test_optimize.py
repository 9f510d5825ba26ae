"""Constant optimisation: the local search improves a mis-tuned warrior, confirms on fresh seeds,
is reproducible, and the `redqueen optimize` command writes and reports the result."""
import json

import numpy as np
import pytest

from arenas.corewar.arena import make_arena
from loop_helpers import redqueen
from redqueen.optimize import Constant, optimize_constants, propose_value
from tinygame import TinyArena

# A stone whose step of 2 bombs every other cell slowly and reaches its own code after ~4000 bombs.
SLOW_STONE = """;redcode-94
;name slow stone
step    EQU 2
        ORG start
start   ADD.AB  #step, bomb
        MOV.I   bomb, @bomb
        JMP     start
bomb    DAT     #0, #0
        END
"""

# Opponents written for these tests: an imp, a quick stone with a spread-out step, and a
# self-copying paper.
OPPONENTS = {
    "imp.red": ";redcode-94\n;name imp\n        MOV.I 0, 1\n        END\n",
    "stone.red": """;redcode-94
;name quick stone
        ORG top
top     MOV.I   dart, @dart
        ADD.AB  #2364, dart
        JMP     top
dart    DAT     #0, #2364
        END
""",
    "paper.red": """;redcode-94
;name copier
        ORG go
go      SPL     1
        SPL     1
copy    MOV.I   }cp, >cp
cp      DAT     #copy, #copy+777
        END
""",
}


@pytest.fixture(scope="module")
def arena():
    return make_arena(maxcycles=20000)


@pytest.fixture(scope="module")
def opponents(arena):
    return [arena.parse(text, origin=name) for name, text in OPPONENTS.items()]


def tune(arena, opponents, seed=0, **options):
    options = dict(dict(seeds=6, confirm_seeds=24, evaluations=48, fitness="duel"), **options)
    return optimize_constants(arena, arena.parse(SLOW_STONE), opponents, np.random.default_rng(seed), **options)


def test_a_mistuned_stone_gets_better_on_the_confirmation_seeds(arena, opponents):
    result = tune(arena, opponents)
    assert result.constants == 3
    assert result.improved and result.after > result.before
    assert any(change.name.startswith("step") for change in result.changes)
    # before/after are both on the confirmation seeds: re-evaluating there gives the same figures
    start, tuned = arena.parse(SLOW_STONE), arena.parse(result.source)
    again = arena.evaluate([start, tuned], opponents, result.confirm_seeds, fitness="duel")
    assert [e.fitness for e in again] == pytest.approx([result.before, result.after])
    assert not set(result.search_seeds) & set(result.confirm_seeds)
    assert result.evaluations <= 48 + 1 + result.accepted + 1     # budget, start, confirmation


def test_same_generator_same_result(arena, opponents):
    first, second = tune(arena, opponents, seed=7, fitness="battle"), tune(arena, opponents, seed=7, fitness="battle")
    assert first.source == second.source and first.summary() | {"seconds": 0} == second.summary() | {"seconds": 0}


def test_a_program_without_constants_is_returned_unchanged():
    game = TinyArena()
    hand = game.parse("R P S")
    result = optimize_constants(game, hand, [game.parse("P")], np.random.default_rng(0), evaluations=10)
    assert result.constants == 0 and result.program is hand and not result.changes and not result.improved
    assert game.with_constants(hand, []) == hand.source


def test_proposals_respect_bounds_and_modulus():
    rng = np.random.default_rng(0)
    count = Constant("n", 3, "count", lower=1, upper=5)
    assert {propose_value(count, 3, rng) for _ in range(200)} <= {1, 2, 4, 5}
    field = Constant("f", 3990, "offset", modulus=8000)
    assert all(-4000 < propose_value(field, 3990, rng) <= 4000 for _ in range(200))
    step = Constant("s", 2, "step", modulus=8000, propose=lambda value, generator: value + 8000)
    assert propose_value(step, 2, rng) == 2            # a move that only wraps around is no move


# ---- the command ----------------------------------------------------------------------------------
@pytest.fixture
def files(tmp_path):
    (tmp_path / "opponents").mkdir()
    for name, text in OPPONENTS.items():
        (tmp_path / "opponents" / name).write_text(text)
    (tmp_path / "stone.red").write_text(SLOW_STONE)
    return tmp_path


def test_the_command_writes_the_tuned_program_and_reports_before_and_after(files):
    result = redqueen("optimize", files / "stone.red", "--against", files / "opponents", "-A", "maxcycles=20000",
                      "--evaluations", "32", "--seeds", "4", "--confirm-seeds", "16", "--fitness", "duel")
    assert result.returncode == 0, result.stderr
    assert "before:" in result.stdout and "after:" in result.stdout
    assert "step (EQU, line 3): 2 -> " in result.stdout
    tuned = (files / "stone.tuned.red").read_text()
    assert tuned != SLOW_STONE and (files / "stone.red").read_text() == SLOW_STONE
    assert f"wrote {files / 'stone.tuned.red'}" in result.stdout


def test_the_command_reports_json_for_listed_opponent_files(files):
    out = files / "elsewhere.red"
    result = redqueen("optimize", files / "stone.red", "--against", files / "opponents" / "imp.red",
                      files / "opponents" / "stone.red", "--evaluations", "16", "--seeds", "2",
                      "--confirm-seeds", "4", "--out", out, "--json", "-A", "maxcycles=20000")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["opponents"] == 2 and report["written"] == str(out) and out.exists()
    assert report["after"] >= report["before"]


@pytest.mark.parametrize("args, fragment", [
    (["gone.red", "--against", "opponents"], "gone.red: no such file"),
    (["stone.red"], "no opponents"),
    (["stone.red", "--against", "nowhere"], "nowhere: no such file or directory"),
    (["stone.red", "--against", "opponents", "--out", "stone.red"], "would overwrite the input"),
])
def test_the_command_refuses_bad_input_with_one_line(files, args, fragment):
    result = redqueen("optimize", *[files / a if not a.startswith("-") else a for a in args])
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0], result.stderr


def test_given_search_seeds_are_used_and_fresh_confirmation_seeds_avoid_them(arena, opponents):
    result = tune(arena, opponents, seeds=[11, 12, 13], confirm_seeds=5, evaluations=8)
    assert result.search_seeds == [11, 12, 13]
    assert len(result.confirm_seeds) == 5 and not {11, 12, 13} & set(result.confirm_seeds)
    assert result.search_before == pytest.approx(
        arena.evaluate([arena.parse(SLOW_STONE)], opponents, [11, 12, 13], fitness="duel")[0].fitness)
