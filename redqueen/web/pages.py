"""What the lab's pages show, read from a read-only Archive: plain dicts for the templates."""
from __future__ import annotations

import json

from . import svg


def _descriptor_axes(run: dict) -> tuple[list[str], list[list[str]]]:
    """The grid's descriptor names and bin labels, from the arena's declarations (no arena is built)."""
    from redqueen.registry import UnknownArena, arena_class
    try:
        cls = arena_class(run["arena"])
    except (UnknownArena, ImportError):
        return ["descriptor 1", "descriptor 2"], [[], []]
    names = list(run["config"].get("descriptors") or cls.default_descriptors)
    labels = []
    for name in names:
        edges = cls.descriptors[name].edges if name in cls.descriptors else ()
        labels.append([f"≤{e:g}" for e in edges])
    return names, labels


def run_page(archive, run_id, round_number=None) -> dict:
    run = archive.run(run_id)
    rounds = archive.rounds(run["id"])
    champions = archive.champions(run["id"])
    numbers = [r["number"] for r in rounds]
    best = [r["best_fitness"] for r in rounds]
    mean_elite = [(r["stats"] or {}).get("mean_fitness") for r in rounds]
    series = {"champion's fitness": best}
    if any(v is not None for v in mean_elite):
        series["mean elite fitness"] = mean_elite
    fitness_svg = svg.line_chart(numbers, series, "round", "fitness")
    generality = _heldout_generality(archive, run, champions)
    generality_svg = (svg.line_chart([c["round"] for c in champions], {"held-out generality": generality},
                                     "round", "generality") if any(g is not None for g in generality) else None)
    shown = _chosen_round(rounds, round_number)
    grid = _grid(archive, run, shown) if shown else None
    weights = []
    for r in rounds:
        opponents = r["opponents"] or []
        w = r["opponent_weights"] or [1.0 / len(opponents)] * len(opponents) if opponents else []
        weights.append(dict(number=r["number"], pairs=list(zip(opponents, [round(x, 4) for x in w])),
                            uniform=r["opponent_weights"] is None, operators=r["operator_weights"]))
    from .diagnostics_view import cross_play_view
    return dict(run=run, replays=_has_replays(run["arena"]),
                config=json.dumps(run["config"], indent=2, sort_keys=True), rounds=rounds,
                champions=champions, fitness_svg=fitness_svg, generality_svg=generality_svg, grid=grid,
                shown_round=shown,
                weights=weights, cross_play=cross_play_view(archive, run["id"]),
                failures=len(archive.failures(run["id"])), llm_calls=len(archive.llm_calls(run["id"])))


def _heldout_generality(archive, run, champions) -> list[float | None]:
    """Per champion, the fraction of held-out opponents it beats or ties, from the results
    `redqueen eval`/`analyze` stored (the most common held-out evaluation among the champions);
    None where not evaluated. Only for arenas that use the default head-to-head rule."""
    from collections import Counter

    from redqueen.analysis.generality import TIE, outcomes
    from redqueen.arena import Arena
    from redqueen.registry import UnknownArena, arena_class
    try:
        if arena_class(run["arena"]).heldout_summary is not Arena.heldout_summary:
            return [None] * len(champions)
    except (UnknownArena, ImportError):
        return [None] * len(champions)
    rows = {c["program_id"]: archive.heldout_of(c["digest"]) for c in champions}
    keys = Counter((r["arena"], r["seeds_key"]) for found in rows.values() for r in found)
    if not keys:
        return [None] * len(champions)
    key = keys.most_common(1)[0][0]
    result = []
    for champion in champions:
        chosen = [r for r in rows[champion["program_id"]] if (r["arena"], r["seeds_key"]) == key]
        outcome = outcomes([r["fitness_a"] for r in chosen], [r["fitness_b"] for r in chosen])
        result.append(float((outcome >= TIE).mean()) if chosen else None)
    return result


def _has_replays(arena: str) -> bool:
    return bool(_replay_options(arena))


def _replay_options(arena: str) -> tuple[str, ...]:
    """What a replay of the arena's games can be given (its `replay_options`, e.g. seed or
    position); empty when the arena has no replays."""
    from redqueen.registry import UnknownArena, arena_class
    try:
        cls = arena_class(arena)
    except (UnknownArena, ImportError):
        return ()
    return tuple(getattr(cls, "replay_options", ("seed",))) if hasattr(cls, "replay_page") else ()


def _chosen_round(rounds, number):
    if not rounds:
        return None
    if number is not None:
        for r in rounds:
            if r["number"] == number:
                return r
    finished = [r for r in rounds if r["status"] == "finished"]
    return (finished or rounds)[-1]


def _grid(archive, run, round_row) -> dict:
    elites = archive.elites(round_row["id"])
    names, labels = _descriptor_axes(run)
    if not elites:
        return dict(svg='<p class="empty">no elites yet</p>', names=names, elites=0)
    cells = [tuple(e["cell"]) for e in elites]
    rows = max(max(c[0] for c in cells) + 1, len(labels[0]) if labels else 0)
    cols = max(max(c[1] for c in cells) + 1, len(labels[1]) if len(labels) > 1 else 0)
    values = [[None] * cols for _ in range(rows)]
    links = {}
    marked = None
    for e, (i, j) in zip(elites, cells):
        values[i][j] = e["fitness"]
        links[(i, j)] = f"/-/program/{e['program_id']}"
        if e["program_id"] == round_row["champion_id"]:
            marked = (i, j)
    row_labels = labels[0] if labels and len(labels[0]) >= rows else [str(i) for i in range(rows)]
    col_labels = labels[1] if len(labels) > 1 and len(labels[1]) >= cols else [str(j) for j in range(cols)]
    picture = svg.heatmap(values, row_labels, col_labels, marked=marked, links=links,
                          title=f"MAP-Elites grid of round {round_row['number']} (fitness; red frame: champion)",
                          x_label=names[1] if len(names) > 1 else "", y_label=names[0] if names else "")
    return dict(svg=picture, names=names, elites=len(elites), champion_cell=marked)


def program_page(archive, program_id) -> dict:
    program = archive.show(program_id)
    run = archive.run(program["run_id"])
    lineage = {key: archive.program(program[key]) for key in ("parent_id", "mate_id") if program[key]}
    opponents = [dict(id=c["program_id"], label=f"round {c['round']} champion: {c['name'] or c['program_id']}")
                 for c in archive.champions(run["id"])]
    opponents += [dict(id=i, label=f"initial program {i}") for i in archive.initial_program_ids(run["id"])]
    from redqueen.registry import UnknownArena, arena_class
    try:
        suffix = arena_class(run["arena"]).program_suffix
    except (UnknownArena, ImportError):
        suffix = ".txt"
    replays = _has_replays(run["arena"])
    replay_options = _replay_options(run["arena"])
    llm = program.get("llm_call")
    return dict(program=program, run=run, lineage=lineage, offspring=archive.offspring(program["id"]),
                heldout=archive.heldout_of(program["digest"]), opponents=opponents, suffix=suffix,
                replays=replays, replay_options=replay_options, llm=llm, llm_messages=llm["messages"] if llm else [])
