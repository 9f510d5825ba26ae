"""Core War: a pMARS-exact Redcode assembler and a Numba-compiled MARS.

Names are imported lazily so that `redqueen battle` does not pay for what it does not use.
"""
import importlib

_EXPORTS = {
    "Settings": "settings",
    "Warrior": "warrior",
    "RedcodeError": "assembler",
    "assemble": "assembler",
    "assemble_file": "assembler",
    "battle": "battle",
    "batch_battle": "battle",
    "make_arena": "arena",
}


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
