"""The grid archive and the scheduler."""
import numpy as np

from redqueen.arena import Descriptor, Evaluation
from redqueen.map_elites import GridArchive, Scheduler

SPAWNED = Descriptor("spawned", (1, 10, 100, 1000, 10000, float("inf")))
COVERAGE = Descriptor("coverage", (10, 100, 500, 1000, 4000, float("inf")))


def evaluation(fitness, spawned, coverage):
    return Evaluation(fitness, {"spawned": spawned, "coverage": coverage})


def test_bins_are_upper_edges_inclusive():
    assert [SPAWNED.bin(v) for v in (0, 1, 2, 10, 11, 100, 10000, 10001, 1e9)] == [0, 0, 1, 1, 2, 2, 4, 5, 5]


def test_default_grid_has_36_cells():
    assert GridArchive([SPAWNED, COVERAGE]).shape == (6, 6)


def test_a_cell_is_taken_when_empty_or_by_a_strictly_fitter_candidate():
    grid = GridArchive([SPAWNED, COVERAGE])
    assert grid.add("a", None, evaluation(0.2, 1, 50)) == (GridArchive.ADDED, (0, 1))
    assert grid.add("b", None, evaluation(0.2, 0, 20)) == (GridArchive.NOT_ADDED, (0, 1))
    assert grid.add("c", None, evaluation(0.1, 1, 99)) == (GridArchive.NOT_ADDED, (0, 1))
    assert grid.add("d", None, evaluation(0.3, 1, 11)) == (GridArchive.IMPROVED, (0, 1))
    assert grid.add("e", None, evaluation(0.05, 5000, 5000)) == (GridArchive.ADDED, (4, 5))
    assert len(grid) == 2 and grid.best().key == "d"
    assert [e.key for e in grid.elites()] == ["d", "e"]


def test_scheduler_asks_new_programs_with_its_probability_and_samples_every_elite():
    grid = GridArchive([SPAWNED, COVERAGE])
    assert [a.kind for a in Scheduler(grid, 0.0).ask(3, np.random.default_rng(0))] == ["new"] * 3
    for key, spawned in enumerate((1, 50, 500)):
        grid.add(key, None, evaluation(0.1, spawned, 5))
    asks = Scheduler(grid, 0.1).ask(2000, np.random.default_rng(1))
    new = sum(a.kind == "new" for a in asks)
    assert 140 < new < 260                                    # binomial(2000, 0.1): far outside 5 sigma
    parents = [a.parent.key for a in asks if a.kind == "mutate"]
    assert set(parents) == {0, 1, 2} and min(parents.count(k) for k in range(3)) > 450
    assert all(a.kind == "mutate" for a in Scheduler(grid, 0.0).ask(50, np.random.default_rng(2)))
