"""`redqueen archive`: read what runs stored; export champions as program files.

Each command is a thin wrapper over the method of the same name of `redqueen.db.Archive`.
"""
from __future__ import annotations

import json

import click

from .options import db_option

DB_OPTION = db_option()
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def _open(db: str):
    from redqueen.cli.archive_file import open_archive
    return open_archive(db, must_exist=True)


def _call(db: str, method: str, *args):
    """archive.method(*args), with lookup mistakes turned into one clear line."""
    from redqueen.db import ArchiveError
    archive = _open(db)
    try:
        return getattr(archive, method)(*args)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    finally:
        archive.close()


def _table(rows: list[dict], columns: list[tuple[str, str]]) -> None:
    """Rows as aligned columns; `columns` are (key, heading)."""
    cells = [[heading for _, heading in columns]]
    for row in rows:
        cells.append([_cell(row.get(key)) for key, _ in columns])
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    for line in cells:
        click.echo("  ".join(text.ljust(width) for text, width in zip(line, widths)).rstrip())


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def _echo_json(value) -> None:
    click.echo(json.dumps(value, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def archive():
    """Read the run archive: runs, rounds, champions, programs; export champions.

    \b
    redqueen archive runs                      every run and its progress
    redqueen archive rounds RUN                a run's rounds: champion, fitness, cells filled
    redqueen archive champions RUN             a run's champions
    redqueen archive show PROGRAM              a program: source, lineage, evaluations
    redqueen archive export RUN DIR            champions as program files (.red for Core War)
    redqueen archive failures RUN              candidates that failed, by round and iteration
    redqueen archive calls RUN                 language-model calls: tokens, latency, cost
    redqueen archive cross-play RUN            1v1 payoff matrix and opponent weights (nash, pfsp)

    RUN is a run id or `latest`. Every command takes --db; listings take --json.
    """


@archive.command()
@DB_OPTION
@JSON_OPTION
def runs(db, as_json):
    """Every run: arena, status, rounds done of rounds asked, time spent, estimated language-model
    cost, why it stopped (--json adds per-model figures: asks, valid, improvements, requests, cost)."""
    rows = _call(db, "runs")
    if as_json:
        return _echo_json(rows)
    for row in rows:
        row["progress"] = f"{row['rounds_done']}/{row['rounds']}"
        row["mutator"] = row["config"].get("mutator")
    reason = [("reason", "reason")] if any(row.get("reason") for row in rows) else []
    _table(rows, [("id", "run"), ("arena", "arena"), ("status", "status"), ("progress", "rounds"),
                  ("mutator", "mutator"), ("seed", "seed"), ("programs", "programs"),
                  ("elapsed_s", "seconds"), ("cost_usd", "usd"), ("created_at", "created"), *reason])


@archive.command()
@click.argument("run")
@DB_OPTION
@JSON_OPTION
def rounds(run, db, as_json):
    """The rounds of RUN: status, iterations, champion, best fitness, grid cells filled."""
    rows = _call(db, "rounds", run)
    if as_json:
        return _echo_json(rows)
    for row in rows:
        row["opponents_n"] = len(row["opponents"])
        stats = row["stats"]
        row["invalid"] = f"{stats.get('failures', 0)}/{stats.get('candidates', 0)}"
        row["cost_usd"] = stats.get("cost_usd")
        row["near_duplicates"] = stats.get("failed_novelty")
    extra = [(key, heading) for key, heading in (("near_duplicates", "near-dup"), ("cost_usd", "usd"))
             if any(row[key] is not None for row in rows)]
    _table(rows, [("number", "round"), ("status", "status"), ("iterations", "iters"),
                  ("opponents_n", "opponents"), ("champion_id", "champion"), ("best_fitness", "fitness"),
                  ("filled_cells", "cells"), ("evaluations", "evals"), ("invalid", "invalid"),
                  *extra, ("elapsed_s", "seconds")])


@archive.command()
@click.argument("run")
@DB_OPTION
@JSON_OPTION
def champions(run, db, as_json):
    """The champion of each finished round of RUN."""
    rows = _call(db, "champions", run)
    if as_json:
        return _echo_json(rows)
    columns = [("round", "round"), ("program_id", "program"), ("fitness", "fitness"), ("cell", "cell"),
               ("origin", "origin"), ("name", "name")]
    if any(row.get("exploiter_id") is not None for row in rows):
        columns.insert(2, ("exploiter_id", "exploiter"))
    _table(rows, columns)


@archive.command()
@click.argument("program")
@DB_OPTION
@JSON_OPTION
def show(program, db, as_json):
    """A program: source, compiled listing, lineage, evaluations, rounds it won."""
    row = _call(db, "show", program)
    if as_json:
        return _echo_json(row)
    click.echo(f"program {row['id']}  {row['name']}  (run {row['run_id']}, round {_cell(row['round'])}, "
               f"origin {row['origin']}, mutator {_cell(row['mutator'])})")
    click.echo(f"parent {_cell(row['parent_id'])}  mate {_cell(row['mate_id'])}  "
               f"llm call {_cell(row['llm_call_id'])}  digest {row['digest'][:16]}")
    if row["champion_of"]:
        click.echo(f"champion of round(s) {', '.join(map(str, row['champion_of']))}")
    for evaluation in row["evaluations"]:
        click.echo(f"round {evaluation['round']}: fitness {evaluation['fitness']:.4f}  cell {evaluation['cell']}  "
                   f"{evaluation['outcome']}  descriptors {json.dumps(evaluation['descriptors'])}")
    click.echo("--- source ---")
    click.echo(row["source"].rstrip("\n"))
    if row["listing"] and row["listing"] != row["source"]:
        click.echo("--- compiled ---")
        click.echo(row["listing"].rstrip("\n"))


@archive.command()
@click.argument("run")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--suffix", default=None, help="File suffix [default: the arena's, .red for Core War].")
@DB_OPTION
@JSON_OPTION
def export(run, directory, suffix, db, as_json):
    """Write each champion of RUN into DIRECTORY as a program file the arena accepts."""
    paths = _call(db, "export", run, directory, suffix)
    if as_json:
        return _echo_json([str(p) for p in paths])
    for path in paths:
        click.echo(str(path))
    click.echo(f"{len(paths)} champion(s) written to {directory}", err=True)


@archive.command()
@click.argument("run")
@DB_OPTION
@JSON_OPTION
def failures(run, db, as_json):
    """Candidates of RUN that failed: no answer, no code, or a program that does not parse."""
    rows = _call(db, "failures", run)
    if as_json:
        return _echo_json(rows)
    _table(rows, [("id", "id"), ("round", "round"), ("iteration", "iter"), ("stage", "stage"),
                  ("llm_call_id", "call"), ("error", "error")])


@archive.command()
@click.argument("run")
@click.option("--by-model", is_flag=True, help="One line per model: asks, valid answers, improvements, "
                                              "requests, replays, attempts, cost.")
@DB_OPTION
@JSON_OPTION
def calls(run, by_model, db, as_json):
    """Language-model calls of RUN: purpose, tokens, latency, attempts, cost, cache replays."""
    if by_model:
        rows = _call(db, "model_usage", run)
        if as_json:
            return _echo_json(rows)
        return _table(rows, [("model", "model"), ("asks", "asks"), ("valid", "valid"),
                             ("improvements", "improvements"), ("requests", "requests"), ("replays", "replays"),
                             ("attempts", "attempts"), ("spent_usd", "usd")])
    rows = _call(db, "llm_calls", run)
    if as_json:
        return _echo_json(rows)
    _table(rows, [("id", "id"), ("purpose", "purpose"), ("model", "model"), ("prompt_tokens", "in"),
                  ("completion_tokens", "out"), ("latency_s", "seconds"), ("attempts", "attempts"),
                  ("cached", "cached"), ("cost_usd", "usd"), ("error", "error")])


@archive.command("cross-play")
@click.argument("run")
@DB_OPTION
@JSON_OPTION
def cross_play(run, db, as_json):
    """The 1v1 payoff matrix among RUN's programs (row's payoff against column's, played by runs
    with --opponents nash or pfsp) and each round's opponent weights."""
    ids, matrix = _call(db, "cross_play", run)
    rounds = _call(db, "rounds", run)
    weights = [dict(round=r["number"], opponents=r["opponents"], weights=r["opponent_weights"]) for r in rounds]
    if as_json:
        payoff = [[None if value != value else float(value) for value in row] for row in matrix.tolist()]
        return _echo_json(dict(programs=ids, payoff=payoff, rounds=weights))
    if not ids:
        click.echo(f"run {run} has no cross-play matrix (it is played for --opponents nash or pfsp)", err=True)
    else:
        _table([{"program": pid, **{str(col): value for col, value in zip(ids, row)}}
                for pid, row in zip(ids, matrix.tolist())],
               [("program", "row \\ col")] + [(str(pid), str(pid)) for pid in ids])
    for row in weights:
        if row["weights"]:
            pairs = ", ".join(f"{pid}: {w:.3f}" for pid, w in zip(row["opponents"], row["weights"]))
            click.echo(f"round {row['round']} opponent weights: {pairs}")
