"""A recorded Tron game (`game.trace`, played in the sandbox) as a self-contained HTML page."""
from __future__ import annotations

import html
import json
from pathlib import Path

_PAGE = Path(__file__).resolve().parent / "replay_page.html"
COLOURS = ["#e6550d", "#3182bd"]


def result_text(names: list[str], trace: dict) -> str:
    """The game's result in words, from the scores (win 1, draw 0.5, loss 0) or the fault."""
    if trace.get("faults"):
        side, reason = next(iter(trace["faults"].items()))
        who = names[int(side) - 1] if int(side) in (1, 2) else "the engine"
        return f"{who} broke down: {reason}"
    if trace["status"]:
        return f"{names[trace['status'] - 1]} returned an invalid move"
    if trace["score_a"] == trace["score_b"]:
        return "draw"
    winner = 0 if trace["score_a"] > trace["score_b"] else 1
    return f"player {winner + 1} ({names[winner]}) wins"


def replay_html(trace: dict, names: list[str]) -> str:
    data = dict(trace, names=names, colours=COLOURS, result=result_text(names, trace))
    title = " vs ".join(names)
    return (_PAGE.read_text().replace("{{TITLE}}", html.escape(title))
            .replace("{{DATA}}", json.dumps(data).replace("</", "<\\/")))
