"""Rules of Gathering and Cleanup on small constructed maps, and the social metrics by hand."""
import numpy as np
import pytest

from arenas.ssd import maps
from arenas.ssd.metrics import metrics_of

from .helpers import compiled, run

STAY = compiled('''
def policy(grid, positions, orientations, timeouts, me, step):
    return 4
''')
RIGHT_THEN_STAY = compiled('''
def policy(grid, positions, orientations, timeouts, me, step):
    if step == 0:
        return 1
    return 4
''')
# The agent in column 1 turns to face right and fires the tagging beam; the others stay.
SHOOTER = compiled('''
def policy(grid, positions, orientations, timeouts, me, step):
    if positions[me, 1] != 1:
        return 4
    if orientations[me] != 1:
        return 6
    return 7
''')
# Every agent turns to face left and fires the cleaning beam once, at step 3.
CLEAN_ONCE = compiled('''
def policy(grid, positions, orientations, timeouts, me, step):
    if orientations[me] != 3:
        return 5
    if step == 3:
        return 8
    return 4
''')
MOVE_RIGHT = compiled('''
def policy(grid, positions, orientations, timeouts, me, step):
    return 1
''')
MOVE_TOWARD_MIDDLE = compiled('''
def policy(grid, positions, orientations, timeouts, me, step):
    if positions[me, 1] < 2:
        return 1
    if positions[me, 1] > 2:
        return 3
    return 4
''')


def test_an_eaten_apple_grows_back_25_steps_later():
    layout = maps.from_text(["####", "#PA#", "####"])
    _, stats, trace, world = run(RIGHT_THEN_STAY, STAY, layout, 1, 80, 1)
    assert list(np.flatnonzero(trace[:, 0, 4])) == [0, 25, 50, 75]
    assert world[0, 0] == 0 and world[24, 0] == 0      # bare for steps 1-24
    assert stats["focal_return"] == 4
    assert stats["sustainability"] == pytest.approx((0 + 25 + 50 + 75) / 4)


@pytest.mark.parametrize("gap, removed", [(19, True), (20, False)])
def test_the_tagging_beam_reaches_20_cells_and_two_hits_remove_for_25_steps(gap, removed):
    """Shooter at column 1, target `gap` empty cells further right (distance gap + 1)."""
    row = "#P" + " " * gap + "P#"
    layout = maps.from_text(["#" * len(row), row, "#" * len(row)])
    _, stats, trace, _ = run(SHOOTER, SHOOTER, layout, 4, 60, 2)
    target = 0 if trace[0, 0, 1] != 1 else 1
    away = trace[:, target, 0] < 0
    if not removed:
        assert not away.any() and stats["peace"] == 2.0
        return
    first = int(np.argmax(away))
    # Removed at step `first` (the second hit); absent for the 25 steps after it, then back.
    assert trace[first, target, 3] == 25
    assert away[first:first + 26].all() and not away[first + 26]


def test_a_removed_agent_counts_as_25_timeout_steps_in_peace():
    row = "#P" + " " * 5 + "P#"
    layout = maps.from_text(["#" * len(row), row, "#" * len(row)])
    _, stats, trace, _ = run(SHOOTER, SHOOTER, layout, 4, 200, 2)
    # The trace shows positions after each step: an agent removed at step s is away (does not
    # act) at steps s + 1 .. s + 25, i.e. when it is absent both after the previous step and this one.
    absent = trace[:, :, 0] < 0
    removed_steps = int((absent[:-1] & absent[1:]).sum())
    assert removed_steps >= 25
    assert stats["peace"] == pytest.approx((2 * 200 - removed_steps) / 200)


def test_the_cleaning_beam_is_5_long_and_3_wide():
    lines = ["##########"] + ["#" + "W" * 7 + "P#"] * 5 + ["##########"]
    layout = maps.from_text(lines)
    # One agent: the spawn cells are all in column 8; it faces left and cleans at step 3.
    _, _, trace, world = run(CLEAN_ONCE, STAY, layout, 2, 5, 1, cleanup=True, waste_prob=0.0)
    row = trace[0, 0, 0]
    lanes = 3 if 1 < row < 5 else 2          # a lane beside the wall is blocked
    assert world[3, 1] == world[2, 1] - 5 * lanes


def test_no_apples_or_waste_appear_at_the_depletion_threshold():
    # 10 river cells, 4 of them waste: density 0.4.
    lines = ["############", "#WWWW~~~~~~#", "#P  ssssss #", "############"]
    layout = maps.from_text(lines)
    _, _, _, world = run(STAY, STAY, layout, 1, 100, 1, cleanup=True)
    assert (world[:, 1] == 4).all() and (world[:, 0] == 0).all()


