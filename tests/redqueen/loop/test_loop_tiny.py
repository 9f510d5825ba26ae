"""The loop's mechanics on the tiny rock-paper-scissors arena, with the builtin mutator."""
import pytest

from invariants import check_run, replayed
from redqueen.db import Archive
from redqueen.loop import ConfigError
from tinygame import TinyArena, run_tiny


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "loop.db")
    yield archive
    archive.close()


def run(archive, **options):
    return run_tiny(archive, **{"rounds": 4, "iters": 30, **options})


@pytest.mark.parametrize("history", [None, 1, 0])
def test_rounds_follow_the_red_queen_rules(archive, history):
    run_id = run(archive, history=history)
    check_run(archive, run_id, TinyArena())
    rounds = archive.rounds(run_id)
    assert all(r["iterations"] == 30 for r in rounds)
    expected = {None: [1, 2, 3, 4], 1: [1, 2, 2, 2], 0: [1, 1, 1, 1]}[history]
    assert [len(r["opponents"]) for r in rounds] == expected


def test_duel_fitness_is_a_mode_of_its_own(archive):
    run_id = run(archive, fitness="duel", rounds=2)
    check_run(archive, run_id, TinyArena())
    assert {c["fitness_mode"] for c in archive.champions(run_id)} == {"duel"}


def test_the_same_seed_gives_the_same_run_and_another_seed_its_own(archive):
    first, second, other = run(archive), run(archive), run(archive, seed=12)
    sources = lambda r: [c["digest"] for c in archive.champions(r)]
    stats = lambda r: [replayed(row["stats"]) for row in archive.rounds(r)]
    assert sources(first) == sources(second) and stats(first) == stats(second)
    assert stats(first) != stats(other)


def test_a_reached_fitness_threshold_ends_the_round(archive):
    run_id = run(archive, fitness_threshold=0.0)
    assert [r["iterations"] for r in archive.rounds(run_id)] == [0, 0, 0, 0]
    check_run(archive, run_id, TinyArena())


def test_the_round_starts_from_seeded_opponents_and_new_programs(archive):
    run_id = run(archive, rounds=3, iters=0, n_init=3)
    for row in archive.rounds(run_id):
        evaluated = {e["program_id"] for e in archive.db.query(
            "SELECT program_id FROM evaluations WHERE round_id = ?", [row["id"]])}
        assert set(row["opponents"]) <= evaluated
        assert row["stats"]["candidates"] == 3


def test_unknown_descriptors_are_a_configuration_error(archive):
    with pytest.raises(ConfigError, match="descriptors must be two of length, variety"):
        run(archive, descriptors=("length", "colour"))
