"""`redqueen evolve`: run the Digital Red Queen loop, or resume a run."""
from __future__ import annotations

import os
import sys

import click

from .options import build_arena, checked_arena_options, db_option, executor_options, open_executor

DEFAULT_MODEL = "gpt-4.1-mini"
# Options that change how a resumed run talks to its endpoint, or when it stops, but not what it
# computes: given with --resume they are applied and recorded (run_resumes).
OPERATIONAL = ("base_url", "concurrency", "timeout", "max_retries", "max_consecutive_failures",
               "failure_window", "max_failure_rate")
OPERATIONAL_RUN = ("max_cost",)
NOT_CONFIGURATION = ("db", "resume", "quiet", "executor", "scheduler")
# Options stored under another name in the run's configuration.
STORED_AS = {"history": "opponents", "arena_option": "arena_options", "operators": "adaptive", "price": "prices",
             "model_selection": "selection", "prompt_style": "prompts"}
EXIT_FAILED, EXIT_STOPPED = 1, 3


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
@click.option("--model", multiple=True, metavar="NAME[@BASE_URL]",
              help=f"Model for --mutator llm [default: {DEFAULT_MODEL}]; repeat for an ensemble. "
                   "NAME@BASE_URL gives the model its own endpoint (the key is OPENAI_API_KEY).")
@click.option("--model-selection", type=click.Choice(["uniform", "bandit"]), default="uniform", show_default=True,
              help="Ensembles: which model answers each ask; bandit = UCB over archive improvements per "
                   "unit cost.")
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
@click.option("--max-cost", type=click.FloatRange(min=0), default=None, metavar="USD",
              help="Stop the run (status stopped) before a step once its calls cost this much; resume "
                   "with a higher cap [default: no cap].")
@click.option("--max-consecutive-failures", type=click.IntRange(min=0), default=10, show_default=True,
              help="Fail the run when this many language-model requests in a row fail (after retries; 0: off).")
@click.option("--failure-window", type=click.IntRange(min=0), default=50, show_default=True,
              help="Requests over which --max-failure-rate is measured (0: off).")
@click.option("--max-failure-rate", type=click.FloatRange(0, 1), default=0.8, show_default=True,
              help="Fail the run when this share of the last --failure-window requests failed.")
@click.option("--pipeline", type=click.IntRange(min=1), default=1, show_default=True, metavar="D",
              help="--mutator llm: keep the requests of up to D batches in flight while answers are evaluated "
                   "(batch k + D is asked for from the grid as it is before batch k is stored); 1: one batch "
                   "at a time. Up to --concurrency requests run at once in all.")
@click.option("--prompts", "prompt_style", default="default", show_default=True, metavar="STYLE",
              help="Prompt style for --mutator llm: default (the project's), or one the arena offers "
                   "(Core War: drq = the content of the DRQ study's prompts).")
@click.option("--novelty-threshold", type=click.FloatRange(0, 1), default=1.0, show_default=True,
              help="Skip (unevaluated) a proposal whose code is at least this similar to an elite "
                   "(token-shingle Jaccard, or the cosine of --novelty-embeddings); 1.0: off.")
@click.option("--novelty-embeddings", default=None, metavar="MODEL",
              help="--mutator llm: measure that similarity as the cosine of embeddings from MODEL at the "
                   "first model's endpoint (cached in the archive) instead of token shingles.")
@click.option("--tune", type=click.IntRange(min=0), is_flag=False, flag_value=24, default=0, show_default=True,
              metavar="[EVALS]", help="Constant-tune every valid proposal with EVALS evaluations (24 when "
                                      "given without a number) before it enters the archive; 0: off.")
@click.option("--crossover", type=click.FloatRange(0, 1), default=0.1, show_default=True,
              help="builtin mutator: probability that a variation is a crossover of two elites.")
@click.option("--operators", type=click.Choice(["fixed", "adaptive"]), default="fixed", show_default=True,
              help="builtin mutator: fixed = random/mutate/crossover as above; adaptive = every operator "
                   "the arena offers, drawn more often when its children enter the grid.")
