"""The project's held-out set of classic strategies (archive/heldout): documented, assembled
without complaint by pMARS, and each doing something in battle."""
import subprocess
from pathlib import Path

import pytest

HELDOUT = Path(__file__).resolve().parents[3] / "archive" / "heldout"
WARRIORS = sorted(HELDOUT.glob("*.red"))
ROUNDS = 20


def test_the_set_covers_the_classic_strategies():
    strategies = " ".join(path.read_text().lower() for path in WARRIORS)
    for kind in ("imp:", "imp ring", "stone:", "replicator", "scanner", "vampire", "core clear", "bomber",
                 "stone/imp", "quickscanner"):
        assert kind in strategies, kind


@pytest.mark.parametrize("path", WARRIORS, ids=lambda p: p.stem)
def test_each_warrior_names_itself_and_its_strategy(path):
    lines = path.read_text().splitlines()
    assert any(line.startswith(";name ") for line in lines)
    assert ";author redqueen" in lines
    assert any(line.startswith(";strategy ") for line in lines)


@pytest.mark.oracle
@pytest.mark.parametrize("path", WARRIORS, ids=lambda p: p.stem)
def test_pmars_assembles_each_without_warnings(pmars, path):
    run = subprocess.run([pmars, "-r", "0", str(path)], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert "rror" not in run.stderr and "arning" not in run.stderr, run.stderr
    assert "Program " in run.stdout


def pmars_record(pmars, first: Path, second: Path) -> tuple[int, int, int]:
    """(wins, losses, ties) of `first` over ROUNDS rounds at pMARS's fixed position series."""
    run = subprocess.run([pmars, "-b", "-f", "-r", str(ROUNDS), str(first), str(second)],
                         capture_output=True, text=True, timeout=120)
    line = next(line for line in run.stdout.splitlines() if line.startswith("Results:"))
    wins, losses, ties = (int(x) for x in line.split()[1:4])
    return wins, losses, ties


@pytest.fixture(scope="module")
def records(pmars):
    return {(a.stem, b.stem): pmars_record(pmars, a, b) for a in WARRIORS for b in WARRIORS if a != b}


@pytest.mark.oracle
@pytest.mark.slow
def test_each_warrior_holds_its_own_somewhere(records):
    """Every warrior avoids defeat in most rounds against at least one other classic, and every
    one but the lone imp (which cannot kill) wins rounds."""
    for warrior in (path.stem for path in WARRIORS):
        mine = [record for (a, _), record in records.items() if a == warrior]
        assert any(wins + ties > losses for wins, losses, ties in mine), warrior
        if warrior != "lone_imp":
            assert sum(wins for wins, _, _ in mine) > 0, warrior
