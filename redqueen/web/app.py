"""The Datasette instance of `redqueen serve`."""
from __future__ import annotations

import asyncio
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"


def make_datasette(db: Path):
    """Datasette over the archive file `db`, mutable (it re-reads the file, so a running writer's
    WAL commits show on reload) but opened through SQLite's read-only mode, with the lab's plugin,
    metadata and templates, ready to serve."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from . import plugin
    from .metadata import metadata

    if not pm.is_registered(plugin):
        pm.register(plugin, name="redqueen")
    plugin.ARCHIVE_PATH.update(path=str(db), name=db.stem)
    datasette = Datasette([str(db)], metadata=metadata(db.stem), template_dir=str(TEMPLATES),
                          settings={"default_page_size": 50, "sql_time_limit_ms": 3000})
    asyncio.run(datasette.invoke_startup())
    return datasette
