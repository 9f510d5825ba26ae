"""Gathering and Cleanup replays: the episode recorded in the sandbox is the episode the arena
plays for that seed (every statistic), and the recording is consistent with itself (returns and
social metrics recomputed from the per-step trace, apple and waste counts from the rebuilt grid)."""
import json
import re

import numpy as np
import pytest

from arenas.cleanup.arena import CleanupArena
from arenas.gathering.arena import GatheringArena
from arenas.ssd.arena import HELDOUT
from arenas.ssd.engine import STATS
from arenas.ssd.maps import APPLE, WASTE
from arenas.ssd.metrics import METRICS, metrics_of
from arenas.ssd.replay import result_text


def trace_of(page):
    return json.loads(re.search(r'type="application/json">(.*?)</script>', page, re.S).group(1))


@pytest.fixture(scope="module")
def gathering():
    arena = GatheringArena(workers=1, agents=6, steps=120, map="small", progress=False)
    yield arena
    arena.close()


@pytest.fixture(scope="module")
def cleanup():
    arena = CleanupArena(workers=1, agents=6, focal=2, steps=150, progress=False)
    yield arena
    arena.close()


def policy(arena, name):
    return arena.parse((HELDOUT / f"{name}.py").read_text(), origin=name)


def check_recording(arena, a, b, seeds):
    played = arena.episodes([(a.contestant, b.contestant)], seeds)[0]
    for seed, (stats, faults) in zip(seeds, played):
        assert not faults
        trace = trace_of(arena.replay_page([a, b], seed=seed))
        assert trace["status"] == 0 and trace["played"] == arena.game_options["steps"]
        assert [trace["stats"][name] for name in STATS] == list(stats)        # the arena's own episode
        assert trace["result"] == result_text([a.name, b.name], trace)
        steps = np.asarray(trace["trace"])                      # (steps, agents, fields)
        f = {name: i for i, name in enumerate(trace["fields"])}
        rewards = steps[:, :, f["reward"]]
        step_index = np.arange(len(steps))[:, None]
        recomputed = metrics_of(rewards.sum(axis=0), (rewards * step_index).sum(axis=0), (rewards > 0).sum(axis=0),
                                (steps[:, :, f["action"]] == -1).sum(), len(steps))
        assert recomputed == pytest.approx({name: trace["stats"][name] for name in METRICS})
        assert trace["returns"] == rewards.sum(axis=0).tolist()
        grid = np.asarray(trace["grid"]).reshape(-1)
        for t, changes in enumerate(trace["changes"]):
            for cell, value in changes:
                grid[cell] = value
            assert [(grid == APPLE).sum(), (grid == WASTE).sum()] == trace["counts"][t]
        # Removed agents have no cell and take no action; present ones fire beams from where they stand.
        away = steps[:, :, f["row"]] < 0
        assert (steps[:, :, f["action"]][~away] >= 0).all()
    return steps, f


@pytest.mark.parametrize("pair", [("aggressive_tagger", "greedy_harvester"), ("cooperative_harvester", "free_rider")])
def test_gathering_recordings_are_the_arena_s_episodes(gathering, pair):
    steps, f = check_recording(gathering, policy(gathering, pair[0]), policy(gathering, pair[1]), [0, 5])
    if "tagger" in pair[0]:
        assert (steps[:, :, f["action"]] == 7).any()            # beams fired, to be drawn


def test_cleanup_recordings_are_the_arena_s_episodes(cleanup):
    cleaner, harvester = policy(cleanup, "dedicated_cleaner"), policy(cleanup, "greedy_harvester")
    steps, f = check_recording(cleanup, cleaner, harvester, [1, 2])
    assert (steps[:, :, f["action"]] == 8).any()                # cleaning beams


def test_a_position_is_refused(gathering):
    with pytest.raises(ValueError, match="not a position"):
        gathering.replay_page([policy(gathering, "free_rider")] * 2, position=3)
