"""A recorded IPD match (`game.trace`, played in the sandbox) as a self-contained HTML page."""
from __future__ import annotations

import html
import json
from pathlib import Path

_PAGE = Path(__file__).resolve().parent / "replay_page.html"


def result_text(names: list[str], trace: dict) -> str:
    """Mean payoff per turn of each side, or who broke down."""
    if trace.get("faults"):
        side, reason = next(iter(trace["faults"].items()))
        who = names[int(side) - 1] if int(side) in (1, 2) else "the engine"
        return f"{who} broke down: {reason}"
    if trace["status"]:
        return f"{names[trace['status'] - 1]} returned an invalid move"
    return (f"{names[0]} {trace['payoff_a']:.3f} per turn, {names[1]} {trace['payoff_b']:.3f} per turn")


def replay_html(trace: dict, names: list[str]) -> str:
    data = dict(trace, names=names, result=result_text(names, trace))
    return (_PAGE.read_text().replace("{{TITLE}}", html.escape(" vs ".join(names)))
            .replace("{{DATA}}", json.dumps(data).replace("</", "<\\/")))
