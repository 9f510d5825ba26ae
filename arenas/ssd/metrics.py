"""The four social metrics of a sequential-social-dilemma episode (of the whole population).

With n agents, T steps and R_i agent i's return:
  efficiency     = sum R / T
  equality       = 1 - sum_i sum_j |R_i - R_j| / (2 n sum R)      (1 when nobody earned anything)
  sustainability = mean over agents of the mean step (0-based) of their positive rewards
                   (agents without any positive reward are left out; 0 when nobody earned)
  peace          = (n T - sum of steps agents spent removed) / T
"""
import numpy as np
from numba import njit

from .stats import METRICS


@njit(cache=True)
def social_metrics(returns, reward_step_sums, reward_counts, removed_steps, steps):
    """(efficiency, equality, sustainability, peace) from per-agent totals."""
    n = returns.size
    total = 0.0
    for i in range(n):
        total += returns[i]
    efficiency = total / steps
    equality = 1.0
    if total > 0:
        spread = 0.0
        for i in range(n):
            for j in range(n):
                spread += abs(returns[i] - returns[j])
        equality = 1.0 - spread / (2.0 * n * total)
    timing, earners = 0.0, 0
    for i in range(n):
        if reward_counts[i] > 0:
            timing += reward_step_sums[i] / reward_counts[i]
            earners += 1
    sustainability = timing / earners if earners else 0.0
    peace = (n * steps - removed_steps) / steps
    return efficiency, equality, sustainability, peace


def metrics_of(returns, reward_step_sums, reward_counts, removed_steps, steps) -> dict:
    """The metrics as a dict (plain Python, for reports)."""
    values = social_metrics(np.asarray(returns, float), np.asarray(reward_step_sums, float),
                            np.asarray(reward_counts, np.int64), int(removed_steps), int(steps))
    return dict(zip(METRICS, (float(v) for v in values)))
