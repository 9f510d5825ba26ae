"""Which model of an ensemble answers each ask: uniformly at random, or by a bandit.

The bandit is UCB1 over each model's rate of archive improvements (answers whose program entered
the grid) per unit cost: a model's value is its improvements per ask divided by its cost per ask
relative to the ensemble's mean cost per ask (every model costs the same when no prices are
known), plus an exploration bonus `exploration * sqrt(ln N / n)`. Models not yet asked come
first. Within one batch each pick counts as an ask already made, so a batch spreads over models
whose indices are close. The counts are the bandit's whole state: `state()` / `restore()`.
"""
from __future__ import annotations

import math

import numpy as np

MODES = ("uniform", "bandit")
FIELDS = ("asks", "valid", "improvements", "cost_usd")


class ModelSelector:
    def __init__(self, labels: list[str], mode: str = "uniform", exploration: float = 0.5):
        if mode not in MODES:
            raise ValueError(f"unknown model selection {mode!r} (known: {', '.join(MODES)})")
        self.labels, self.mode, self.exploration = list(labels), mode, exploration
        self.counts = {label: dict.fromkeys(FIELDS, 0) for label in self.labels}

    def choose(self, count: int, rng: np.random.Generator) -> list[int]:
        """The index of the model for each of `count` asks. Draws from `rng` only when uniform
        over several models, so a single model leaves the run's random stream as it was."""
        if len(self.labels) == 1:
            return [0] * count
        if self.mode == "uniform":
            return [int(i) for i in rng.integers(0, len(self.labels), size=count)]
        asks = {label: self.counts[label]["asks"] for label in self.labels}
        picks = []
        for _ in range(count):
            values = self.values(asks)
            best = max(range(len(self.labels)), key=lambda i: values[i])   # ties: the first listed
            asks[self.labels[best]] += 1
            picks.append(best)
        return picks

    def values(self, asks: dict | None = None) -> list[float]:
        """Each model's UCB index (infinite for a model not asked yet)."""
        asks = asks or {label: self.counts[label]["asks"] for label in self.labels}
        total = sum(asks.values())
        asked = [label for label in self.labels if self.counts[label]["asks"]]
        mean_cost = np.mean([self.counts[m]["cost_usd"] / self.counts[m]["asks"] for m in asked]) if asked else 0.0
        values = []
        for label in self.labels:
            n, counts = asks[label], self.counts[label]
            if n == 0:
                values.append(math.inf)
                continue
            # A model picked earlier in this batch but never answered yet has no rate: 0.
            rate = counts["improvements"] / counts["asks"] if counts["asks"] else 0.0
            cost = counts["cost_usd"] / counts["asks"] if counts["asks"] else 0.0
            relative_cost = cost / mean_cost if mean_cost > 0 and cost > 0 else 1.0
            value = rate / relative_cost
            values.append(value + self.exploration * math.sqrt(math.log(max(total, 1)) / n))
        return values

    def record(self, label: str, **amounts) -> None:
        for name, amount in amounts.items():
            self.counts[label][name] += amount

    def state(self) -> dict:
        return {label: dict(counts) for label, counts in self.counts.items()}

    def restore(self, state: dict | None) -> None:
        for label, counts in (state or {}).items():
            if label in self.counts:
                self.counts[label] = {name: counts.get(name, 0) for name in FIELDS}
