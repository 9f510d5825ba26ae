"""The outcome of a program against each opponent, from its 1v1 results.

As in the DRQ study, a program *beats* an opponent when its mean survival fitness against it is
higher than the opponent's and *ties* when the two are equal. `Arena.heldout_summary` turns
these outcomes into head-to-head generality (arenas may define generality otherwise); the
intransitive-cycle analysis uses the same tie tolerance.
"""
from __future__ import annotations

import numpy as np

from ..arena import TIE_TOLERANCE

WIN, TIE, LOSS = 1, 0, -1


def outcomes(fitness_a, fitness_b, tolerance: float = TIE_TOLERANCE) -> np.ndarray:
    """Per opponent: WIN (+1), TIE (0) or LOSS (-1) for program A, by mean survival fitness."""
    difference = np.asarray(fitness_a, dtype=float) - np.asarray(fitness_b, dtype=float)
    result = np.sign(difference).astype(int)
    result[np.abs(difference) <= tolerance] = TIE
    return result
