"""The analysis math on small constructed cases whose answers are known by hand."""
import math

import numpy as np
import pytest
from tinygame import TinyArena

from redqueen.analysis.cycles import beats_matrix, count_three_cycles, list_three_cycles
from redqueen.analysis.generality import LOSS, TIE, WIN, outcomes
from redqueen.analysis.trends import fit_trends
from redqueen.analysis.variance import mean_rate_of_change, rate_of_change, variance_across_runs
from redqueen.arena import DuelResults


def duel_results(fitness_a, fitness_b, score_a) -> DuelResults:
    """Per-opponent results as an arena's duel returns them (counts are not used by generality)."""
    zeros = np.zeros(len(fitness_a), dtype=int)
    return DuelResults(fitness_a=np.array(fitness_a, float), fitness_b=np.array(fitness_b, float),
                       wins=zeros, ties=zeros, losses=zeros, score_a=np.array(score_a, float),
                       score_b=np.zeros(len(fitness_a)))


class TestGenerality:
    def test_outcomes_by_mean_survival_fitness(self):
        assert list(outcomes([0.6, 0.5, 0.2], [0.4, 0.5, 0.8])) == [WIN, TIE, LOSS]

    def test_equal_within_float_noise_is_a_tie(self):
        assert list(outcomes([0.1 + 0.2], [0.3])) == [TIE]

    def test_default_rule_is_head_to_head_over_five_opponents(self):
        # beats two, ties two (one of them only up to float noise), loses one:
        # generality 4/5, beaten 2/5, score per game (3+2+1+1+0)/5
        results = duel_results([0.9, 0.7, 0.5, 0.1 + 0.2, 0.1], [0.1, 0.3, 0.5, 0.3, 0.9], [3, 2, 1, 1, 0])
        summary = TinyArena().heldout_summary(results, opponents=[None] * 5, seeds=[1, 2])
        assert summary["generality_rule"] == "head-to-head" and summary["opponents"] == 5
        assert summary["generality"] == pytest.approx(4 / 5)
        assert summary["beaten"] == pytest.approx(2 / 5)
        assert summary["score_per_game"] == pytest.approx(7 / 5)
        assert [row["outcome"] for row in summary["per_opponent"]] == ["win", "win", "tie", "tie", "loss"]
        assert [row["matched"] for row in summary["per_opponent"]] == [True, True, True, True, False]

    def test_no_opponents_is_an_error(self):
        with pytest.raises(ValueError):
            TinyArena().heldout_summary(duel_results([], [], []), opponents=[], seeds=[1])


class TestVariance:
    def test_two_runs_differing_in_one_dimension(self):
        # round 0: runs equal; round 1: dim 0 differs by 2 -> var 1, dim 1 equal -> mean 0.5
        runs = np.array([[[1, 1], [0, 5]],
                         [[1, 1], [2, 5]]], dtype=float)
        assert variance_across_runs(runs) == pytest.approx([0.0, 0.5])

    def test_missing_champion_is_skipped_and_single_run_round_is_nan(self):
        nan = np.nan
        runs = np.array([[[0.0], [0.0], [1.0]],
                         [[2.0], [nan], [nan]],
                         [[4.0], [6.0], [nan]]])
        result = variance_across_runs(runs)
        assert result[0] == pytest.approx(np.var([0, 2, 4]))
        assert result[1] == pytest.approx(9.0)
        assert math.isnan(result[2])

    def test_scalars_per_champion(self):
        assert variance_across_runs([[1.0, 0.0], [3.0, 0.0]]) == pytest.approx([1.0, 0.0])

    def test_rate_of_change_is_mean_absolute_step(self):
        run = np.array([[0, 0], [1, -1], [1, 3]], dtype=float)
        assert rate_of_change(run) == pytest.approx([1.0, 2.0])

    def test_mean_rate_over_runs(self):
        runs = np.array([[[0.0], [1.0], [1.0]],
                         [[0.0], [3.0], [np.nan]]])
        assert mean_rate_of_change(runs) == pytest.approx([2.0, 0.0])

    def test_wrong_shape_is_rejected(self):
        with pytest.raises(ValueError):
            variance_across_runs(np.zeros(3))


class TestCycles:
    def test_rock_paper_scissors_is_one_cycle(self):
        beats = np.zeros((3, 3), bool)
        beats[0, 1] = beats[1, 2] = beats[2, 0] = True
        assert count_three_cycles(beats) == 1
        assert list_three_cycles(beats) == [(0, 1, 2)]

    def test_transitive_order_has_none(self):
        beats = np.triu(np.ones((5, 5), bool), 1)      # i beats every later j
        assert count_three_cycles(beats) == 0
        assert list_three_cycles(beats) == []

    def test_regular_tournament_on_five(self):
        # i beats i+1 and i+2 (mod 5): a regular tournament; C(5,3) - sum C(2,2)*5 = 10 - 5 = 5 cycles
        beats = np.zeros((5, 5), bool)
        for i in range(5):
            beats[i, (i + 1) % 5] = beats[i, (i + 2) % 5] = True
        assert count_three_cycles(beats) == 5
        listed = list_three_cycles(beats, limit=100)
        assert len(listed) == 5
        for i, j, k in listed:
            assert beats[i, j] and beats[j, k] and beats[k, i]

    def test_ties_break_cycles(self):
        fitness = np.array([[0.0, 0.7, 0.5],
                            [0.3, 0.0, 0.8],
                            [0.5, 0.2, 0.0]])   # 0 beats 1, 1 beats 2, 2 ties 0
        beats = beats_matrix(fitness)
        assert beats[0, 1] and beats[1, 2] and not beats[2, 0] and not beats[0, 2]
        assert count_three_cycles(beats) == 0

    def test_contradictory_matrix_is_rejected(self):
        with pytest.raises(ValueError):
            count_three_cycles(np.ones((2, 2), bool))


class TestTrends:
    def test_exact_line(self):
        fits = fit_trends([1, 2, 3, 4], [3, 5, 7, 9])
        assert fits["linear"].slope == pytest.approx(2)
        assert fits["linear"].intercept == pytest.approx(1)
        assert fits["linear"].r2 == pytest.approx(1)
        assert fits["log"].r2 < 1

    def test_exact_logarithm(self):
        rounds = np.arange(1, 11)
        fits = fit_trends(rounds, 0.2 + 0.1 * np.log(rounds))
        assert fits["log"].slope == pytest.approx(0.1)
        assert fits["log"].r2 == pytest.approx(1)
        assert fits["linear"].r2 < fits["log"].r2
        assert fits["log"].predict([np.e]) == pytest.approx([0.3])

    def test_nan_skipped_and_too_few_points(self):
        assert fit_trends([1, 2, 3], [1.0, np.nan, 2.0]) == {}
        assert fit_trends([1, 2, 3, 4], [1.0, np.nan, 3.0, 4.0])["linear"].points == 3

    def test_round_zero_has_no_log_fit(self):
        assert set(fit_trends([0, 1, 2], [0, 1, 2])) == {"linear"}
