"""Shared test fixtures: where the human-written corpora and the pMARS oracle are."""
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REDQUEEN_SHARED", REPO.parent / "shared"))
WARRIORS = SHARED / "warriors"
HELDOUT_DIR = WARRIORS / "drq-heldout"
HILL_DIR = WARRIORS / "koenigstuhl-94nop"
# The oracle is called through scripts/pmars_oracle.sh, which sidesteps pMARS's misreading of
# 96-character file paths (see that script); None when pMARS is not installed.
PMARS = str(REPO / "scripts" / "pmars_oracle.sh") if shutil.which("pmars") else None
PMARS_VALIDATE = Path("/usr/local/share/pmars/validate.red")


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
