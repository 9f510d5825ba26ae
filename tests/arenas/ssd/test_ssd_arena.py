"""The Gathering and Cleanup arenas through their sandbox: fitness modes, metrics, feedback,
held-out generality, `arena play --json` and offline Red Queen runs."""
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from redqueen.arena import Evaluation
from redqueen.options import OptionError

from arenas.cleanup.arena import CleanupArena
from arenas.gathering.arena import GatheringArena
from arenas.ssd.metrics import METRICS

REPO = Path(__file__).resolve().parents[3]
PROGRAMS = REPO / "arenas" / "ssd" / "programs"
HELDOUT = REPO / "arenas" / "ssd" / "heldout"
SEEDS = [1, 2]


@pytest.fixture(scope="module")
def cleanup():
    arena = CleanupArena(workers=1, agents=4, focal=1, steps=150, progress=False)
    yield arena
    arena.close()


@pytest.fixture(scope="module")
def gathering():
    arena = GatheringArena(workers=1, agents=4, steps=100, map="small", progress=False, feedback="dense")
    yield arena
    arena.close()


def load(arena, folder, name):
    path = folder / f"{name}.py"
    return arena.parse(path.read_text(), origin=str(path))


def test_fitness_modes_agree_with_the_returns_they_summarise(cleanup):
    cleaner, greedy = load(cleanup, PROGRAMS, "clean_then_harvest"), load(cleanup, HELDOUT, "greedy_harvester")
    focal, = cleanup.evaluate([cleaner], [greedy], SEEDS, fitness="focal")
    welfare, = cleanup.evaluate([cleaner], [greedy], SEEDS, fitness="welfare")
    duel = cleanup.duel(cleaner, [greedy], SEEDS)
    # One focal agent among three background agents: welfare is everyone's apples per episode.
    assert focal.fitness == pytest.approx(duel.fitness_a[0])
    assert welfare.fitness == pytest.approx(duel.fitness_a[0] * 1 + duel.fitness_b[0] * 3)
    mean_returns = duel.details["mean_returns"][0]
    assert focal.fitness == pytest.approx(mean_returns[0]) and len(mean_returns) == 4
    selfplay, = cleanup.evaluate([greedy], [], SEEDS, fitness="selfplay")
    homogeneous = cleanup.duel(greedy, [greedy], SEEDS)
    assert selfplay.fitness == pytest.approx(np.mean(homogeneous.details["mean_returns"][0]))
    for evaluation in (focal, welfare, selfplay):
        assert set(evaluation.details["metrics"]) == set(METRICS)
        assert evaluation.details["metrics"]["efficiency"] > 0
    # efficiency = all apples / steps
    assert welfare.details["metrics"]["efficiency"] == pytest.approx(welfare.fitness / 150)


def test_an_invalid_action_forfeits_and_is_reported(gathering):
    bad = gathering.parse("def policy(grid, positions, orientations, timeouts, me, step):\n"
                          "    if step == 50:\n        return 8\n    return 4\n", origin="bad.py")
    greedy = load(gathering, HELDOUT, "greedy_harvester")
    evaluation, = gathering.evaluate([bad], [greedy], SEEDS)
    assert evaluation.fitness == 0 and evaluation.details["faults"][0]["side"] == "a"
    assert "returned 8" in evaluation.details["faults"][0]["reason"]


def test_dense_feedback_adds_exactly_the_metrics(gathering):
    evaluation = Evaluation(1.0, {}, {"metrics": {"efficiency": 0.5, "equality": 0.25,
                                                  "sustainability": 40.0, "peace": 3.5}})
    notes = gathering.feedback_notes(evaluation)
    assert "efficiency 0.500" in notes and "equality 0.250" in notes and "peace 3.500" in notes
    sparse = GatheringArena(workers=1, agents=4, steps=100, map="small", progress=False)
    assert sparse.feedback_notes(evaluation) == "" and sparse.feedback_kind == "sparse"
    with pytest.raises(OptionError):
        GatheringArena(feedback="chatty")
    with pytest.raises(OptionError):
        GatheringArena(agents=4, focal=4)
    with pytest.raises(OptionError):
        GatheringArena(map="huge")


def test_heldout_summary_compares_focal_with_resident_returns(gathering):
    populations = gathering.heldout_opponents()
    assert len(populations) == 6
    program = load(gathering, PROGRAMS, "nearest_apple")
    chosen = [p for p in populations if p.name in ("random_agent", "greedy_harvester")]
    results = gathering.duel(program, chosen, SEEDS)
    summary = gathering.heldout_summary(results, chosen, SEEDS)
    assert summary["generality_rule"] == "focal-vs-resident"
    by_name = dict(zip([p.name for p in chosen], summary["per_opponent"]))
    # Among random agents, walking to apples beats what random agents earn in those slots.
    assert by_name["random_agent"]["matched"]
    assert by_name["random_agent"]["focal_per_capita"] > by_name["random_agent"]["resident_per_capita"]
    for row in summary["per_opponent"]:
        assert row["matched"] == (row["focal_per_capita"] >= row["resident_per_capita"] - 1e-9)


def redqueen(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "redqueen", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


def test_arena_play_json_prints_returns_and_metrics():
    result = redqueen("arena", "play", "--arena", "cleanup", "-A", "agents=4", "-A", "steps=100", "--seeds", "2",
                      "--json", PROGRAMS / "clean_then_harvest.py", HELDOUT / "greedy_harvester.py",
                      HELDOUT / "free_rider.py")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert [o["name"] for o in report["opponents"]] == ["greedy_harvester", "free_rider"]
    assert set(report["details"]["metrics"][0]) == set(METRICS)
    assert len(report["details"]["mean_returns"][1]) == 4


@pytest.mark.slow
@pytest.mark.parametrize("arena, options", [("gathering", ["-A", "map=small"]), ("cleanup", [])])
def test_offline_red_queen_run(tmp_path, arena, options):
    db = tmp_path / "run.db"
    result = redqueen("evolve", "--arena", arena, *options, "-A", "agents=4", "-A", "steps=60", "-A", "workers=1",
                      "--mutator", "builtin", "--rounds", "2", "--iters", "4", "--seeds", "2", "--n-init", "4",
                      "--batch", "4", "--db", db, "-q")
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(db) as connection:
        details = [json.loads(row[0]) for row in connection.execute("SELECT details FROM evaluations")]
    assert len(details) > 2 and all(set(METRICS) <= set(d["metrics"]) for d in details)


def test_sparse_and_dense_mutation_feedback_differ_exactly_by_the_metrics():
    """The loop's feedback text for one parent, with each arena option (no games needed)."""
    import difflib
    from types import SimpleNamespace

    from redqueen.loop import RedQueen
    from redqueen.map_elites import Elite

    metrics = {"efficiency": 0.75, "equality": 0.5, "sustainability": 420.0, "peace": 9.0}
    parent = Elite(key=1, program=None, evaluation=Evaluation(2.5, {}, {"metrics": metrics}), cell=(0, 0))
    state = SimpleNamespace(opponent_ids=[7, 8])
    texts = {}
    for kind in ("sparse", "dense"):
        loop = RedQueen.__new__(RedQueen)
        loop.arena = GatheringArena(workers=1, progress=False, feedback=kind)
        texts[kind] = loop._feedback(parent, state).splitlines()
    added = [line for line in difflib.ndiff(texts["sparse"], texts["dense"]) if line[:2] in ("+ ", "- ")]
    assert len(added) == 1 and added[0].startswith("+ ")
    assert all(f"{name} {value:.3f}" in added[0] for name, value in metrics.items())
    assert "fitness 2.500" in texts["sparse"][0]
