"""The two-warrior loop (`execute(..., pair=True)`, which keeps queue state in local variables)
against the general loop: random programs of every opcode, modifier and mode, played from the
same loaded round, must leave core, queues, per-warrior state, registers and scores identical.
The general loop itself is checked against pMARS in test_mars_pmars.py and test_mars_ops.py."""
import numpy as np
import pytest

from arenas.corewar import mars
from arenas.corewar.core_cells import core_rows
from arenas.corewar.instruction import DAT, DIRECT, JMP, M_B, MODES, MODIFIERS, NOP, OPCODES

CORESIZE, MAXPROCESSES, CYCLES, PSPACE = 400, 16, 200, 25


def random_program(rng, length):
    code = np.empty((length, 6), dtype=np.int64)
    code[:, 0] = rng.integers(len(OPCODES), size=length)
    code[:, 1] = rng.integers(len(MODIFIERS), size=length)
    code[:, 2] = rng.integers(len(MODES), size=length)
    code[:, 4] = rng.integers(len(MODES), size=length)
    near = rng.integers(-12, 13, size=(length, 2)) % CORESIZE   # fields that hit the program
    far = rng.integers(CORESIZE, size=(length, 2))
    fields = np.where(rng.random((length, 2)) < 0.7, near, far)
    code[:, 3], code[:, 5] = fields[:, 0], fields[:, 1]
    if rng.random() < 0.5:     # a loop: no DAT, and the last instruction jumps back to the first
        code[code[:, 0] == DAT, 0] = NOP
        code[-1] = (JMP, M_B, DIRECT, (1 - length) % CORESIZE, DIRECT, 0)
    return code


def loaded_round(rng):
    """Core, queues and state of a round of two random warriors, ready to execute."""
    programs = [random_program(rng, int(rng.integers(3, 12))) for _ in range(2)]
    pool_core = np.concatenate([core_rows(p) for p in programs]).reshape(-1).astype(np.uint16)
    lengths = np.asarray([len(p) for p in programs], dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    entries = np.asarray([rng.integers(len(p)) for p in programs], dtype=np.int64)
    members = np.arange(2, dtype=np.int64)
    core, queue, qcap, wstate, reg, pspace, visited = mars.new_state(
        2, CORESIZE, MAXPROCESSES, members, 2, PSPACE, pool_core)
    pspace[:] = rng.integers(CORESIZE, size=pspace.shape)
    positions = np.asarray([0, rng.integers(20, CORESIZE - 20)], dtype=np.int64)
    mars.load_round(core, CORESIZE, queue, qcap, wstate, reg, visited, pool_core, offsets, lengths,
                    entries, members, positions, int(rng.integers(2)), CYCLES)
    return [core, queue, qcap, wstate, reg, pspace, visited]


def run(state, pair, statistics, steps=None):
    core, queue, qcap, wstate, reg, pspace, visited = state
    score = np.zeros(2 * 3, dtype=np.int64)
    executed = mars.execute(core, CORESIZE, queue, qcap, MAXPROCESSES, wstate, reg, pspace, PSPACE,
                            score, 2, visited if statistics else None, 0, steps, pair)
    return executed, score


@pytest.mark.parametrize("statistics", [False, True])
def test_pair_loop_matches_the_general_loop(statistics):
    rng = np.random.default_rng(7 if statistics else 8)
    deaths = 0
    for _ in range(150):
        general = loaded_round(rng)
        pair = [a.copy() if isinstance(a, np.ndarray) else a for a in general]
        executed, score = run(general, None, statistics)
        executed_pair, score_pair = run(pair, True, statistics)
        assert executed == executed_pair > 0
        assert (score == score_pair).all()
        for name, a, b in zip(("core", "queue", "qcap", "wstate", "reg", "pspace", "visited"), general, pair):
            assert np.array_equal(a, b), name
        deaths += general[4][mars.R_ALIVE] < 2
    assert deaths > 100 and 150 - deaths >= 2    # rounds ended by a death, and by the budget


def test_pair_loop_can_be_resumed_in_steps():
    """Stopped every few instructions (as `Machine` steps), the pair loop hands its state back
    in `wstate` and `reg` and continues exactly where the whole run would be."""
    rng = np.random.default_rng(9)
    for _ in range(30):
        whole = loaded_round(rng)
        stepped = [a.copy() if isinstance(a, np.ndarray) else a for a in whole]
        executed, _ = run(whole, True, True)
        total, reg = 0, stepped[4]
        while reg[mars.R_BUDGET] > 0 and reg[mars.R_ALIVE] >= 2:
            total += run(stepped, True, True, steps=int(rng.integers(1, 40)))[0]
        assert total == executed
        for a, b in zip(whole, stepped):
            assert np.array_equal(a, b)
