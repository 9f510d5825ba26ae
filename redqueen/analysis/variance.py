"""Convergence across independent runs: variance per round of champion vectors.

Champion vectors are stacked as an array of shape (runs, rounds, dims): a phenotype (fitness
against each held-out opponent) or a genotype (an embedding of the code). A run that has no
champion for a round holds NaN there. Runs converge when, round by round, their champions
become alike: the variance across runs falls.
"""
from __future__ import annotations

import numpy as np


def _as_runs_rounds_dims(values) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim == 2:               # scalars per champion: one dimension
        array = array[:, :, None]
    if array.ndim != 3:
        raise ValueError(f"expected an array of shape (runs, rounds, dims), got shape {array.shape}")
    return array


def variance_across_runs(values) -> np.ndarray:
    """Per round: the variance across runs of each dimension (population variance), averaged
    over dimensions. NaN for a round that fewer than two runs reached."""
    array = _as_runs_rounds_dims(values)
    present = ~np.isnan(array).any(axis=2)                      # (runs, rounds)
    counts = present.sum(axis=0)
    result = np.full(array.shape[1], np.nan)
    for round_index in np.flatnonzero(counts >= 2):
        champions = array[present[:, round_index], round_index, :]
        result[round_index] = float(np.mean(np.var(champions, axis=0)))
    return result


def rate_of_change(values) -> np.ndarray:
    """Within one run, array (rounds, dims): the mean absolute change per dimension between each
    champion and the one before it; entry i compares rounds i and i+1 (length rounds-1)."""
    array = np.asarray(values, dtype=float)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(f"expected an array of shape (rounds, dims), got shape {array.shape}")
    return np.mean(np.abs(np.diff(array, axis=0)), axis=1)


def mean_rate_of_change(values) -> np.ndarray:
    """Per round transition, the within-run rate of change averaged over the runs that have
    both champions, from an array (runs, rounds, dims). Length rounds-1, NaN where none do."""
    array = _as_runs_rounds_dims(values)
    per_run = np.stack([rate_of_change(run) for run in array]) if len(array) else np.empty((0, 0))
    with np.errstate(all="ignore"):
        counts = (~np.isnan(per_run)).sum(axis=0)
        total = np.nansum(per_run, axis=0)
        return np.where(counts > 0, total / np.maximum(counts, 1), np.nan)
