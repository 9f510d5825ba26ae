"""Fixtures of the policy-arena tests: real arenas with real sandbox worker processes."""
import importlib.util

import pytest

from arenas.ipd.arena import IPDArena
from arenas.policy.sandbox import Limits
from arenas.tron.arena import TronArena

@pytest.fixture(scope="session")
def ipd():
    arena = IPDArena(workers=2, progress=False)
    yield arena
    arena.close()


@pytest.fixture(scope="session")
def noisy_ipd():
    arena = IPDArena(workers=1, noise=0.1, progress=False)
    yield arena
    arena.close()


@pytest.fixture(scope="session")
def strict_ipd():
    """Tight limits, so that resource attacks are caught quickly."""
    arena = IPDArena(workers=2, progress=False,
                     limits=Limits(game_cpu=1.0, game_wall=6.0, memory_mb=512))
    yield arena
    arena.close()


@pytest.fixture(scope="session")
def tron():
    arena = TronArena(workers=2, size=12, progress=False)
    yield arena
    arena.close()


@pytest.fixture(scope="session")
def axelrod_ipd():
    """An IPD arena whose held-out parts need Axelrod (skips without it)."""
    if importlib.util.find_spec("axelrod") is None:
        pytest.skip("axelrod is not installed (pip install 'redqueen[policy]')")
    arena = IPDArena(workers=1, noise=0.05, progress=False)
    yield arena
    arena.close()
