"""The convergence analysis end to end on real runs of the loop (tiny rock-paper-scissors
arena, builtin mutator) in a real SQLite archive."""
import json

import numpy as np
import pytest
from tinygame import TinyArena

from redqueen.analysis.convergence import AnalysisOptions, analyze, write_plots
from redqueen.analysis.runs import AnalysisError
from redqueen.cli.analyze import report_lines
from redqueen.db import Archive
from redqueen.loop import RedQueen, RunConfig
from redqueen.mutators import make_mutator

from .test_heldout import ScoreRuleArena
from .test_plots import assert_png


@pytest.fixture(scope="module")
def archive_with_runs(tmp_path_factory):
    directory = tmp_path_factory.mktemp("convergence")
    archive = Archive(directory / "runs.db")
    arena = TinyArena()
    run_ids = []
    for seed in (1, 2, 3):
        config = RunConfig(arena="tiny", rounds=4, iters=20, seeds=3, n_init=3, batch=5, seed=seed)
        run_ids.append(RedQueen.start(archive, config, arena, make_mutator("builtin", arena), progress=False).run())
    heldout = directory / "heldout"
    heldout.mkdir()
    for name, throws in [("rock", "R"), ("paper", "P"), ("scissors", "S"), ("cycle", "R P S"), ("pp", "P P R")]:
        (heldout / f"{name}.rps").write_text(throws + "\n")
    yield archive, run_ids, heldout
    archive.close()


def test_report_covers_every_round_of_every_run(archive_with_runs, tmp_path):
    archive, run_ids, heldout = archive_with_runs
    options = AnalysisOptions(against=str(heldout), seeds=4, dimensions=4, progress=False)
    analysis = analyze(archive, run_ids, options, arena=TinyArena())
    report = analysis.report
    assert analysis.generality.shape == (3, 4) and analysis.phenotypes.shape == (3, 4, 5)
    assert [row["round"] for row in report["per_round"]] == [0, 1, 2, 3]
    assert all(row["runs"] == 3 for row in report["per_round"])
    # per-round figures agree with the arrays they summarise
    for index, row in enumerate(report["per_round"]):
        assert row["generality_mean"] == pytest.approx(np.mean(analysis.generality[:, index]))
        expected = np.mean(np.var(analysis.phenotypes[:, index, :], axis=0))
        assert row["phenotype_variance"] == pytest.approx(expected)
    assert len(report["champions"]) == 12
    assert report["best"]["generality"] == max(c["generality"] for c in report["champions"])
    assert {c["run"] for c in report["cycles"]} == set(run_ids)
    for cycles in report["cycles"]:
        assert 0 <= cycles["three_cycles"] <= cycles["triads"]
        assert 0 <= cycles["decided_pairs"] <= cycles["pairs"]
    assert set(report["trends"]["generality_mean"]) == {"linear", "log"}
    # each run's own fit, checked against a direct least-squares fit of its champions' generality
    assert set(report["run_trends"]) == {str(run) for run in run_ids}
    for run in run_ids:
        rounds_values = sorted((c["round"], c["generality"]) for c in report["champions"] if c["run"] == run)
        x = np.log([r + 1 for r, _ in rounds_values])
        slope = np.polyfit(x, [g for _, g in rounds_values], 1)[0]
        assert report["run_trends"][str(run)]["log"]["slope"] == pytest.approx(slope, abs=1e-12)
        assert report["run_trends"][str(run)]["log"]["points"] == 4
    json.dumps(report)                                  # JSON-serialisable as it is
    grid = analysis.grid
    assert grid["round"] == 3 and grid["values"].shape == (5, 3) and grid["filled"] >= 1
    for path in write_plots(analysis, tmp_path / "plots"):
        assert_png(path)
    text = "\n".join(report_lines(report))
    assert "linear probe genotype -> generality" in text and "best champion: run" in text
    assert text.count("intransitive 3-cycles") == 3
    assert "generality per run (x = round + 1)" in text


def test_generality_matches_a_direct_count(archive_with_runs):
    """A champion's generality equals the share of held-out throws its duels beat or tie."""
    archive, run_ids, heldout = archive_with_runs
    arena = TinyArena()
    analysis = analyze(archive, run_ids[:1], AnalysisOptions(against=str(heldout), seeds=4, cycles=False,
                                                             progress=False), arena=arena)
    from redqueen.heldout import default_seeds, load_heldout
    opponents = load_heldout(arena, heldout).programs
    for champion in analysis.report["champions"]:
        program = arena.parse(archive.program(champion["program_id"])["source"])
        duel = arena.duel(program, opponents, default_seeds(4))
        assert champion["generality"] == pytest.approx(np.mean(duel.fitness_a >= duel.fitness_b))


def test_generality_follows_the_arenas_rule(archive_with_runs):
    """An arena that defines generality otherwise gets its rule in the per-round figures and the probe."""
    archive, run_ids, heldout = archive_with_runs
    arena = ScoreRuleArena()
    analysis = analyze(archive, run_ids[:2], AnalysisOptions(against=str(heldout), seeds=4, cycles=False,
                                                             progress=False), arena=arena)
    report = analysis.report
    assert report["generality_rule"] == "half-the-points"
    from redqueen.heldout import default_seeds, load_heldout
    opponents = load_heldout(arena, heldout).programs
    for champion in report["champions"]:
        program = arena.parse(archive.program(champion["program_id"])["source"])
        duel = arena.duel(program, opponents, default_seeds(4))
        assert champion["generality"] == pytest.approx(np.mean(duel.fitness_a >= 0.5))
        assert champion["generality_rule"] == "half-the-points" and "per_opponent" not in champion
    values = [c["generality"] for c in report["champions"] if c["round"] == analysis.rounds[0]]
    assert report["per_round"][0]["generality_mean"] == pytest.approx(np.mean(values))
    assert "(half-the-points generality)" in "\n".join(report_lines(report))


def test_runs_of_another_arena_are_refused(archive_with_runs):
    archive, run_ids, heldout = archive_with_runs

    class OtherArena(TinyArena):
        name = "other"

    with pytest.raises(AnalysisError, match="played in tiny"):
        analyze(archive, run_ids, AnalysisOptions(against=str(heldout), progress=False), arena=OtherArena())


def test_red_queen_diagnostics_follow_the_champions_cross_play(archive_with_runs, tmp_path):
    archive, run_ids, heldout = archive_with_runs
    options = AnalysisOptions(against=str(heldout), seeds=4, dimensions=4, progress=False)
    analysis = analyze(archive, run_ids[:1], options, arena=TinyArena())
    (cycles,) = analysis.report["cycles"]
    fitness = np.asarray(cycles["cross_play"])
    steps = cycles["red_queen"]["per_step"]
    assert cycles["champions"] >= 2 and len(steps) == cycles["champions"] - 1
    for step in steps:
        k = step["newest"]
        assert step["beats_all_earlier"] == bool((fitness[k, :k] > fitness[:k, k] + 1e-9).all())
        assert sum(step["nash"]) == pytest.approx(1.0) and step["nash_support"] == sum(w > 0 for w in step["nash"])
    assert sum(cycles["red_queen"]["alpha_rank"]) == pytest.approx(1.0)
    names = {p.name for p in write_plots(analysis, tmp_path)}
    assert {"red_queen.png", f"cross_play_run{run_ids[0]}.png"} <= names
    text = "\n".join(report_lines(analysis.report))
    assert "progress or cycling" in text