@click.option("--carry-elites/--no-carry-elites", default=False, show_default=True,
              help="Start each round from the previous round's elites, re-evaluated against its opponents.")
@click.option("--exploiters", type=click.IntRange(min=0), default=0, show_default=True, metavar="EVALS",
              help="After each round, search EVALS programs (from its elites, with the arena's operators) "
                   "for one that beats the champion; if found, it joins later rounds' opponents (0: off).")
@click.option("--elite-opponents", type=click.IntRange(min=0), default=0, show_default=True, metavar="K",
              help="Later rounds also play the K fittest other elites of each earlier round, not only its "
                   "champion (0: off).")
@click.option("--fresh-opponents", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="Each round draws N new programs from the arena's spread of strategies (Core War: "
                   "archetypes with random parameters) that every later round plays too (0: off).")
@click.option("--confirm-seeds", type=click.IntRange(min=0), default=0, show_default=True,
              help="Re-evaluate the round's top elites on N more seeds and crown the best overall.")
@click.option("--diverse-start/--no-diverse-start", default=False, show_default=True,
              help="Round-0 opponents also include a spread of the arena's own strategies "
                   "(Core War: one instance of each strategy archetype).")
@click.option("--tune-champion", type=click.IntRange(min=0), default=0, show_default=True, metavar="EVALS",
              help="Constant-tune each round's best with this many evaluations before crowning (0: off).")
@click.option("--feedback", type=click.Choice(["off", "sparse", "dense"]), default="off", show_default=True,
              is_flag=False, flag_value="sparse",
              help="Put the parent's fitness and the opponents it loses to into the mutation prompt "
                   "(`--feedback` alone: sparse); dense adds the arena's own figures (Gathering and "
                   "Cleanup: the parent's social metrics, as -A feedback=dense).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of all the run's randomness.")
