"""The run page's Red Queen diagnostics: the champions' cross-play heatmap and its summary."""
from __future__ import annotations

import numpy as np

from . import svg


def cross_play_view(archive, run_id) -> dict | None:
    """The stored cross-play matrix of a run as a heatmap, or None when the run kept none."""
    ids, payoff = archive.cross_play(run_id)
    if not ids:
        return None
    rounds = {c["program_id"]: c["round"] for c in reversed(archive.champions(run_id))}
    # In the order the programs joined the population: initial programs, then champions by round.
    order = sorted(range(len(ids)), key=lambda i: (ids[i] in rounds, rounds.get(ids[i], ids[i])))
    ids, payoff = [ids[i] for i in order], payoff[np.ix_(order, order)]
    labels = [f"r{rounds[p]}" if p in rounds else f"#{p}" for p in ids]
    values = [[None if np.isnan(v) else float(v) for v in row] for row in payoff]
    links = {(i, j): f"/-/program/{ids[i]}" for i in range(len(ids)) for j in range(len(ids))}
    picture = svg.heatmap(values, labels, labels, links=links, cell=max(14, min(34, 600 // max(len(ids), 1))),
                          title="cross-play: row program's payoff against column program",
                          x_label="opponent", y_label="program")
    from redqueen.analysis.red_queen import diagnostics
    summary = diagnostics(payoff) if not np.isnan(payoff).any() else None
    curves = None
    if summary and summary["per_step"]:
        steps = summary["per_step"]
        curves = svg.line_chart([s["members"] for s in steps],
                                {"Nash weight on the newest": [s["nash_weight_newest"] for s in steps],
                                 "Nash support / members": [s["nash_support"] / s["members"] for s in steps],
                                 "newest beats all earlier": [float(s["beats_all_earlier"]) for s in steps]},
                                "population members", "share")
    ranks = list(zip(labels, summary["alpha_rank"])) if summary else []
    return dict(svg=picture, programs=len(ids), summary=summary, curves=curves, alpha_rank=ranks)
