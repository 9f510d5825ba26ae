"""Held-out evaluation through the Python API, on the tiny rock-paper-scissors arena whose
outcomes are known by hand (paper beats rock, ties paper, loses to scissors), with a real
SQLite archive."""
import numpy as np
import pytest
from tinygame import TinyArena

from redqueen.db import Archive
from redqueen.heldout import (HeldoutError, HeldoutStore, default_seeds, evaluate_heldout,
                              load_heldout)


@pytest.fixture
def heldout_dir(tmp_path):
    directory = tmp_path / "heldout"
    directory.mkdir()
    (directory / "rock.rps").write_text("R\n")
    (directory / "paper.rps").write_text("P\n")
    (directory / "scissors.rps").write_text("S\n")
    (directory / "broken.rps").write_text("R\nQ\n")
    (directory / "notes.txt").write_text("not a program\n")
    return directory


def test_rejected_files_are_listed_with_their_reason(heldout_dir):
    heldout = load_heldout(TinyArena(), heldout_dir)
    assert sorted(heldout.labels) == ["hand-P", "hand-R", "hand-S"]   # names: these programs have no file name
    assert len(heldout.skipped) == 1
    file, reason = heldout.skipped[0]
    assert file.endswith("broken.rps") and ":2:" in reason and "'Q'" in reason


def test_missing_or_empty_directory_is_one_clear_error(tmp_path):
    with pytest.raises(HeldoutError, match="no such directory"):
        load_heldout(TinyArena(), tmp_path / "absent")
    with pytest.raises(HeldoutError, match="no usable"):
        load_heldout(TinyArena(), tmp_path)


def test_generality_of_pure_strategies(heldout_dir):
    arena = TinyArena()
    heldout = load_heldout(arena, heldout_dir)
    order = {label: i for i, label in enumerate(heldout.labels)}
    programs = [arena.parse("P"), arena.parse("R"), arena.parse("S")]
    results = evaluate_heldout(arena, programs, heldout, default_seeds(5), progress=False)
    paper = results[0]
    assert paper.results.wins[order["hand-R"]] == 5
    assert paper.results.ties[order["hand-P"]] == 5
    assert paper.results.losses[order["hand-S"]] == 5
    assert paper.summary["generality"] == pytest.approx(2 / 3)     # beats rock, ties paper
    assert paper.summary["beaten"] == pytest.approx(1 / 3)
    for result in results:                                      # the game is symmetric
        assert result.summary["generality"] == pytest.approx(2 / 3)


def test_results_are_stored_and_not_played_again(heldout_dir, tmp_path):
    arena = TinyArena()
    heldout = load_heldout(arena, heldout_dir)
    seeds = default_seeds(4)
    archive = Archive(tmp_path / "runs.db")
    store = HeldoutStore(archive)
    programs = [arena.parse("P R"), arena.parse("S S P")]
    first = evaluate_heldout(arena, programs, heldout, seeds, store=store, progress=False)
    assert [r.played for r in first] == [3, 3]
    count = archive.db.execute("SELECT count(*) FROM heldout_results").fetchone()[0]
    assert count == 6
    again = evaluate_heldout(arena, programs + [programs[0]], heldout, seeds, store=store, progress=False)
    assert [r.played for r in again] == [0, 0, 0]
    for before, after in zip(first, again):
        assert np.array_equal(before.results.fitness_a, after.results.fitness_a)
        assert before.summary == after.summary
    other_seeds = evaluate_heldout(arena, programs[:1], heldout, default_seeds(4, base=1), store=store,
                                   progress=False)
    assert other_seeds[0].played == 3                            # different seeds: new games


def test_duplicate_opponents_are_each_counted(heldout_dir):
    (heldout_dir / "rock_again.rps").write_text("R  # the same program as rock.rps\n")
    arena = TinyArena()
    heldout = load_heldout(arena, heldout_dir)
    result = evaluate_heldout(arena, [arena.parse("P")], heldout, default_seeds(3), progress=False)[0]
    assert result.played == 3 and len(heldout) == 4
    assert result.summary["generality"] == pytest.approx(3 / 4)     # both rocks beaten, paper tied


def test_the_summary_names_its_rule_and_marks_each_opponent(heldout_dir):
    arena = TinyArena()
    heldout = load_heldout(arena, heldout_dir)
    result = evaluate_heldout(arena, [arena.parse("P")], heldout, default_seeds(3), progress=False)[0]
    assert result.summary["generality_rule"] == "head-to-head"
    assert "per_opponent" not in result.summary_fields()
    rows = {row["opponent"]: row for row in result.per_opponent(heldout)}
    assert {name: row["outcome"] for name, row in rows.items()} == {"hand-R": "win", "hand-P": "tie",
                                                                     "hand-S": "loss"}
    assert [rows[name]["matched"] for name in ("hand-R", "hand-P", "hand-S")] == [True, True, False]


class ScoreRuleArena(TinyArena):
    """Rock-paper-scissors whose generality is defined otherwise: the fraction of opponents
    against which the program scores at least half the points, whatever the opponent scores."""

    def __init__(self):
        self.summaries = 0

    def heldout_summary(self, results, opponents, seeds):
        self.summaries += 1
        matched = results.fitness_a >= 0.5
        return {"generality_rule": "half-the-points", "opponents": len(opponents),
                "generality": float(matched.mean()), "beaten": float((results.fitness_a > 0.5).mean()),
                "score_per_game": float(results.score_a.mean()),
                "per_opponent": [{"matched": bool(m)} for m in matched]}


