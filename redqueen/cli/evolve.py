"""`redqueen evolve`: run the Digital Red Queen loop, or resume a run."""
from __future__ import annotations

import os
import sys

import click

from .options import build_arena, checked_arena_options, db_option, executor_options, open_executor

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
              help="Arena option, repeatable (Core War: coresize=8000, maxcycles=80000, ...; "
                   "all of them: `redqueen arena list -v`).")
@click.option("--rounds", type=click.IntRange(min=1), default=20, show_default=True,
              help="Rounds: each evolves one champion that joins the opponents of later rounds.")
@click.option("--iters", type=click.IntRange(min=0), default=250, show_default=True,
              help="MAP-Elites iterations (candidates) per round, after the round's initialisation.")
@click.option("--preset", type=click.Choice(["drq", "strong"]), default="drq", show_default=True,
              help="A named set of the options below (given options override it): drq = the DRQ "
                   "study's loop and definitions (study binning, fixed seeds, '>' threshold rule; Core War: "
                   "enqueued coverage); strong = the search this lab adds (adaptive operators, carried "
                   "elites, confirmed and tuned champions, a diverse start; Core War: matched fitness). "
                   "See docs/loop.md.")
@click.option("--opponents", default="all", show_default=True, metavar="SPEC",
              help="Opponent strategy: all (initial programs + every champion), last:K, nash (PSRO), "
                   "pfsp (prioritised fictitious self-play).")
@click.option("--history", type=click.IntRange(min=0), default=None,
              help="Alias of --opponents last:K.")
@click.option("--seeds", type=click.IntRange(min=1), default=20, show_default=True,
              help="Battle seeds a candidate's fitness is averaged over.")
@click.option("--fitness", default=None, metavar="MODE",
              help="Fitness mode of the arena [default: its first] (see `redqueen arena list -v`; "
                   "Core War: battle = one game with all opponents, duel = mean 1v1 fitness, "
                   "hill = mean 1v1 pMARS points, 3 per win and 1 per tie).")
@click.option("--fitness-threshold", type=float, default=None,
              help="End a round early when an elite reaches this fitness [default: off].")
@click.option("--threshold-rule", type=click.Choice(["at-least", "exceeds"]), default=None,
              help="A round ends when its best reaches (>=) or exceeds (>, the DRQ study) "
              "--fitness-threshold [default: exceeds under --preset drq, else at-least].")
@click.option("--binning", type=click.Choice(["inclusive", "study"]), default=None,
              help="A descriptor value equal to a bin edge goes to the lower bin (inclusive) or the "
              "next (study: value < edge, as the DRQ study) [default: study under --preset drq, else inclusive].")
@click.option("--seed-schedule", type=click.Choice(["per-round", "fixed"]), default=None,
              help="Battle seeds: drawn per round from --seed, or one fixed list for every round and run "
              "(as the DRQ study) [default: fixed under --preset drq, else per-round].")
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
@click.option("--operators", type=click.Choice(["fixed", "adaptive"]), default="fixed", show_default=True,
              help="builtin mutator: fixed = random/mutate/crossover as above; adaptive = every operator "
                   "the arena offers, drawn more often when its children enter the grid.")
@click.option("--carry-elites/--no-carry-elites", default=False, show_default=True,
              help="Start each round from the previous round's elites, re-evaluated against its opponents.")
@click.option("--confirm-seeds", type=click.IntRange(min=0), default=0, show_default=True,
              help="Re-evaluate the round's top elites on N more seeds and crown the best overall.")
@click.option("--diverse-start/--no-diverse-start", default=False, show_default=True,
              help="Round-0 opponents also include a spread of the arena's own strategies "
                   "(Core War: one instance of each strategy archetype).")
@click.option("--tune-champion", type=click.IntRange(min=0), default=0, show_default=True, metavar="EVALS",
              help="Constant-tune each round's best with this many evaluations before crowning (0: off).")
@click.option("--feedback/--no-feedback", default=False, show_default=True,
              help="Put the parent's fitness and the opponents it loses to into the mutation prompt.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of all the run's randomness.")
