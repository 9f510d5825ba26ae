"""scripts/reproduce.py end to end at a toy size: runs, held-out evaluation, report, figures,
and a second invocation that resumes instead of starting over."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .test_plots import assert_png

pytest.importorskip("arenas.corewar.assembler", reason="the Redcode assembler is not in this checkout")
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
TOY = ["--runs", "2", "--rounds", "2", "--iters", "8", "--seeds", "2", "--n-init", "3", "--heldout-seeds", "2",
       "-A", "maxcycles=2000", "--against", str(REPO / "archive" / "heldout"), "--quiet"]


def reproduce(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "scripts" / "reproduce.py"), *TOY, "--out", str(out)],
                          capture_output=True, text=True, timeout=600, cwd=REPO)


def test_one_command_writes_runs_report_and_figures(tmp_path):
    out = tmp_path / "repro"
    first = reproduce(out)
    assert first.returncode == 0, first.stderr
    config = json.loads((out / "config.json").read_text())
    report = json.loads((out / "report.json").read_text())
    assert config["run_ids"] == report["runs"] == [1, 2]
    assert config["arena_option"] == ["maxcycles=2000"]
    assert len(report["champions"]) == 4 and [r["round"] for r in report["per_round"]] == [0, 1]
    assert "linear probe" in (out / "report.txt").read_text()
    for name in ("generality.png", "variance.png", "map_elites_grid.png"):
        assert_png(out / name)

    again = reproduce(out)                       # finished runs are found, not run again
    assert again.returncode == 0, again.stderr
    assert json.loads((out / "config.json").read_text())["run_ids"] == [1, 2]
    assert json.loads((out / "report.json").read_text())["per_round"] == report["per_round"]
