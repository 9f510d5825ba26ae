"""Intransitive cycles among champions: a beats b, b beats c, c beats a.

Input is a square boolean "beats" matrix (beats[i, j]: i beats j). Ties are neither. A directed
3-cycle is counted once, whichever of its three members it starts from.
"""
from __future__ import annotations

import numpy as np

from .generality import TIE_TOLERANCE


def beats_matrix(mean_fitness) -> np.ndarray:
    """From mean_fitness[i, j] (i's mean survival fitness in its games against j), beats[i, j]
    when i's fitness against j exceeds j's against i. The diagonal is False."""
    fitness = np.asarray(mean_fitness, dtype=float)
    difference = fitness - fitness.T
    beats = difference > TIE_TOLERANCE
    np.fill_diagonal(beats, False)
    return beats


def count_three_cycles(beats) -> int:
    """Number of directed 3-cycles: trace(A³)/3 counts each cycle once per rotation."""
    adjacency = np.asarray(beats, dtype=bool)
    _check_square(adjacency)
    a = adjacency.astype(np.int64)
    return int(np.trace(a @ a @ a) // 3)


def list_three_cycles(beats, limit: int = 10) -> list[tuple[int, int, int]]:
    """Up to `limit` 3-cycles (i, j, k) with i the smallest index: i beats j, j beats k, k beats i."""
    adjacency = np.asarray(beats, dtype=bool)
    _check_square(adjacency)
    found = []
    for i in range(len(adjacency)):
        for j in np.flatnonzero(adjacency[i]):
            if j < i:
                continue
            for k in np.flatnonzero(adjacency[j] & adjacency[:, i]):
                if k > i:
                    found.append((i, int(j), int(k)))
                    if len(found) >= limit:
                        return found
    return found


def _check_square(matrix: np.ndarray) -> None:
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"a beats matrix must be square, got shape {matrix.shape}")
    if np.any(matrix & matrix.T):
        raise ValueError("a beats matrix cannot have i beating j and j beating i")
