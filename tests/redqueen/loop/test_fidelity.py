"""The options that make a run follow the DRQ study's definitions: descriptor binning, the
battle-seed schedule, the fitness-threshold rule. Expected bins come from each rule's own
statement (counting edges), not from the code under test."""
import json

import numpy as np
import pytest

from invariants import check_run
from loop_helpers import redqueen
from redqueen import fidelity
from redqueen.arena import Descriptor
from redqueen.db import Archive
from redqueen.loop import ConfigError, RunConfig
from tinygame import TinyArena, run_tiny

INF = float("inf")
SPAWNED_EDGES = (1, 10, 100, 1000, 10000, INF)     # the study's process-count edges


def study_bin(value, edges):
    """The study's rule in words: the first bin whose edge is above the value."""
    return next(i for i, edge in enumerate(edges) if value < edge)


def inclusive_bin(value, edges):
    """redqueen's default: the first bin whose edge is at or above the value."""
    return next(i for i, edge in enumerate(edges) if value <= edge)


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "fidelity.db")
    yield archive
    archive.close()


def run(archive, **options):
    return run_tiny(archive, **{"rounds": 3, "iters": 20, **options})


# ---- binning ---------------------------------------------------------------------------------

def test_an_edge_value_goes_up_under_the_study_rule_and_stays_under_the_inclusive_rule():
    values = [0, 0.5, 1, 1.5, 9.99, 10, 10.01, 100, 999, 1000, 9999, 10000, 10001, 1e9]
    for rule, expected in (("study", study_bin), ("inclusive", inclusive_bin)):
        descriptor = Descriptor("spawned", SPAWNED_EDGES, binning=rule)
        assert [descriptor.bin(v) for v in values] == [expected(v, SPAWNED_EDGES) for v in values]
    assert Descriptor("spawned", SPAWNED_EDGES).bin(10) == 1           # the default is inclusive
    assert Descriptor("spawned", SPAWNED_EDGES, binning="study").bin(10) == 2


def test_values_beyond_the_last_edge_stay_in_the_grid():
    for rule in fidelity.BINNING:
        assert Descriptor("x", (1, INF), binning=rule).bin(INF) == 1


@pytest.mark.parametrize("rule, expected", [("study", study_bin), ("inclusive", inclusive_bin)])
def test_a_run_places_every_candidate_by_its_binning_rule(archive, rule, expected):
    run_id = run(archive, binning=rule)
    check_run(archive, run_id, TinyArena())
    arena, on_edge = TinyArena(), 0
    for row in archive.db.query("SELECT descriptors, cell FROM evaluations WHERE run_id = ?", [run_id]):
        values = json.loads(row["descriptors"])
        cell = [expected(values[n], arena.descriptors[n].edges) for n in arena.default_descriptors]
        assert json.loads(row["cell"]) == cell
        on_edge += values["length"] in arena.descriptors["length"].edges
    assert on_edge > 0      # the rules were told apart: some lengths sit exactly on an edge


# ---- seeds -------------------------------------------------------------------------------------

def test_a_fixed_schedule_plays_the_same_seeds_in_every_round_and_run(archive):
    first = run(archive, seed_schedule="fixed")
    other = run(archive, seed_schedule="fixed", seed=99)
    seeds = [r["seeds"] for r in archive.rounds(first) + archive.rounds(other)]
    assert all(s == seeds[0] for s in seeds) and len(set(seeds[0])) == 4
    assert seeds[0] == fidelity.fixed_seeds(4) == fidelity.fixed_seeds(10)[:4]
    check_run(archive, first, TinyArena())


def test_the_default_schedule_draws_new_seeds_each_round(archive):
    seeds = [r["seeds"] for r in archive.rounds(run(archive))]
    assert len({tuple(s) for s in seeds}) == len(seeds)


def test_the_schedule_leaves_the_rest_of_the_run_randomness_alone(archive):
    # Same run seed: the MAP-Elites draws (new or mutate, which parent) are the same, so round 0
    # proposes the same candidates whichever seeds its battles use.
    proposed = []
    for schedule in fidelity.SEED_SCHEDULES:
        run_id = run(archive, seed_schedule=schedule, rounds=1)
        proposed.append([r["digest"] for r in archive.db.query(
            "SELECT digest FROM programs WHERE run_id = ? ORDER BY id", [run_id])])
    assert proposed[0] == proposed[1]


# ---- the fitness threshold --------------------------------------------------------------------

def test_threshold_rules_differ_only_on_equality():
    assert fidelity.threshold_reached(0.8, 0.8, "at-least")
    assert not fidelity.threshold_reached(0.8, 0.8, "exceeds")
    assert fidelity.threshold_reached(0.81, 0.8, "exceeds")
    assert not fidelity.threshold_reached(0.79, 0.8, "at-least")


def test_a_round_goes_on_at_the_threshold_under_the_study_rule(archive):
    # A share of all points is at most 1: under "exceeds" a threshold of 1 is never passed,
    # even by a champion that reaches it; under "at-least" reaching it ends the round.
    exceeds = run(archive, fitness_threshold=1.0, threshold_rule="exceeds")
    assert [r["iterations"] for r in archive.rounds(exceeds)] == [20, 20, 20]
    assert max(c["fitness"] for c in archive.champions(exceeds)) == 1.0
    at_least = run(archive, fitness_threshold=1.0)
    assert any(r["iterations"] < 20 for r in archive.rounds(at_least))


# ---- configuration ----------------------------------------------------------------------------

@pytest.mark.parametrize("option", ["binning", "seed_schedule", "threshold_rule"])
def test_unknown_values_are_a_configuration_error(archive, option):
    with pytest.raises(ConfigError, match=f"unknown {option} 'sideways'"):
        run(archive, **{option: "sideways"})


def test_runs_stored_before_these_options_resume_with_the_defaults():
    config = RunConfig.from_json({"arena": "tiny", "rounds": 2})
    assert (config.binning, config.seed_schedule, config.threshold_rule) == ("inclusive", "per-round", "at-least")


def test_the_cli_stores_the_options_and_refuses_unknown_values(tmp_path):
    db = tmp_path / "cli.db"
    out = redqueen("evolve", "--rounds", "1", "--iters", "0", "--seeds", "3", "--n-init", "1", "-q",
                   "--binning", "study", "--seed-schedule", "fixed", "--threshold-rule", "exceeds",
                   "-A", "maxcycles=2000", "--db", db)
    assert out.returncode == 0, out.stderr
    archive = Archive(db)
    try:
        [stored] = archive.runs()
        config = RunConfig.from_json(archive.run(stored["id"])["config"])
        assert (config.binning, config.seed_schedule, config.threshold_rule) == ("study", "fixed", "exceeds")
        assert archive.rounds(stored["id"])[0]["seeds"] == fidelity.fixed_seeds(3)
    finally:
        archive.close()
    bad = redqueen("evolve", "--binning", "sideways", "--db", tmp_path / "bad.db")
    assert bad.returncode == 2 and "sideways" in bad.stderr
    assert not np.any([p.name == "bad.db" for p in tmp_path.iterdir()])
