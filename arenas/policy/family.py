"""Parametrised policy families: the offline built-in mutator of the policy arenas.

A family is a policy template with named numeric parameters. Its programs carry their parameters
in a comment line (`# family NAME: {json}`), so mutation and crossover work on the parameters and
emit fresh policy source. Programs from elsewhere (a language model, a file) are varied by
perturbing their numeric literals instead.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

_MARKER = re.compile(r"^# family (?P<name>[\w-]+): (?P<params>\{.*\})\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Parameter:
    """A parameter: a float or int in [low, high]; `step` scales Gaussian mutation (fraction of range)."""
    low: float
    high: float
    integer: bool = False
    step: float = 0.15

    def random(self, rng: np.random.Generator):
        if self.integer:
            return int(rng.integers(int(self.low), int(self.high) + 1))
        return round(float(rng.uniform(self.low, self.high)), 4)

    def mutate(self, value, rng: np.random.Generator):
        span = self.high - self.low
        moved = float(value) + rng.normal(0.0, self.step * span)
        moved = min(self.high, max(self.low, moved))
        return int(round(moved)) if self.integer else round(moved, 4)


class Family:
    """A template with parameters; `render(params)` returns the body lines of the policy."""

    def __init__(self, name: str, parameters: dict[str, Parameter], header: str,
                 render: Callable[[dict], str]):
        self.name, self.parameters, self.header, self._render = name, parameters, header, render

    def source(self, params: dict) -> str:
        marker = f"# family {self.name}: {json.dumps(params, sort_keys=True)}"
        return f"{marker}\n{self.header}\n{self._render(params)}"

    def params_of(self, source: str) -> dict | None:
        """The parameters a source of this family carries, or None."""
        match = _MARKER.search(source)
        if not match or match.group("name") != self.name:
            return None
        try:
            params = json.loads(match.group("params"))
        except ValueError:
            return None
        if not isinstance(params, dict) or set(params) != set(self.parameters):
            return None
        return params

    def random(self, rng: np.random.Generator) -> dict:
        return {key: spec.random(rng) for key, spec in self.parameters.items()}

    def mutate(self, params: dict, rng: np.random.Generator, rate: float = 0.3) -> dict:
        """Each parameter moves with probability `rate`; at least one always does."""
        keys = list(self.parameters)
        chosen = [k for k in keys if rng.random() < rate] or [keys[int(rng.integers(len(keys)))]]
        return {k: self.parameters[k].mutate(v, rng) if k in chosen else v for k, v in params.items()}

    def crossover(self, a: dict, b: dict, rng: np.random.Generator) -> dict:
        return {key: a[key] if rng.random() < 0.5 else b[key] for key in self.parameters}


def perturb_constants(source: str, rng: np.random.Generator, count: int = 2) -> str | None:
    """The source with up to `count` numeric literals nudged, or None if it has none to nudge.
    Comments are lost (the code is re-printed from its syntax tree); behaviour is what matters."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    literals = [node for node in ast.walk(tree) if isinstance(node, ast.Constant)
                and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)]
    if not literals:
        return None
    for index in rng.choice(len(literals), size=min(count, len(literals)), replace=False):
        node = literals[int(index)]
        node.value = _nudge(node.value, rng)
    return ast.unparse(tree) + "\n"


def _nudge(value, rng: np.random.Generator):
    if isinstance(value, int):
        return max(0, value + int(rng.choice([-2, -1, 1, 2]))) if value >= 0 else value + int(rng.choice([-1, 1]))
    if 0.0 <= value <= 1.0:
        return round(min(1.0, max(0.0, value + rng.normal(0.0, 0.1))), 4)
    return round(value * float(np.exp(rng.normal(0.0, 0.2))), 4)
