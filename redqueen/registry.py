"""The installed arenas and their command-line commands, found through entry points.

An arena is an `redqueen.arena.Arena` subclass registered under the entry-point group
`redqueen.arenas` (name -> "module:Class"); extra `redqueen` commands (click commands) under
`redqueen.commands`. Any installed distribution can add either, so a new arena needs no change
to this repository:

    [project.entry-points."redqueen.arenas"]
    mygame = "mygame.arena:MyGameArena"

Entry points come from installed metadata (`pip install -e .` for a checkout). A source tree run
without being installed (PYTHONPATH=.) falls back to the entry points in its own pyproject.toml.
"""
from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

from .options import OptionError

ARENA_GROUP = "redqueen.arenas"
COMMAND_GROUP = "redqueen.commands"
_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


class UnknownArena(LookupError):
    """An arena name that is not installed: one line listing the installed ones."""

    def __str__(self) -> str:
        return self.args[0]


@cache
def _entry_points(group: str) -> dict[str, str]:
    """name -> "module:attribute" of the group: installed metadata, plus this source tree's own
    pyproject.toml when the redqueen distribution is not installed."""
    from importlib import metadata          # slow to import: only when a lookup needs it
    found = {}
    try:
        metadata.distribution("redqueen")
    except metadata.PackageNotFoundError:
        found.update(_source_tree_entry_points(group))
    found.update({ep.name: ep.value for ep in metadata.entry_points(group=group)})
    return found


def _source_tree_entry_points(group: str) -> dict[str, str]:
    if not _PYPROJECT.is_file():
        return {}
    import tomllib
    with _PYPROJECT.open("rb") as file:
        project = tomllib.load(file).get("project", {})
    return dict(project.get("entry-points", {}).get(group, {}))


def _load(target: str):
    module, _, attribute = target.partition(":")
    value = importlib.import_module(module)
    for part in attribute.split(".") if attribute else ():
        value = getattr(value, part)
    return value


def names() -> list[str]:
    """Names of the installed arenas (nothing is imported)."""
    return sorted(_entry_points(ARENA_GROUP))


def arena_class(name: str):
    """The Arena subclass registered as `name`; its class attributes (program_suffix,
    fitness_modes, options, descriptors) are readable without building it."""
    targets = _entry_points(ARENA_GROUP)
    if name not in targets:
        raise UnknownArena(f"unknown arena {name!r} (installed: {', '.join(names()) or 'none'})")
    return _load(targets[name])


def check_options(name: str, options: dict | None = None) -> dict:
    """The options of arena `name` (text from a command line, or typed values) converted and
    checked against its declarations; OptionError (one line) on a bad one."""
    return arena_class(name).check_options(dict(options or {}))


def make_arena(name: str, options: dict | None = None):
    """The arena `name` built with `options` (checked first, see `check_options`). Raises
    UnknownArena or OptionError, each one line; a combination of values the arena rejects is an
    OptionError too."""
    cls = arena_class(name)
    checked = cls.check_options(dict(options or {}))
    try:
        return cls.from_options(**checked)
    except OptionError:
        raise
    except (TypeError, ValueError) as error:
        raise OptionError(f"arena {name}: {error}") from None


def program_suffix(name: str) -> str:
    return arena_class(name).program_suffix


def command_names() -> list[str]:
    """Names of the extra commands installed arenas add to the `redqueen` CLI."""
    return sorted(_entry_points(COMMAND_GROUP))


def command(name: str):
    """The click command registered as `name` (imported now), or None. A source tree's own
    commands are found without scanning every installed distribution (it is the slow part of
    starting a command)."""
    target = _source_tree_entry_points(COMMAND_GROUP).get(name) or _entry_points(COMMAND_GROUP).get(name)
    return _load(target) if target else None
