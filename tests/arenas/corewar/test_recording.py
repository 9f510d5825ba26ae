"""Replay recordings: every write logged, and the round ends as `redqueen battle` reports it."""
import importlib.resources
import re

import numpy as np
import pytest
from click.testing import CliRunner

from arenas.corewar import mars
from arenas.corewar.assembler import assemble, assemble_file
from arenas.corewar.battle import battle
from arenas.corewar.cli import battle as battle_command
from arenas.corewar.recording import load_first_round, record_round
from arenas.corewar.settings import Settings

EXHAUST_DIR = importlib.resources.files("exhaust_ma") / "exhaust-ma"
PUBLIC = [str(EXHAUST_DIR / f"{name}.rc") for name in ("fixed", "jaguar", "stalker", "npaper2", "imp", "spl")]
SMALL = Settings(coresize=800, maxcycles=2000, maxprocesses=64, maxlength=20, mindistance=20)

# Small warriors of our own that use every indirect and increment mode, so that the pointer cells
# and B targets of all kinds are exercised.
MODES_A = """;name modes-a
start  add.ab #7, 3
       mov.i  >2, @2
       jmp    start, <-5
       dat    #0, #0
"""
MODES_B = """;name modes-b
       spl    0, }3
       mov.i  {-1, *2
       djn.f  -1, <-4
       dat    }1, >1
"""
MODES_C = """;name modes-c
       mov.i  }2, {1
       stp.ab #3, *1
       jmz.f  -2, >-1
       mov.i  <1, @-3
"""


def full_diff_changes(warriors, settings, position, limit):
    """Per instruction, the cells whose content changed, found by comparing the whole core."""
    (core, queue, qcap, wstate, reg, pspace, visited), _ = load_first_round(warriors, settings,
                                                                            fixed_position=position)
    score = np.zeros(len(warriors) * (2 * len(warriors) - 1), dtype=np.int64)
    found = []
    while len(found) < limit and reg[mars.R_ALIVE] >= 2:
        before = core.reshape(-1, mars.CELL).copy()
        if mars.execute(core, settings.coresize, queue, qcap, settings.maxprocesses, wstate, reg, pspace,
                        settings.pspace, score, len(warriors), visited, mars.UNLIMITED, 1) == 0:
            break
        found.append(set(np.flatnonzero((core.reshape(-1, mars.CELL) != before).any(axis=1)).tolist()))
    return found


@pytest.mark.parametrize("pair", [(MODES_A, MODES_B), (MODES_B, MODES_C), (MODES_C, MODES_A)])
@pytest.mark.parametrize("position", [20, 333, 700])
def test_recorded_changes_are_exactly_the_cells_written(pair, position):
    warriors = [assemble(source, SMALL) for source in pair]
    recording = record_round(warriors, SMALL, fixed_position=position)
    expected = full_diff_changes(warriors, SMALL, position, limit=1500)
    starts = np.concatenate([[0], np.cumsum(recording.changes.astype(np.int64))])
    for k, cells in enumerate(expected):
        assert set(recording.changed[starts[k]:starts[k + 1]].tolist()) == cells, f"instruction {k}"
    assert sum(map(len, expected)) > 5      # the warriors do write


def battle_survivors(files, position, settings=Settings()):
    """Survivors as the `redqueen battle -b -F` command line reports them (two warriors)."""
    result = CliRunner().invoke(battle_command, ["-b", "-F", str(position), *files])
    assert result.exit_code == 0, result.output
    wins, _losses, ties = map(int, re.search(r"Results: (\d+) (\d+) (\d+)", result.output).groups())
    return [0, 1] if ties else [0] if wins else [1]


@pytest.mark.parametrize("names,position", [((0, 1), 4000), ((2, 3), 2500), ((1, 3), 1234), ((4, 5), 4000),
                                            ((3, 0), 777), ((5, 2), 6000)])
def test_recording_ends_as_the_battle_command_reports(names, position):
    files = [PUBLIC[i] for i in names]
    warriors = [assemble_file(f, Settings()) for f in files]
    recording = record_round(warriors, Settings(), fixed_position=position)
    assert recording.survivors == battle_survivors(files, position)
    played = battle(warriors, Settings(), rounds=1, fixed_position=position, overrun_limit=mars.UNLIMITED)
    assert recording.instructions == played.instructions


def test_a_recording_beyond_its_bound_is_refused():
    warriors = [assemble(MODES_A, SMALL), assemble(MODES_B, SMALL)]
    with pytest.raises(ValueError, match="instructions a recording holds"):
        record_round(warriors, SMALL.with_(maxcycles=10**8), fixed_position=100)


def test_replay_command_writes_a_bounded_page_and_refuses_bad_input(tmp_path):
    from arenas.corewar.replay import result_text
    from redqueen.cli.replay import replay
    imp = str(EXHAUST_DIR / "imp.rc")
    out = tmp_path / "imps.html"
    # Two imps tie after the full 80,000 cycles: the largest trace of a 1v1 battle of this kind.
    done = CliRunner().invoke(replay, [imp, imp, "--arena", "corewar", "-F", "4000", "--out", str(out)])
    assert done.exit_code == 0, done.output
    page = out.read_text()
    assert out.stat().st_size <= 5_000_000
    assert '"cycles": 80000' in page and result_text(["Unknown", "Unknown"], [0, 1]) in page
    broken = tmp_path / "broken.red"
    broken.write_text("MOV.Q 0, 1\n")
    done = CliRunner().invoke(replay, [imp, str(broken), "--arena", "corewar", "--out", str(out)])
    assert done.exit_code != 0 and str(broken) in done.output and len(done.output.strip().splitlines()) == 1
    done = CliRunner().invoke(replay, [imp, imp, "--arena", "corewar", "-F", "200", "--seed", "3", "--out", str(out)])
    assert done.exit_code != 0 and "not both" in done.output
