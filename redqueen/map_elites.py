"""MAP-Elites in small swappable parts, after pyribs: a grid archive, and a scheduler that asks
for candidates (new programs or mutations of elites) and tells the archive their evaluations.

The parts hold no I/O and no randomness of their own: the caller passes a numpy Generator, so a
run is reproducible from its seed. The emitters are the mutators (`redqueen.mutators`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .arena import Descriptor, Evaluation

Cell = tuple[int, int]


@dataclass
class Elite:
    """A program occupying a grid cell. `program` is the arena's parsed object; `key` is whatever
    the caller uses to find it again (the archive's program id)."""
    key: Any
    program: Any
    evaluation: Evaluation
    cell: Cell

    @property
    def fitness(self) -> float:
        return self.evaluation.fitness


class GridArchive:
    """A 2-D grid of behaviour cells, each holding its fittest program so far."""

    ADDED, IMPROVED, NOT_ADDED = "new_cell", "improved", "not_added"

    def __init__(self, descriptors: Sequence[Descriptor]):
        if len(descriptors) != 2:
            raise ValueError("the behaviour grid needs exactly two descriptors")
        self.descriptors = tuple(descriptors)
        self._cells: dict[Cell, Elite] = {}

    @property
    def shape(self) -> Cell:
        return tuple(len(d.edges) for d in self.descriptors)

    def cell_of(self, evaluation: Evaluation) -> Cell:
        return tuple(d.bin(evaluation.descriptors[d.name]) for d in self.descriptors)

    def add(self, key, program, evaluation: Evaluation) -> tuple[str, Cell]:
        """Place a candidate: it takes its cell if the cell is empty or it is strictly fitter."""
        cell = self.cell_of(evaluation)
        incumbent = self._cells.get(cell)
        if incumbent is not None and evaluation.fitness <= incumbent.fitness:
            return self.NOT_ADDED, cell
        self._cells[cell] = Elite(key, program, evaluation, cell)
        return (self.ADDED if incumbent is None else self.IMPROVED), cell

    def restore(self, elite: Elite) -> None:
        """Put back an elite read from storage (resuming a round)."""
        self._cells[elite.cell] = elite

    def elites(self) -> list[Elite]:
        """Elites in cell order (deterministic, so sampling from them is reproducible)."""
        return [self._cells[cell] for cell in sorted(self._cells)]

    def best(self) -> Elite | None:
        """The fittest elite; ties go to the first in cell order."""
        elites = self.elites()
        return max(elites, key=lambda e: e.fitness) if elites else None

    def sample(self, rng: np.random.Generator) -> Elite:
        """An elite chosen uniformly over the filled cells."""
        elites = self.elites()
        return elites[int(rng.integers(len(elites)))]

    def __len__(self) -> int:
        return len(self._cells)


@dataclass
class Ask:
    """One candidate to produce: a new program, or a variation of `parent` (with `mate` as the
    second elite a crossover-capable mutator may use)."""
    kind: str                        # "new" or "mutate"
    parent: Elite | None = None
    mate: Elite | None = None
    feedback: str = ""


class Scheduler:
    """DRQ's schedule: with probability `p_new` ask for a new program, else mutate an elite
    chosen uniformly over the filled cells."""

    def __init__(self, archive: GridArchive, p_new: float = 0.1):
        self.archive, self.p_new = archive, p_new

    def ask(self, count: int, rng: np.random.Generator) -> list[Ask]:
        asks = []
        for _ in range(count):
            if len(self.archive) == 0 or rng.random() < self.p_new:
                asks.append(Ask("new"))
            else:
                asks.append(Ask("mutate", parent=self.archive.sample(rng), mate=self.archive.sample(rng)))
        return asks

    @staticmethod
    def ask_new(count: int) -> list[Ask]:
        return [Ask("new") for _ in range(count)]
