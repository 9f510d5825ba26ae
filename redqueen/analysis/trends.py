"""Trend fits of a per-round series: linear and logarithmic in the round number, with R²."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class TrendFit:
    kind: str            # "linear": y = intercept + slope·round; "log": y = intercept + slope·ln(round)
    slope: float
    intercept: float
    r2: float
    points: int

    def as_dict(self) -> dict:
        return asdict(self)

    def predict(self, rounds) -> np.ndarray:
        x = np.asarray(rounds, dtype=float)
        return self.intercept + self.slope * (np.log(x) if self.kind == "log" else x)


def _least_squares(x: np.ndarray, y: np.ndarray, kind: str) -> TrendFit:
    slope, intercept = np.polyfit(x, y, 1)
    residual = float(np.sum((y - (intercept + slope * x)) ** 2))
    total = float(np.sum((y - y.mean()) ** 2))
    # A constant series is fitted exactly by a flat line; R² is 1 then, not 0/0.
    r2 = 1.0 - residual / total if total > 0 else 1.0
    return TrendFit(kind, float(slope), float(intercept), r2, int(len(x)))


def fit_trends(rounds, values) -> dict[str, TrendFit]:
    """Linear and logarithmic least-squares fits of `values` against `rounds` (numbered from 1
    for the log fit), skipping NaN values. Empty when fewer than three points remain."""
    x = np.asarray(rounds, dtype=float)
    y = np.asarray(values, dtype=float)
    keep = ~np.isnan(y) & ~np.isnan(x)
    x, y = x[keep], y[keep]
    if len(x) < 3:
        return {}
    fits = {"linear": _least_squares(x, y, "linear")}
    if np.all(x > 0):
        fits["log"] = _least_squares(np.log(x), y, "log")
    return fits
