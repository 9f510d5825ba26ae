"""scripts/compare_reproductions.py: two toy reproductions (drq and strong presets) compared at
equal CPU time, and its one-line refusals."""
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from .test_plots import assert_png

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "compare_reproductions.py"
TOY = ["--runs", "2", "--rounds", "2", "--iters", "6", "--seeds", "2", "--n-init", "3", "--heldout-seeds", "2",
       "-A", "maxcycles=2000", "--quiet"]


def script(path, *args, timeout=300):
    return subprocess.run([sys.executable, str(path), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


def cpu_minutes_at_end(db: Path) -> list[float]:
    """Each run's CPU minutes summed straight from the rounds' statistics."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT run_id, sum(json_extract(stats, '$.cpu_s')) FROM rounds GROUP BY run_id")
        return [total / 60 for _, total in rows]


@pytest.mark.slow
def test_two_reproductions_are_compared_at_equal_cpu_time(tmp_path):
    pytest.importorskip("arenas.corewar.assembler", reason="the Redcode assembler is not in this checkout")
    heldout = tmp_path / "heldout"
    heldout.mkdir()
    for name in ("blizzard.red", "pebble.red", "seeker.red"):
        shutil.copy(REPO / "archive" / "heldout" / name, heldout / name)
    folders = {}
    for preset in ("drq", "strong"):
        folders[preset] = tmp_path / preset
        made = script(REPO / "scripts" / "reproduce.py", *TOY, "--preset", preset, "--against", heldout,
                      "--out", folders[preset], timeout=600)
        assert made.returncode == 0, made.stderr
    figure = tmp_path / "cpu.png"
    compared = script(SCRIPT, folders["drq"], folders["strong"], "--labels", "drq", "strong", "--out", figure,
                      "--quiet")
    assert compared.returncode == 0, compared.stderr
    assert_png(figure)
    rows = {line.split()[0]: line.split() for line in compared.stdout.splitlines()[1:3]}
    assert set(rows) == {"drq", "strong"}
    for preset, row in rows.items():
        report = json.loads((folders[preset] / "report.json").read_text())
        ends = cpu_minutes_at_end(folders[preset] / "runs.db")
        assert row[1] == "2" and float(row[2]) == pytest.approx(sum(ends) / len(ends), rel=0.01, abs=0.001)
        last = [c["generality"] for c in report["champions"] if c["round"] == 1]
        assert float(row[3]) == pytest.approx(sum(last) / len(last), abs=0.001)
        assert float(row[4]) == pytest.approx(max(c["generality"] for c in report["champions"]), abs=0.001)


def test_a_folder_that_is_not_a_reproduction_is_one_clear_line(tmp_path):
    result = script(SCRIPT, tmp_path, "--out", tmp_path / "x.png")
    assert result.returncode != 0 and not (tmp_path / "x.png").exists()
    assert result.stderr.strip() == f"{tmp_path}: no config.json and runs.db here (not an output folder of " \
                                    f"scripts/reproduce.py)"
    assert not (tmp_path / "runs.db").exists()           # nothing created in a folder it only reads


def test_one_label_per_folder(tmp_path):
    result = script(SCRIPT, tmp_path, tmp_path, "--labels", "only-one", "--out", tmp_path / "x.png")
    assert result.returncode == 2 and "--labels: 1 given for 2 folders" in result.stderr
