"""The offline mutator: the arena's own random programs, mutations and crossovers."""
from __future__ import annotations

import numpy as np

from .base import Mutator, Proposal


class BuiltinMutator(Mutator):
    """Asks for a new program get `arena.random_program`; asks to vary an elite get
    `arena.crossover` with a second elite with probability `crossover`, else `arena.mutate`."""
    name = "builtin"

    def __init__(self, arena, crossover: float = 0.1):
        self.arena, self.crossover = arena, crossover

    def propose(self, asks, rng: np.random.Generator) -> list[Proposal]:
        return [self._one(ask, rng) for ask in asks]

    def _one(self, ask, rng) -> Proposal:
        if ask.kind == "new":
            return Proposal(self.arena.random_program(rng), "new")
        use_crossover = rng.random() < self.crossover
        if use_crossover and ask.mate is not None and ask.mate.key != ask.parent.key:
            return Proposal(self.arena.crossover(ask.parent.program, ask.mate.program, rng), "crossover")
        return Proposal(self.arena.mutate(ask.parent.program, rng), "mutate")
