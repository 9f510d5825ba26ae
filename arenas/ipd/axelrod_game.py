"""IPD matches in Axelrod's own engine (imported by sandbox workers of the held-out pool).

A contestant is an Axelrod strategy (a "builtin", by name) or one of our compiled policies,
wrapped as an Axelrod `Player`. Matches are `axelrod.Match` with the arena's turns and noise and
the game seed; Axelrod's conventions hold (e.g. its strategies are told the match length).
"""
import numpy as np
from numba import njit
from numba.core.registry import CPUDispatcher as Dispatcher

# The worker asks this module for the signature, the smoke game and how to word an invalid move,
# as it asks arenas.ipd.game.
from arenas.ipd.game import (SMOKE_OPPONENT, STATS, invalid_move, options_of, signature,  # noqa: F401
                             smoke_options)
from arenas.ipd import reference
from arenas.policy.rng import policy_seed
from arenas.policy.sandbox import BEAT, ENGINE, SEED_INDEX, SIDE, SIDE_A, SIDE_B, Fault, Policy

EXCLUDED = ("manipulates_source", "manipulates_state", "inspects_source", "long_run_time")

_axelrod = None
_strategies: dict = {}


def warm_up():
    """Import Axelrod (slow: it loads torch) and index its strategies by name."""
    global _axelrod
    import axelrod
    _axelrod = axelrod
    _strategies.update({strategy.name: strategy for strategy in axelrod.all_strategies})


def heldout_names() -> list[str]:
    """Axelrod's strategies minus those it classifies as cheating or long-running, by name: the
    list shipped with the reference tournament when that was played with this Axelrod release
    (classifying every strategy takes seconds), else classified now."""
    shipped = reference.load()
    if shipped is not None and shipped["key"]["axelrod"] == _axelrod.__version__:
        return list(shipped["names"])
    classifiers = _axelrod.Classifiers
    names = [name for name, strategy in _strategies.items()
             if not any(classifiers[c](strategy) for c in EXCLUDED)]
    return sorted(names)


def query(what: str):
    if what == "heldout":
        return {"version": _axelrod.__version__, "names": heldout_names()}
    raise ValueError(f"unknown query {what!r}")


def resolve_builtin(name: str):
    if name not in _strategies:
        raise ValueError(f"no Axelrod strategy called {name!r}")
    return _strategies[name]


@njit(cache=True)
def _seed_policies(seed):
    np.random.seed(policy_seed(seed))


def _policy_player_class():
    axelrod = _axelrod

    class PolicyPlayer(axelrod.Player):
        """One of our compiled policies as an Axelrod player: it sees copies of the histories.
        Declared deterministic: its randomness is numba's stream, seeded from the game seed, so
        Axelrod need not seed it (and the match's noise stream stays the one Axelrod's own
        deterministic strategies would get)."""
        name = "redqueen policy"
        classifier = {"memory_depth": float("inf"), "stochastic": False, "long_run_time": False,
                      "inspects_source": False, "manipulates_source": False, "manipulates_state": False,
                      "makes_use_of": set()}

        def __init__(self, policy=None, side: int = SIDE_A, control=None, outside: int = ENGINE):
            super().__init__()
            self.policy, self.side, self.control, self.outside = policy, side, control, outside
            # Both histories as 0/1 arrays, extended by the turns played since the last call (a
            # fresh conversion of Axelrod's histories each turn costs O(turns) Python per move).
            self._mine = np.zeros(256, dtype=np.int64)
            self._theirs = np.zeros(256, dtype=np.int64)
            self._known = 0

        def strategy(self, opponent):
            turn = len(self.history)
            self._catch_up(turn, opponent)
            self.control[SIDE] = self.side
            move = self.policy(self._mine[:turn].copy(), self._theirs[:turn].copy(), turn)
            self.control[SIDE] = self.outside
            if move not in (0, 1):
                raise Fault(self.side, str(int(move)))
            return axelrod.Action.D if move else axelrod.Action.C

        def _catch_up(self, turn: int, opponent) -> None:
            if turn > len(self._mine):
                size = max(turn, 2 * len(self._mine))
                self._mine = np.resize(self._mine, size)
                self._theirs = np.resize(self._theirs, size)
            defect = axelrod.Action.D
            for k in range(self._known, turn):
                self._mine[k] = self.history[k] == defect
                self._theirs[k] = opponent.history[k] == defect
            self._known = turn

    return PolicyPlayer