def test_below_the_threshold_waste_rises_by_at_most_one_per_step_until_it():
    lines = ["############", "#~~~~~~~~~~#", "#P  ssssss #", "############"]
    layout = maps.from_text(lines)
    _, _, _, world = run(STAY, STAY, layout, 3, 60, 1, cleanup=True)
    waste = world[:, 1]
    assert set(np.diff(waste)) <= {0, 1} and waste[-1] == 4 and waste[0] <= 1


def test_apple_growth_falls_linearly_with_waste():
    """With waste density d the spawn probability is 0.05 (1 - d / 0.4): measured over many spots."""
    spots = "s" * 60
    for waste, expected in [(0, 0.05), (2, 0.025)]:
        river = "W" * waste + "~" * (10 - waste)
        lines = ["#" * 62, "#" + river + "#" * 51, "#P" + spots[:59] + "#", "#" + spots[:60] + "#", "#" * 62]
        layout = maps.from_text(lines)
        grown = []
        for seed in range(40):
            _, _, _, world = run(STAY, STAY, layout, seed, 1, 1, cleanup=True, waste_prob=0.0)
            grown.append(world[0, 0])
        rate = np.mean(grown) / 119
        assert abs(rate - expected) < 4 * np.sqrt(expected * (1 - expected) / (119 * 40))


def test_two_agents_moving_into_one_cell_one_wins_by_the_seeded_order():
    layout = maps.from_text(["#####", "#P P#", "#####"])
    winners = set()
    for seed in range(12):
        _, _, trace, _ = run(MOVE_TOWARD_MIDDLE, STAY, layout, seed, 1, 2)
        cols = sorted(trace[0, :, 1])
        assert 2 in cols and cols != [2, 2]
        winners.add(int(np.flatnonzero(trace[0, :, 1] == 2)[0]))
    assert winners == {0, 1}


def test_agents_cannot_swap_and_a_chain_moves_only_in_order():
    layout = maps.from_text(["#####", "#PP #", "#####"])
    outcomes = set()
    for seed in range(12):
        _, _, trace, _ = run(MOVE_RIGHT, STAY, layout, seed, 1, 2)
        outcomes.add(tuple(sorted(trace[0, :, 1])))
    # The right agent always moves to column 3; the left one follows only if it goes second.
    assert outcomes == {(1, 3), (2, 3)}


def test_metrics_by_hand():
    # Returns 3, 1, 0, 0 over 10 steps; rewards at steps (2, 4, 9) and (6); 5 removed steps.
    got = metrics_of([3, 1, 0, 0], [15, 6, 0, 0], [3, 1, 0, 0], 5, 10)
    # |differences|: pairs (3,1)=2, (3,0)x2=6, (1,0)x2=2 -> both orders: 2 * (2 + 6 + 2) = 20
    assert got["efficiency"] == pytest.approx(0.4)
    assert got["equality"] == pytest.approx(1 - 20 / (2 * 4 * 4))
    assert got["sustainability"] == pytest.approx((5 + 6) / 2)
    assert got["peace"] == pytest.approx((40 - 5) / 10)
    assert metrics_of([0, 0], [0, 0], [0, 0], 0, 10) == {"efficiency": 0.0, "equality": 1.0,
                                                          "sustainability": 0.0, "peace": 2.0}


@pytest.mark.parametrize("name, cols, rows", [("small", 18, 10), ("default", 25, 21), ("large", 38, 16)])
def test_gathering_maps_have_their_published_sizes_and_room_for_16_agents(name, cols, rows):
    layout = maps.gathering(name)
    assert layout.grid.shape == (rows, cols) and (layout.grid == maps.APPLE).sum() > 10
    assert len(layout.spawns) >= 16 and (layout.grid[tuple(layout.spawns.T)] == maps.EMPTY).all()


def test_the_cleanup_map_has_a_river_an_orchard_and_room_for_16_agents():
    layout = maps.cleanup()
    assert layout.grid.shape == (25, 18)
    assert (layout.grid == maps.RIVER).sum() > 0 and (layout.grid == maps.SPOT).sum() > 0
    assert len(layout.spawns) >= 16


def test_sixteen_agents_fit_on_the_small_map():
    status, stats, trace, _ = run(STAY, STAY, maps.gathering("small"), 1, 3, 16, focal=8)
    assert status == 0 and len({tuple(p) for p in trace[0, :, :2]}) == 16
