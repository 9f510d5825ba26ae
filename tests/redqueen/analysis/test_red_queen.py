"""Progress-versus-cycling diagnostics on games whose answers are known."""
import numpy as np
import pytest

from redqueen.analysis.red_queen import alpha_rank, diagnostics, fixation

# Win 1, tie 0.5 (payoff = share of the pair's total), loss 0.
ROCK_PAPER_SCISSORS = np.array([[0.5, 0.0, 1.0],
                                [1.0, 0.5, 0.0],
                                [0.0, 1.0, 0.5]])


def chain(n):
    """A transitive chain: each later member beats every earlier one."""
    return np.tril(np.ones((n, n)), -1) + 0.5 * np.eye(n)


def test_rock_paper_scissors_cycles():
    report = diagnostics(ROCK_PAPER_SCISSORS)
    assert report["three_cycles"] == 1
    last = report["per_step"][-1]
    assert last["nash_support"] == 3 and last["nash"] == pytest.approx([1 / 3] * 3, abs=1e-6)
    assert report["alpha_rank"] == pytest.approx([1 / 3] * 3, abs=1e-6)    # symmetric under rotation
    assert not last["beats_all_earlier"]      # scissors beats paper but loses to rock


def test_transitive_chain_progresses():
    report = diagnostics(chain(5))
    assert report["three_cycles"] == 0
    for step in report["per_step"]:
        assert step["beats_all_earlier"]
        assert step["nash_support"] == 1 and step["nash_weight_newest"] == pytest.approx(1.0)
    ranks = np.array(report["alpha_rank"])
    assert ranks.argmax() == 4 and ranks[4] > 0.9


def test_a_dominated_strategy_gets_no_weight():
    # Rock-paper-scissors plus a fourth strategy that loses to everyone.
    payoff = np.full((4, 4), 0.0)
    payoff[:3, :3] = ROCK_PAPER_SCISSORS
    payoff[:3, 3], payoff[3, 3] = 1.0, 0.5
    report = diagnostics(payoff)
    last = report["per_step"][-1]
    assert last["nash_weight_newest"] == 0.0 and last["nash_support"] == 3
    assert report["alpha_rank"][3] < 1e-3
    assert report["alpha_rank"][:3] == pytest.approx([(1 - report["alpha_rank"][3]) / 3] * 3, abs=1e-6)


def test_fixation_is_neutral_at_zero_and_stable_far_from_it():
    assert fixation(np.array([0.0]), 10, 50)[0] == pytest.approx(1 / 50)
    far = fixation(np.array([-100.0, 100.0]), 10, 50)
    assert np.isfinite(far).all() and far[0] == 0.0 and far[1] == pytest.approx(1.0)
    # Matches the formula directly where it does not overflow.
    d = 0.03
    assert fixation(np.array([d]), 10, 50)[0] == pytest.approx((1 - np.exp(-10 * d)) / (1 - np.exp(-500 * d)))


def test_alpha_rank_of_one_program():
    assert alpha_rank(np.array([[1.0]])).tolist() == [1.0]
