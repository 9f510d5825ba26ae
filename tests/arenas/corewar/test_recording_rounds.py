"""Replays of a later round: round N recorded after rounds 1..N-1 (placement seed, first mover and
P-space carried over) ends as round N of the battle, checked against pMARS and `battle()`."""
import importlib.resources
import re
import subprocess

import numpy as np
import pytest

from arenas.corewar import mars
from arenas.corewar.assembler import assemble, assemble_file
from arenas.corewar.battle import battle
from arenas.corewar.recording import record_round
from arenas.corewar.settings import Settings

EXHAUST_DIR = importlib.resources.files("exhaust_ma") / "exhaust-ma"
ROUNDS = 5

# Our own P-space warriors. pswitch reads its last result (P-space 0): after a loss it bombs,
# otherwise (round 1, wins, ties) it runs an imp. pcount keeps a round counter in P-space 1 and
# starts bombing at an offset that depends on it.
PSWITCH = """;redcode-94
;name pswitch
;assert 1
res     ldp.ab  #0, #0
        jmz.b   bomber, res
        jmp     imp
bomber  add.ab  #4, ptr
        mov.i   bomb, @ptr
        jmp     bomber
ptr     dat     #0, #10
bomb    dat     #0, #0
imp     mov.i   0, 1
        end     res
"""
PCOUNT = """;redcode-94
;name pcount
;assert 1
cnt     ldp.ab  #1, #0
        add.ab  #1, cnt
        stp.b   cnt, #1
        mul.ab  #97, cnt
        add.b   cnt, ptr
loop    add.ab  #4, ptr
        mov.i   bomb, @ptr
        jmp     loop
ptr     dat     #0, #10
bomb    dat     #0, #0
        end     cnt
"""


def pmars_round_survivors(pmars, files, position, rounds):
    """Survivors of each round, from pMARS's cumulative results after 1, 2, ... rounds."""
    totals = [(0, 0, 0)]
    for r in range(1, rounds + 1):
        out = subprocess.run([pmars, "-b", "-r", str(r), "-F", str(position), *files],
                             capture_output=True, text=True, check=True).stdout
        totals.append(tuple(map(int, re.search(r"Results: (\d+) (\d+) (\d+)", out).groups())))
    survivors = []
    for before, after in zip(totals, totals[1:]):
        wins, losses, ties = (a - b for a, b in zip(after, before))
        survivors.append([0, 1] if ties else [0] if wins else [1])
    return survivors


@pytest.fixture
def files(tmp_path):
    own = {}
    for name, source in (("pswitch", PSWITCH), ("pcount", PCOUNT)):
        own[name] = tmp_path / f"{name}.red"
        own[name].write_text(source)
    public = {name: EXHAUST_DIR / f"{name}.rc" for name in ("stalker", "npaper2", "imp", "jaguar")}
    return {name: str(path) for name, path in {**own, **public}.items()}


@pytest.mark.parametrize("pair,position", [(("pswitch", "pcount"), 2500), (("pcount", "pswitch"), 3100),
                                           (("pswitch", "stalker"), 3000), (("pcount", "npaper2"), 2000),
                                           (("jaguar", "imp"), 4000)])
def test_every_round_ends_as_pmars_and_the_battle_report_it(pmars, files, pair, position):
    paths = [files[name] for name in pair]
    warriors = [assemble_file(path, Settings()) for path in paths]
    expected = pmars_round_survivors(pmars, paths, position, ROUNDS)
    played = battle(warriors, Settings(), rounds=ROUNDS, fixed_position=position, overrun_limit=mars.UNLIMITED)
    recorded = [record_round(warriors, Settings(), fixed_position=position, round_number=n)
                for n in range(1, ROUNDS + 1)]
    assert [r.survivors for r in recorded] == expected
    assert [r.survivors for r in recorded] == [np.flatnonzero(row).tolist() for row in played.survived]
    assert sum(r.instructions for r in recorded) == played.instructions
    assert [r.starter for r in recorded] == [n % 2 for n in range(ROUNDS)]   # the first mover rotates
    assert len({int(r.positions[1]) for r in recorded}) > 1                  # placements differ per round


def test_pspace_carries_over_so_a_later_round_plays_differently(files):
    """pswitch runs its imp in round 1 and its bomber only after losing: the recordings show both,
    which a round replayed from a fresh P-space could not."""
    warriors = [assemble(PSWITCH, Settings()), assemble_file(files["stalker"], Settings())]
    played = battle(warriors, Settings(), rounds=ROUNDS, fixed_position=3000, overrun_limit=mars.UNLIMITED)
    to_imp, to_bomber = 2, 3      # lines of PSWITCH: where it goes after reading P-space
    for n in range(1, ROUNDS + 1):
        recording = record_round(warriors, Settings(), fixed_position=3000, round_number=n)
        mine = recording.address[recording.warrior == 0].astype(np.int64) - int(recording.positions[0])
        lost_before = n > 1 and not played.survived[n - 2, 0]
        assert mine[2] == (to_bomber if lost_before else to_imp), f"round {n}"
    assert not played.survived[:-1, 0].all()      # it lost before a later round: the bomber ran


def test_round_numbers_start_at_one():
    warriors = [assemble(PSWITCH, Settings())] * 2
    with pytest.raises(ValueError, match="numbered from 1"):
        record_round(warriors, Settings(), fixed_position=3000, round_number=0)


def test_replay_command_plays_the_round_asked(files, tmp_path):
    from click.testing import CliRunner

    from arenas.corewar.replay import result_text
    from redqueen.cli.replay import replay
    paths = [files["pswitch"], files["pcount"]]
    warriors = [assemble_file(path, Settings()) for path in paths]
    played = battle(warriors, Settings(), rounds=4, fixed_position=2500, overrun_limit=mars.UNLIMITED)
    out = tmp_path / "round4.html"
    done = CliRunner().invoke(replay, [*paths, "-F", "2500", "--round", "4", "--out", str(out)])
    assert done.exit_code == 0, done.output
    page = out.read_text()
    survivors = np.flatnonzero(played.survived[3]).tolist()
    assert '"round": 4' in page and result_text(["pswitch", "pcount"], survivors) in page
    done = CliRunner().invoke(replay, [*paths, "--round", "0", "--out", str(out)])
    assert done.exit_code != 0


def test_cycles_count_from_the_round_s_first_mover(files):
    """Two imps tie every round after the full cycle limit, whoever moves first."""
    imps = [assemble_file(files["imp"], Settings())] * 2
    for n in (1, 2):
        recording = record_round(imps, Settings(), fixed_position=4000, round_number=n)
        assert recording.starter == n - 1 and recording.survivors == [0, 1]
        assert recording.cycles()[-1] + 1 == Settings().maxcycles
