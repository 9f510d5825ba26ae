"""The mutator interface: turn a batch of asks (new program / vary this elite) into sources."""
from __future__ import annotations

import abc
from dataclasses import dataclass

import numpy as np


@dataclass
class Proposal:
    """What a mutator produced for one ask: a source to parse, or the reason there is none.

    `stage` of a failure: "request" (no answer), "extract" (no code in the answer); a source
    that does not parse is the loop's to find."""
    source: str | None
    origin: str                      # new, mutate, crossover
    llm_call_id: int | None = None
    error: str | None = None
    stage: str | None = None
    response: str | None = None      # the raw answer, kept with failures
    operator: str | None = None      # the variation operator that made it (built-in mutator)


class Mutator(abc.ABC):
    name: str

    @abc.abstractmethod
    def propose(self, asks: list, rng: np.random.Generator) -> list[Proposal]:
        """One proposal per ask (`redqueen.map_elites.Ask`), in order. All randomness comes from
        `rng`, so the same rng state and the same model answers give the same proposals."""

    def tell(self, credits: list[tuple[str | None, bool]]) -> None:
        """After a step: (operator, entered the grid) for each proposal; the default ignores it."""

    def state(self) -> dict | None:
        """What the mutator learned so far, JSON-serialisable (committed with every step)."""
        return None

    def restore(self, state: dict | None) -> None:
        """Take back a `state()` (resuming, or carrying what was learned into the next round)."""

    def attach_run(self, run_id: int) -> None:
        """The run this mutator works for, once it exists (LLM calls are recorded under it)."""

    def operator_weights(self) -> dict | None:
        """Current weight of each variation operator, for the archive; None when not adaptive."""
        return None

    def usage(self) -> dict | None:
        """Per model (language-model mutators): {model: {asks, valid, improvements, cost_usd}}."""
        return None

    def cost(self) -> float:
        """Estimated US dollars this mutator has spent since it was built (replays are free)."""
        return 0.0

    def close(self) -> None:
        """Release connections; the default has none."""
