"""`redqueen evolve`: run the Digital Red Queen loop, or resume a run."""
from __future__ import annotations

import os
import sys

import click

from .options import parse_arena_options

DEFAULT_MODEL = "gpt-4.1-mini"
# Options that change how a resumed run talks to its endpoint but not what it computes.
OPERATIONAL = ("base_url", "concurrency", "timeout", "max_retries")


def _descriptor_names(text):
    if text is None:
        return None
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    if len(names) != 2:
        raise click.BadParameter("give two descriptor names separated by a comma", param_hint="--descriptors")
    return names


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--arena", default="corewar", show_default=True, help="Arena to evolve programs for.")
@click.option("--arena-option", "-A", "arena_option", multiple=True, metavar="KEY=VALUE",
              help="Arena option, repeatable (Core War: coresize=8000, maxcycles=80000, ...).")
@click.option("--rounds", type=click.IntRange(min=1), default=20, show_default=True,
              help="Rounds: each evolves one champion that joins the opponents of later rounds.")
@click.option("--iters", type=click.IntRange(min=0), default=250, show_default=True,
              help="MAP-Elites iterations (candidates) per round, after the round's initialisation.")
@click.option("--history", type=click.IntRange(min=0), default=None,
              help="Opponents are the initial programs plus the last K champions [default: all].")
@click.option("--seeds", type=click.IntRange(min=1), default=20, show_default=True,
              help="Battle seeds a candidate's fitness is averaged over.")
@click.option("--fitness", type=click.Choice(["battle", "duel"]), default="battle", show_default=True,
              help="battle: one game with all opponents (candidate first); duel: mean 1v1 fitness.")
@click.option("--fitness-threshold", type=float, default=None,
              help="End a round early when an elite reaches this fitness [default: off].")
@click.option("--threshold-rule", type=click.Choice(["at-least", "exceeds"]), default="at-least",
              show_default=True, help="A round ends when its best reaches (>=) or exceeds (>, the DRQ "
              "study) --fitness-threshold.")
@click.option("--binning", type=click.Choice(["inclusive", "study"]), default="inclusive", show_default=True,
              help="A descriptor value equal to a bin edge goes to the lower bin (inclusive) or the "
              "next (study: value < edge, as the DRQ study).")
@click.option("--seed-schedule", type=click.Choice(["per-round", "fixed"]), default="per-round",
              show_default=True, help="Battle seeds: drawn per round from --seed, or one fixed list "
              "for every round and run (as the DRQ study).")
@click.option("--n-init", type=click.IntRange(min=0), default=8, show_default=True,
              help="New programs that start each round, beside the seeded opponents.")
@click.option("--p-new", type=click.FloatRange(0, 1), default=0.1, show_default=True,
              help="Probability that an iteration asks for a new program instead of a mutation.")
@click.option("--batch", type=click.IntRange(min=1), default=8, show_default=True,
              help="Candidates proposed and evaluated together (one engine batch call).")
@click.option("--descriptors", default=None, metavar="A,B",
              help="Two behaviour descriptors for the grid [default: the arena's].")
@click.option("--mutator", type=click.Choice(["llm", "builtin"]), default=None,
              help="Where candidates come from [default: llm when OPENAI_API_KEY is set, else builtin].")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help="Model name for --mutator llm.")
@click.option("--base-url", default=None, help="OpenAI-compatible endpoint [default: $OPENAI_BASE_URL or OpenAI].")
@click.option("--temperature", type=float, default=1.0, show_default=True)
@click.option("--max-tokens", type=click.IntRange(min=1), default=None, help="Completion token limit.")
@click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True,
              help="Language-model requests in flight at once.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True,
              help="Seconds per language-model request before it is retried.")
@click.option("--max-retries", type=click.IntRange(min=0), default=5, show_default=True,
              help="Retries on 429, 5xx and timeouts (exponential backoff with jitter).")
@click.option("--price", nargs=2, type=float, default=None, metavar="IN OUT",
              help="USD per million prompt/completion tokens, for the cost estimate of an unlisted model.")
@click.option("--crossover", type=click.FloatRange(0, 1), default=0.1, show_default=True,
              help="builtin mutator: probability that a variation is a crossover of two elites.")
@click.option("--feedback/--no-feedback", default=False, show_default=True,
              help="Put the parent's fitness and the opponents it loses to into the mutation prompt.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of all the run's randomness.")