def test_an_arena_rule_is_used_and_computed_from_stored_results(heldout_dir, tmp_path):
    arena = ScoreRuleArena()
    heldout = load_heldout(arena, heldout_dir)
    store = HeldoutStore(Archive(tmp_path / "runs.db"))
    program = arena.parse("P")          # beats rock (all points), ties paper (no points), loses to scissors
    first = evaluate_heldout(arena, [program], heldout, default_seeds(4), store=store, progress=False)[0]
    assert first.summary["generality_rule"] == "half-the-points"
    assert first.summary["generality"] == pytest.approx(1 / 3)               # head-to-head would be 2/3
    assert TinyArena().heldout_summary(first.results, heldout.programs, [])["generality"] == pytest.approx(2 / 3)
    again = evaluate_heldout(arena, [program, program], heldout, default_seeds(4), store=store, progress=False)
    assert [r.played for r in again] == [0, 0]                  # nothing replayed...
    assert again[0].summary == first.summary                     # ...the summary computed from stored rows
    assert arena.summaries == 2                                  # once per distinct program and call


def test_a_subset_of_the_heldout_set_by_label(heldout_dir):
    arena = TinyArena()
    heldout = load_heldout(arena, heldout_dir, only=["hand-S", "hand-R"])
    assert sorted(heldout.labels) == ["hand-R", "hand-S"] and len(heldout.programs) == 2
    result = evaluate_heldout(arena, [arena.parse("P")], heldout, default_seeds(3), progress=False)[0]
    assert result.summary["generality"] == pytest.approx(1 / 2)   # beats rock, loses to scissors
    with pytest.raises(HeldoutError, match="no held-out opponent named 'hand-Q'"):
        load_heldout(arena, heldout_dir, only=["hand-Q"])


@pytest.mark.parametrize("todo_sizes", [[1], [3], [7], [316], [316, 316, 5], [2, 40, 9], [5000]])
@pytest.mark.parametrize("workers", [1, 2, 8])
def test_tasks_cover_every_opponent_once_largest_first(todo_sizes, workers):
    """Tasks for workers: each program's opponents once, in order; big tasks first and small
    ones last, so that the workers finish together; none tiny unless its program is."""
    from redqueen.heldout import MAX_BATCH, TAIL_CHUNK, _tasks
    todo = [list(range(100 * p, 100 * p + size)) for p, size in enumerate(todo_sizes)]
    tasks = _tasks(todo, workers)
    for p_index, indices in enumerate(todo):
        assert [i for p, chunk in tasks if p == p_index for i in chunk] == indices
    sizes = [len(chunk) for _, chunk in tasks]
    assert max(sizes) <= MAX_BATCH
    assert all(size >= TAIL_CHUNK or size == todo_sizes[p] for size, (p, _) in zip(sizes, tasks))
    if len(todo_sizes) == 1:
        assert sizes[:-1] == sorted(sizes[:-1], reverse=True)
        assert sizes[-1] < 2 * TAIL_CHUNK or len(sizes) == 1
        if todo_sizes[0] >= 2 * workers * TAIL_CHUNK:
            assert len(sizes) >= 2 * workers                      # several tasks per worker
    assert len(tasks) <= sum(-(-size // TAIL_CHUNK) for size in todo_sizes)


class FailingArena(TinyArena):
    """The tiny arena, whose games against the opponent throwing S S S fail."""

    def duel(self, program, opponents, seeds):
        if any(o.throws == "SSS" for o in opponents):
            raise RuntimeError("the games against S S S failed")
        return super().duel(program, opponents, seeds)


def test_results_are_stored_as_each_task_finishes(tmp_path):
    """An evaluation that fails midway keeps the results of the tasks done before: the next
    one plays only the rest."""
    directory = tmp_path / "many"
    directory.mkdir()
    hands = ["R", "P", "S", "R P", "R S", "P R", "P S", "S R", "S P", "R R", "P P", "S S S"]
    for number, hand in enumerate(hands):
        (directory / f"h{number:02}.rps").write_text(hand + "\n")
    archive = Archive(tmp_path / "runs.db")
    store, seeds = HeldoutStore(archive), default_seeds(2)
    heldout = load_heldout(TinyArena(), directory)
    assert heldout.programs[-1].throws == "SSS" and len(heldout) == 12
    with pytest.raises(RuntimeError, match="S S S"):
        evaluate_heldout(FailingArena(), [TinyArena().parse("P")], heldout, seeds, store=store, progress=False)
    stored = archive.db.execute("SELECT count(*) FROM heldout_results").fetchone()[0]
    assert 0 < stored < len(hands)                               # the first task's results
    again = evaluate_heldout(TinyArena(), [TinyArena().parse("P")], heldout, seeds, store=store, progress=False)
    assert again[0].played == len(hands) - stored
    fresh = evaluate_heldout(TinyArena(), [TinyArena().parse("P")], heldout, seeds, progress=False)
    assert again[0].summary == fresh[0].summary
    archive.close()