@click.option("--initial", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Round-0 opponent program, repeatable [default: the arena's own].")
@db_option()
@click.option("--resume", default=None, metavar="RUN",
              help="Continue run RUN (an id, or 'latest') with its stored configuration.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@executor_options
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
    from redqueen.mutators import MutatorConfigError
    try:
        _evolve(ctx, options)
    except (ArchiveError, ConfigError, MutatorConfigError, ProgramError, EndpointUnreachable, KeyError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
        lines = message.splitlines() or [""]
        if len(lines) > 1:                       # an assembler may report several errors
            message = f"{lines[0]} (and {len(lines) - 1} more)"
        raise click.ClickException(message) from None
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted; continue with: redqueen evolve --resume latest --db {options['db']}", err=True)
        sys.exit(130)


def _evolve(ctx, options):
    from redqueen.cli.archive_file import open_archive
    from redqueen.loop import RedQueen
    from . import progress
    archive = open_archive(options["db"])
    preparing = progress.Preparing()              # building the arena and its first use may take a while
    executor = None
    try:
        bars = progress.bars_wanted(options["quiet"])
        if options["resume"]:
            run = archive.run(options["resume"])
            if run["status"] == "finished":
                raise click.ClickException(f"run {run['id']} is already finished "
                                           f"({run['rounds']} rounds); see `redqueen archive rounds {run['id']}`")
            config = _resumed_config(ctx, options, run["config"])
            arena, mutator = _build(config, options, archive, run["id"])
            executor = open_executor(options["executor"], options["scheduler"])
            loop = RedQueen.resume(archive, run["id"], arena, mutator, progress=bars, executor=executor)
        else:
            config = _new_config(ctx, options)
            arena, mutator = _build(config, options, archive, None)
            executor = open_executor(options["executor"], options["scheduler"])
            loop = RedQueen.start(archive, config, arena, mutator, progress=bars, executor=executor)
            mutator.attach_run(loop.run_id)
        try:
            loop.warm_up()
            preparing.done()
            loop.on_round = progress.RoundReporter(config.rounds, config.fitness)   # its clock starts now
            click.echo(f"run {loop.run_id}: {config.rounds} rounds x {config.iters} iterations, "
                       f"{config.mutator} mutator, archive {options['db']}", err=True)
            click.echo(f"fitness ({config.fitness}): {progress.fitness_meaning(arena, config.fitness)}")
            progress.earlier_rounds(archive, loop.run_id, config.rounds, config.fitness)
            loop.run()
        finally:
            mutator.close()
            loop.arena.close()
        click.echo(f"run {loop.run_id} finished; export its champions with: "
                   f"redqueen archive export {loop.run_id} DIR --db {archive.path}", err=True)
    finally:
        preparing.cancel()
        if executor is not None:
            executor.close()
        archive.close()


# Values of options a preset may leave unset.
UNPRESET = dict(binning="inclusive", seed_schedule="per-round", threshold_rule="at-least")


def _apply_preset(ctx, options, arena_options):
    """Options the preset sets, unless given on the command line."""
    from click.core import ParameterSource
    from redqueen.presets import preset_values
    arena = build_arena(options["arena"], arena_options)
    for name, value in preset_values(options["preset"], arena).items():
        if ctx.get_parameter_source(name) != ParameterSource.COMMANDLINE:
            options[name] = value
    for name, value in UNPRESET.items():
        if options[name] is None:
            options[name] = value
    return options


def _opponent_spec(options) -> str:
    if options["history"] is not None:
        if options["opponents"] != "all":
            raise click.BadParameter("give --history K or --opponents, not both", param_hint="--history")
        return f"last:{options['history']}"
    return options["opponents"]


def _new_config(ctx, options):
    from redqueen.loop import RunConfig, read_initial_files
    from redqueen.registry import arena_class
    arena_options = checked_arena_options(options["arena"], options["arena_option"])
    options = _apply_preset(ctx, dict(options), arena_options)
    fitness = options["fitness"] or arena_class(options["arena"]).default_fitness()
    try:
        arena_class(options["arena"]).check_fitness(fitness)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
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
        if options["operators"] == "adaptive":
            mutator_options["adaptive"] = True
    return RunConfig(
        arena=options["arena"], arena_options=arena_options,
        rounds=options["rounds"], iters=options["iters"], opponents=_opponent_spec(options), seeds=options["seeds"],
        carry_elites=options["carry_elites"], confirm_seeds=options["confirm_seeds"], preset=options["preset"],
        tune_champion=options["tune_champion"], diverse_start=options["diverse_start"],
        fitness=fitness, fitness_threshold=options["fitness_threshold"], n_init=options["n_init"],
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
    from redqueen.mutators import build_mutator
    arena = build_arena(config.arena, config.arena_options)
    return arena, build_mutator(config, arena, archive, run_id, os.environ.get("OPENAI_API_KEY"))

