"""Errors and warnings of one assembly, counted the way pMARS 0.9.2 counts them.

An error rejects the warrior; a warning does not, with one exception kept from pMARS: once nine
distinct (line, kind) messages attached to source lines have been reported, warnings included,
pMARS gives up and the warrior is rejected.
"""
from __future__ import annotations

from typing import NoReturn

MESSAGE_LIMIT = 9       # pMARS's ERRMAX


class LineFailed(Exception):
    """An error on the current line: the warrior is rejected; later lines may still be checked."""


class Abandoned(LineFailed):
    """Assembly stops here (an error during expansion, or too many messages)."""


class Diagnostics:
    def __init__(self):
        self.errors: list[tuple[int | None, str]] = []     # (line number, reason)
        self.warnings: list[tuple[int | None, str]] = []
        self._attached: set[tuple[int, str]] = set()

    def error(self, kind: str, reason: str, line=None, *, abandon: bool = False) -> NoReturn:
        """Report an error on `line` (a SourceLine or None) and raise."""
        self.errors.append((_number(line), reason))
        self._count(kind, line)
        raise Abandoned() if abandon else LineFailed()

    def warning(self, kind: str, reason: str, line=None):
        self.warnings.append((_number(line), reason))
        self._count(kind, line)

    def _count(self, kind: str, line):
        if line is None:
            return
        self._attached.add((line.number, kind))
        if len(self._attached) >= MESSAGE_LIMIT:
            self.errors.append((None, "too many errors or warnings (pMARS gives up after "
                                      f"{MESSAGE_LIMIT} distinct ones)"))
            raise Abandoned()


def _number(line) -> int | None:
    return None if line is None else line.number
