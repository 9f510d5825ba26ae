"""Held-out generality against the CPU time spent, so that search configurations are compared
at equal compute rather than at equal rounds.

Each round's statistics carry `cpu_s`, the CPU seconds the round cost (`redqueen.cputime`).
A run's generality at CPU time x is that of its newest champion whose round had ended by x
(a step function: between two round ends the best known program is the last champion).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np


def cumulative_cpu_minutes(archive, run_ids: Sequence[int], rounds: Sequence[int]) -> np.ndarray:
    """(runs, rounds): the CPU minutes each run had spent by the end of each of `rounds`; NaN
    where the round is not finished, or it or an earlier round recorded no CPU time (archives
    written before rounds measured it)."""
    column = {number: index for index, number in enumerate(rounds)}
    values = np.full((len(run_ids), len(rounds)), np.nan)
    for row_index, run_id in enumerate(run_ids):
        total = 0.0
        for row in sorted(archive.rounds(run_id), key=lambda r: r["number"]):
            cpu = (row["stats"] or {}).get("cpu_s")
            if row["status"] != "finished" or cpu is None:
                break
            total += cpu
            if row["number"] in column:
                values[row_index, column[row["number"]]] = total / 60
    return values


def cpu_report(run_ids: Sequence[int], cpu_minutes: np.ndarray) -> dict:
    """{run id: cumulative CPU minutes at the end of each round (None: not measured)} for JSON."""
    return {str(run): [round(float(v), 4) if np.isfinite(v) else None for v in row]
            for run, row in zip(run_ids, cpu_minutes)}


def generality_at(cpu_minutes: Sequence[float], generality: Sequence[float], x) -> np.ndarray:
    """One run's generality at CPU minutes `x`: its newest champion finished by then (NaN
    before its first round ended)."""
    cpu, values = run_points(cpu_minutes, generality)
    x = np.atleast_1d(np.asarray(x, dtype=float))
    index = np.searchsorted(cpu, x, side="right") - 1
    return np.where(index >= 0, values[np.clip(index, 0, None)] if len(values) else np.nan, np.nan)


def median_curve(cpu_minutes: np.ndarray, generality: np.ndarray, points: int = 200):
    """(x, median generality across runs at x) from the time every run has a champion to the
    time the shortest run stopped, so each point is the median of all runs at equal CPU."""
    ends = [(c[0], c[-1]) for c in (run_points(row, g)[0] for row, g in zip(cpu_minutes, generality)) if len(c)]
    if not ends:
        return np.array([]), np.array([])
    start, stop = max(e[0] for e in ends), min(e[1] for e in ends)
    if stop < start or len(ends) < len(cpu_minutes):
        return np.array([]), np.array([])
    x = np.linspace(start, stop, points) if stop > start else np.array([start])
    curves = np.array([generality_at(row, g, x) for row, g in zip(cpu_minutes, generality)])
    return x, np.median(curves, axis=0)


@dataclass
class ConfigurationSummary:
    """One configuration's runs at a glance (the comparison table)."""
    label: str
    runs: int
    cpu_minutes_end: float                 # mean over runs of the CPU minutes at the last round's end
    last_generality_mean: float            # mean over runs of the last round's champion's generality
    best_generality: float                 # best champion of any run and round
    generality_at_budget: float            # median over runs at the common CPU budget

    def row(self) -> list[str]:
        return [self.label, str(self.runs), f"{self.cpu_minutes_end:.3g}", f"{self.last_generality_mean:.3f}",
                f"{self.best_generality:.3f}", _or_dash(self.generality_at_budget)]


def summarize(label: str, cpu_minutes: np.ndarray, generality: np.ndarray, budget: float) -> ConfigurationSummary:
    """The table row of a configuration; `budget`: CPU minutes at which configurations are compared."""
    lasts = [run_points(row, g) for row, g in zip(cpu_minutes, generality)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        at_budget = np.nanmedian([generality_at(row, g, budget)[0] for row, g in zip(cpu_minutes, generality)])
        return ConfigurationSummary(
            label, len(cpu_minutes), float(np.mean([c[-1] for c, _ in lasts if len(c)])),
            float(np.mean([g[-1] for _, g in lasts if len(g)])), float(np.nanmax(generality)), float(at_budget))


def common_budget(configurations: Sequence[tuple[np.ndarray, np.ndarray]]) -> float:
    """The CPU minutes every run of every configuration reached: the fair point of comparison."""
    ends = [run_points(row, g)[0] for cpu, generality in configurations for row, g in zip(cpu, generality)]
    return float(min(c[-1] for c in ends if len(c))) if any(len(c) for c in ends) else float("nan")


def run_points(cpu_minutes, generality) -> tuple[np.ndarray, np.ndarray]:
    """A run's (CPU minutes, generality) at the rounds that have both, in CPU order."""
    cpu, values = np.asarray(cpu_minutes, dtype=float), np.asarray(generality, dtype=float)
    keep = np.isfinite(cpu) & np.isfinite(values)
    order = np.argsort(cpu[keep], kind="stable")
    return cpu[keep][order], values[keep][order]


def _or_dash(value: float) -> str:
    """A generality for the table; '-' where no run had a champion yet."""
    return f"{value:.3f}" if np.isfinite(value) else "-"
