"""Test helpers: warriors loaded from pMARS's own assembly listing (`pmars -r 0 FILE`), and
pMARS runs in a thread pool. Loading through pMARS keeps simulator tests independent of our
assembler."""
from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from arenas.corewar.instruction import MODES, MODIFIERS, OPCODES
from arenas.corewar.warrior import Warrior

_HEADER = re.compile(r'^Program "(.*)" \(length (\d+)\) by "(.*)"$')
_CELL = re.compile(r"^(START)?\s*([A-Z]{3})\.(A|B|AB|BA|F|X|I)\s+(.)\s*(-?\d+),\s+(.)\s*(-?\d+)\s*$")
_PIN = re.compile(r"^\s*PIN\s+(-?\d+)\s*(;.*)?$", re.IGNORECASE)


def parse_listing(text: str, coresize: int = 8000, pins=()) -> list[Warrior]:
    """Warriors from a pMARS load-file listing (one or more `Program ...` blocks)."""
    warriors, rows, header, start = [], [], None, 0

    def finish():
        if header is not None:
            name, length, author = header
            assert len(rows) == length, (name, len(rows), length)
            pin = pins[len(warriors)] if len(warriors) < len(pins) else None
            warriors.append(Warrior(np.asarray(rows, dtype=np.int32).reshape(-1, 6), start=start,
                                    name=name, author=author, pin=pin, coresize=coresize))

    for line in text.splitlines():
        match = _HEADER.match(line)
        if match:
            finish()
            header, rows, start = (match[1], int(match[2]), match[3]), [], 0
            continue
        match = _CELL.match(line)
        if match:
            if match[1]:
                start = len(rows)
            rows.append([OPCODES.index(match[2]), MODIFIERS.index(match[3]), MODES.index(match[4]),
                         int(match[5]) % coresize, MODES.index(match[6]), int(match[7]) % coresize])
    finish()
    return warriors


def source_pin(path) -> int | None:
    """The PIN of a source file, when it is a plain number (enough for the corpora's warriors)."""
    for line in Path(path).read_text(errors="replace").splitlines():
        match = _PIN.match(line)
        if match:
            return int(match[1])
    return None


def pmars_load(pmars: str, path, options=()) -> Warrior:
    """One warrior assembled by pMARS with these options (e.g. ["-s", "800"])."""
    coresize = int(options[list(options).index("-s") + 1]) if "-s" in options else 8000
    out = pmars_run(pmars, ["-r", "0", *options, str(path)], timeout=60)
    warriors = parse_listing(out, coresize, pins=[source_pin(path)])
    if not warriors:
        raise ValueError(f"pMARS did not assemble {path}")
    return warriors[0]


def pmars_run(pmars: str, args, timeout=600) -> str | None:
    """pMARS's stdout (bytes that are not UTF-8, names in Latin-1, kept as surrogate escapes),
    or None if it ran past `timeout` seconds: pMARS can loop forever (see mars.execute)."""
    try:
        out = subprocess.run([pmars, *map(str, args)], capture_output=True, timeout=timeout).stdout
    except subprocess.TimeoutExpired:
        return None
    return out.decode("utf-8", "surrogateescape")


def pmars_many(pmars: str, arg_lists, workers: int = 2, timeout=600) -> list[str | None]:
    """Several pMARS runs on both cores; outputs in the order given (None: timed out)."""
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda args: pmars_run(pmars, args, timeout), arg_lists))
