"""Progress or cycling? Diagnostics of a population's cross-play game, member by member.

The population is the programs of a cross-play matrix in the order they joined (a run's initial
programs and champions, oldest first); `payoff[i, j]` is i's payoff against j (see
`redqueen.opponents`). For each prefix of the population (after each newcomer):

- whether the newcomer beats every earlier member (its payoff against each exceeds theirs
  against it): a population that progresses says yes round after round;
- the number of intransitive 3-cycles (a beats b beats c beats a) among the members so far;
- the Nash mixture of the zero-sum game among them (`redqueen.opponents.nash_mixture`): its
  support size and the weight it puts on the newest member. Progress moves the weight to the
  newest programs; cycling keeps old ones in the support.

And α-Rank (Omidshafiei et al. 2019) of the whole population: the stationary distribution of
a Markov chain whose states are monomorphic populations; a single mutant r in a population of
s fixates with the Fermi probability of its margin M[r, s] - M[s, r] at ranking intensity α in
a population of size m. Mass goes to the programs no other program can invade.
"""
from __future__ import annotations

import numpy as np

from ..opponents import nash_mixture, zero_sum
from .cycles import beats_matrix, count_three_cycles

ALPHA = 10.0              # ranking intensity: high values rank by who beats whom, not by how much
POPULATION = 50           # the size m of the evolving populations


def fixation(margin: np.ndarray, alpha: float = ALPHA, m: int = POPULATION) -> np.ndarray:
    """Probability that one mutant with fitness margin `margin` over the residents takes over a
    population of m: (1 - e^(-α Δ)) / (1 - e^(-m α Δ)), 1/m at Δ = 0; computed without overflow."""
    x = alpha * np.asarray(margin, dtype=float)
    out = np.full(x.shape, 1.0 / m)
    pos, neg = x > 1e-12, x < -1e-12
    out[pos] = -np.expm1(-x[pos]) / -np.expm1(-m * x[pos])
    y = -x[neg]
    out[neg] = np.exp((1 - m) * y) * (-np.expm1(-y)) / (-np.expm1(-m * y))
    return out


def alpha_rank(payoff, alpha: float = ALPHA, m: int = POPULATION) -> np.ndarray:
    """α-Rank masses of the population's members (summing to 1)."""
    margin = zero_sum(payoff)
    n = len(margin)
    if n == 1:
        return np.ones(1)
    # chain[s, r]: from population s to r, a uniformly chosen mutant r that fixates.
    chain = fixation(margin.T, alpha, m) / (n - 1)
    np.fill_diagonal(chain, 0.0)
    np.fill_diagonal(chain, 1.0 - chain.sum(axis=1))
    values, vectors = np.linalg.eig(chain.T)
    stationary = np.abs(np.real(vectors[:, np.argmin(np.abs(values - 1.0))]))
    return stationary / stationary.sum()


def diagnostics(payoff, alpha: float = ALPHA, m: int = POPULATION) -> dict:
    """Per newcomer (`per_step`, from the second member on) and for the whole population."""
    payoff = np.asarray(payoff, dtype=float)
    beats = beats_matrix(payoff)
    steps = []
    for k in range(1, len(payoff)):
        members = slice(0, k + 1)
        nash = nash_mixture(payoff[members, members])
        steps.append(dict(members=k + 1, newest=k, beats_all_earlier=bool(beats[k, :k].all()),
                          three_cycles=count_three_cycles(beats[members, members]),
                          nash_support=int((nash > 0).sum()), nash_weight_newest=float(nash[k]),
                          nash=nash.round(6).tolist()))
    return dict(members=len(payoff), alpha=alpha, population=m, per_step=steps,
                three_cycles=count_three_cycles(beats) if len(payoff) else 0,
                alpha_rank=alpha_rank(payoff, alpha, m).round(6).tolist() if len(payoff) else [])
