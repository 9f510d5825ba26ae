"""Run options that follow the DRQ study's definitions where redqueen's defaults differ.

Each option keeps redqueen's behaviour by default; docs/loop.md ("Fidelity to the DRQ study")
says what the study does and which value matches it.

- binning: "inclusive" puts a descriptor value equal to a bin edge in the lower bin
  (value <= edge); "study" puts it in the next (value < edge, as the study bins).
- seed_schedule: "per-round" draws each round's battle seeds from the run's seed; "fixed" uses
  one list for every round of every run, as the study does (it plays seeds 0..R-1 everywhere).
- threshold_rule: with a fitness threshold, "at-least" ends a round once its best reaches the
  threshold (>=); "exceeds" once it is above it (>, the study).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

BINNING = ("inclusive", "study")
SEED_SCHEDULES = ("per-round", "fixed")
THRESHOLD_RULES = ("at-least", "exceeds")

# The fixed schedule's seeds come from this constant, never from the run's seed, so every
# round of every run plays the same battles (literal 0..R-1 would be poor here: with pMARS's
# placement, 1v1 seeds 0..R-1 put the opponent at nearly the same address every time).
FIXED_SCHEDULE_KEY = 0x0D1C


def config_problem(config) -> str | None:
    """One line saying which fidelity option of a RunConfig is unknown, or None."""
    for name, allowed in (("binning", BINNING), ("seed_schedule", SEED_SCHEDULES),
                          ("threshold_rule", THRESHOLD_RULES)):
        value = getattr(config, name)
        if value not in allowed:
            return f"unknown {name} {value!r} (one of {', '.join(allowed)})"
    return None


def with_binning(descriptors, rule: str) -> list:
    """The descriptors binned by `rule`."""
    return [replace(d, binning=rule) for d in descriptors]


def fixed_seeds(count: int) -> list[int]:
    """The fixed schedule's battle seeds: the same for every round and run (a longer list
    starts with a shorter one)."""
    rng = np.random.default_rng(FIXED_SCHEDULE_KEY)
    return [int(s) for s in rng.integers(1, 2**31 - 1, size=count)]


def threshold_reached(best: float, threshold: float, rule: str) -> bool:
    return best > threshold if rule == "exceeds" else best >= threshold
