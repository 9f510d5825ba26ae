"""Mutators: where candidates come from. One interface (`Mutator.propose`), two kinds:

- `builtin`: the arena's own random_program / mutate / crossover; offline, no network.
- `llm`: an OpenAI-compatible language model prompted with the arena's prompts.
"""
from .base import Mutator, Proposal

NAMES = ("builtin", "llm")


class MutatorConfigError(ValueError):
    """A mutator that cannot be built from the configuration (e.g. no API key): one line."""


def build_mutator(config, arena, archive=None, run_id: int | None = None, api_key: str | None = None,
                  preflight: bool = False) -> Mutator:
    """The mutator a `RunConfig` names, for `arena`. For "llm": one client per model (from the
    config's `mutator_options`: `model` or `models`, each `NAME` or `NAME@BASE_URL`, prices,
    endpoint settings, failure limits) with `api_key`, recording its calls in `archive` under
    `run_id`; an endpoint given by URL is checked for reachability first, and with `preflight`
    each model answers one real request (`redqueen.llm.client.EndpointUnreachable`,
    `EndpointFailing`: one line with the server's message), and so does the embeddings model of
    `novelty_embeddings`."""
    if config.mutator != "llm":
        return make_mutator(config.mutator, arena, **config.mutator_options)
    from ..llm.client import LLMClient, check_reachable
    from ..llm.guard import FailureGuard
    if not api_key:
        raise MutatorConfigError("--mutator llm needs an API key in OPENAI_API_KEY "
                                 "(any value for a local server that ignores it)")
    settings = dict(config.mutator_options)
    model, prices = settings.pop("model", None), settings.pop("prices", None)
    models = settings.pop("models", None) or [model]
    selection = settings.pop("selection", "uniform")
    prompts = settings.pop("prompts", "default")
    if prompts not in getattr(arena, "prompt_styles", ("default",)):
        raise MutatorConfigError(f"the {arena.name} arena has no {prompts!r} prompts (it has: "
                                 f"{', '.join(getattr(arena, 'prompt_styles', ('default',)))})")
    guard = {GUARD_OPTIONS[name]: settings.pop(name) for name in list(settings) if name in GUARD_OPTIONS}
    clients, loop = [], None
    for name, base_url in (split_model(m, settings.get("base_url")) for m in models):
        if base_url:
            check_reachable(base_url)
        client = LLMClient(name, api_key=api_key, store=archive, run_id=run_id, loop=loop,
                           prices=tuple(prices) if prices else None, guard=FailureGuard(**guard),
                           **dict(settings, base_url=base_url))
        loop = loop or client._loop
        clients.append(client)
    mutator = make_mutator("llm", arena, model=clients[0].model, clients=clients, selection=selection,
                           prompts=prompts)
    try:
        for client in clients if preflight else ():
            client.preflight()
        if preflight and getattr(config, "novelty_embeddings", None):
            mutator.embedder(config.novelty_embeddings).preflight()
    except BaseException:
        for client in reversed(clients):
            client.close()
        raise
    return mutator


# mutator option (as the command line names it) -> FailureGuard argument
GUARD_OPTIONS = dict(max_consecutive_failures="max_consecutive", failure_window="window",
                     max_failure_rate="max_rate")


def split_model(text: str, default_url: str | None = None) -> tuple[str, str | None]:
    """`NAME@BASE_URL` as (NAME, BASE_URL); a plain NAME uses `default_url`."""
    name, at, url = text.rpartition("@")
    if at and url.startswith(("http://", "https://")) and name:
        return name, url
    return text, default_url


def make_mutator(name: str, arena, **options) -> Mutator:
    """The mutator called `name` for `arena`. Options are the mutator's keyword arguments."""
    if name == "builtin":
        from .builtin import BuiltinMutator
        return BuiltinMutator(arena, **options)
    if name == "llm":
        from .llm import LLMMutator
        return LLMMutator(arena, **options)
    raise ValueError(f"unknown mutator {name!r} (known: {', '.join(NAMES)})")


__all__ = ["Mutator", "MutatorConfigError", "Proposal", "build_mutator", "make_mutator", "split_model",
           "NAMES"]
