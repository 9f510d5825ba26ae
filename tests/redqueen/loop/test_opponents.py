"""Opponent meta-strategies (redqueen/opponents.py): specs, Nash mixtures, PFSP weights, the
cross-play matrix of a real Core War population, weighted fitness and opponent sampling."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from arenas.corewar.arena import RedcodeProgram, make_arena
from arenas.corewar.instruction import ADD, B_INDIRECT, DAT, DIRECT, IMMEDIATE, JMP, M_AB, M_B, M_F, M_I, MOV, SPL
from arenas.corewar.warrior import Warrior
from redqueen.opponents import (apportion, OpponentSpec, grow_payoff, nash_mixture, opponent_weights, parse_spec,
                                pfsp_weights, select_opponents, share_of_total,
                                win_rates, zero_sum)

# Win rates of rock, paper, scissors against each other (row against column).
RPS = np.array([[0.5, 0.0, 1.0],
                [1.0, 0.5, 0.0],
                [0.0, 1.0, 0.5]])


def payoff_from_margin(margin):
    """A non-negative payoff whose zero-sum form is the given antisymmetric margin."""
    margin = np.asarray(margin, dtype=float)
    return np.maximum(margin, 0)


# ---- specs -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, spec", [
    ("all", OpponentSpec("all")), ("last:3", OpponentSpec("last", history=3)),
    ("last:0", OpponentSpec("last", history=0)), ("nash", OpponentSpec("nash")),
    ("pfsp", OpponentSpec("pfsp", weighting="hard")), ("PFSP:even", OpponentSpec("pfsp", weighting="even")),
    (" pfsp:hard ", OpponentSpec("pfsp", weighting="hard"))])
def test_specs_parse_and_print_back(text, spec):
    assert parse_spec(text) == spec
    assert parse_spec(str(spec)) == spec


@pytest.mark.parametrize("text", ["", "last", "last:", "last:-1", "last:two", "nash:2", "all:1", "pfsp:soft",
                                  "pfsp:hard:2", "psro", "uniform"])
def test_bad_specs_are_one_line_value_errors(text):
    with pytest.raises(ValueError) as error:
        parse_spec(text)
    message = str(error.value)
    assert "\n" not in message and repr(text) in message


def test_selection_keeps_initial_programs_and_the_chosen_champions():
    initial, champions = [1, 2], [10, 11, 12]
    assert select_opponents(parse_spec("all"), initial, champions) == [1, 2, 10, 11, 12]
    assert select_opponents(parse_spec("last:2"), initial, champions) == [1, 2, 11, 12]
    assert select_opponents(parse_spec("last:0"), initial, champions) == [1, 2]
    assert select_opponents(parse_spec("last:9"), initial, champions) == [1, 2, 10, 11, 12]
    assert select_opponents(parse_spec("nash"), initial, champions) == [1, 2, 10, 11, 12]
    assert select_opponents(parse_spec("pfsp"), initial, []) == [1, 2]
    assert [parse_spec(s).needs_payoff for s in ("all", "last:1", "nash", "pfsp")] == [False, False, True, True]


# ---- Nash ------------------------------------------------------------------------------------

def test_rock_paper_scissors_is_uniform():
    assert nash_mixture(RPS) == pytest.approx(np.full(3, 1 / 3))


def test_weighted_rock_paper_scissors_has_its_closed_form_equilibrium():
    # Margins: paper beats rock by 1, rock beats scissors by 2, scissors beats paper by 3. The
    # equilibrium is the null vector of the margin matrix, (A[1,2], A[2,0], A[0,1]) up to sign:
    # (3, 2, 1) / 6.
    margin = np.array([[0, -1, 2], [1, 0, -3], [-2, 3, 0]], dtype=float)
    assert nash_mixture(payoff_from_margin(margin)) == pytest.approx([1 / 2, 1 / 3, 1 / 6])


def test_a_dominated_program_gets_no_weight():
    # A fourth program that loses to all three.
    payoff = np.pad(RPS, ((0, 1), (0, 1)))
    payoff[:3, 3], payoff[3, 3] = 1.0, 0.5
    weights = nash_mixture(payoff)
    assert weights[3] == 0.0
    assert weights[:3] == pytest.approx(np.full(3, 1 / 3))


def test_a_strictly_dominant_program_gets_all_the_weight():
    payoff = np.pad(RPS, ((1, 0), (1, 0)))
    payoff[0, 1:], payoff[0, 0] = 1.0, 0.5       # beats rock, paper and scissors
    weights = nash_mixture(payoff)
    assert weights.tolist() == [1.0, 0.0, 0.0, 0.0]


def test_copies_of_a_program_share_its_weight_equally():
    rock_twice = RPS[np.ix_([0, 0, 1, 2], [0, 0, 1, 2])]
    assert nash_mixture(rock_twice) == pytest.approx([1 / 6, 1 / 6, 1 / 3, 1 / 3])


def test_constant_sum_payoffs_give_the_same_mixture_at_any_scale():
    # Survival shares of two warriors sum to 2 per game: twice the win rates.
    assert nash_mixture(2 * RPS) == pytest.approx(nash_mixture(RPS))
    assert zero_sum(2 * RPS) == pytest.approx(-zero_sum(2 * RPS).T)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 9)).map(lambda n: (n[0], n[0])),
              elements=st.floats(0, 3, allow_nan=False)))
def test_the_mixture_is_an_equilibrium_and_the_same_every_time(payoff):
    weights = nash_mixture(payoff)
    assert weights.sum() == pytest.approx(1.0) and (weights >= 0).all()
    # No program does better than even against the mixture (the game's value is 0).
    assert (weights @ zero_sum(payoff)).min() >= -1e-6 * max(1.0, np.abs(payoff).max())
    assert np.array_equal(nash_mixture(payoff), weights)


def test_bad_payoff_matrices_are_value_errors():
    for bad in (np.zeros((2, 3)), np.zeros((0, 0)), np.array([[0.5, np.nan], [0.5, 0.5]])):
        with pytest.raises(ValueError):
            nash_mixture(bad)


# ---- PFSP ------------------------------------------------------------------------------------

def test_hard_weighting_favours_the_opponents_the_elites_lose_to():
    rates = [0.9, 0.1, 0.5, 1.0, 0.0]
    weights = pfsp_weights(rates, "hard")
    assert weights.sum() == pytest.approx(1.0)
    assert list(np.argsort(-weights)) == [4, 1, 2, 0, 3]
    assert weights.min() == pytest.approx(0.05 / 5)           # the beaten one keeps the floor
    f = (1 - np.array(rates)) ** 2
    assert weights == pytest.approx(0.95 * f / f.sum() + 0.01)


def test_even_weighting_favours_the_opponents_at_even_odds():
    weights = pfsp_weights([0.0, 0.5, 0.2, 1.0], "even", floor=0.0)
    assert weights.sum() == pytest.approx(1.0)
    assert weights[1] > weights[2] > 0 and weights[0] == weights[3] == 0.0


def test_a_higher_exponent_concentrates_on_the_hardest():
    rates = [0.2, 0.6]
    assert pfsp_weights(rates, p=4, floor=0)[0] > pfsp_weights(rates, p=1, floor=0)[0]


def test_all_beaten_gives_uniform_weights():
    assert pfsp_weights([1.0, 1.0, 1.0], "hard") == pytest.approx(np.full(3, 1 / 3))


@pytest.mark.parametrize("arguments", [([],), ([1.2],), ([np.nan],), ([0.5], "soft"), ([0.5], "hard", 0),
                                       ([0.5], "hard", 2, 1.5)])
def test_bad_pfsp_inputs_are_value_errors(arguments):
    with pytest.raises(ValueError):
        pfsp_weights(*arguments)


def test_win_rates_are_the_row_share_of_the_pair_total():
    points = np.array([[1.0, 3.0, 0.0], [0.0, 1.0, 1.0], [3.0, 1.0, 0.0]])   # win 3:0, tie 1:1
    np.testing.assert_allclose(win_rates(points), [[0.5, 1.0, 0.0], [0.0, 0.5, 0.5], [1.0, 0.5, 0.5]])
    assert share_of_total([2.0, 1.0, 0.0], [0.0, 1.0, 0.0]).tolist() == [1.0, 0.5, 0.5]
    with pytest.raises(ValueError):
        win_rates(-points)


# ---- weights per spec ------------------------------------------------------------------------

def test_opponent_weights_per_spec():
    ids = [1, 10, 11]
    assert opponent_weights("all", ids) == pytest.approx(np.full(3, 1 / 3))
    assert opponent_weights(parse_spec("last:1"), ids) == pytest.approx(np.full(3, 1 / 3))
    dominant = np.array([[0.5, 0.0, 0.0], [1.0, 0.5, 0.5], [1.0, 0.5, 0.5]])
    assert opponent_weights("nash", ids, dominant) == pytest.approx([0, 0.5, 0.5])
    # PFSP: explicit win rates, else those of the latest champion (the last row), else uniform.
    assert opponent_weights("pfsp", ids, win_rate=[0.0, 1.0, 1.0], floor=0) == pytest.approx([1, 0, 0])
    # The last row (scissors) wins 0, 1 and 0.5 of its games: (1 - x)^2 = 1, 0, 1/4.
    assert opponent_weights("pfsp:hard", ids, RPS, floor=0) == pytest.approx([0.8, 0, 0.2])
    assert opponent_weights("pfsp", ids) == pytest.approx(np.full(3, 1 / 3))


def test_opponent_weights_reject_mismatched_inputs():
    with pytest.raises(ValueError, match="expected"):
        opponent_weights("nash", [1, 2], RPS)
    with pytest.raises(ValueError, match="payoff matrix"):
        opponent_weights("nash", [1, 2, 3])
    with pytest.raises(ValueError, match="win rates"):
        opponent_weights("pfsp", [1, 2, 3], win_rate=[0.5])
    with pytest.raises(ValueError, match="no opponents"):
        opponent_weights("all", [])


# ---- weights in fitness ----------------------------------------------------------------------

def test_apportion_gives_places_in_proportion_to_weight():
    assert apportion([1, 1, 1], 3).tolist() == [1, 1, 1]          # equal weights: everyone once
    assert apportion([0.5, 0.3, 0.2, 0.0], 4).tolist() == [2, 1, 1, 0]
    assert apportion([1 / 3] * 3, 4).tolist() == [2, 1, 1]        # ties go to the earlier one
    counts = apportion(np.random.default_rng(0).random(9), 25)
    assert counts.sum() == 25 and (counts >= 0).all()
    with pytest.raises(ValueError):
        apportion([0, 0], 3)


# ---- the cross-play matrix of a real Core War population -------------------------------------

def warrior(rows, name):
    return RedcodeProgram(f"; {name}", Warrior(np.array(rows), start=0, name=name))


IMP = warrior([[MOV, M_I, DIRECT, 0, DIRECT, 1]], "imp")
DWARF = warrior([[ADD, M_AB, IMMEDIATE, 4, DIRECT, 3], [MOV, M_AB, IMMEDIATE, 0, B_INDIRECT, 2],
                 [JMP, M_B, DIRECT, 7998, DIRECT, 0], [DAT, M_F, IMMEDIATE, 0, IMMEDIATE, 0]], "dwarf")
SPLITTER = warrior([[SPL, M_B, DIRECT, 0, DIRECT, 0], [MOV, M_I, DIRECT, 0, DIRECT, 1]], "splitter")
DEAD = warrior([[DAT, M_F, IMMEDIATE, 0, IMMEDIATE, 0]], "dead")


def test_the_cross_play_matrix_grows_one_row_and_column_per_champion():
    arena = make_arena(maxcycles=2000)
    seeds = [11, 2024, 99991]
    population, payoff = [], np.zeros((0, 0))
    for newcomer in (IMP, DWARF, DEAD, SPLITTER):
        grown = grow_payoff(payoff, newcomer, population, arena.duel, seeds)
        n = len(population)
        assert grown.shape == (n + 1, n + 1)
        assert np.array_equal(grown[:n, :n], payoff)              # earlier entries are kept
        for i, member in enumerate(population):                    # the new entries, game by game
            alone = arena.duel(newcomer, [member], seeds)
            assert grown[n, i] == pytest.approx(alone.fitness_a[0])
            assert grown[i, n] == pytest.approx(alone.fitness_b[0])
        population, payoff = population + [newcomer], grown
    off_diagonal = ~np.eye(4, dtype=bool)
    assert (payoff + payoff.T)[off_diagonal] == pytest.approx(np.full(12, 2.0))   # 1v1 shares sum to 2
    # The dead program loses every game outright (it dies on its first instruction).
    assert payoff[2, [0, 1, 3]] == pytest.approx(np.zeros(3), abs=2 / 2000)
    assert nash_mixture(payoff)[2] == 0.0
    assert grow_payoff(payoff, IMP, population, arena.duel, seeds, payoff_of="score").shape == (5, 5)


def test_exploiters_follow_their_champions_and_last_k_keeps_them_together():
    from redqueen.opponents import parse_spec, select_opponents
    initial, champions, exploiters = [1, 2], [10, 11, 12], [20, None, 22]
    assert select_opponents(parse_spec("all"), initial, champions, exploiters) == [1, 2, 10, 20, 11, 12, 22]
    assert select_opponents(parse_spec("last:2"), initial, champions, exploiters) == [1, 2, 11, 12, 22]
    assert select_opponents(parse_spec("last:0"), initial, champions, exploiters) == [1, 2]


def test_elite_opponents_follow_the_population_round_by_round_without_repeats():
    # Each round's elites, fittest first; round 1's include its own champion (11) and round 0's
    # champion carried over (10), which are members already.
    initial, champions, exploiters = [1, 2], [10, 11, 12], [20, None, None]
    elites = [[10, 30, 31, 32], [10, 11, 30, 33, 34], [12, 35]]
    assert select_opponents(parse_spec("all"), initial, champions, exploiters, elites, 2) == \
        [1, 2, 10, 20, 11, 12, 30, 31, 33, 34, 35]
    assert select_opponents(parse_spec("all"), initial, champions, exploiters, elites, 0) == [1, 2, 10, 20, 11, 12]
    assert select_opponents(parse_spec("last:1"), initial, champions, exploiters, elites, 2) == [1, 2, 12, 35]
    assert select_opponents(parse_spec("last:2"), initial, champions, exploiters, elites, 1) == [1, 2, 11, 12, 10, 35]
    assert select_opponents(parse_spec("all"), initial, champions) == [1, 2, 10, 11, 12]
