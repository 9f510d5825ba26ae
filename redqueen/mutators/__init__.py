"""Mutators: where candidates come from. One interface (`Mutator.propose`), two kinds:

- `builtin`: the arena's own random_program / mutate / crossover; offline, no network.
- `llm`: an OpenAI-compatible language model prompted with the arena's prompts.
"""
from .base import Mutator, Proposal

NAMES = ("builtin", "llm")


class MutatorConfigError(ValueError):
    """A mutator that cannot be built from the configuration (e.g. no API key): one line."""


def build_mutator(config, arena, archive=None, run_id: int | None = None, api_key: str | None = None) -> Mutator:
    """The mutator a `RunConfig` names, for `arena`. For "llm": its client, from the config's
    `mutator_options` (model, prices, endpoint settings) and `api_key`, recording its calls in
    `archive` under `run_id`; an endpoint given by URL is checked for reachability first
    (`redqueen.llm.client.EndpointUnreachable`)."""
    if config.mutator != "llm":
        return make_mutator(config.mutator, arena, **config.mutator_options)
    from ..llm.client import LLMClient, check_reachable
    if not api_key:
        raise MutatorConfigError("--mutator llm needs an API key in OPENAI_API_KEY "
                                 "(any value for a local server that ignores it)")
    settings = dict(config.mutator_options)
    model, prices = settings.pop("model"), settings.pop("prices", None)
    if settings.get("base_url"):
        check_reachable(settings["base_url"])
    client = LLMClient(model, api_key=api_key, store=archive, run_id=run_id,
                       prices=tuple(prices) if prices else None, **settings)
    return make_mutator("llm", arena, model=model, client=client)


def make_mutator(name: str, arena, **options) -> Mutator:
    """The mutator called `name` for `arena`. Options are the mutator's keyword arguments."""
    if name == "builtin":
        from .builtin import BuiltinMutator
        return BuiltinMutator(arena, **options)
    if name == "llm":
        from .llm import LLMMutator
        return LLMMutator(arena, **options)
    raise ValueError(f"unknown mutator {name!r} (known: {', '.join(NAMES)})")


__all__ = ["Mutator", "MutatorConfigError", "Proposal", "build_mutator", "make_mutator", "NAMES"]
