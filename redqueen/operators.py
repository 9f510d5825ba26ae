"""Variation operators of the built-in mutator, and their adaptive weights.

An arena lists its operators (`Arena.operators()`): each makes a new program, varies one
elite, or crosses two. With adaptive weights the built-in mutator draws operators in
proportion to how often their children entered the grid (a new cell or a better elite), so
operators that work for this arena and this run are used more. The weights are a pure function
of the per-operator counts, which the loop commits with every step: a resumed run draws
exactly as an uninterrupted one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

KINDS = ("new", "mutate", "crossover")


@dataclass(frozen=True)
class Operator:
    """A named way of making a candidate. `apply` takes (rng) for kind "new", (program, rng) for
    "mutate" and (program, mate, rng) for "crossover", and returns a source text. `prior` is its
    weight before any evidence (and its fixed weight when adaptation is off)."""
    name: str
    kind: str
    apply: Callable
    prior: float = 1.0


class OperatorWeights:
    """Per-operator counts (children made, children that entered the grid) and the weights they
    give: prior x (successes + 1) / (trials + 2), normalised, mixed with `floor` of uniform so no
    operator is ever starved of the evidence that could revive it."""

    def __init__(self, operators: list[Operator], adaptive: bool = True, floor: float = 0.1):
        self.operators = {op.name: op for op in operators}
        self.adaptive, self.floor = adaptive, floor
        self.counts = {name: [0, 0] for name in self.operators}

    def weights(self, kinds=KINDS) -> dict[str, float]:
        """Normalised weights of the operators of the given kinds."""
        names = [n for n, op in self.operators.items() if op.kind in kinds]
        if not names:
            return {}
        raw = np.array([self._raw(n) for n in names])
        share = raw / raw.sum()
        if self.adaptive:
            share = (1 - self.floor) * share + self.floor / len(names)
        return dict(zip(names, share.tolist()))

    def _raw(self, name: str) -> float:
        prior = self.operators[name].prior
        if not self.adaptive:
            return prior
        trials, successes = self.counts[name]
        return prior * (successes + 1) / (trials + 2)

    def draw(self, rng: np.random.Generator, kinds) -> Operator:
        weights = self.weights(kinds)
        names = list(weights)
        return self.operators[names[int(rng.choice(len(names), p=list(weights.values())))]]

    def credit(self, name: str, success: bool) -> None:
        if name in self.counts:
            self.counts[name][0] += 1
            self.counts[name][1] += int(success)

    def state(self) -> dict:
        return {name: list(count) for name, count in self.counts.items()}

    def restore(self, state: dict | None) -> None:
        for name, count in (state or {}).items():
            if name in self.counts:
                self.counts[name] = [int(count[0]), int(count[1])]
