"""A recorded Gathering or Cleanup episode (`game.trace`, played in the sandbox) as one
self-contained HTML page: the map per step with apples, waste, agents and beams."""
from __future__ import annotations

import html
import json
from pathlib import Path

from .stats import METRICS

_PAGE = Path(__file__).resolve().parent / "replay_page.html"
COLOURS = ["#e6550d", "#3182bd"]      # focal agents, background agents


def result_text(names: list[str], trace: dict) -> str:
    """The episode's outcome in words: the groups' returns, or who broke down."""
    if trace.get("faults"):
        side, reason = next(iter(trace["faults"].items()))
        who = names[int(side) - 1] if int(side) in (1, 2) else "the engine"
        return f"{who} broke down: {reason}"
    if trace["status"]:
        return f"{names[trace['status'] - 1]} returned an invalid action at step {trace['played']}"
    stats = trace["stats"]
    return (f"focal ({names[0]}) {stats['focal_return']:g} apples, "
            f"background ({names[1]}) {stats['background_return']:g} apples")


def replay_html(trace: dict, names: list[str]) -> str:
    if trace.get("faults"):
        raise ValueError(result_text(names, trace))
    stats = trace["stats"]
    data = dict(trace, names=names, colours=COLOURS, result=result_text(names, trace),
                returns=[stats[f"return_{i}"] for i in range(trace["agents"])],
                metrics={name: stats[name] for name in METRICS})
    title = f"{trace['game'].capitalize()}: {' vs '.join(names)}"
    return (_PAGE.read_text().replace("{{TITLE}}", html.escape(title))
            .replace("{{DATA}}", json.dumps(data).replace("</", "<\\/")))
