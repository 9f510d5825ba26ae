"""The offline mutator: the arena's own random programs, mutations and crossovers."""
from __future__ import annotations

import numpy as np

from ..operators import OperatorWeights
from .base import Mutator, Proposal


class BuiltinMutator(Mutator):
    """Without adaptation (the default, as in the first release): asks for a new program get
    `arena.random_program`; asks to vary an elite get `arena.crossover` with a second elite with
    probability `crossover`, else `arena.mutate`.

    With `adaptive=True` it draws from the arena's named operators (`Arena.operators()`) with
    weights that follow how often each operator's children entered the grid (`OperatorWeights`)."""
    name = "builtin"

    def __init__(self, arena, crossover: float = 0.1, adaptive: bool = False):
        self.arena, self.crossover, self.adaptive = arena, crossover, adaptive
        self.weights = OperatorWeights(arena.operators(), adaptive=True) if adaptive else None

    def propose(self, asks, rng: np.random.Generator) -> list[Proposal]:
        one = self._adaptive if self.adaptive else self._fixed
        return [one(ask, rng) for ask in asks]

    def _fixed(self, ask, rng) -> Proposal:
        if ask.kind == "new":
            return Proposal(self.arena.random_program(rng), "new")
        use_crossover = rng.random() < self.crossover
        if use_crossover and ask.mate is not None and ask.mate.key != ask.parent.key:
            return Proposal(self.arena.crossover(ask.parent.program, ask.mate.program, rng), "crossover")
        return Proposal(self.arena.mutate(ask.parent.program, rng), "mutate")

    def _adaptive(self, ask, rng) -> Proposal:
        if ask.kind == "new":
            operator = self.weights.draw(rng, ("new",))
            return Proposal(operator.apply(rng), "new", operator=operator.name)
        can_cross = ask.mate is not None and ask.mate.key != ask.parent.key
        operator = self.weights.draw(rng, ("mutate", "crossover") if can_cross else ("mutate",))
        if operator.kind == "crossover":
            return Proposal(operator.apply(ask.parent.program, ask.mate.program, rng), "crossover",
                            operator=operator.name)
        return Proposal(operator.apply(ask.parent.program, rng), "mutate", operator=operator.name)

    def tell(self, credits) -> None:
        if self.weights is not None:
            for operator, success in credits:
                if operator is not None:
                    self.weights.credit(operator, success)

    def state(self) -> dict | None:
        return self.weights.state() if self.weights is not None else None

    def restore(self, state) -> None:
        if self.weights is not None:
            self.weights.restore(state)

    def operator_weights(self) -> dict | None:
        """The current weights of every operator, for the archive (None without adaptation)."""
        return self.weights.weights() if self.weights is not None else None
