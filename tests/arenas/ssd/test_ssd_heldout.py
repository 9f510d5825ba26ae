"""The held-out background populations of Gathering and Cleanup: independent of everything the
built-in mutator starts from or produces (the family template, the initial programs), and each
behaving as its docstring says on small constructed maps."""
import ast
import difflib
import re
from pathlib import Path

import numpy as np
import pytest

from arenas.ssd import maps
from arenas.ssd.arena import SSDArena
from arenas.ssd.family import FAMILY
from arenas.policy.validate import validate

from .helpers import compiled, plain, run

SSD = Path(__file__).resolve().parents[3] / "arenas" / "ssd"
HELDOUT = sorted((SSD / "heldout").glob("*.py"))
INITIAL = sorted((SSD / "programs").glob("*.py"))
NAMES = [path.stem for path in HELDOUT]
UP, RIGHT, DOWN, LEFT, STAY, TURN_LEFT, TURN_RIGHT, TAG, CLEAN = range(9)
STAY_PUT = compiled('''
def policy(grid, positions, orientations, timeouts, me, step):
    return 4
''')


def source(name: str) -> str:
    return (SSD / "heldout" / f"{name}.py").read_text()


class _Blank(ast.NodeTransformer):
    """Every literal becomes the same placeholder: what remains is the code's skeleton, which a
    template filled with different parameters leaves unchanged."""

    def visit_Constant(self, node):
        return ast.copy_location(ast.Constant(value=0), node)


def skeleton(text: str) -> str:
    """The policy's body (docstring dropped) with its literals blanked, re-printed from the syntax tree."""
    function = next(node for node in ast.parse(text).body if isinstance(node, ast.FunctionDef))
    body = function.body[1:] if ast.get_docstring(function) is not None else function.body
    return "\n".join(ast.unparse(_Blank().visit(statement)) for statement in body)


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.splitlines(), b.splitlines(), autojunk=False).ratio()


FAMILY_SAMPLES = [FAMILY.source(FAMILY.random(np.random.default_rng(seed))) for seed in range(5)]


def test_the_family_skeleton_does_not_depend_on_its_parameters():
    """So comparing with one rendering's skeleton compares with every parameter setting's."""
    assert len({skeleton(text) for text in FAMILY_SAMPLES}) == 1
    assert len(set(FAMILY_SAMPLES)) == 5


def test_the_checks_recognise_the_family_itself():
    """The detectors below flag a rendering of the family (with parameters it never drew)."""
    text = FAMILY.source({"aggression": 0.123, "chase": 0.0, "cleaner_share": 1.0, "clean_threshold": 0.05,
                          "clean_reach": 2, "jitter": 0.0})
    assert re.search(r"^#\s*family", text, re.MULTILINE) and FAMILY.params_of(text) is not None
    assert skeleton(text) == skeleton(FAMILY_SAMPLES[0])
    without_marker = text.split("\n", 1)[1]
    assert similarity(skeleton(without_marker), skeleton(FAMILY_SAMPLES[0])) == 1.0


@pytest.mark.parametrize("name", NAMES)
def test_a_heldout_policy_shares_nothing_with_the_family_or_the_initial_programs(name):
    text = source(name)
    assert not re.search(r"^\s*#\s*family", text, re.MULTILINE), "held-out policies carry no family marker"
    assert FAMILY.params_of(text) is None
    family = skeleton(FAMILY_SAMPLES[0])
    assert skeleton(text) != family
    # Not a lightly edited template either: few of its (literal-blind) lines occur in the family's.
    assert similarity(skeleton(text), family) < 0.3
    for path in INITIAL:
        assert skeleton(text) != skeleton(path.read_text()), f"{name} is the initial program {path.stem}"
        assert similarity(skeleton(text), skeleton(path.read_text())) < 0.3


def test_the_heldout_populations_are_six_distinct_valid_policies():
    digests = {validate(path.read_text(), SSDArena.signature, str(path)).digest for path in HELDOUT}
    assert NAMES == ["aggressive_tagger", "cooperative_harvester", "dedicated_cleaner", "free_rider",
                     "greedy_harvester", "random_agent"]
    assert len(digests) == 6


@pytest.mark.parametrize("name", NAMES)
def test_every_population_plays_both_games_without_forfeiting(name):
    policy = compiled(source(name))
    for layout, cleanup in ((maps.gathering("small"), False), (maps.cleanup(), True)):
        status, stats, _, _ = run(policy, policy, layout, 5, 120, 4, focal=2, cleanup=cleanup)
        assert status == 0, f"{name} returned an invalid action in {'Cleanup' if cleanup else 'Gathering'}"
        if not cleanup:
            assert stats["focal_cleans"] == 0


# ---- behaviours --------------------------------------------------------------------------------
def state(lines, agents, facing=None):
    """(grid, positions, orientations, timeouts) for a direct call: agents at the given cells."""
    layout = maps.from_text(lines)
    positions = np.array(agents, np.int64).reshape(-1, 2)
    orientations = np.array(facing if facing is not None else [0] * len(agents), np.int64)
    return layout.grid.copy(), positions, orientations, np.zeros(len(agents), np.int64)


