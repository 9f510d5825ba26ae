"""A recorded Core War round (`recording.Recording`) as one self-contained HTML page.

The trace goes into the page as base64 typed arrays; the page's script rebuilds the core's
owners (the warrior that last wrote each cell) cycle by cycle, keeping a snapshot every few
thousand cycles so that the slider can jump anywhere quickly. Nothing is fetched from the network.
"""
from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import numpy as np

from .recording import Recording

COLOURS = ["#e6550d", "#3182bd", "#31a354", "#756bb1", "#d6616b", "#8c6d31", "#17becf", "#e377c2"]
_PAGE = Path(__file__).resolve().parent / "replay_page.html"


def result_text(names: list[str], survivors: list[int]) -> str:
    """The round's result in words: who won, or who tied (warriors numbered in load order)."""
    label = lambda i: f"warrior {i + 1} ({names[i]})"
    if len(survivors) == 1:
        return f"{label(survivors[0])} wins"
    if not survivors:
        return "no survivor"
    return "tie: " + ", ".join(label(i) for i in survivors) + " survive"


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()).decode()


def replay_html(recording: Recording, names: list[str], title: str = "") -> str:
    """The page that plays `recording` back; `names` are the warriors' names in battle order."""
    cycles = recording.cycles()
    data = {
        "coresize": recording.coresize,
        "maxcycles": recording.maxcycles,
        "names": names,
        "colours": [COLOURS[i % len(COLOURS)] for i in range(len(names))],
        "positions": [int(p) for p in recording.positions],
        "result": result_text(names, recording.survivors),
        "survivors": recording.survivors,
        "round": recording.round_number,
        "instructions": recording.instructions,
        "cycles": int(cycles[-1]) + 1 if recording.instructions else 0,
        "wide": recording.address.dtype.itemsize,
        "countWide": recording.processes.dtype.itemsize,
        "initialOwner": _b64(recording.initial_owner),
        "warrior": _b64(recording.warrior),
        "address": _b64(recording.address),
        "processes": _b64(recording.processes),
        "changes": _b64(recording.changes),
        "changed": _b64(recording.changed),
        "cycleStart": _b64(np.searchsorted(cycles, np.arange(int(cycles[-1]) + 2 if len(cycles) else 1))
                           .astype(np.uint32)),
    }
    page = _PAGE.read_text()
    title = title or " vs ".join(names) + (f", round {recording.round_number}"
                                           if recording.round_number > 1 else "")
    return (page.replace("{{TITLE}}", html.escape(title))
                .replace("{{DATA}}", json.dumps(data).replace("</", "<\\/")))
