"""The iterated prisoner's dilemma simulator, compiled by numba (imported by sandbox workers).

One match: both policies are called every turn with copies of the histories so far (moves as
played, after noise, as in Axelrod's engine), each returns 0 (cooperate) or 1 (defect); with
probability `noise` each move is flipped. Payoffs R=3, S=0, T=5, P=1. The policies are numba
first-class functions, so the match loop is compiled once and calls any policy in nopython mode.
"""
import numpy as np
from numba import njit, types

from arenas.policy.rng import next_uniform, policy_seed, seed_state
from arenas.policy.sandbox import BEAT, SEED_INDEX, SIDE, SIDE_A, SIDE_B, with_arrays

COOPERATE, DEFECT = 0, 1
# PAYOFF[my move, their move]
PAYOFF = np.array([[3.0, 0.0], [5.0, 1.0]])
BAD_VALUE = 6            # control slot where the loop leaves an invalid move

# Statistics of one match, in this order (rates are counts here; the arena divides).
STATS = ("payoff_a", "payoff_b", "cooperations_a", "retaliations_a", "provocations_a",
         "cooperations_b", "retaliations_b", "provocations_b", "turns")

SMOKE_OPPONENT = '''
def policy(my_moves, their_moves, turn):
    return 1 if np.random.random() < 0.5 else 0
'''


def signature():
    return types.int64(types.int64[::1], types.int64[::1], types.int64)


_POLICY = types.FunctionType(with_arrays(signature()))   # see arenas.policy.lift
_SIDES = (_POLICY, types.int64[::1], types.float64[::1]) * 2      # policy, its ints and floats, per side
_MATCH = types.int64(*_SIDES, types.int64, types.float64, types.int64, types.int64[::1],
                     types.float64[::1], types.int64[:, ::1])
_MATCHES = types.void(*_SIDES, types.int64, types.float64, types.int64[::1], types.int64[::1],
                      types.float64[:, ::1], types.int64[::1], types.int64[::1])


@njit(cache=True)
def _count_intentions(stats, offset, move, their_moves, turn):
    """Cooperations, and defections answering a defection seen on the previous turn."""
    if move == COOPERATE:
        stats[offset] += 1
    if turn > 0 and their_moves[turn - 1] == DEFECT:
        stats[offset + 2] += 1
        if move == DEFECT:
            stats[offset + 1] += 1


@njit(_MATCH, cache=True)
def match(policy_a, ints_a, floats_a, policy_b, ints_b, floats_b, turns, noise, seed, control, stats, record):
    """Play one match; fill `stats`; return 0, or the side (1, 2) that made an invalid move.
    `record` (replays; play passes an empty one) gets each turn's moves as played, (a, b)."""
    moves_a = np.zeros(turns, np.int64)
    moves_b = np.zeros(turns, np.int64)
    np.random.seed(policy_seed(seed))
    state = seed_state(seed, 1)
    for i in range(stats.size):
        stats[i] = 0.0
    for turn in range(turns):
        control[SIDE] = SIDE_A
        a = policy_a(moves_a[:turn].copy(), moves_b[:turn].copy(), turn, ints_a, floats_a)
        control[SIDE] = SIDE_B
        b = policy_b(moves_b[:turn].copy(), moves_a[:turn].copy(), turn, ints_b, floats_b)
        control[SIDE] = 0
        if a != COOPERATE and a != DEFECT:
            control[BAD_VALUE] = a
            return SIDE_A
        if b != COOPERATE and b != DEFECT:
            control[BAD_VALUE] = b
            return SIDE_B
        _count_intentions(stats, 2, a, moves_b, turn)
        _count_intentions(stats, 5, b, moves_a, turn)
        state, u = next_uniform(state)
        if u < noise:
            a = 1 - a
        state, u = next_uniform(state)
        if u < noise:
            b = 1 - b
        moves_a[turn], moves_b[turn] = a, b
        if record.shape[0] > 0:
            record[turn, 0], record[turn, 1] = a, b
        stats[0] += PAYOFF[a, b]
        stats[1] += PAYOFF[b, a]
    stats[0] /= max(turns, 1)
    stats[1] /= max(turns, 1)
    stats[8] = turns
    return 0


@njit(_MATCHES, cache=True)
def matches(policy_a, ints_a, floats_a, policy_b, ints_b, floats_b, turns, noise, seeds, control, stats,
            statuses, bad_values):
    """One match per seed, in one call (calling compiled code from Python costs ~0.1 ms a call).
    Beats the heartbeat per match; an exception leaves control[SEED_INDEX] at its match."""
    no_record = np.empty((0, 2), np.int64)
    for index in range(seeds.size):
        control[SEED_INDEX] = index
        control[BEAT] += 1
        statuses[index] = match(policy_a, ints_a, floats_a, policy_b, ints_b, floats_b, turns, noise, seeds[index],
                                control, stats[index], no_record)
        bad_values[index] = control[BAD_VALUE]


def warm_up():
    """Nothing to do: the match loop compiled (or loaded from numba's cache) at import."""


def options_of(options: dict) -> tuple[int, float]:
    """(turns, noise) of the game options the arena passes (its declared defaults filled in)."""
    return int(options["turns"]), float(options["noise"])


def play_batch(policy_a, policy_b, seeds, options, control, stats, statuses, bad_values):
    """Matches for `seeds` (see sandbox.Worker.play_games)."""
    turns, noise = options_of(options)
    matches(*policy_a, *policy_b, turns, noise, seeds, control, stats, statuses, bad_values)


def trace(policy_a, policy_b, seed, options, control) -> dict:
    """One match recorded for a replay: the moves as played, the payoffs per turn, the status."""
    turns, noise = options_of(options)
    record = np.full((turns, 2), -1, np.int64)
    stats = np.zeros(len(STATS))
    status = match(*policy_a, *policy_b, turns, noise, int(seed), control, stats, record)
    played = record[record[:, 0] >= 0]
    return {"turns": turns, "noise": noise, "seed": int(seed), "status": int(status),
            "moves": played.tolist(), "payoff_a": float(stats[0]), "payoff_b": float(stats[1])}


def invalid_move(value: int) -> str:
    return f"returned {value}, not 0 (cooperate) or 1 (defect)"


def smoke_options(options: dict) -> dict:
    turns, noise = options_of(options)
    return {"turns": min(turns, 50), "noise": noise}
