"""Search options of the loop: adaptive operator weights, carried elites, champion confirmation."""
from dataclasses import replace

import numpy as np
import pytest

from invariants import check_run
from loop_helpers import redqueen
from redqueen.db import Archive
from redqueen.loop import CONFIRM_TOP, RedQueen
from redqueen.mutators import make_mutator
from redqueen.operators import Operator, OperatorWeights
from tiny_run import CONFIGS
from tinygame import TinyArena


def _ops():
    noop = lambda *args: "R"
    return [Operator("a", "mutate", noop), Operator("b", "mutate", noop, prior=3.0),
            Operator("fresh", "new", noop), Operator("cross", "crossover", noop)]


def test_fixed_weights_are_the_normalised_priors():
    weights = OperatorWeights(_ops(), adaptive=False).weights(("mutate",))
    assert weights == pytest.approx({"a": 0.25, "b": 0.75})


def test_adaptive_weights_follow_successes_and_keep_a_floor():
    weights = OperatorWeights(_ops(), adaptive=True, floor=0.1)
    before = weights.weights(("mutate",))
    for _ in range(30):
        weights.credit("a", True)
        weights.credit("b", False)
    after = weights.weights(("mutate",))
    assert after["a"] > before["a"] and after["a"] > after["b"]
    assert after["b"] >= 0.1 / 2 and sum(after.values()) == pytest.approx(1.0)
    restored = OperatorWeights(_ops(), adaptive=True, floor=0.1)
    restored.restore(weights.state())
    assert restored.weights() == weights.weights()


def test_draws_respect_kinds_and_are_reproducible():
    weights = OperatorWeights(_ops())
    draw = lambda seed: [weights.draw(np.random.default_rng(seed), ("mutate", "crossover")).name for _ in range(20)]
    assert draw(3) == draw(3)
    assert set(draw(3)) <= {"a", "b", "cross"}


def run(tmp_path, name="strong", **changes):
    config, arena = replace(CONFIGS[name], **changes), TinyArena()
    archive = Archive(tmp_path / f"{name}.db")
    loop = RedQueen.start(archive, config, arena, make_mutator("builtin", arena, **config.mutator_options),
                          progress=False)
    loop.run()
    return archive, loop.run_id


def test_adaptive_operators_are_counted_and_recorded_per_round(tmp_path):
    archive, run_id = run(tmp_path)
    rounds = archive.rounds(run_id)
    for row in rounds:
        counts = row["stats"]["operators"]
        assert set(counts) == {"random", "mutate", "crossover"}
        assert all(0 <= successes <= trials for trials, successes in counts.values())
        assert row["operator_weights"] and sum(row["operator_weights"].values()) == pytest.approx(1.0)
    # counts carry over rounds: they only grow
    totals = [sum(t for t, _ in r["stats"]["operators"].values()) for r in rounds]
    assert totals == sorted(totals) and totals[-1] >= CONFIGS["strong"].rounds * CONFIGS["strong"].iters
    programs = archive.db.execute("SELECT count(*) FROM programs WHERE origin != 'initial'").fetchone()[0]
    assert programs > 0


def test_carried_elites_are_reevaluated_at_the_start_of_the_next_round(tmp_path):
    archive, run_id = run(tmp_path, confirm_seeds=0)
    rounds = archive.rounds(run_id)
    for previous, current in zip(rounds, rounds[1:]):
        carried = {e["program_id"] for e in archive.elites(previous["id"])}
        seeded = {row[0] for row in archive.db.execute(
            "SELECT program_id FROM evaluations WHERE round_id = ? AND iteration = 0", [current["id"]])}
        assert carried <= seeded


def test_confirmation_crowns_the_best_mean_over_all_seeds(tmp_path):
    archive, run_id = run(tmp_path, carry_elites=False)
    champions = {c["round"]: c for c in archive.champions(run_id)}
    for row in archive.rounds(run_id):
        confirmation = row["stats"]["confirmation"]
        assert 1 <= len(confirmation) <= CONFIRM_TOP
        champion = champions[row["number"]]
        assert str(champion["program_id"]) in confirmation
        assert champion["fitness"] == pytest.approx(max(confirmation.values()), abs=1e-6)


def test_without_the_options_rounds_have_no_search_records(tmp_path):
    archive, run_id = run(tmp_path, name="drq")
    for row in archive.rounds(run_id):
        assert "operators" not in row["stats"] and "confirmation" not in row["stats"]


