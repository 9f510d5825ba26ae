"""`redqueen tournament`: a round robin of Redcode files as a King-of-the-Hill table, scored as
pMARS scores each pair. Only click is imported at start-up."""
import json
import sys
from pathlib import Path

import click

from .cli import INT_MAX, MAX_CORESIZE, _assemble_all, _Command, _fail, _range, _settings, _settings_options

SUFFIXES = (".red",)


@click.command("tournament", cls=_Command)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-r", "rounds", type=_range(1, INT_MAX), default=100, show_default=True,
              help="Rounds of each pair's battle.")
@_settings_options
@click.option("-F", "position", type=_range(1, MAX_CORESIZE), default=None,
              help="Fixed position of the second warrior in round 1, as `pmars -F` (every pair).")
@click.option("--seed", type=_range(0, INT_MAX - 1), default=None,
              help="pMARS's internal placement seed for round 1 [default: from the clock, printed].")
@click.option("--against", type=click.Path(exists=True, file_okay=False), default=None,
              help="Play every program against each program of this directory instead of each other.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where the battles run: this machine's cores, or a Dask cluster.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler (tcp://HOST:PORT) [default: $DASK_SCHEDULER_ADDRESS, else a local cluster].")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: one object per program.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV: one row per program.")
def tournament(paths, rounds, coresize, cycles, processes, length, distance, pspace, position, seed, against,
               executor, scheduler, as_json, as_csv):
    """Round robin of the warriors in PATHS (files, or directories of .red files): every pair
    plays one battle of -r rounds, the earlier file loaded first, exactly as `pmars -r R -F POS A B`.
    Standings rank programs by total pMARS score (3 per win, 1 per tie with two warriors).

    Files of a directory that do not assemble are skipped (reported on stderr); a file named
    on the command line that does not assemble is an error."""
    if as_json and as_csv:
        _fail("Error: choose one of --json and --csv")
    if position is not None and seed is not None:
        _fail("Error: give -F or --seed, not both")
    separation = length if distance is None else distance
    if position is not None and separation > position:
        _fail("Error: -F position must be at least the minimum distance (-d)")
    settings = _settings(coresize, cycles, processes, length, distance, pspace, rounds, 2)
    files, warriors = _load(paths, settings)
    opponents_files, opponents = _load([against], settings) if against else ([], [])
    players = len(warriors)
    if (not players or not opponents) if against else players < 2:
        _fail("Error: a tournament needs two warriors (or one and an --against directory)")
    from . import seeds as placement
    if position is not None:
        seed = placement.seed_for_position(position, settings.mindistance)
    elif seed is None:
        seed = placement.clock_seed()
    from .tournament import against_pairs, play_on, round_robin_pairs, standings
    pairs = against_pairs(players, len(opponents)) if against else round_robin_pairs(players)
    everyone = warriors + opponents
    with _executor(executor, scheduler) as chosen:
        from .cli import _numba_without_blas
        with _numba_without_blas():
            tables = play_on(chosen, everyone, settings, pairs, seed, rounds)
    table = standings(everyone, files + opponents_files, players, pairs, tables, rounds)
    _print(table, as_json, as_csv)
    click.echo(f"{len(pairs)} battles x {rounds} rounds, round-1 seed {seed}", err=True)


def _executor(name, scheduler):
    from redqueen.executor import ExecutorError, make_executor
    try:
        return make_executor(name, scheduler)
    except ExecutorError as error:
        _fail(f"Error: {error}")


def _load(paths, settings):
    """(files, warriors): named files must assemble; a directory's files that do not are skipped."""
    from .assembler import RedcodeError, assemble_file
    named = [p for p in paths if not Path(p).is_dir()]
    warriors = dict(zip(named, _assemble_all(named, settings)))
    files = []
    for path in paths:
        if not Path(path).is_dir():
            files.append(path)
            continue
        for file in sorted(f for f in Path(path).iterdir() if f.suffix.lower() in SUFFIXES):
            try:
                warriors[str(file)] = assemble_file(file, settings)
                files.append(str(file))
            except (RedcodeError, OSError) as error:
                click.echo(f"skipped {file}: {str(error).splitlines()[0] if str(error) else 'unreadable'}",
                           err=True)
    return files, [warriors[f] for f in files]


COLUMNS = [("rank", "#"), ("name", "name"), ("author", "author"), ("score", "score"), ("wins", "W"),
           ("ties", "T"), ("losses", "L"), ("score_per_round", "score/round"), ("file", "file")]


def _print(table, as_json, as_csv):
    rows = [s.to_json() for s in table]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if as_csv:
        import csv
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    cells = [[heading for _, heading in COLUMNS]] + [[str(row[key]) for key, _ in COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    from .cli import _write
    _write("\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in cells) + "\n")
