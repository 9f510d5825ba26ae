"""Shared test fixtures: where the human-written corpora and the pMARS oracle are."""
from pathlib import Path

import pytest

from corpora import HELDOUT_DIR, HILL_DIR, PMARS, PMARS_VALIDATE, REPO, SHARED, WARRIORS  # noqa: F401


@pytest.fixture(scope="session")
def shared_warriors() -> Path:
    """../shared/warriors, or a skip with the reason when it is absent."""
    if not WARRIORS.is_dir():
        pytest.skip(f"human-written corpora not found at {WARRIORS} (CI has ../shared beside the checkout)")
    return WARRIORS


@pytest.fixture(scope="session")
def pmars() -> str:
    """Path of the pMARS 0.9.2 oracle, or a skip with the reason when it is not installed."""
    if PMARS is None:
        pytest.skip("pMARS oracle not installed (run scripts/install_pmars.sh)")
    return PMARS
