"""Where the human-written corpora and the pMARS oracle are (a module of its own, so test
modules import it by a name no directory's conftest.py shadows)."""
import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("REDQUEEN_SHARED", REPO.parent / "shared"))
WARRIORS = SHARED / "warriors"
HELDOUT_DIR = WARRIORS / "drq-heldout"
HILL_DIR = WARRIORS / "koenigstuhl-94nop"
# The oracle is called through scripts/pmars_oracle.sh, which sidesteps pMARS's misreading of
# 96-character file paths (see that script); None when pMARS is not installed.
PMARS = str(REPO / "scripts" / "pmars_oracle.sh") if shutil.which("pmars") else None
PMARS_VALIDATE = Path("/usr/local/share/pmars/validate.red")
