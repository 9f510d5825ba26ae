"""A linear probe: how much of a program's generality can be read linearly off its code embedding.

Cross-validated ridge regression from genotype embedding to generality; the reported R² is
computed on the pooled out-of-fold predictions, so a probe that learns nothing scores about 0
(or below) and a perfectly linear relation scores 1.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

ALPHAS = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0)


@dataclass(frozen=True)
class ProbeResult:
    r2: float
    folds: int
    samples: int
    features: int

    def as_dict(self) -> dict:
        return asdict(self)


def linear_probe(embeddings, targets, folds: int = 5, seed: int = 0) -> ProbeResult:
    """R² of ridge regression (alpha chosen inside each training fold) under k-fold cross-validation."""
    from sklearn.linear_model import RidgeCV
    from sklearn.metrics import r2_score
    from sklearn.model_selection import KFold, cross_val_predict

    X = np.asarray(embeddings, dtype=float)
    y = np.asarray(targets, dtype=float)
    keep = ~np.isnan(y) & ~np.isnan(X).any(axis=1)
    X, y = X[keep], y[keep]
    folds = min(folds, len(y))
    if folds < 2 or np.ptp(y) == 0:
        return ProbeResult(float("nan"), folds, int(len(y)), int(X.shape[1]) if X.ndim == 2 else 0)
    splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    predicted = cross_val_predict(RidgeCV(alphas=ALPHAS), X, y, cv=splitter)
    return ProbeResult(float(r2_score(y, predicted)), folds, int(len(y)), int(X.shape[1]))
