"""Opponent meta-strategies: which earlier programs a round plays against, and how much each counts.

A *population* is the run's initial programs followed by its champions, oldest first (with
`--exploiters`, each champion followed by its exploiter: a program found to beat it,
`redqueen.exploit`; with `--elite-opponents K`, followed at the end by the K fittest other
elites of each round that are not members already, a league of the runner-ups; the loop adds
`--fresh-opponents` draws after them). A spec
chooses the round's opponents from it and weights them:

  all        every initial program and every champion, equal weights (the DRQ study's default)
  last:K     the initial programs and the last K champions, equal weights (`--history K`)
  nash       everyone, weighted by the Nash (maximin) mixture of the population's cross-play
             game, as the meta-solver of PSRO (policy-space response oracles, Lanctot et al. 2017)
  pfsp       everyone, weighted by how hard each is for the current elites: prioritised
             fictitious self-play (PFSP, AlphaStar, Vinyals et al. 2019); `pfsp:hard` (the
             default) favours opponents the elites lose to, `pfsp:even` those at even odds

Payoffs. `payoff[i, j]` is program i's payoff against program j in 1v1 play (row player's
view): survival share, tournament points or mean game score, any non-negative figure where
more is better. The matrix grows by one row and column per champion (`grow_payoff`); the
initial programs are rows of it like any other program, so Nash weighs them on merit (an
initial program that every champion beats gets weight 0, as in PSRO) and round 0, with only the
initial programs, is the Nash game among them.

- Zero-sum form (for Nash): A = payoff - payoffᵀ, i's margin over j. A is antisymmetric, so
  the game is symmetric zero-sum with value 0; for constant-sum payoffs (Core War survival
  shares sum to 2 in a 1v1 round) it is an affine rescaling of the payoff and has the same
  equilibria, and for others (pMARS points: 3+0 for a win, 1+1 for a tie) it scores a win
  as +3, a tie as 0.
- Win rate (for PFSP): payoff[i, j] / (payoff[i, j] + payoff[j, i]), i's share of the pair's
  total (0.5 when both are 0): 1 for a win, 0.5 for a tie, with survival shares or points.

How weights enter fitness. The round lists each opponent as many times as its weight earns it
among as many places as the population has members (`apportion`, largest remainder): the
arena's fitness modes then weigh it without knowing about weights. In 1v1 modes (`duel`,
`hill`) fitness becomes the weighted mean over opponents, rounded to 1/places; in `battle`
mode a heavy opponent fields several copies in the one battle. Opponents of weight 0 are left
out; equal weights list everyone once, exactly as without weights.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

KINDS = ("all", "last", "nash", "pfsp")
PFSP_WEIGHTINGS = ("hard", "even")


@dataclass(frozen=True)
class OpponentSpec:
    """A parsed spec (see `parse_spec`). `history` is K of last:K; `weighting` pfsp's variant."""
    kind: str = "all"
    history: int | None = None
    weighting: str = "hard"

    def __str__(self) -> str:
        if self.kind == "last":
            return f"last:{self.history}"
        if self.kind == "pfsp":
            return f"pfsp:{self.weighting}"
        return self.kind

    @property
    def needs_payoff(self) -> bool:
        """Whether the population's cross-play matrix must be kept up to date."""
        return self.kind in ("nash", "pfsp")


def parse_spec(text: str) -> OpponentSpec:
    """"all", "last:K" (K >= 0), "nash", "pfsp", "pfsp:hard" or "pfsp:even"; ValueError otherwise."""
    kind, _, argument = str(text).strip().lower().partition(":")
    usage = "all, last:K, nash, pfsp, pfsp:hard or pfsp:even"
    if kind in ("all", "nash") and not argument:
        return OpponentSpec(kind)
    if kind == "last":
        if not argument.isdigit():
            raise ValueError(f"opponent spec {text!r}: last:K needs a whole number K >= 0")
        return OpponentSpec("last", history=int(argument))
    if kind == "pfsp" and argument in ("", *PFSP_WEIGHTINGS):
        return OpponentSpec("pfsp", weighting=argument or "hard")
    raise ValueError(f"opponent spec {text!r} not understood (use {usage})")


def select_opponents(spec: OpponentSpec, initial_ids: Sequence[int], champion_ids: Sequence[int],
                     exploiter_ids: Sequence[int | None] = (), elite_ids: Sequence[Sequence[int]] = (),
                     elites_per_round: int = 0) -> list[int]:
    """The round's opponents: the initial programs, then the champions the spec keeps (oldest
    first), each followed by its exploiter when `exploiter_ids` (one per champion, None for
    none: `--exploiters`) names one; then, for each kept champion's round in turn, the first
    `elites_per_round` of that round's elites (`elite_ids`, one list per champion, fittest
    first) that are not listed already (`--elite-opponents`)."""
    exploiters = list(exploiter_ids) or [None] * len(champion_ids)
    elites = list(elite_ids) or [()] * len(champion_ids)
    rounds = list(zip(champion_ids, exploiters, elites))
    if spec.kind == "last":
        rounds = rounds[len(rounds) - spec.history:] if spec.history else []
    pool = [*initial_ids, *(pid for champion, exploiter, _ in rounds for pid in (champion, exploiter)
                            if pid is not None)]
    for _, _, round_elites in rounds:
        pool += [pid for pid in round_elites if pid not in pool][:elites_per_round]
    return pool


