"""Redcode components: self-contained blocks of a warrior (a bomber loop, a core clear, a
quickscan prefix, an imp launcher...) and the warrior text they are rendered into.

A component is a list of one-instruction lines with labels of its own (prefixed, so several
components never clash), EQU constants, and an entry label where control comes in. A program
renders them in order, each after a `;component KIND` marker line, with `;name`, `;strategy`
and ORG at the entry of one of them. Constants may be callables of the laid-out program, for
values that depend on where the component ends up (a bomber's first target avoids the whole
program's residues). `archetypes` builds whole warriors from these; `modules` finds the
markers again to insert, replace and swap components.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import gcd
from typing import Callable

import numpy as np

from .steps import draw_step, moduli


@dataclass
class Line:
    label: str
    op: str                 # e.g. "mov.i"
    a: str
    b: str


@dataclass
class Component:
    kind: str
    lines: list[Line]
    entry: str | None = None                               # label control enters at
    equs: dict[str, int | Callable] = field(default_factory=dict)
    transient: bool = False     # runs once at the start (a prefix, a launcher): bombing it is harmless

    def __len__(self):
        return len(self.lines)

    def index(self, label: str) -> int:
        return next(i for i, line in enumerate(self.lines) if line.label == label)


@dataclass
class Program:
    name: str
    strategy: str
    components: list[Component] = field(default_factory=list)
    start: str | None = None          # entry label; default: the first component's entry

    def add(self, component: Component) -> Component:
        self.components.append(component)
        return component

    def __len__(self):
        return sum(len(c) for c in self.components)

    def live_cells(self) -> list[int]:
        """Offsets of the cells of components that keep running (not transient)."""
        cells, base = [], 0
        for component in self.components:
            if not component.transient:
                cells += range(base, base + len(component))
            base += len(component)
        return cells

    def address(self, label: str) -> int:
        """Offset of a label from the first instruction."""
        base = 0
        for component in self.components:
            for i, line in enumerate(component.lines):
                if line.label == label:
                    return base + i
            base += len(component)
        raise KeyError(label)

    def render(self, coresize: int) -> str:
        out = [";redcode-94", f";name {self.name}", ";author redqueen archetypes",
               f";strategy {self.strategy}", f";assert CORESIZE == {coresize}"]
        for component in self.components:
            for key, value in component.equs.items():
                value = value(self) if callable(value) else value
                out.append(f"{key:<12} EQU {int(value)}")
        start = self.start or next(c.entry for c in self.components if c.entry)
        for component in self.components:
            out.append(f";component {component.kind}")
            for line in component.lines:
                out.append(f"{line.label:<10}{line.op:<8}{line.a}, {line.b}")
        out.append(f"        ORG     {start}")
        out.append("        END")
        return "\n".join(out) + "\n"


# ---- step choice ---------------------------------------------------------------------------

def safe_modulus(rng: np.random.Generator, coresize: int, offsets, largest: int = 64) -> tuple[int, int]:
    """(mod, residue): a modulus of the core and a residue no own-code offset has, so that a
    mod-`mod` step from an address of that residue never hits the program. Offsets are the
    program's cells relative to the pointer; the smallest such moduli are preferred. Falls back to (1, 0)
    when no modulus has room."""
    offsets = np.asarray(list(offsets))
    options = []
    for mod in moduli(coresize, largest):
        free = sorted(set(range(mod)) - set((offsets % mod).tolist()))
        if free and mod > 1:
            options.append((mod, free))
    if not options:
        return 1, 0
    # Small moduli leave fewer gaps in the bombing pattern: the two smallest that fit.
    mod, free = options[int(rng.integers(min(2, len(options))))]
    return mod, int(rng.choice(free))


def first_target(coresize: int, mod: int, residue: int, beyond: int) -> int:
    """The smallest offset > `beyond` that is `residue` modulo `mod` (a pointer's first value)."""
    value = beyond + 1
    value += (residue - value) % mod
    return value % coresize


def step_with(rng, coresize: int, mod: int, min_step: int = 0) -> int:
    """An optima step of exactly this modulus when the table has one."""
    step = draw_step(rng, coresize, mod, min_step)
    return step if gcd(step, coresize) == mod or mod == 1 else draw_step(rng, coresize, 1, min_step)


def pick(rng, options):
    return options[int(rng.integers(len(options)))]
