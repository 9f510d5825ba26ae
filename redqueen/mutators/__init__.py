"""Mutators: where candidates come from. One interface (`Mutator.propose`), two kinds:

- `builtin`: the arena's own random_program / mutate / crossover; offline, no network.
- `llm`: an OpenAI-compatible language model prompted with the arena's prompts.
"""
from .base import Mutator, Proposal

NAMES = ("builtin", "llm")


def make_mutator(name: str, arena, **options) -> Mutator:
    """The mutator called `name` for `arena`. Options are the mutator's keyword arguments."""
    if name == "builtin":
        from .builtin import BuiltinMutator
        return BuiltinMutator(arena, **options)
    if name == "llm":
        from .llm import LLMMutator
        return LLMMutator(arena, **options)
    raise ValueError(f"unknown mutator {name!r} (known: {', '.join(NAMES)})")


__all__ = ["Mutator", "Proposal", "make_mutator", "NAMES"]
