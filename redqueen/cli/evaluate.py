"""`redqueen eval`: play programs 1v1 against a held-out set and report their generality."""
from __future__ import annotations

import csv
import json
import sys

import click

from .options import checked_arena_options, db_option, executor_options, open_executor
from .progress import bars_wanted


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("programs", nargs=-1)
@click.option("--run", "runs", multiple=True, metavar="RUN",
              help="Evaluate every champion of this run (repeatable; an id or `latest`).")
@click.option("--against", type=click.Path(file_okay=False), default=None,
              help="Directory of held-out programs [default: the arena's own held-out opponents, "
                   "else the project's classic set in archive/heldout].")
@click.option("--arena", default="corewar", show_default=True,
              help="Arena of program files (archived programs use their run's arena).")
@click.option("--arena-option", "-A", "arena_option", multiple=True, metavar="KEY=VALUE",
              help="Arena option for program files, repeatable (Core War: coresize=8000, ...).")
@click.option("--opponent", "only", multiple=True, metavar="NAME",
              help="Only this held-out opponent (repeatable; its label as --per-opponent lists it). "
                   "Generality is then relative to the opponents chosen.")
@click.option("--seeds", type=click.IntRange(min=1), default=20, show_default=True,
              help="Games per opponent (each seed one placement / starting condition).")
@click.option("--seed", type=int, default=0, show_default=True, help="Base from which the game seeds are drawn.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes. Arenas run each batch of games in parallel themselves (Core War "
                   "on threads, policy arenas in their sandbox pool), so more helps only arenas that do not.")
@db_option("Archive database: runs are read from it, results stored in it.")
@click.option("--per-opponent", is_flag=True, help="Also list every program's result against each opponent.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with per-opponent results).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV: one row per program and opponent.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@executor_options
def evaluate(programs, runs, against, arena, arena_option, only, seeds, seed, jobs, db, per_opponent,
             as_json, as_csv, quiet, executor, scheduler):
    """Play programs 1v1 against every program of a held-out set and report their generality.

    PROGRAMS are program files (or directories of them) and archived program ids; --run adds a
    run's champions. Each program plays every held-out opponent over --seeds games. The arena
    defines generality; every report names the rule. Head-to-head (Core War, Tron; the DRQ
    study's): the fraction of opponents the program beats or ties (beats: higher mean survival
    fitness). Round-robin (IPD): the fraction of held-out strategies whose mean payoff in a
    tournament of them all plus the program the program matches or exceeds. Also shown: the
    fraction exceeded outright and the mean score per game (pMARS points in Core War, payoff
    per turn in the IPD). Results are stored in the archive, so a re-run plays only what is new.
    Held-out files that do not parse are listed as skipped, with the reason.

    \b
    Examples:
      redqueen eval champion.red                               # against archive/heldout
      redqueen eval --run latest --against ../shared/warriors/drq-heldout
      redqueen eval 12 57 --json                               # archived programs by id
    """
    from redqueen.analysis.runs import AnalysisError
    from redqueen.arena import ProgramError
    from redqueen.cli.archive_file import open_archive
    from redqueen.db import ArchiveError
    from redqueen.heldout import HeldoutError
    from redqueen.options import OptionError
    from redqueen.registry import UnknownArena
    from redqueen.report import heldout_report
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    if not programs and not runs:
        raise click.UsageError("give program files, program ids, or --run RUN")
    options = checked_arena_options(arena, arena_option)
    try:
        archive = open_archive(db)
        chosen = open_executor(executor, scheduler)
        try:
            report = heldout_report(archive, programs, runs, arena, options, against, only, seeds, seed, jobs,
                                    progress=bars_wanted(quiet), executor=chosen)
        finally:
            chosen.close()
            archive.close()
    except (ArchiveError, HeldoutError, ProgramError, AnalysisError, UnknownArena, OptionError) as error:
        raise click.ClickException(str(error)) from None
    for skipped in report["skipped"]:
        click.echo(f"skipped {skipped['file']}: {skipped['reason']}", err=True)
    _print(report, as_json, as_csv, per_opponent)


# What each rule an arena may report means, for the line under the table.
RULES = {"head-to-head": "fraction of held-out opponents beaten or tied 1v1 by mean fitness",
         "round-robin": "fraction of held-out players whose mean payoff in a round robin of them all "
                        "plus the program the program matches or exceeds"}

COLUMNS = [("program", "program"), ("generality", "generality"), ("beaten", "beaten"),
           ("score_per_game", "score/game"), ("wins", "W"), ("ties", "T"), ("losses", "L"),
           ("played_now", "new")]


def _print(report, as_json, as_csv, per_opponent) -> None:
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    if as_csv:
        _print_csv(report, per_opponent)
        return
    print_table(report["programs"], COLUMNS)
    rule = report["generality_rule"]
    click.echo(f"generality rule: {rule} ({RULES.get(rule, 'as the arena defines it')})")
    if per_opponent:
        for program in report["programs"]:
            click.echo(f"\n{program['program']}:")
            print_table(program["per_opponent"], [(k, k) for k in ("opponent", "fitness_a", "fitness_b", "wins",
                                                              "ties", "losses", "score_a", "matched")])
    click.echo(f"\n{len(report['programs'])} program(s) x {report['opponents']} held-out opponents "
               f"({report['heldout']}) x {report['seeds']} seeds: {report['games_played']} games played "
               f"in {report['elapsed_s']:.2f} s on {report['jobs']} worker(s)"
               + (f"; {len(report['skipped'])} held-out file(s) skipped" if report["skipped"] else ""),
               err=True)


def _print_csv(report, per_opponent) -> None:
    """One row per program, or with --per-opponent one per program and opponent."""
    if per_opponent:
        fields = ["program", "program_id", "opponent", "fitness_a", "fitness_b", "wins", "ties", "losses",
                  "score_a", "score_b", "matched", "generality_rule"]
        rows = [{"program": p["program"], "program_id": p["program_id"], "generality_rule": p["generality_rule"],
                 **{key: row.get(key) for key in fields[2:-1]}}
                for p in report["programs"] for row in p["per_opponent"]]
    else:
        fields = ["program", "program_id", "digest", "opponents", "generality_rule", "generality", "beaten",
                  "score_per_game", "wins", "ties", "losses"]
        rows = [{key: p[key] for key in fields} for p in report["programs"]]
    writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def table_lines(rows: list[dict], columns: list[tuple[str, str]]) -> list[str]:
    """Rows as aligned columns; `columns` are (key, heading). Floats get four decimals."""
    def cell(value) -> str:
        if value is None:
            return "-"
        return f"{value:.4f}" if isinstance(value, float) else str(value)

    lines = [[heading for _, heading in columns]] + [[cell(row.get(key)) for key, _ in columns] for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
    return ["  ".join(text.ljust(width) for text, width in zip(line, widths)).rstrip() for line in lines]


def print_table(rows: list[dict], columns: list[tuple[str, str]]) -> None:
    click.echo("\n".join(table_lines(rows, columns)))