def test_the_greedy_harvester_takes_the_shortest_path_to_the_nearest_apple():
    # The apple two cells to the right is behind a wall (six steps round); the one on the left is four.
    layout = maps.from_text(["#########",
                             "#A...P#A#",
                             "#.....#.#",
                             "#.......#",
                             "#########"])
    _, stats, trace, _ = run(compiled(source("greedy_harvester")), STAY_PUT, layout, 1, 16, 1)
    assert list(trace[:4, 0, 1]) == [4, 3, 2, 1] and trace[3, 0, 4] == 1     # ate at step 3, at (1, 1)
    assert tuple(trace[3, 0, :2]) == (1, 1)
    assert stats["focal_return"] == 2 and trace[13, 0, 4] == 1              # then round the wall: 10 steps
    assert tuple(trace[13, 0, :2]) == (1, 7)


def test_the_aggressive_tagger_fires_at_an_agent_in_its_line_and_turns_to_one_beside_it():
    tagger = plain(source("aggressive_tagger"))
    corridor = ["##########", "#........#", "#........#", "##########"]
    assert tagger(*state(corridor, [(1, 1), (1, 7)], [RIGHT, UP]), 0, 0) == TAG
    assert tagger(*state(corridor, [(1, 7), (1, 1)], [LEFT, UP]), 0, 0) == TAG
    assert tagger(*state(corridor, [(1, 1), (1, 7)], [UP, UP]), 0, 0) == TURN_RIGHT
    # Not in line: it moves to line up with the agent (one row down), rather than firing.
    assert tagger(*state(corridor, [(1, 1), (2, 5)], [RIGHT, UP]), 0, 0) == DOWN
    # In an episode, a standing agent in its line is hit twice and removed.
    _, _, trace, _ = run(compiled(source("aggressive_tagger")), STAY_PUT, maps.from_text(["#######", "#P...P#",
                                                                                          "#######"]),
                         2, 6, 2, focal=1)
    assert trace[:, 1, 3].max() > 0


def test_the_dedicated_cleaner_cleans_the_river_and_harvests_in_gathering():
    cleaner = plain(source("dedicated_cleaner"))
    river = ["########", "#~W~...#", "#~~~...#", "########"]
    assert cleaner(*state(river, [(1, 4)], [LEFT]), 0, 0) == CLEAN
    assert cleaner(*state(river, [(1, 4)], [UP]), 0, 0) == TURN_LEFT
    # No waste in reach: it wades towards the nearest waste, through the river.
    far = ["############", "#~W~~......#", "############"]
    assert cleaner(*state(far, [(1, 10)], [LEFT]), 0, 0) == LEFT
    # In an episode with no new waste, all the waste goes.
    layout = maps.from_text(["#########", "#WWW~..P#", "#W~W~...#", "#WW~~..P#", "#########"])
    _, stats, _, world = run(compiled(source("dedicated_cleaner")), STAY_PUT, layout, 3, 30, 2, cleanup=True,
                             waste_prob=0.0)
    assert world[0, 1] > 0 and world[-1, 1] == 0 and stats["focal_cleans"] > 0
    # Gathering has no river: it harvests and never fires the cleaning beam (which would forfeit there).
    status, stats, _, _ = run(compiled(source("dedicated_cleaner")), STAY_PUT, maps.gathering("small"), 4, 60, 2)
    assert status == 0 and stats["focal_return"] > 0 and stats["focal_cleans"] == 0


def test_the_free_rider_harvests_but_never_cleans():
    cleanup = maps.cleanup()
    free_rider = compiled(source("free_rider"))
    status, stats, _, world = run(free_rider, free_rider, cleanup, 7, 400, 4, cleanup=True)
    assert status == 0 and stats["focal_return"] > 0 and stats["focal_cleans"] == 0
    assert world[:, 1].max() > 0                  # there was waste to clean
    # The same game with the cooperative harvester: its agents do clean.
    _, cooperative, _, _ = run(compiled(source("cooperative_harvester")), free_rider, cleanup, 7, 400, 4,
                               cleanup=True)
    assert cooperative["focal_cleans"] > 0


def test_the_free_rider_goes_for_the_apple_nobody_else_is_closer_to():
    free_rider = plain(source("free_rider"))
    # Apple (1, 2) is two cells away but a rival stands next to it; apple (1, 8) is three cells away.
    grid, positions, orientations, timeouts = state(["##########", "#.A...P.A#", "#.P......#", "##########"],
                                                    [(1, 5), (2, 2)], [DOWN, UP])
    assert free_rider(grid, positions, orientations, timeouts, 0, 0) == RIGHT


def test_the_cooperative_harvester_never_tags_and_spares_a_lone_apple():
    cooperative = compiled(source("cooperative_harvester"))
    tagger = compiled(source("aggressive_tagger"))
    _, stats, _, _ = run(cooperative, tagger, maps.gathering("small"), 2, 200, 6, focal=3)
    assert stats["focal_tags"] == 0 and stats["focal_return"] > 0
    assert stats["peace"] < 6                     # it was provoked: agents were removed
    harvester = plain(source("cooperative_harvester"))
    lone = ["#######", "#..A.P#", "#######"]
    assert harvester(*state(lone, [(1, 4)]), 0, 0) == STAY
    pair = ["#######", "#.AA.P#", "#######"]
    assert harvester(*state(pair, [(1, 4)]), 0, 0) == LEFT


def test_the_cooperative_harvester_cleans_once_the_river_is_dirty():
    harvester = plain(source("cooperative_harvester"))
    dirty = ["#########", "#WW~...A#", "#W~~..AA#", "#########"]
    clean = ["#########", "#~~~...A#", "#~~~..AA#", "#########"]
    assert harvester(*state(dirty, [(1, 4)], [LEFT]), 0, 0) == CLEAN
    assert harvester(*state(clean, [(1, 4)], [LEFT]), 0, 0) == RIGHT
