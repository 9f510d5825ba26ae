"""Generality of a program against a held-out set, from its 1v1 results per opponent.

As in the DRQ study, a program *beats* an opponent when its mean survival fitness against it is
higher than the opponent's, *ties* when the two are equal, and its generality is the fraction of
opponents it beats or ties.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

# Mean fitnesses closer than this are a tie: they are averages of the same number of games,
# so a difference this small is floating-point noise, not an outcome.
TIE_TOLERANCE = 1e-9

WIN, TIE, LOSS = 1, 0, -1


@dataclass(frozen=True)
class Generality:
    opponents: int
    generality: float      # fraction of opponents beaten or tied
    beaten: float          # fraction beaten outright
    mean_score: float      # mean tournament score per game played (pMARS points in Core War)

    def as_dict(self) -> dict:
        return asdict(self)


def outcomes(fitness_a, fitness_b, tolerance: float = TIE_TOLERANCE) -> np.ndarray:
    """Per opponent: WIN (+1), TIE (0) or LOSS (-1) for program A, by mean survival fitness."""
    difference = np.asarray(fitness_a, dtype=float) - np.asarray(fitness_b, dtype=float)
    result = np.sign(difference).astype(int)
    result[np.abs(difference) <= tolerance] = TIE
    return result


def generality(fitness_a, fitness_b, score_a=None, tolerance: float = TIE_TOLERANCE) -> Generality:
    """Generality, fraction beaten and mean score of a program against its opponents.

    `score_a[i]` is the score per game against opponent i; every opponent is played the same
    number of games, so the mean over opponents is the mean per game played."""
    result = outcomes(fitness_a, fitness_b, tolerance)
    if result.size == 0:
        raise ValueError("generality needs at least one opponent")
    score = float(np.mean(score_a)) if score_a is not None else float("nan")
    return Generality(opponents=int(result.size),
                      generality=float(np.mean(result >= TIE)),
                      beaten=float(np.mean(result == WIN)),
                      mean_score=score)
