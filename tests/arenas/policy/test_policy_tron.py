"""The Tron arena: crash rules, draws, zero-sum scores, descriptors, held-out bots, the family."""
import numpy as np
import pytest

from arenas.policy.policy_arena import Policy
from arenas.policy.validate import validate
from arenas.tron.arena import TronArena
from policy_helpers import tron_source
from redqueen.arena import Arena

SEEDS = list(range(6))

FIRST_SAFE = """
    for d in range(4):
        r = me_row + (d == 2) - (d == 0)
        c = me_col + (d == 1) - (d == 3)
        if grid[r, c] == 0:
            return d
    return 0
"""


def policy(arena, body):
    return arena.parse(tron_source(body), origin="test")


def test_is_a_complete_arena(tron):
    assert isinstance(tron, Arena) and tron.program_suffix == ".py"
    assert set(tron.default_descriptors) <= set(tron.descriptors)
    assert len(tron.initial_programs()) == 1


def test_mirrored_runs_into_the_walls_draw(tron):
    """A runs up, B (point-mirrored) runs down: both reach their wall on the same turn."""
    up, down = policy(tron, "return 0"), policy(tron, "return 2")
    results = tron.duel(up, [down], SEEDS)
    assert results.ties[0] == len(SEEDS) and results.fitness_a[0] == 0.5 == results.fitness_b[0]


def test_turning_back_into_your_own_trail_loses(tron):
    reverser = policy(tron, """
        if turn == 0:
            return 0 if grid[me_row - 1, me_col] == 0 else 2
        return 2 if grid[me_row + 1, me_col] == 2 else 0
    """)
    results = tron.duel(reverser, [policy(tron, FIRST_SAFE)], SEEDS)
    assert results.losses[0] == len(SEEDS)
    assert results.fitness_a[0] == 0.0 and results.fitness_b[0] == 1.0


def test_invalid_direction_forfeits(tron):
    """Played without the smoke game that `parse` would reject it in."""
    valid = validate(tron_source("return 4"), tron.signature)
    bad = Policy(source=valid.source, digest=valid.digest, name="bad", code=valid.code)
    results = tron.duel(policy(tron, FIRST_SAFE), [bad], [0])
    assert results.fitness_a[0] == 1.0 and results.details["faults"][0]["side"] == "b"
    assert "returned 4" in results.details["faults"][0]["reason"]


def test_heldout_bots_play_zero_sum_games_without_faults(tron):
    bots = tron.heldout_opponents()
    names = {b.name for b in bots}
    assert {"random_safe", "wall_hugger", "space_maximiser", "aggressive_cutoff"} <= names
    for bot in bots:
        results = tron.duel(bot, bots, [0, 1])
        assert not results.details, bot.name
        assert np.allclose(results.fitness_a + results.fitness_b, 1.0)


def test_descriptors_measure_territory_and_aggression(tron):
    toward = policy(tron, """
        best = 0
        best_distance = 1000000
        for d in range(4):
            r = me_row + (d == 2) - (d == 0)
            c = me_col + (d == 1) - (d == 3)
            if grid[r, c] == 0 and abs(r - opp_row) + abs(c - opp_col) < best_distance:
                best_distance = abs(r - opp_row) + abs(c - opp_col)
                best = d
        return best
    """)
    away = policy(tron, """
        best = 0
        best_distance = -1
        for d in range(4):
            r = me_row + (d == 2) - (d == 0)
            c = me_col + (d == 1) - (d == 3)
            if grid[r, c] == 0 and abs(r - opp_row) + abs(c - opp_col) > best_distance:
                best_distance = abs(r - opp_row) + abs(c - opp_col)
                best = d
        return best
    """)
    opponent = [policy(tron, FIRST_SAFE)]
    eager, shy = tron.evaluate([toward, away], opponent, SEEDS)
    assert eager.descriptors["aggression"] > shy.descriptors["aggression"]
    for evaluation in (eager, shy):
        assert 0.0 <= evaluation.descriptors["area"] <= 1.0
        assert 0.0 <= evaluation.descriptors["aggression"] <= 1.0


def test_family_programs_parse_and_vary(tron):
    rng = np.random.default_rng(5)
    parent = tron.parse(tron.random_program(rng), origin="new")
    mate = tron.parse(tron.random_program(rng), origin="new")
    for child in (tron.mutate(parent, rng), tron.crossover(parent, mate, rng)):
        assert tron.parse(child, origin="child").digest not in (parent.digest, mate.digest)


def test_prompts_teach_the_board(tron):
    prompts = tron.prompts()
    assert "def policy(grid, me_row, me_col, opp_row, opp_col, turn)" in prompts.system
    assert "(14, 14)" in prompts.system          # a 12x12 board plus its walls
    assert "X" in prompts.mutate.format(parent="X", feedback="")


def test_options_are_checked():
    with pytest.raises(ValueError, match="option size: expected an integer from 4 to 200, got 2"):
        TronArena(size=2)
    with pytest.raises(ValueError, match="unknown option speed for arena tron"):
        TronArena(speed=3)
