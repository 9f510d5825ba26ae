"""PNG figures of an analysis, drawn with matplotlib's Agg backend (no display needed)."""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Sequence

import numpy as np


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _save(figure, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    _pyplot().close(figure)
    return path


def plot_generality(rounds: Sequence[float], per_run, path, run_labels: Sequence[str] = (),
                    title: str = "Held-out generality of champions", heldout: str = "") -> Path:
    """Generality per round: each run in its own colour (legend), the mean across runs, and the
    min–max band. `per_run` has shape (runs, rounds), NaN where a run has no champion; rounds
    that fewer runs reached are marked with their count. `heldout` names the held-out set in
    the title."""
    plt = _pyplot()
    values = np.atleast_2d(np.asarray(per_run, dtype=float))
    x = np.asarray(rounds, dtype=float)
    figure, axes = plt.subplots(figsize=(7, 4.2))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, run in enumerate(values):
        label = run_labels[index] if index < len(run_labels) else f"run {index + 1}"
        axes.plot(x, run, color=colours[index % len(colours)], linewidth=1, alpha=0.8, marker=".",
                  label=label if len(values) <= 10 else None)
    with warnings.catch_warnings():     # an all-NaN round (no run reached it) is left blank
        warnings.simplefilter("ignore", RuntimeWarning)
        mean, low, high = np.nanmean(values, 0), np.nanmin(values, 0), np.nanmax(values, 0)
    if len(values) > 1:
        axes.fill_between(x, low, high, color="0.5", alpha=0.15, label="min–max across runs")
        axes.plot(x, mean, color="black", linewidth=2, marker="o", markersize=3, label="mean across runs")
        covered = (~np.isnan(values)).sum(axis=0)
        for xi, count in zip(x, covered):
            if 0 < count < len(values):           # fewer runs reached this round: say how many
                axes.annotate(f"{count}/{len(values)} runs", (xi, -0.02), fontsize=7, ha="center",
                              va="bottom", color="firebrick")
    full_title = f"{title}\nagainst {heldout}" if heldout else title
    axes.set(xlabel="round", ylabel="fraction of held-out opponents beaten or tied", title=full_title,
             ylim=(-0.04, 1.02))
    axes.title.set_fontsize(10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    _integer_rounds(axes)
    return _save(figure, path)


def plot_generality_vs_cpu(cpu_minutes, generality, path, run_labels: Sequence[str] = (),
                           heldout: str = "") -> Path:
    """Each run's champion generality against the CPU minutes the run had spent by the end of
    the champion's round: a step at each round's end (the newest champion holds until the
    next). Arrays have shape (runs, rounds)."""
    plt = _pyplot()
    from .compute import run_points
    figure, axes = plt.subplots(figsize=(7, 4.2))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    cpu, values = np.atleast_2d(np.asarray(cpu_minutes, float)), np.atleast_2d(np.asarray(generality, float))
    for index, (row, run) in enumerate(zip(cpu, values)):
        x, y = run_points(row, run)
        label = run_labels[index] if index < len(run_labels) else f"run {index + 1}"
        axes.step(x, y, where="post", color=colours[index % len(colours)], linewidth=1.2, marker=".",
                  label=label if len(values) <= 10 else None)
    _generality_axes(axes, "Held-out generality of champions by CPU time spent", heldout)
    return _save(figure, path)


def plot_compute_comparison(configurations: Sequence[dict], path, heldout: str = "", budget: float | None = None
                            ) -> Path:
    """Configurations compared at equal CPU time: each (dict with label, cpu_minutes and
    generality arrays of shape (runs, rounds)) in its own colour, runs as thin steps and the
    median across runs as a thick line; `budget` (CPU minutes all runs reached) is marked."""
    plt = _pyplot()
    from .compute import run_points, median_curve
    figure, axes = plt.subplots(figsize=(7.5, 4.5))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, configuration in enumerate(configurations):
        colour = colours[index % len(colours)]
        cpu, values = configuration["cpu_minutes"], configuration["generality"]
        for row, run in zip(cpu, values):
            x, y = run_points(row, run)
            axes.step(x, y, where="post", color=colour, linewidth=0.8, alpha=0.45, marker=".", markersize=3)
        x, median = median_curve(cpu, values)
        axes.plot(x, median, color=colour, linewidth=2.8,
                  label=f"{configuration['label']} (median of {len(values)} runs)")
    if budget is not None and np.isfinite(budget):
        axes.axvline(budget, color="0.3", linestyle="--", linewidth=1, label=f"common budget {budget:.3g} min")
    _generality_axes(axes, "Held-out generality at equal CPU time", heldout)
    return _save(figure, path)


def _generality_axes(axes, title: str, heldout: str) -> None:
    axes.set(xlabel="CPU time spent by the run (minutes, user + system)",
             ylabel="fraction of held-out opponents beaten or tied",
             title=f"{title}\nagainst {heldout}" if heldout else title, ylim=(-0.04, 1.02))
    axes.set_xlim(left=0)
    axes.title.set_fontsize(10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)


def plot_variances(rounds: Sequence[float], series: dict[str, Sequence[float]], path,
                   title: str = "Variance across runs per round") -> Path:
    """One panel per named variance series (e.g. phenotype, genotype), each on its own scale."""
    plt = _pyplot()
    x = np.asarray(rounds, dtype=float)
    figure, panels = plt.subplots(1, max(1, len(series)), figsize=(5 * max(1, len(series)), 3.8), squeeze=False)
    for axes, (name, values) in zip(panels[0], series.items()):
        axes.plot(x, np.asarray(values, dtype=float), marker="o", markersize=3)
        axes.set(xlabel="round", ylabel="variance across runs", title=name)
        axes.set_ylim(bottom=0)         # from zero: a flat series must look flat
        axes.grid(alpha=0.3)
        _integer_rounds(axes)
    figure.suptitle(title)
    return _save(figure, path)


def plot_grid(grid, path, x_label: str, y_label: str, x_edges: Sequence[float] = (),
              y_edges: Sequence[float] = (), title: str = "MAP-Elites grid: fitness of each elite",
              marked: tuple[int, int] | None = None) -> Path:
    """A MAP-Elites grid as a heatmap: grid[i, j] is the elite's fitness in bin i of the first
    descriptor (x) and bin j of the second (y); NaN for empty cells, drawn blank. `marked` (the
    champion's cell) gets a red frame. Cell labels are black on light colours, white on dark."""
    plt = _pyplot()
    from matplotlib.patches import Rectangle
    values = np.asarray(grid, dtype=float)
    figure, axes = plt.subplots(figsize=(6.4, 5))
    image = axes.imshow(np.ma.masked_invalid(values.T), origin="lower", cmap="viridis", aspect="auto")
    figure.colorbar(image, ax=axes, label="fitness")
    if values.size <= 150:              # small grids: print each elite's fitness in its cell
        for (i, j), value in np.ndenumerate(values):
            if np.isfinite(value):
                red, green, blue, _ = image.cmap(image.norm(value))
                light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5
                axes.text(i, j, f"{value:.2f}", ha="center", va="center", fontsize=7,
                          color="black" if light else "white")
    if marked is not None:
        axes.add_patch(Rectangle((marked[0] - 0.5, marked[1] - 0.5), 1, 1, fill=False, edgecolor="red",
                                 linewidth=2.5, label="champion"))
        axes.legend(loc="upper right", fontsize=8)
    axes.set(xlabel=x_label, ylabel=y_label, title=title)
    _label_bins(axes.set_xticks, axes.set_xticklabels, x_edges, values.shape[0])
    _label_bins(axes.set_yticks, axes.set_yticklabels, y_edges, values.shape[1])
    return _save(figure, path)


def plot_cross_play(cycles: dict, path) -> Path:
    """A run's champions each against each: row champion's payoff against the column champion."""
    plt = _pyplot()
    values = np.asarray(cycles["cross_play"], dtype=float)
    labels = [f"r{r}" for r in cycles["rounds"]]
    figure, axes = plt.subplots(figsize=(1.6 + 0.45 * len(labels), 1.2 + 0.4 * len(labels)))
    image = axes.imshow(values, cmap="viridis")
    figure.colorbar(image, ax=axes, label="payoff (row against column)")
    if values.size <= 400:
        middle = np.nanmean(values) if values.size else 0
        for (i, j), value in np.ndenumerate(values):
            axes.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=6,
                      color="black" if value > middle else "white")
    axes.set_xticks(range(len(labels)), labels, fontsize=7, rotation=90)
    axes.set_yticks(range(len(labels)), labels, fontsize=7)
    axes.set(xlabel="opponent (champion of round)", ylabel="champion of round",
             title=f"Cross-play of run {cycles['run']}'s champions ({cycles['cross_play_source']})")
    return _save(figure, path)


def plot_red_queen(per_run: Sequence[dict], path) -> Path:
    """Progress versus cycling, per run and champion: does the newest beat all earlier ones,
    3-cycles so far, the Nash mixture's support and its weight on the newest champion."""
    plt = _pyplot()
    figure, panels = plt.subplots(1, 3, figsize=(13, 3.8))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, cycles in enumerate(per_run):
        steps = (cycles.get("red_queen") or {}).get("per_step", [])
        if not steps:
            continue
        colour = colours[index % len(colours)]
        x = [cycles["rounds"][s["newest"]] for s in steps]
        label = f"run {cycles['run']}"
        panels[0].plot(x, [s["nash_weight_newest"] for s in steps], marker="o", color=colour, label=label)
        panels[1].plot(x, [s["nash_support"] for s in steps], marker="o", color=colour, label=label)
        panels[2].plot(x, [s["three_cycles"] for s in steps], marker="o", color=colour, label=label)
        beaten = [xi for xi, s in zip(x, steps) if s["beats_all_earlier"]]
        panels[0].scatter(beaten, [1.04] * len(beaten), marker="^", color=colour)
    titles = ["Nash weight on the newest champion\n(▲: it beats every earlier one)",
              "Nash support size", "intransitive 3-cycles so far"]
    for axes, title in zip(panels, titles):
        axes.set(xlabel="round of the newest champion", title=title)
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
        _integer_rounds(axes)
    panels[0].set_ylim(-0.02, 1.1)
    from matplotlib.ticker import MaxNLocator
    for axes in panels[1:]:
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(bottom=0)
    return _save(figure, path)


def _integer_rounds(axes) -> None:
    from matplotlib.ticker import MaxNLocator
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))


def _label_bins(set_ticks, set_labels, edges: Sequence[float], count: int) -> None:
    """Tick each bin with its upper edge ('≤ e'; the last, unbounded, as '> previous')."""
    if len(edges) != count:
        return
    labels = [f"≤{edge:g}" if np.isfinite(edge) else f">{edges[i - 1]:g}" if i else "all"
              for i, edge in enumerate(edges)]
    set_ticks(range(count))
    set_labels(labels, fontsize=7, rotation=45 if count > 8 else 0)