@pytest.mark.parametrize("spec", ["nash", "pfsp"])
def test_weighted_opponents_come_from_the_recorded_cross_play(tmp_path, spec):
    archive, run_id = run(tmp_path, opponents=spec, carry_elites=False, confirm_seeds=0)
    arena = TinyArena()
    ids, matrix = archive.cross_play(run_id)
    champions = [c["program_id"] for c in archive.champions(run_id)]
    initial = archive.initial_program_ids(run_id)
    # every program that was ever an opponent is in the matrix, and the matrix is complete
    assert set(initial) | set(champions[:-1]) <= set(ids) and not np.isnan(matrix).any()
    # an entry is what a 1v1 between the two programs gives on the recorded seeds
    a, b = ids[0], ids[-1]
    seeds = archive.cross_play_seeds(run_id, b, a)
    parse = lambda pid: arena.parse(archive.program(pid)["source"])
    duel = arena.duel(parse(b), [parse(a)], seeds)
    assert matrix[ids.index(b), ids.index(a)] == pytest.approx(duel.fitness_a[0])
    assert matrix[ids.index(a), ids.index(b)] == pytest.approx(duel.fitness_b[0])
    for row in archive.rounds(run_id):
        weights = row["opponent_weights"]
        # an entry carries its program's weight shared among its entries; a program whose weight
        # earned no place is left out, with its weight
        assert len(weights) == len(row["opponents"]) and all(w > 0 for w in weights)
        assert sum(weights) <= 1 + 1e-5


def test_unknown_opponent_strategy_is_one_line(tmp_path):
    from redqueen.loop import ConfigError
    with pytest.raises(ConfigError, match="nashh"):
        run(tmp_path, opponents="nashh")


def test_an_exploiter_beats_its_champion_and_joins_later_opponents(tmp_path):
    archive, run_id = run(tmp_path, opponents="all", exploiters=24)
    arena, champions = TinyArena(), archive.champions(run_id)
    found = [row for row in champions if row["exploiter_id"] is not None]
    assert found, "no round of the tiny run found a program that beats its champion"
    for row in found:
        program = lambda pid: arena.parse(archive.program(pid)["source"])
        round_row = archive.round_row(run_id, row["round"])
        results = arena.duel(program(row["program_id"]), [program(row["exploiter_id"])], round_row["seeds"])
        assert results.fitness_b[0] > results.fitness_a[0]          # it does beat the champion
        assert round_row["stats"]["exploiter"]["digest"] == archive.program(row["exploiter_id"])["digest"]
        assert round_row["stats"]["exploiter"]["win_rate"] > 0.5
        later = [r["opponents"] for r in archive.rounds(run_id) if r["number"] > row["round"]]
        assert all(row["exploiter_id"] in opponents for opponents in later)
    table = redqueen("archive", "champions", run_id, "--db", tmp_path / "strong.db")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["round", "program", "exploiter"]
    assert lines[1 + found[0]["round"]].split()[2] == str(found[0]["exploiter_id"])


def test_without_exploiters_the_opponents_are_initial_programs_and_champions(tmp_path):
    archive, run_id = run(tmp_path, opponents="all", exploiters=0, elite_opponents=0, fresh_opponents=0)
    champions = archive.champions(run_id)
    assert all(row["exploiter_id"] is None for row in champions)
    last = archive.rounds(run_id)[-1]
    initial = archive.initial_program_ids(run_id)
    assert last["opponents"] == [*initial, *(row["program_id"] for row in champions[:-1])]


def test_elite_opponents_are_the_fittest_other_elites_of_each_earlier_round(tmp_path):
    archive, run_id = run(tmp_path, opponents="all", exploiters=0, elite_opponents=2, fresh_opponents=0)
    check_run(archive, run_id, TinyArena())
    initial, champions = archive.initial_program_ids(run_id), archive.champions(run_id)
    rounds = archive.rounds(run_id)
    last = rounds[-1]["opponents"]
    members = [*initial, *(row["program_id"] for row in champions[:-1])]
    assert last[:len(members)] == members
    added = last[len(members):]
    assert added, "no earlier round had an elite besides its champion"
    assert len(added) == len(set(added)) and not set(added) & set(members)
    earlier_elites = {e["program_id"] for row in rounds[:-1] for e in archive.elites(row["id"])}
    assert set(added) <= earlier_elites
    # the exact choice (each round's K fittest not listed before) is checked by check_run
    assert len(rounds[-1]["opponents"]) > len(rounds[1]["opponents"]) > len(rounds[0]["opponents"])
    result = redqueen("evolve", "--help")
    assert "--elite-opponents" in result.stdout


def test_fresh_opponents_are_drawn_once_per_round_and_played_by_every_later_round(tmp_path):
    archive, run_id = run(tmp_path, opponents="all", exploiters=0, elite_opponents=0, fresh_opponents=3)
    check_run(archive, run_id, TinyArena())
    rounds = archive.rounds(run_id)
    fresh = lambda number: [r["id"] for r in archive.db.query(
        "SELECT id FROM programs WHERE run_id = ? AND origin = 'fresh' AND round = ?", [run_id, number])]
    assert fresh(0) and not fresh(len(rounds) - 1)      # the last round draws for no later round
    for row in rounds:
        for number in range(row["number"]):
            assert set(fresh(number)) <= set(row["opponents"])
    # the same seed draws the same programs
    (tmp_path / "again").mkdir()
    again, again_id = run(tmp_path / "again", opponents="all", exploiters=0, elite_opponents=0, fresh_opponents=3)
    digests = lambda a, rid: sorted(r["digest"] for r in a.db.query(
        "SELECT digest FROM programs WHERE run_id = ? AND origin = 'fresh'", [rid]))
    assert digests(archive, run_id) == digests(again, again_id)
