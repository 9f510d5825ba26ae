"""Arenas: one package per game. The Red Queen loop finds them here by name.

An arena package `arenas/<name>/` exposes `make_arena(**options)` returning an object that
implements `redqueen.arena.Arena`, and may have a `cli` module whose `commands` list adds
arena-specific commands to the `redqueen` CLI. Nothing outside the package names it.
"""
import importlib
import importlib.util
import os
import pkgutil


def names() -> list[str]:
    """Arena package names, found by scanning this package (nothing is imported). An arena package
    has an `arena` module; packages without one (shared machinery such as `policy`) are skipped."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg and not m.name.startswith("_")
                  and os.path.isfile(os.path.join(m.module_finder.path, m.name, "arena.py")))


def load(name: str, **options):
    """The arena called `name`, built with its options. Raises KeyError for an unknown arena."""
    if name not in names():
        raise KeyError(f"unknown arena {name!r} (known: {', '.join(names())})")
    return importlib.import_module(f"{__name__}.{name}").make_arena(**options)


def cli_commands() -> list:
    """Click commands contributed by arena packages' `cli` modules."""
    commands = []
    for name in names():
        module_name = f"{__name__}.{name}.cli"
        if importlib.util.find_spec(module_name) is not None:
            commands.extend(importlib.import_module(module_name).commands)
    return commands
