"""Memory coverage as the DRQ study counts it: distinct addresses a warrior *queued* a process at
(every successful enqueue; the process loaded at the start is not one), beside ours, distinct
addresses *executed*.

Every expected count below is worked out by hand from the warrior's code (the trace is in the
comment), not read from the engine. A lone warrior plays until it dies or the cycle limit."""
import numpy as np
import pytest

from arenas.corewar.arena import make_arena
from arenas.corewar.battle import WarriorPool, batch_battle, battle
from test_battle import SITTER, SMALL, warrior


def counts(w, settings=SMALL):
    result = battle([w], settings, rounds=1, seed=0)
    return int(result.coverage[0, 0]), int(result.enqueued[0, 0])


def test_imp_queues_one_address_ahead_of_each_it_runs():
    # 100 cycles: runs 0..99, queues 1..100 (the last never runs).
    assert counts(warrior("MOV.I $0, $1")) == (100, 100)
    # The study's imp text (immediate A, A-postincrement B) crawls the same way.
    assert counts(warrior("MOV.I #1, }0")) == (100, 100)
    # Longer than the core: every address is both run and queued.
    assert counts(warrior("MOV.I $0, $1"), SMALL.with_(maxcycles=2000)) == (800, 800)


def test_a_dying_process_queues_nothing():
    assert counts(warrior("DAT.F $0, $0")) == (1, 0)
    # NOP queues 1; the DAT there runs and dies.
    assert counts(warrior("NOP.F $0, $0", "DAT.F $0, $0")) == (2, 1)


def test_the_load_time_process_is_not_counted_unless_queued_again():
    # A self-loop queues its own address: counted.
    assert counts(warrior("JMP.B $0, $0")) == (1, 1)
    # A loop over 1..2 entered from 0: 0 runs once and is never queued.
    assert counts(warrior("JMP.B $1, $0", "NOP.F $0, $0", "JMP.B $-1, $0")) == (3, 2)


def test_spl_fan_queues_both_successor_and_target():
    # SPL at 0 queues 1 (a DAT, dies) and 2 (a self-loop): run {0, 1, 2}, queued {1, 2}.
    assert counts(warrior("SPL.B $2, $0", "DAT.F $0, $0", "JMP.B $0, $0")) == (3, 2)
    # Three SPL $4 at 0..2 queue 1..3 and 4..6; 3..6 are self-loops, so 7 never runs.
    fan = warrior("SPL.B $4, $0", "SPL.B $4, $0", "SPL.B $4, $0", "JMP.B $0, $0",
                  "JMP.B $0, $0", "JMP.B $0, $0", "JMP.B $0, $0", "JMP.B $0, $0")
    assert counts(fan) == (7, 6)


def test_spl_target_is_not_queued_when_the_process_table_is_full():
    fork = warrior("SPL.B $2, $0", "JMP.B $0, $0", "JMP.B $0, $0")
    # One process allowed: SPL queues only its successor; 2 is neither queued nor run.
    assert counts(fork, SMALL.with_(maxprocesses=1)) == (2, 1)
    assert counts(fork, SMALL.with_(maxprocesses=2)) == (3, 2)


def test_counts_are_per_warrior_and_follow_statistics():
    pair = [warrior("NOP.F $0, $0", "DAT.F $0, $0"), SITTER]
    result = battle(pair, SMALL, rounds=2, seed=7)
    # The NOP/DAT dies at once, so the sitter's survival ends the round after its first turns.
    assert result.enqueued.tolist() == [[1, 1], [1, 1]]
    assert not battle(pair, SMALL, rounds=2, seed=7, statistics=False).enqueued.any()


@pytest.mark.parametrize("scheduler", ["threads", "prange"])
def test_batch_counts_match_single_battles(scheduler):
    fan = warrior("SPL.B $2, $0", "DAT.F $0, $0", "MOV.I $0, $1")
    warriors = [fan, SITTER, warrior("MOV.I $0, $1")]
    pool = WarriorPool(warriors, SMALL)
    members = np.asarray([[0, 1], [2, 1], [0, 2], [2, 0]])
    seeds = np.asarray([3, 50, 400, 9])
    batch = batch_battle(pool, members, seeds, rounds=2, threads=2, scheduler=scheduler)
    for b, (row_, seed) in enumerate(zip(members, seeds)):
        single = battle([warriors[i] for i in row_], SMALL, rounds=2, seed=int(seed))
        assert batch.enqueued[b].tolist() == single.enqueued.tolist()


def test_arena_reports_both_coverages():
    arena = make_arena(coresize=800, maxcycles=100, maxprocesses=64, maxlength=20, mindistance=20)
    candidate = arena.parse("nop.f $0, $0\ndat.f $0, $0\n")
    sitter = arena.parse("jmp.b $0, $0\n")
    for fitness in ("battle", "duel"):
        [evaluation] = arena.evaluate([candidate], [sitter, sitter], seeds=[1, 2, 3], fitness=fitness)
        assert evaluation.descriptors["coverage"] == 2.0
        assert evaluation.descriptors["coverage_enqueued"] == 1.0
    assert arena.descriptors["coverage_enqueued"].edges == arena.descriptors["coverage"].edges


def stepped_counts(w, settings):
    """The same two counts for a lone warrior at address 0, by single-stepping the machine and
    reading the queue after every instruction: the entries past the survivors of the old queue
    are the ones that instruction queued. Independent of how the battle kernel counts them."""
    from arenas.corewar.mars import Machine
    machine = Machine(settings)
    machine.load(0, w.code)
    machine.spawn(0, w.start % settings.coresize)
    executed, queued = set(), set()
    for _ in range(settings.maxcycles):
        before = machine.processes(0)
        if not before:
            break
        executed.add(before[0])
        machine.step(1)
        after = machine.processes(0)
        queued.update(after[len(before) - 1:])
    return len(executed), len(queued)


def test_counts_agree_with_single_stepping_on_random_warriors():
    from arenas.corewar.mutation import mutate_code, random_code
    from arenas.corewar.warrior import Warrior
    settings = SMALL.with_(maxprocesses=8)
    rng = np.random.default_rng(11)
    fan = warrior("SPL.B $2, $0", "JMP.B $-1, $0", "MOV.I $0, $1", settings=settings)
    for k in range(60):
        if k % 2:
            code, start = random_code(rng, settings.coresize, 8)
        else:
            code, start = mutate_code(fan.code, 0, rng, settings.coresize, 8)
        w = Warrior(code, start=start, name="R", author="T", coresize=settings.coresize)
        assert counts(w, settings) == stepped_counts(w, settings), k


def test_a_warrior_that_never_ran_queued_nothing():
    # Two suicides die on their first turns; the round ends (one warrior left) before the
    # third warrior's first turn: its only process is the load-time one.
    suicide = warrior("DAT.F $0, $0")
    result = battle([suicide, suicide, warrior("MOV.I $0, $1")], SMALL, rounds=1, seed=3)
    assert result.coverage.tolist() == [[1, 1, 0]]
    assert result.enqueued.tolist() == [[0, 0, 0]]
