"""Opening the archive file for a command: upgrades are announced, unusable files refused."""
from pathlib import Path

import click


def open_archive(db, must_exist: bool = False):
    """The Archive at `db`. An upgrade of an older file is reported in one line on stderr; a
    missing file (when it must exist), a newer schema or a foreign file is a one-line error."""
    from redqueen.db import Archive, ArchiveError
    if must_exist and not Path(db).is_file():
        raise click.ClickException(f"{db}: no archive here (runs create it; see `redqueen evolve --help`)")
    try:
        archive = Archive(db)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    if archive.upgraded:
        click.echo(archive.upgraded.message, err=True)
    return archive