_PolicyPlayer = None


def _player(contestant, side: int, control, outside: int):
    global _PolicyPlayer
    if isinstance(contestant, type):
        return contestant()
    if _PolicyPlayer is None:
        _PolicyPlayer = _policy_player_class()
    return _PolicyPlayer(policy=contestant, side=side, control=control, outside=outside)


def _outside_side(a, b) -> int:
    """Who answers for whatever runs outside our policies' calls: the Axelrod strategy facing a
    policy (its code and Axelrod's engine are that side's), else the engine."""
    a_builtin, b_builtin = isinstance(a, type), isinstance(b, type)
    if a_builtin != b_builtin:
        return SIDE_A if a_builtin else SIDE_B
    return ENGINE


def play_batch(a, b, seeds, options, control, stats, statuses, bad_values):
    """Matches for `seeds` (see sandbox.Worker.play_games); an invalid move ends its match.
    Without noise, a match of two deterministic players does not depend on its seed: it is played
    once and its result stands for every seed (as Axelrod's own deterministic cache does)."""
    _, noise = options_of(options)
    repeat_first = noise == 0 and len(seeds) > 1 and _deterministic(a) and _deterministic(b)
    for index, seed in enumerate(seeds):
        control[SEED_INDEX] = index
        control[BEAT] += 1
        if repeat_first and index > 0:
            stats[index], statuses[index], bad_values[index] = stats[0], statuses[0], bad_values[0]
            continue
        try:
            stats[index] = play(a, b, int(seed), options, control)
            statuses[index] = 0
        except Fault as fault:
            statuses[index], bad_values[index] = fault.side, int(fault.reason)


def _deterministic(contestant) -> bool:
    """An Axelrod strategy its classifier calls deterministic, or one of our compiled policies
    that never names np.random (the validator allows no other source of chance, no helpers)."""
    if isinstance(contestant, type):
        if contestant not in _deterministic_strategies:
            _deterministic_strategies[contestant] = not _axelrod.Classifiers["stochastic"](contestant())
        return _deterministic_strategies[contestant]
    function = contestant.function if isinstance(contestant, Policy) else None
    if not isinstance(function, Dispatcher):
        return False
    return "random" not in function.py_func.__code__.co_names


_deterministic_strategies: dict = {}


def play(a, b, seed, options, control):
    """One match in Axelrod's engine; statistics as in arenas.ipd.game (from the moves played)."""
    turns, noise = options_of(options)
    _seed_policies(int(seed))
    outside = _outside_side(a, b)
    players = (_player(a, SIDE_A, control, outside), _player(b, SIDE_B, control, outside))
    # The players are new, so Axelrod's reset (which re-runs __init__) is skipped: it costs Meta
    # strategies a second build of their whole team per match.
    match = _axelrod.Match(players, turns=turns, noise=noise, seed=int(seed), reset=False)
    control[SIDE] = outside
    moves = np.array([[int(x == _axelrod.Action.D), int(y == _axelrod.Action.D)] for x, y in match.play()],
                     dtype=np.int64).reshape(-1, 2)
    control[SIDE] = ENGINE
    score_a, score_b = match.final_score_per_turn()
    return (score_a, score_b, *_behaviour(moves[:, 0], moves[:, 1]), *_behaviour(moves[:, 1], moves[:, 0]),
            len(moves))


def _behaviour(mine: np.ndarray, theirs: np.ndarray) -> tuple[float, float, float]:
    """Cooperations, retaliations and provocations, from the moves as played."""
    provoked = theirs[:-1] == 1
    return float((mine == 0).sum()), float((mine[1:][provoked] == 1).sum()), float(provoked.sum())
