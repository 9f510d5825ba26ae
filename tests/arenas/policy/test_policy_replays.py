"""Policy-game replays (Tron, IPD): the game recorded in the sandbox is the game the arena plays."""
import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest

from arenas.tron.arena import HELDOUT
from arenas.tron.replay import result_text

BOTS = ["space_maximiser", "wall_hugger", "aggressive_cutoff", "territory_grabber"]
STEP = {0: (-1, 0), 1: (0, 1), 2: (1, 0), 3: (0, -1)}


def trace_of(page):
    return json.loads(re.search(r'type="application/json">(.*?)</script>', page, re.S).group(1))


@pytest.fixture(scope="module")
def bots(tron):
    return {name: tron.parse((HELDOUT / f"{name}.py").read_text(), origin=name) for name in BOTS}


@pytest.mark.parametrize("pair", list(itertools.combinations(BOTS, 2))[:4])
def test_recorded_games_end_as_played(tron, bots, pair):
    a, b = bots[pair[0]], bots[pair[1]]
    seeds = [0, 1, 7]
    played = tron.play([a], [b], seeds)[0][0]
    for k, seed in enumerate(seeds):
        trace = trace_of(tron.replay_page([a, b], seed=seed))
        assert (trace["score_a"], trace["score_b"]) == (played.scores_a[k], played.scores_b[k])
        assert trace["turns"] == played.stats[k][6]
        assert trace["result"] == result_text([a.name, b.name], trace)
        trail = np.asarray(trace["trail"])
        assert len(trail) in (trace["turns"], trace["turns"] + 1)   # the last move crashed, or did not
        # Each recorded move takes each head one cell in its direction; trails never cross.
        for t in range(len(trail) - 1):
            for side in (0, 1):
                dr, dc = STEP[trail[t, 4 + side]]
                step = (trail[t, 2 * side] + dr, trail[t, 2 * side + 1] + dc)
                assert tuple(trail[t + 1, 2 * side:2 * side + 2]) == step
        cells = [tuple(x) for x in trail[:, 0:2]] + [tuple(x) for x in trail[:, 2:4]]
        assert len(cells) == len(set(cells))
        assert 1 <= trail[:, [0, 2]].min() and trail[:, [0, 2]].max() <= tron.game_options["rows"]


def test_a_position_is_refused(tron, bots):
    with pytest.raises(ValueError, match="not a position"):
        tron.replay_page([bots["wall_hugger"], bots["space_maximiser"]], position=3)


IPD_PROGRAMS = Path(__file__).resolve().parents[3] / "arenas" / "ipd" / "programs"
PAYOFF = np.array([[3, 0], [5, 1]])


@pytest.mark.parametrize("pair", [("tit_for_tat", "random_moves"), ("grim_trigger", "alternator"),
                                  ("win_stay_lose_shift", "generous_tit_for_tat")])
def test_recorded_ipd_matches_end_as_played(noisy_ipd, pair):
    from arenas.ipd.replay import result_text as ipd_result
    a, b = (noisy_ipd.parse((IPD_PROGRAMS / f"{name}.py").read_text(), origin=name) for name in pair)
    seeds = [0, 3]
    played = noisy_ipd.play([a], [b], seeds)[0][0]
    for k, seed in enumerate(seeds):
        trace = trace_of(noisy_ipd.replay_page([a, b], seed=seed))
        moves = np.asarray(trace["moves"])
        assert len(moves) == noisy_ipd.game_options["turns"]
        # The recorded moves, scored independently, give the payoffs the arena's play reports.
        assert PAYOFF[moves[:, 0], moves[:, 1]].mean() == pytest.approx(played.scores_a[k])
        assert PAYOFF[moves[:, 1], moves[:, 0]].mean() == pytest.approx(played.scores_b[k])
        assert trace["result"] == ipd_result([a.name, b.name], trace)
