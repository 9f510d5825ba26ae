"""`redqueen replay`: a game played back as one self-contained HTML page."""
from __future__ import annotations

import inspect
from pathlib import Path

import click

from .options import build_arena, checked_arena_options, db_option


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("programs", nargs=-1, required=True)
@click.option("-F", "position", type=click.IntRange(min=0), default=None,
              help="Core War: the second warrior's address (pMARS -F) [default: the minimum distance].")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="The game's seed (the arena's meaning).")
@click.option("--round", "round_number", type=click.IntRange(min=1), default=None,
              help="Core War: the round of a multi-round battle to replay (rounds 1..N-1 are played "
                   "first, so placement and P-space are those of `redqueen battle -r`) [default: 1].")
@click.option("--arena", default=None, help="Arena of program files [default: from the files' suffix].")
@click.option("--arena-option", "-A", "arena_option", multiple=True, metavar="KEY=VALUE",
              help="Arena option for program files, repeatable (Core War: coresize=8000, ...).")
@db_option("Archive database, for archived program ids.")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="The HTML file to write.")
def replay(programs, position, seed, round_number, arena, arena_option, db, out):
    """Play PROGRAMS (files, or archived program ids) against each other once and write the game
    as a self-contained HTML page (no network needed to view it): in Core War the core coloured
    by the warrior that last wrote each cell, the executing processes, a cycle slider, play/pause,
    speed, process counts over time and the result, which is the one `redqueen battle` reports.

    \b
    Example:
      redqueen replay imp.red dwarf.red -F 4000 --out battle.html
      redqueen replay imp.red dwarf.red -F 4000 --round 3 --out round3.html
    """
    if seed is not None and position is not None:
        raise click.ClickException("give -F or --seed, not both")
    built, parsed = resolve_programs(programs, arena, arena_option, db)
    page_of = getattr(built, "replay_page", None)
    if page_of is None:
        raise click.ClickException(f"arena {built.name} has no replays")
    rounds = {} if round_number is None else {"round_number": round_number}
    if rounds and "round_number" not in inspect.signature(page_of).parameters:
        raise click.ClickException(f"arena {built.name} has no rounds to choose: drop --round")
    try:
        page = page_of(parsed, seed=seed, position=position, **rounds)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    Path(out).write_text(page)
    click.echo(f"wrote {out} ({Path(out).stat().st_size / 1e6:.2f} MB)")


def resolve_programs(items, arena, arena_option, db):
    """(arena object, parsed programs) for program files and archived program ids."""
    from redqueen.arena import ProgramError
    from redqueen.registry import arena_class, names
    ids = [item for item in items if item.isdigit() and not Path(item).exists()]
    if ids:
        return _archived(ids, items, db)
    if arena is None:
        suffixes = {Path(item).suffix for item in items}
        found = [name for name in names() if arena_class(name).program_suffix in suffixes]
        if len(suffixes) != 1 or len(found) != 1:
            raise click.ClickException("cannot tell the arena from the files' suffixes: give --arena")
        arena = found[0]
    built = build_arena(arena, checked_arena_options(arena, arena_option))
    parsed = []
    for item in items:
        try:
            parsed.append(built.parse(Path(item).read_text(), origin=item))
        except OSError as error:
            raise click.ClickException(f"{item}: {error.strerror or error}") from None
        except ProgramError as error:
            raise click.ClickException(f"{item}: {error}") from None
    return built, parsed


def _archived(ids, items, db):
    from redqueen.analysis.runs import AnalysisError, run_arena
    from redqueen.cli.archive_file import open_archive
    from redqueen.db import ArchiveError
    if len(ids) != len(items):
        raise click.ClickException("give program files or archived program ids, not both")
    archive = open_archive(db, must_exist=True)
    try:
        rows = [archive.program(int(i)) for i in ids]
        _, _, _, built = run_arena(archive, rows[0]["run_id"])
        return built, [built.parse(row["source"], origin=f"program {row['id']}") for row in rows]
    except (ArchiveError, AnalysisError) as error:
        raise click.ClickException(str(error)) from None
    finally:
        archive.close()
