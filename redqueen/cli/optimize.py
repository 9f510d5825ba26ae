"""`redqueen optimize`: tune a program's numeric constants against a set of opponents."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import build_arena, checked_arena_options


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("more_opponents", nargs=-1, metavar="[OPPONENTS...]")
@click.option("--against", multiple=True, metavar="DIR_OR_FILE",
              help="Opponent program files or directories of them (repeatable; paths after the option "
                   "are opponents too).")
@click.option("--arena", default="corewar", show_default=True, help="Arena the programs belong to.")
@click.option("--arena-option", "-A", "arena_option", multiple=True, metavar="KEY=VALUE",
              help="Arena option, repeatable (Core War: coresize=8000, ...).")
@click.option("--fitness", default=None, metavar="MODE",
              help="The arena's fitness mode [default: its first] (Core War: battle = one game with all "
                   "opponents, duel = mean 1v1 fitness, hill = mean 1v1 pMARS points).")
@click.option("--seeds", type=click.IntRange(min=1), default=8, show_default=True,
              help="Search seeds: games every candidate is scored on.")
@click.option("--confirm-seeds", type=click.IntRange(min=1), default=32, show_default=True,
              help="Fresh seeds the result is confirmed on (before and after are reported on them).")
@click.option("--budget", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              help="Search time in seconds (confirmation comes on top).")
@click.option("--evaluations", type=click.IntRange(min=1), default=None,
              help="Also stop after this many candidate evaluations (a run limited only by evaluations "
                   "is reproducible: same --seed, same result).")
@click.option("--batch", type=click.IntRange(min=1), default=16, show_default=True,
              help="Candidates evaluated per engine call.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the search's random numbers.")
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Where the tuned program goes [default: FILE with .tuned before its suffix].")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress on stderr.")
def optimize(file, more_opponents, against, arena, arena_option, fitness, seeds, confirm_seeds, budget,
             evaluations, batch, seed, out, as_json, quiet):
    """Tune the numeric constants of the program in FILE against opponents.

    A local search (batched coordinate search) changes one constant at a time, or a group that
    moves together, keeps what scores better on the search seeds, and confirms the result on
    fresh seeds: the report gives the fitness before and after on the same confirmation seeds and
    each constant that changed. Core War tunes EQU values and operand numbers; bombing and
    scanning steps jump among the optima step tables. The tuned program is written to --out
    (never over FILE); when nothing better is confirmed, the program is written unchanged.

    \b
    Examples:
      redqueen optimize champion.red --against opponents/
      redqueen optimize stone.red --against imp.red paper.red --budget 20 --fitness duel
    """
    from redqueen.arena import ProgramError
    try:
        arena_object, program, opponents, target = _inputs(file, list(against) + list(more_opponents), arena,
                                                           arena_option, out)
        fitness = arena_object.check_fitness(fitness or arena_object.default_fitness())
        report = _optimize(arena_object, program, opponents, fitness, seeds, confirm_seeds, budget,
                           evaluations, batch, seed, quiet)
    except ProgramError as error:
        raise click.ClickException(str(error).splitlines()[0]) from None
    except (KeyError, ValueError, OSError) as error:
        raise click.ClickException(error.args[0] if error.args else str(error)) from None
    if report["result"] is not None:
        target.write_text(report["result"].source)
    _print(report, file, target, as_json)


def _inputs(file, against, arena_name, arena_options, out):
    """(arena, program, opponents, output path), or an error naming the bad input."""
    path = Path(file)
    if not path.is_file():
        raise ValueError(f"{file}: no such file")
    if not against:
        raise ValueError("no opponents: give --against FILES or directories")
    arena = build_arena(arena_name, checked_arena_options(arena_name, arena_options))
    program = arena.parse(path.read_text(errors="replace"), origin=str(path))
    opponents = []
    for entry in map(Path, against):
        if entry.is_dir():
            programs, rejected = arena.load_directory(entry)
            for rejected_file, reason in rejected:
                click.echo(f"skipped {rejected_file}: {reason}", err=True)
            opponents += programs
        elif entry.is_file():
            opponents.append(arena.parse(entry.read_text(errors="replace"), origin=str(entry)))
        else:
            raise ValueError(f"{entry}: no such file or directory")
    if not opponents:
        raise ValueError(f"no {arena.program_suffix} opponents in {', '.join(against)}")
    target = Path(out) if out else path.with_name(f"{path.stem}.tuned{path.suffix or arena.program_suffix}")
    if target.resolve() == path.resolve():
        raise ValueError(f"{target}: would overwrite the input; choose another --out")
    return arena, program, opponents, target


def _optimize(arena, program, opponents, fitness, seeds, confirm_seeds, budget, evaluations, batch, seed,
              quiet) -> dict:
    import numpy as np
    from tqdm.auto import tqdm

    from redqueen.optimize import optimize_constants
    constants = arena.constants(program)
    if not constants:
        return dict(result=None, constants=0, opponents=len(opponents))
    interactive = sys.stderr.isatty()
    bar = tqdm(total=evaluations, desc="optimize", unit="eval", disable=quiet or not interactive)
    seen = dict(evaluations=0, best=None)

    def progress(new, score):
        bar.update(new)
        bar.set_postfix(best=f"{score:.4f}")
        seen["evaluations"] += new
        if not quiet and not interactive and score != seen["best"]:      # plain lines, on improvement
            click.echo(f"optimize: {seen['evaluations']} evaluations, best search fitness {score:.4f}", err=True)
        seen["best"] = score

    try:
        result = optimize_constants(arena, program, opponents, np.random.default_rng(seed), seeds=seeds,
                                    confirm_seeds=confirm_seeds, evaluations=evaluations, seconds=budget,
                                    fitness=fitness, batch=batch, progress=progress)
    finally:
        bar.close()
    return dict(result=result, constants=len(constants), opponents=len(opponents))


def _print(report, file, target, as_json) -> None:
    result = report["result"]
    if result is None:
        message = f"{file}: no tunable constants; nothing written"
        click.echo(json.dumps(dict(file=file, constants=0, written=None)) if as_json else message)
        return
    if as_json:
        click.echo(json.dumps(dict(file=file, written=str(target), opponents=report["opponents"],
                                   **result.summary()), indent=2))
        return
    click.echo(f"before: {result.before:.4f}")
    click.echo(f"after:  {result.after:.4f}  ({result.after - result.before:+.4f}, mean fitness on "
               f"{len(result.confirm_seeds)} confirmation seeds against {report['opponents']} opponents)")
    for change in result.changes:
        click.echo(f"  {change}")
    if not result.changes:
        click.echo("  no change confirmed; the program is written unchanged")
    click.echo(f"wrote {target}  ({result.constants} constants, {result.evaluations} evaluations, "
               f"{result.accepted} accepted, {result.seconds:.1f} s)")
