"""`redqueen --version` from a source tree (no installed metadata needed) and after install."""
import os
import subprocess
import sys
from pathlib import Path

import redqueen

REPO = Path(__file__).resolve().parents[2]


def test_version_is_the_package_version_without_installing(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-m", "redqueen", "--version"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"redqueen, version {redqueen.__version__}"