# ---- payoffs ---------------------------------------------------------------------------------

def zero_sum(payoff: np.ndarray) -> np.ndarray:
    """The antisymmetric margin matrix payoff - payoffᵀ (see the module docstring)."""
    payoff = _square(payoff)
    return payoff - payoff.T


def win_rates(payoff: np.ndarray) -> np.ndarray:
    """win[i, j]: i's share of the total payoff of i against j (0.5 when both are 0)."""
    payoff = _square(payoff)
    return share_of_total(payoff, payoff.T)


def share_of_total(ours, theirs) -> np.ndarray:
    """Elementwise ours / (ours + theirs), 0.5 where both are 0: a win rate from the payoffs of
    the two sides, e.g. a candidate's `per_opponent` and `opponent_points` in hill details, or a
    DuelResults' fitness_a and fitness_b."""
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    if (ours < 0).any() or (theirs < 0).any():
        raise ValueError("win rates need non-negative payoffs")
    total = ours + theirs
    return np.where(total > 0, ours / np.where(total > 0, total, 1.0), 0.5)


def grow_payoff(payoff: np.ndarray, newcomer, population: Sequence, duel: Callable, seeds: Sequence[int],
                payoff_of: str = "fitness") -> np.ndarray:
    """The cross-play matrix after `newcomer` joins `population` (the programs of `payoff`'s rows,
    in order): one more row (newcomer against each, then against itself) and column (each against
    the newcomer). `duel` is `Arena.duel`: one call plays the newcomer, loaded first, against
    every member and a copy of itself over `seeds`. `payoff_of` picks the DuelResults fields:
    "fitness" (fitness_a/fitness_b) or "score" (score_a/score_b). Start from np.zeros((0, 0))."""
    payoff = np.asarray(payoff, dtype=float).reshape(len(population), len(population))
    if payoff_of not in ("fitness", "score"):
        raise ValueError(f"payoff_of must be fitness or score, not {payoff_of!r}")
    results = duel(newcomer, [*population, newcomer], seeds)
    row, column = (np.asarray(getattr(results, f"{payoff_of}_{side}"), dtype=float) for side in "ab")
    n = len(population)
    grown = np.empty((n + 1, n + 1))
    grown[:n, :n] = payoff
    grown[n, :] = row               # the newcomer's payoff against each, and against itself
    grown[:n, n] = column[:n]       # each member's payoff against the newcomer
    return grown


def _square(payoff) -> np.ndarray:
    payoff = np.asarray(payoff, dtype=float)
    if payoff.ndim != 2 or payoff.shape[0] != payoff.shape[1]:
        raise ValueError(f"a payoff matrix must be square, got shape {payoff.shape}")
    if not np.isfinite(payoff).all():
        raise ValueError("the payoff matrix has missing (NaN) or infinite entries")
    return payoff


# ---- meta-solvers ----------------------------------------------------------------------------

def nash_mixture(payoff: np.ndarray) -> np.ndarray:
    """The maximin (Nash) mixture of the symmetric zero-sum game `zero_sum(payoff)`.

    A mixture x is an equilibrium when no program gains against it: Aᵀx >= 0 (the game's value
    is 0). Ties are handled deterministically: programs with identical margins against everyone
    (the same program twice, e.g. a champion that won two rounds) are solved as one and share its
    weight equally; then one linear program (scipy's HiGHS) picks, among all equilibria, one whose
    largest weight is smallest, so the solver's pivoting does not concentrate weight needlessly;
    any freedom left is settled by HiGHS, which always gives the same mixture for the same matrix.
    Weights below 1e-8 (solver noise) become 0."""
    margin = zero_sum(payoff)
    if len(margin) == 0:
        raise ValueError("the Nash mixture needs at least one program")
    _, first, group, copies = np.unique(margin.round(12), axis=0, return_index=True, return_inverse=True,
                                        return_counts=True)
    group = group.reshape(-1)
    weights = _spread_maximin(margin[np.ix_(first, first)])
    return weights[group] / copies[group]


