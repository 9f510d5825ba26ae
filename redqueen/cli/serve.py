"""`redqueen serve`: browse the archive in a web browser (Datasette and the lab's own pages)."""
from __future__ import annotations

from pathlib import Path

import click

from .options import db_option


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@db_option("Archive database to browse (read only).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True, help="Port.")
def serve(db, host, port):
    """Browse the archive: runs (status, progress, cost), a run's fitness per round, champions,
    MAP-Elites grids, opponent weights and cross-play, each program's source, listing,
    evaluations, held-out results, lineage and language-model call, replays (Core War), failures
    and the raw tables with SQL. Read only: nothing the browser does changes the archive, and a
    run being written by `redqueen evolve` shows its new rounds on reload. Needs the `web` extra
    (`pip install 'redqueen[web]'`).

    \b
    Example:
      redqueen serve --db archive/redqueen.db      # then open http://127.0.0.1:8001/-/runs
    """
    try:
        import datasette  # noqa: F401
        import uvicorn
    except ImportError:
        raise click.ClickException("redqueen serve needs Datasette: pip install 'redqueen[web]'") from None
    from redqueen.db import Archive, ArchiveError
    from redqueen.web.app import make_datasette
    try:
        Archive(db, read_only=True).close()       # refuse a missing, foreign or old file in one line
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    datasette = make_datasette(Path(db))
    click.echo(f"serving {db} read-only at http://{host}:{port}/-/runs", err=True)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
