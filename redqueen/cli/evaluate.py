"""`redqueen eval`: play programs 1v1 against a held-out set and report their generality."""
from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

import click

from .options import parse_arena_options
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
@click.option("--db", default="archive/redqueen.db", show_default=True, type=click.Path(dir_okay=False),
              help="Archive database: runs are read from it, results stored in it.")
@click.option("--per-opponent", is_flag=True, help="Also list every program's result against each opponent.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with per-opponent results).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV: one row per program and opponent.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def evaluate(programs, runs, against, arena, arena_option, only, seeds, seed, jobs, db, per_opponent,
             as_json, as_csv, quiet):
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
    from redqueen.db import ArchiveError
    from redqueen.heldout import HeldoutError
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    if not programs and not runs:
        raise click.UsageError("give program files, program ids, or --run RUN")
    try:
        report = _evaluate(programs, runs, against, arena, parse_arena_options(arena_option), only, seeds,
                           seed, jobs, db, quiet)
    except (ArchiveError, HeldoutError, ProgramError, AnalysisError) as error:
        raise click.ClickException(str(error)) from None
    except KeyError as error:                 # unknown arena name
        raise click.ClickException(error.args[0] if error.args else str(error)) from None
    _print(report, as_json, as_csv, per_opponent)


def _evaluate(arguments, runs, against, arena_name, arena_options, only, seeds, seed, jobs, db, quiet) -> dict:
    from redqueen.db import Archive
    from redqueen.heldout import (ArenaSpec, HeldoutStore, arena_key, default_seeds, evaluate_heldout,
                                  load_heldout)
    archive = Archive(db)
    try:
        selection = _select(archive, arguments, runs, arena_name, arena_options)
        arena = selection["arena"]
        heldout = load_heldout(arena, against, only)
        for file, reason in heldout.skipped:
            click.echo(f"skipped {file}: {reason}", err=True)
        game_seeds = default_seeds(seeds, seed)
        spec = ArenaSpec(selection["name"], selection["options"], str(against) if against else None,
                         tuple(only) or None)
        started = time.perf_counter()
        results = evaluate_heldout(arena, selection["programs"], heldout, game_seeds,
                                   labels=selection["labels"], store=HeldoutStore(archive),
                                   key=arena_key(selection["name"], selection["options"]), jobs=jobs,
                                   spec=spec, program_ids=selection["ids"], progress=bars_wanted(quiet))
        elapsed = time.perf_counter() - started
    finally:
        archive.close()
    played = sum(r.played for r in results)
    return dict(arena=selection["name"], arena_options=selection["options"], heldout=heldout.source,
                opponents=len(heldout), seeds=len(game_seeds), jobs=jobs, elapsed_s=round(elapsed, 3),
                games_played=played * len(game_seeds), generality_rule=results[0].summary["generality_rule"],
                skipped=[dict(file=f, reason=r) for f, r in heldout.skipped],
                programs=[dict(program=r.label, program_id=r.program_id, digest=r.digest,
                               **r.summary_fields(), wins=int(r.results.wins.sum()),
                               ties=int(r.results.ties.sum()), losses=int(r.results.losses.sum()),
                               played_now=r.played, per_opponent=r.per_opponent(heldout))
                          for r in results])


def _select(archive, arguments, runs, arena_name, arena_options) -> dict:
    """The programs to evaluate, their labels and archive ids, and the one arena they share."""
    import arenas
    from redqueen.analysis.runs import AnalysisError, champions, run_arena
    chosen = dict(name=None, options=None, arena=None, programs=[], labels=[], ids=[])

    def use_arena(name, options, arena=None, where=""):
        if chosen["name"] is None:
            chosen.update(name=name, options=options, arena=arena or arenas.load(name, **options))
        elif (name, options) != (chosen["name"], chosen["options"]):
            raise AnalysisError(f"{where}: arena {name} {options} differs from {chosen['name']} "
                                f"{chosen['options']}; evaluate one arena at a time")
        return chosen["arena"]

    for run_id in runs:
        run, name, options, arena = run_arena(archive, run_id)
        arena = use_arena(name, options, arena, f"run {run['id']}")
        for champion in champions(archive, arena, run["id"]):
            _add(chosen, champion.program, champion.label, champion.program_id)
    for argument in arguments:
        path = Path(argument)
        if path.exists():
            arena = use_arena(arena_name, arena_options, where=argument)
            files = sorted(path.glob(f"*{arena.program_suffix}")) if path.is_dir() else [path]
            for file in files:
                _add(chosen, arena.parse(file.read_text(errors="replace"), origin=str(file)), file.stem, None)
        elif argument.isdigit():
            row = archive.program(argument)
            run, name, options, arena = run_arena(archive, row["run_id"])
            arena = use_arena(name, options, arena, f"program {row['id']}")
            program = arena.parse(row["source"], origin=f"program {row['id']}")
            _add(chosen, program, f"program{row['id']}", row["id"])
        else:
            raise AnalysisError(f"{argument}: no such file, and not a program id")
    if not chosen["programs"]:
        raise AnalysisError("nothing to evaluate (the runs have no finished round yet?)")
    return chosen


def _add(chosen, program, label, program_id):
    chosen["programs"].append(program)
    chosen["labels"].append(label)
    chosen["ids"].append(program_id)


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