def _spread_maximin(margin: np.ndarray) -> np.ndarray:
    """An equilibrium of an antisymmetric game with the smallest largest weight (one LP)."""
    from scipy.optimize import linprog

    n = len(margin)
    # Variables (x_1..x_n, t): minimise t subject to -Aᵀx <= 0, x_i - t <= 0, sum x = 1, x >= 0.
    cost = np.r_[np.zeros(n), 1.0]
    upper = np.block([[-margin.T, np.zeros((n, 1))], [np.eye(n), -np.ones((n, 1))]])
    result = linprog(cost, A_ub=upper, b_ub=np.zeros(2 * n), A_eq=np.r_[np.ones(n), 0.0][None, :], b_eq=[1.0],
                     bounds=[(0, None)] * (n + 1), method="highs")
    if result.status != 0:
        raise RuntimeError(f"the Nash linear program failed: {result.message}")
    weights = np.clip(result.x[:n], 0.0, None)
    weights[weights < 1e-8] = 0.0
    return weights / weights.sum()


def pfsp_weights(win_rate: Sequence[float], weighting: str = "hard", p: float = 2.0,
                 floor: float = 0.05) -> np.ndarray:
    """PFSP weights of opponents given the current elites' win rate x against each (0..1).

    f_hard(x) = (1 - x)^p favours opponents the elites lose to; f_even(x) = x(1 - x) those at
    even odds. Weights are f normalised (uniform when f is 0 everywhere: every opponent beaten
    outright, or, for even, none ever beaten or lost to), then mixed with the uniform mixture:
    w = (1 - floor) f/Σf + floor/n, so no opponent is ever dropped entirely; floor=0 allows zeros."""
    x = np.asarray(win_rate, dtype=float)
    if x.ndim != 1 or not len(x):
        raise ValueError("pfsp_weights needs one win rate per opponent")
    if not (np.isfinite(x).all() and (x >= 0).all() and (x <= 1).all()):
        raise ValueError("win rates must lie in [0, 1]")
    if weighting not in PFSP_WEIGHTINGS:
        raise ValueError(f"pfsp weighting must be hard or even, not {weighting!r}")
    if not p > 0:
        raise ValueError(f"pfsp exponent p must be positive, got {p}")
    if not 0 <= floor <= 1:
        raise ValueError(f"pfsp floor must lie in [0, 1], got {floor}")
    f = (1 - x) ** p if weighting == "hard" else x * (1 - x)
    share = f / f.sum() if f.sum() > 0 else np.full(len(x), 1 / len(x))
    return (1 - floor) * share + floor / len(x)


def opponent_weights(spec: OpponentSpec | str, opponent_ids: Sequence[int], payoff_matrix: np.ndarray | None = None,
                     win_rate: Sequence[float] | None = None, p: float = 2.0, floor: float = 0.05) -> np.ndarray:
    """Weights (summing to 1) aligned with `opponent_ids`.

    all, last:K: uniform. nash: `nash_mixture(payoff_matrix)`, the matrix's rows and columns in
    the order of `opponent_ids` (initial programs included). pfsp: `pfsp_weights` of `win_rate`,
    the current elites' win rate against each opponent; without it, the win rates of the most
    recent champion (the matrix's last row, `win_rates(payoff_matrix)[-1]`); with neither, uniform
    (nothing measured yet, e.g. round 0)."""
    spec = parse_spec(spec) if isinstance(spec, str) else spec
    n = len(opponent_ids)
    if n == 0:
        raise ValueError("there are no opponents to weigh")
    if payoff_matrix is not None and np.shape(payoff_matrix) != (n, n):
        raise ValueError(f"the payoff matrix is {np.shape(payoff_matrix)}, expected ({n}, {n}) "
                         f"for {n} opponents")
    if spec.kind == "nash":
        if payoff_matrix is None:
            raise ValueError("nash weights need the opponents' payoff matrix")
        return nash_mixture(payoff_matrix)
    if spec.kind == "pfsp":
        if win_rate is None and payoff_matrix is not None:
            win_rate = win_rates(payoff_matrix)[-1]
        if win_rate is not None:
            if len(win_rate) != n:
                raise ValueError(f"{len(win_rate)} win rates for {n} opponents")
            return pfsp_weights(win_rate, spec.weighting, p, floor)
    return np.full(n, 1 / n)


# ---- weights in fitness ----------------------------------------------------------------------

def apportion(weights, slots: int) -> np.ndarray:
    """How many of `slots` places each opponent gets, in proportion to its weight (largest
    remainder; ties to the earlier opponent). The loop lists an opponent that many times, so
    every fitness mode of every arena weighs it without knowing about weights: equal weights
    give each opponent one place, as with no weights at all."""
    weights = np.asarray(weights, dtype=float)
    if slots < 1 or weights.ndim != 1 or weights.sum() <= 0:
        raise ValueError("apportion needs at least one slot and some positive weight")
    quota = weights / weights.sum() * slots
    counts = np.floor(quota + 1e-9).astype(int)
    remainder = quota - counts
    for index in sorted(range(len(weights)), key=lambda i: (-remainder[i], i))[:slots - counts.sum()]:
        counts[index] += 1
    return counts