@click.option("--initial", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Round-0 opponent program, repeatable [default: the arena's own].")
@click.option("--db", default="archive/redqueen.db", show_default=True, type=click.Path(dir_okay=False),
              help="Archive database.")
@click.option("--resume", default=None, metavar="RUN",
              help="Continue run RUN (an id, or 'latest') with its stored configuration.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@click.pass_context
def evolve(ctx, **options):
    """Evolve programs with the Digital Red Queen loop.

    Each round evolves one champion with MAP-Elites against the initial programs and the
    champions of earlier rounds; it is then frozen and becomes an opponent in its turn.
    Everything goes to the archive (--db) as it happens; a run stopped at any moment
    continues with `redqueen evolve --resume RUN`.

    \b
    Examples:
      redqueen evolve --rounds 3 --iters 40 --seeds 4        # offline, builtin mutator
      redqueen evolve --mutator llm --model gpt-4.1-mini     # needs OPENAI_API_KEY
      redqueen evolve --resume latest
    """
    from redqueen.arena import ProgramError
    from redqueen.db import ArchiveError
    from redqueen.llm.client import EndpointUnreachable
    from redqueen.loop import ConfigError
    try:
        _evolve(ctx, options)
    except (ArchiveError, ConfigError, ProgramError, EndpointUnreachable, KeyError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
        lines = message.splitlines() or [""]
        if len(lines) > 1:                       # an assembler may report several errors
            message = f"{lines[0]} (and {len(lines) - 1} more)"
        raise click.ClickException(message) from None
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted; continue with: redqueen evolve --resume latest --db {options['db']}", err=True)
        sys.exit(130)


def _evolve(ctx, options):
    from redqueen.db import Archive
    from redqueen.loop import RedQueen
    archive = Archive(options["db"])
    try:
        if options["resume"]:
            run = archive.run(options["resume"])
            if run["status"] == "finished":
                raise click.ClickException(f"run {run['id']} is already finished "
                                           f"({run['rounds']} rounds); see `redqueen archive rounds {run['id']}`")
            config = _resumed_config(ctx, options, run["config"])
            arena, mutator = _build(config, options, archive, run["id"])
            loop = RedQueen.resume(archive, run["id"], arena, mutator, progress=not options["quiet"])
        else:
            config = _new_config(options)
            arena, mutator = _build(config, options, archive, None)
            loop = RedQueen.start(archive, config, arena, mutator, progress=not options["quiet"])
            if hasattr(mutator, "client"):
                mutator.client.run_id = loop.run_id
        click.echo(f"run {loop.run_id}: {config.rounds} rounds x {config.iters} iterations, "
                   f"{config.mutator} mutator, archive {options['db']}", err=True)
        try:
            loop.run()
        finally:
            mutator.close()
        _summary(archive, loop.run_id)
    finally:
        archive.close()


def _new_config(options):
    from redqueen.loop import RunConfig, read_initial_files
    read_initial_files(options["initial"])          # a missing file fails now, with one line
    mutator = options["mutator"] or ("llm" if os.environ.get("OPENAI_API_KEY") else "builtin")
    if mutator == "llm":
        mutator_options = dict(model=options["model"], temperature=options["temperature"],
                               max_tokens=options["max_tokens"], concurrency=options["concurrency"],
                               timeout=options["timeout"], max_retries=options["max_retries"],
                               base_url=options["base_url"] or os.environ.get("OPENAI_BASE_URL"),
                               prices=list(options["price"]) if options["price"] else None)
    else:
        mutator_options = dict(crossover=options["crossover"])
    return RunConfig(
        arena=options["arena"], arena_options=parse_arena_options(options["arena_option"]),
        rounds=options["rounds"], iters=options["iters"], history=options["history"], seeds=options["seeds"],
        fitness=options["fitness"], fitness_threshold=options["fitness_threshold"], n_init=options["n_init"],
        p_new=options["p_new"], batch=options["batch"], descriptors=_descriptor_names(options["descriptors"]),
        mutator=mutator, mutator_options=mutator_options, feedback=options["feedback"], seed=options["seed"],
        initial=[os.path.abspath(p) for p in options["initial"]],
        binning=options["binning"], seed_schedule=options["seed_schedule"],
        threshold_rule=options["threshold_rule"])


def _resumed_config(ctx, options, stored):
    """The stored configuration, with endpoint options overridden when given explicitly."""
    from click.core import ParameterSource
    from redqueen.loop import RunConfig
    config = RunConfig.from_json(stored)
    for name in OPERATIONAL:
        if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE and config.mutator == "llm":
            config.mutator_options[name] = options[name]
    return config


def _build(config, options, archive, run_id):
    """The arena and the mutator a configuration names."""
    import arenas
    from redqueen.mutators import make_mutator
    arena = arenas.load(config.arena, **config.arena_options)
    if config.mutator != "llm":
        return arena, make_mutator(config.mutator, arena, **config.mutator_options)
    from redqueen.llm.client import LLMClient, check_reachable
    api_key = os.environ.get("OPENAI_API_KEY")
    if not api_key:
        raise click.ClickException("--mutator llm needs an API key in OPENAI_API_KEY "
                                   "(any value for a local server that ignores it)")
    settings = dict(config.mutator_options)
    model, prices = settings.pop("model"), settings.pop("prices", None)
    if settings.get("base_url"):
        check_reachable(settings["base_url"])
    client = LLMClient(model, api_key=api_key, store=archive, run_id=run_id,
                       prices=tuple(prices) if prices else None, **settings)
    return arena, make_mutator("llm", arena, model=model, client=client)


def _summary(archive, run_id):
    for champion in archive.champions(run_id):
        click.echo(f"round {champion['round']:>3}  fitness {champion['fitness']:.4f}  "
                   f"program {champion['program_id']}  {champion['name']}")
    click.echo(f"run {run_id} finished; export its champions with: "
               f"redqueen archive export {run_id} DIR --db {archive.path}", err=True)