@click.option("--initial", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Round-0 opponent program, repeatable [default: the arena's own].")
@db_option()
@click.option("--resume", default=None, metavar="RUN",
              help="Continue run RUN (an id, or 'latest') with its stored configuration; --rounds N "
                   "extends it; other options must match it, except operational ones (--concurrency, "
                   "--timeout, --max-retries, --base-url, --max-cost, failure limits).")
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
    from redqueen.llm.client import EndpointFailing
    try:
        _evolve(ctx, options)
    except (ArchiveError, ConfigError, MutatorConfigError, ProgramError, EndpointUnreachable, EndpointFailing,
            KeyError) as error:
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
    from redqueen.stops import RunStopped
    archive = open_archive(options["db"])
    preparing = None
    executor = None
    try:
        bars = progress.bars_wanted(options["quiet"])
        if options["resume"]:
            run = archive.run(options["resume"])
            config, changes = _resumed_config(ctx, options, run, archive)
            arena, mutator = _build(config, options, archive, run["id"])
            where = _resume_point(archive, run["id"], config)
            if changes or config.rounds != run["rounds"]:
                archive.update_run_config(run["id"], config.to_json(), config.rounds)
            archive.record_resume(run["id"], *where, changes)
            executor = open_executor(options["executor"], options["scheduler"])
            loop = RedQueen.resume(archive, run["id"], arena, mutator, progress=bars, executor=executor)
            click.echo(f"resuming run {loop.run_id} at round {where[0]}, iteration {where[1]}"
                       + "".join(f"; {name} {old} -> {new}" for name, (old, new) in changes.items()), err=True)
        else:
            config = _new_config(ctx, options)
            arena, mutator = _build(config, options, archive, None)
            executor = open_executor(options["executor"], options["scheduler"])
            loop = RedQueen.start(archive, config, arena, mutator, progress=bars, executor=executor)
            mutator.attach_run(loop.run_id)
        # The arena's first use may take a while (Numba compiles); endpoint checks came before, so
        # their one-line errors are never preceded by this notice.
        preparing = progress.Preparing()
        try:
            loop.warm_up()
            preparing.done()
            loop.on_round = progress.RoundReporter(config.rounds, config.fitness)   # its clock starts now
            click.echo(f"run {loop.run_id}: {config.rounds} rounds x {config.iters} iterations, "
                       f"{config.mutator} mutator, archive {options['db']}", err=True)
            click.echo(f"fitness ({config.fitness}): {progress.fitness_meaning(arena, config.fitness)}")
            progress.earlier_rounds(archive, loop.run_id, config.rounds, config.fitness)
            loop.run()
        except RunStopped as stop:
            click.echo(f"run {loop.run_id} {stop.status}: {stop.reason}", err=True)
            click.echo(f"continue with: redqueen evolve --resume {loop.run_id} --db {options['db']}", err=True)
            sys.exit(EXIT_STOPPED if stop.status == "stopped" else EXIT_FAILED)
        finally:
            mutator.close()
            loop.arena.close()
        click.echo(f"run {loop.run_id} finished; export its champions with: "
                   f"redqueen archive export {loop.run_id} DIR --db {archive.path}", err=True)
    finally:
        if preparing is not None:
            preparing.cancel()
        if executor is not None:
            executor.close()
        archive.close()


# Values of options a preset may leave unset.
UNPRESET = dict(binning="inclusive", seed_schedule="per-round", threshold_rule="at-least")


def _apply_preset(ctx, options, arena_options):
    """Options the preset sets, unless given on the command line."""
    from click.core import ParameterSource
    from redqueen.presets import resolve_options
    given = {name: value for name, value in options.items()
             if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE}
    defaults = {name: UNPRESET[name] if value is None and name in UNPRESET else value
                for name, value in options.items()}
    return resolve_options(options["preset"], build_arena(options["arena"], arena_options), defaults, given)


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
    if options["feedback"] == "dense":
        if "feedback" not in arena_class(options["arena"]).options:
            raise click.ClickException(f"--feedback dense: arena {options['arena']} has no dense feedback "
                                       f"(use --feedback)")
        arena_options["feedback"] = "dense"
    options = _apply_preset(ctx, dict(options), arena_options)
    fitness = options["fitness"] or arena_class(options["arena"]).default_fitness()
    try:
        arena_class(options["arena"]).check_fitness(fitness)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    read_initial_files(options["initial"])          # a missing file fails now, with one line
    mutator = options["mutator"] or ("llm" if os.environ.get("OPENAI_API_KEY") else "builtin")
    if mutator == "llm":
        models = list(options["model"]) or [DEFAULT_MODEL]
        mutator_options = dict(model=models[0], temperature=options["temperature"],
                               max_tokens=options["max_tokens"], concurrency=options["concurrency"],
                               timeout=options["timeout"], max_retries=options["max_retries"],
                               base_url=options["base_url"] or os.environ.get("OPENAI_BASE_URL"),
                               prices=list(options["price"]) if options["price"] else None,
                               **{name: options[name] for name in OPERATIONAL[4:]})
        if len(models) > 1:
            mutator_options.update(models=models, selection=options["model_selection"])
        if options["prompt_style"] != "default":
            mutator_options["prompts"] = options["prompt_style"]
    else:
        mutator_options = dict(crossover=options["crossover"])
        if options["operators"] == "adaptive":
            mutator_options["adaptive"] = True
    return RunConfig(
        arena=options["arena"], arena_options=arena_options,
        rounds=options["rounds"], iters=options["iters"], opponents=_opponent_spec(options), seeds=options["seeds"],
        carry_elites=options["carry_elites"], confirm_seeds=options["confirm_seeds"], preset=options["preset"],
        exploiters=options["exploiters"], elite_opponents=options["elite_opponents"],
        fresh_opponents=options["fresh_opponents"],
        tune_champion=options["tune_champion"], diverse_start=options["diverse_start"], tune=options["tune"],
        novelty_threshold=options["novelty_threshold"], novelty_embeddings=options["novelty_embeddings"],
        max_cost=options["max_cost"], pipeline=options["pipeline"],
        fitness=fitness, fitness_threshold=options["fitness_threshold"], n_init=options["n_init"],
        p_new=options["p_new"], batch=options["batch"], descriptors=_descriptor_names(options["descriptors"]),
        mutator=mutator, mutator_options=mutator_options, feedback=options["feedback"] != "off", seed=options["seed"],
        initial=[os.path.abspath(p) for p in options["initial"]],
        binning=options["binning"], seed_schedule=options["seed_schedule"],
        threshold_rule=options["threshold_rule"])


def _resumed_config(ctx, options, run, archive):
    """The stored configuration of `run`, with operational options given on the command line
    applied and --rounds extending it; any other option given that differs from the stored one
    is refused, each difference named. Returns (config, {option: [stored, applied]})."""
    from click.core import ParameterSource
    from redqueen.loop import RunConfig
    config = RunConfig.from_json(run["config"])
    given = [name for name in options if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE
             and name not in NOT_CONFIGURATION]
    # What the given options would configure; options not given take the run's own arena and mutator.
    arena = options["arena"] if "arena" in given else config.arena
    fresh = _new_config(ctx, dict(options, arena=arena, mutator=options["mutator"] or config.mutator))
    changes, differences = {}, []
    for name in given:
        if name == "rounds":
            continue
        old, new = _stored_value(config, name), _stored_value(fresh, name)
        if name == "arena_option":
            old, new = {k: old.get(k) for k in new}, new
        if old == new:
            continue
        if name in OPERATIONAL_RUN or (name in OPERATIONAL and config.mutator == "llm"):
            changes[name] = [old, new]
            _set_stored_value(config, name, new)
        else:
            differences.append(f"--{name.replace('_', '-')} {_shown(new)} (stored: {_shown(old)})")
    if differences:
        raise click.ClickException(f"run {run['id']} was started with other options; drop or match them to "
                                   f"resume: {'; '.join(differences)}")
    done = sum(1 for r in archive.rounds(run["id"]) if r["status"] == "finished")
    if "rounds" in given:
        if options["rounds"] < done:
            raise click.ClickException(f"run {run['id']} has already finished {done} rounds; "
                                       f"--rounds must be at least {done}")
        config.rounds = options["rounds"]
    if done >= config.rounds:
        raise click.ClickException(f"run {run['id']} is already finished ({done} rounds); extend it with "
                                   f"--resume {run['id']} --rounds N, or see `redqueen archive rounds {run['id']}`")
    return config, changes


def _stored_value(config, name):
    """The value option `name` has in a configuration (top level or mutator options)."""
    key = STORED_AS.get(name, name)
    if name == "model":
        return config.mutator_options.get("models") or [config.mutator_options.get("model")]
    data = config.to_json()
    return data[key] if key in data else config.mutator_options.get(key)


def _set_stored_value(config, name, value):
    key = STORED_AS.get(name, name)
    if hasattr(config, key):
        setattr(config, key, value)
    else:
        config.mutator_options[key] = value


def _shown(value):
    if isinstance(value, (list, tuple)):
        return " ".join(map(str, value))
    return "off" if value is None else str(value)


def _resume_point(archive, run_id, config) -> tuple[int, int]:
    """(round, iteration) a resumed run continues at."""
    rounds = archive.rounds(run_id)
    done = sum(1 for r in rounds if r["status"] == "finished")
    current = next((r for r in rounds if r["number"] == done), None)
    return done, current["iterations"] if current else 0


def _build(config, options, archive, run_id):
    """The arena and the mutator a configuration names."""
    from redqueen.mutators import build_mutator
    arena = build_arena(config.arena, config.arena_options)
    return arena, build_mutator(config, arena, archive, run_id, os.environ.get("OPENAI_API_KEY"), preflight=True)

