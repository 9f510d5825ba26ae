"""Generality against CPU time: the cumulative CPU minutes read from the rounds' statistics,
the step curves and medians drawn from them, and the figure."""
import numpy as np
import pytest
from tinygame import TinyArena

from redqueen.analysis.compute import (common_budget, cumulative_cpu_minutes, generality_at, median_curve,
                                       summarize)
from redqueen.analysis.convergence import AnalysisOptions, analyze, write_plots
from redqueen.analysis.plots import plot_compute_comparison, plot_generality_vs_cpu
from redqueen.db import Archive
from redqueen.loop import RedQueen, RunConfig
from redqueen.mutators import make_mutator

from .test_plots import assert_png


@pytest.fixture
def archive_with_runs(tmp_path):
    archive, arena = Archive(tmp_path / "runs.db"), TinyArena()
    run_ids = []
    for seed in (1, 2):
        config = RunConfig(arena="tiny", rounds=3, iters=10, seeds=3, n_init=3, batch=5, seed=seed)
        run_ids.append(RedQueen.start(archive, config, arena, make_mutator("builtin", arena), progress=False).run())
    heldout = tmp_path / "heldout"
    heldout.mkdir()
    for name, throws in [("rock", "R"), ("paper", "P"), ("cycle", "R P S")]:
        (heldout / f"{name}.rps").write_text(throws + "\n")
    yield archive, run_ids, heldout
    archive.close()


def test_the_analysis_has_each_runs_cumulative_cpu_and_draws_it(archive_with_runs, tmp_path):
    archive, run_ids, heldout = archive_with_runs
    analysis = analyze(archive, run_ids, AnalysisOptions(against=str(heldout), seeds=2, dimensions=2,
                                                        progress=False, cycles=False), arena=TinyArena())
    for row, run_id in zip(analysis.cpu_minutes, run_ids):
        spent = [r["stats"]["cpu_s"] for r in archive.rounds(run_id)]
        assert all(s > 0 for s in spent)
        assert row == pytest.approx(np.cumsum(spent) / 60)
        assert (np.diff(row) > 0).all()
    assert analysis.report["cpu_minutes"][str(run_ids[0])] == pytest.approx(list(analysis.cpu_minutes[0]), abs=1e-4)
    paths = {p.name: p for p in write_plots(analysis, tmp_path / "plots")}
    assert_png(paths["generality_vs_cpu.png"])


def test_rounds_without_cpu_time_are_unknown_and_not_drawn(archive_with_runs, tmp_path):
    """An archive written before rounds measured CPU time: no figure rather than a wrong one."""
    archive, run_ids, heldout = archive_with_runs
    with archive.transaction():
        archive.db.execute("UPDATE rounds SET stats = json_remove(stats, '$.cpu_s') WHERE run_id = ? AND number = 1",
                           [run_ids[0]])
    cpu = cumulative_cpu_minutes(archive, run_ids, [0, 1, 2])
    assert np.isfinite(cpu[0, 0]) and np.isnan(cpu[0, 1:]).all() and np.isfinite(cpu[1]).all()
    with archive.transaction():
        archive.db.execute("UPDATE rounds SET stats = json_remove(stats, '$.cpu_s')")
    analysis = analyze(archive, run_ids, AnalysisOptions(against=str(heldout), seeds=2, dimensions=2,
                                                        progress=False, cycles=False), arena=TinyArena())
    assert np.isnan(analysis.cpu_minutes).all()
    assert "generality_vs_cpu.png" not in {p.name for p in write_plots(analysis, tmp_path)}


def test_generality_at_a_cpu_time_is_the_newest_champion_by_then():
    cpu, generality = [1.0, 2.0, 4.0], [0.2, 0.5, 0.4]
    at = generality_at(cpu, generality, [0.5, 1.0, 3.0, 10.0])
    assert np.isnan(at[0]) and list(at[1:]) == [0.2, 0.5, 0.4]


def test_the_median_is_taken_where_every_run_has_a_champion():
    cpu = np.array([[1.0, 2.0, 4.0], [0.5, 3.0, 5.0], [1.5, 2.5, 3.5]])
    generality = np.array([[0.2, 0.5, 0.4], [0.1, 0.3, 0.9], [0.6, 0.7, 0.8]])
    x, median = median_curve(cpu, generality, points=5)
    assert list(x) == [1.5, 2.0, 2.5, 3.0, 3.5]           # all three started .. the shortest stopped
    # by hand: at 1.5 the runs hold 0.2, 0.1, 0.6; at 2.0 0.5, 0.1, 0.6; at 3.0 0.5, 0.3, 0.7
    assert list(median) == [0.2, 0.5, 0.5, 0.5, 0.5]
    budget = common_budget([(cpu, generality), (cpu[:1] * 2, generality[:1])])
    assert budget == 3.5
    summary = summarize("a", cpu, generality, budget)
    assert summary.runs == 3 and summary.best_generality == 0.9
    assert summary.cpu_minutes_end == pytest.approx(12.5 / 3)
    assert summary.last_generality_mean == pytest.approx((0.4 + 0.9 + 0.8) / 3)
    assert summary.generality_at_budget == 0.5            # median of 0.5, 0.3, 0.8


def test_the_figures_are_written(tmp_path):
    cpu = np.array([[1.0, 2.0, 4.0], [0.5, 3.0, np.nan]])
    generality = np.array([[0.2, 0.5, 0.4], [0.1, 0.3, np.nan]])
    assert_png(plot_generality_vs_cpu(cpu, generality, tmp_path / "one.png", run_labels=["a", "b"]))
    configurations = [dict(label="drq", cpu_minutes=cpu, generality=generality),
                      dict(label="strong", cpu_minutes=cpu * 1.5, generality=generality + 0.1)]
    assert_png(plot_compute_comparison(configurations, tmp_path / "both.png", heldout="set", budget=3.0))
