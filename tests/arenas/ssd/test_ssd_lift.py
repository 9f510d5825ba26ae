"""Gathering and Cleanup policies play the same episodes with their constants lifted into
parameter arrays (arenas.policy.lift, what the sandbox compiles) as compiled as written."""
from pathlib import Path

import numpy as np
import pytest

from arenas.policy.lift import lift, with_parameters
from arenas.policy.sandbox import Policy, compile_function, compile_policy
from arenas.policy.validate import validate
from arenas.ssd import engine, maps
from arenas.ssd.arena import SSDArena
from arenas.ssd.family import FAMILY

from .helpers import run

SSD = Path(__file__).resolve().parents[3] / "arenas" / "ssd"


def code_of(path: Path) -> str:
    return validate(path.read_text(), SSDArena.signature, str(path)).code


def family(count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [FAMILY.source(FAMILY.random(rng)) for _ in range(count)]


def as_written(code: str) -> Policy:
    return Policy(compile_function(with_parameters(code), "policy", engine.signature()), np.zeros(0, np.int64),
                  np.zeros(0, np.float64))


def same_episodes(sources, seeds, steps=150, agents=6):
    lifted = [compile_policy(s, "policy", engine.signature()) for s in sources]
    plain = [as_written(s) for s in sources]
    for cleanup, layout in ((False, maps.gathering("small")), (True, maps.cleanup())):
        for i in range(len(sources)):
            j = (i + 1) % len(sources)
            for seed in seeds:
                expected = run(plain[i], plain[j], layout, seed, steps, agents, focal=3, cleanup=cleanup)
                got = run(lifted[i], lifted[j], layout, seed, steps, agents, focal=3, cleanup=cleanup)
                assert got[0] == expected[0] and got[1] == expected[1], (i, j, seed, cleanup)
                assert np.array_equal(got[2], expected[2]) and np.array_equal(got[3], expected[3])


def test_family_members_share_one_shape():
    assert len({lift(source).digest for source in family(5, 3)}) == 1


def test_initial_programs_and_the_family_play_the_same_episodes_lifted():
    same_episodes([code_of(p) for p in sorted((SSD / "programs").glob("*.py"))] + family(1, 4), seeds=[1, 2])


@pytest.mark.slow
def test_heldout_populations_play_the_same_episodes_lifted():
    same_episodes([code_of(p) for p in sorted((SSD / "heldout").glob("*.py"))] + family(2, 6), seeds=[3])
