"""The MARS instruction by instruction, on small constructed cores.

Expected values follow the ICWS'94 rules (with pMARS's documented choices where the standard
leaves room: unsigned DIV/MOD, SEQ and CMP as distinct opcodes); none is taken from running the
simulator."""
import re

import numpy as np
import pytest

from arenas.corewar.instruction import MODES, MODIFIERS, OPCODES
from arenas.corewar.mars import Machine
from arenas.corewar.settings import Settings

CORESIZE = 8000
SETTINGS = Settings(coresize=CORESIZE)
_TEXT = re.compile(r"^\s*(\w+)\.(\w+)\s+(.)\s*(-?\d+)\s*,\s*(.)\s*(-?\d+)\s*$")


def row(text, coresize=CORESIZE):
    """'MOV.I $0, $1' -> an encoded code row (fields stored modulo coresize)."""
    op, mod, amode, a, bmode, b = _TEXT.match(text).groups()
    return [OPCODES.index(op.upper()), MODIFIERS.index(mod.upper()), MODES.index(amode), int(a) % coresize,
            MODES.index(bmode), int(b) % coresize]


def cell(text, coresize=CORESIZE):
    return tuple(row(text, coresize))


def machine(program, at=100, settings=SETTINGS, **kwargs):
    """One warrior, `program` (list of texts) loaded at `at`, one process at its first cell."""
    m = Machine(settings, **kwargs)
    m.load(at, np.asarray([row(t, settings.coresize) for t in program]))
    m.spawn(0, at)
    return m


# ---- MOV: every modifier --------------------------------------------------------------------

@pytest.mark.parametrize("modifier, expected", [
    ("A", "NOP.F $7, $4"), ("B", "NOP.F $3, $9"), ("AB", "NOP.F $3, $7"), ("BA", "NOP.F $9, $4"),
    ("F", "NOP.F $7, $9"), ("X", "NOP.F $9, $7"), ("I", "DAT.F #7, <9")])
def test_mov_modifiers(modifier, expected):
    m = machine([f"MOV.{modifier} $1, $2", "DAT.F #7, <9", "NOP.F $3, $4"])
    m.step()
    assert m.cell(102) == cell(expected)
    assert m.processes(0) == [101]


# ---- addressing modes ------------------------------------------------------------------------

def mode_fixture(instruction):
    """`instruction` at 100, pointer cell DAT.F $3, $5 at 102, markers NOP.F $k, $k at 103..108."""
    program = [instruction, "NOP.F $0, $0", "DAT.F $3, $5"] + [f"NOP.F ${k}, ${k}" for k in range(103, 109)]
    return machine(program)


@pytest.mark.parametrize("mode, source, pointer", [
    ("#", None, "DAT.F $3, $5"),       # immediate: the instruction itself
    ("$", 102, "DAT.F $3, $5"),
    ("@", 107, "DAT.F $3, $5"),        # 102 + B(5)
    ("<", 106, "DAT.F $3, $4"),        # B decremented first
    (">", 107, "DAT.F $3, $6"),        # B incremented after
    ("*", 105, "DAT.F $3, $5"),        # 102 + A(3)
    ("{", 104, "DAT.F $2, $5"),
    ("}", 105, "DAT.F $4, $5")])
def test_a_modes(mode, source, pointer):
    instruction = f"MOV.I {mode}2, $20"
    m = mode_fixture(instruction)
    expected = cell(instruction) if source is None else m.cell(source)
    m.step()
    assert m.cell(120) == expected
    assert m.cell(102) == cell(pointer)


@pytest.mark.parametrize("mode, target, pointer", [
    ("#", 100, "DAT.F $3, $5"),
    ("$", 102, None),                  # the pointer cell itself is overwritten
    ("@", 107, "DAT.F $3, $5"),
    ("<", 106, "DAT.F $3, $4"),
    (">", 107, "DAT.F $3, $6"),
    ("*", 105, "DAT.F $3, $5"),
    ("{", 104, "DAT.F $2, $5"),
    ("}", 105, "DAT.F $4, $5")])
def test_b_modes(mode, target, pointer):
    m = mode_fixture(f"MOV.I $50, {mode}2")
    m.load(150, np.asarray([row("SPL.B #11, #12")]))
    m.step()
    assert m.cell(target) == cell("SPL.B #11, #12")
    if pointer:
        assert m.cell(102) == cell(pointer)


def test_b_operand_sees_a_increment():
    # A: }1 uses 101.A = 5 (source 106) and then makes it 6; B: *1 then reads 101.A = 6.
    m = machine(["MOV.I }1, *1", "DAT.F $5, $7"] + [f"NOP.F ${k}, ${k}" for k in range(102, 110)])
    m.step()
    assert m.cell(107) == cell("NOP.F $106, $106")
    assert m.cell(101) == cell("DAT.F $6, $7")


def test_values_latched_before_b_increment():
    # A latches 101 = (5, 7); B's } then bumps 101.A to 6; the move writes the latched values.
    m = machine(["MOV.I $1, }1", "DAT.F $5, $7"])
    m.step()
    assert m.cell(106) == cell("DAT.F $5, $7")
    assert m.cell(101) == cell("DAT.F $6, $7")


def test_postincrement_of_own_pointer_latches_old_value():
    # }0: the pointer is the instruction itself (A = 0): the target is 100, latched before the
    # increment, so the copy carries A = 0 while core 100 ends with A = 1.
    m = machine(["MOV.I }0, $5"])
    m.step()
    assert m.cell(105) == cell("MOV.I }0, $5")
    assert m.cell(100) == cell("MOV.I }1, $5")


# ---- arithmetic -----------------------------------------------------------------------------

@pytest.mark.parametrize("instruction, expected", [
    ("ADD.AB #7995, $1", "NOP.F $20, $5"),       # 10 + 7995 wraps to 5
    ("ADD.A $2, $1", "NOP.F $50, $10"),
    ("ADD.B $2, $1", "NOP.F $20, $50"),
    ("ADD.BA $2, $1", "NOP.F $60, $10"),
    ("ADD.F $2, $1", "NOP.F $50, $50"),
    ("ADD.I $2, $1", "NOP.F $50, $50"),
    ("ADD.X $2, $1", "NOP.F $60, $40"),
    ("SUB.B $2, $1", "NOP.F $20, $7970"),        # 10 - 40 wraps
    ("SUB.AB #25, $1", "NOP.F $20, $7985"),
    ("SUB.X $2, $1", "NOP.F $7980, $7980"),      # A: 20 - 40, B: 10 - 30
    ("MUL.F $2, $1", "NOP.F $600, $400"),
    ("MUL.AB #900, $1", "NOP.F $20, $1000"),     # 9000 mod 8000
    ("DIV.B $2, $1", "NOP.F $20, $0"),           # 10 / 40
    ("DIV.BA $2, $1", "NOP.F $0, $10"),          # 20 / 40
    ("DIV.AB #3, $1", "NOP.F $20, $3"),
    ("MOD.AB #3, $1", "NOP.F $20, $1"),
    ("MOD.F $3, $1", "NOP.F $2, $1"),            # 20 % 6, 10 % 9
    ("DIV.X $3, $1", "NOP.F $2, $1"),            # A: 20 / 9, B: 10 / 6
    ("DIV.AB #2, $4", None)])                    # -1 is 7999: unsigned, checked below
def test_arithmetic(instruction, expected):
    m = machine([instruction, "NOP.F $20, $10", "NOP.F $30, $40", "NOP.F $6, $9", "NOP.F $0, $-1"])
    m.step()
    if expected is None:
        assert m.cell(104) == cell("NOP.F $0, $3999")
    else:
        assert m.cell(101) == cell(expected)
    assert m.processes(0) == [101]


@pytest.mark.parametrize("instruction, expected", [
    ("DIV.B $3, $1", "NOP.F $20, $10"),          # divisor A.b = 0: nothing written
    ("MOD.A $2, $1", "NOP.F $20, $10"),
    ("DIV.F $2, $1", "NOP.F $20, $5"),           # A divisor 0 (A half skipped), B half written
    ("MOD.X $3, $1", "NOP.F $20, $0"),           # A <- 20 % 0 skipped, B <- 10 % 5 written
])
def test_division_by_zero_kills_after_writing_the_other_half(instruction, expected):
    m = machine([instruction, "NOP.F $20, $10", "NOP.F $0, $2", "NOP.F $5, $0"])
    m.spawn(0, 101)
    m.step()
    assert m.cell(101) == cell(expected)
    assert m.processes(0) == [101]               # the dividing process is gone, the other left


def test_division_by_zero_of_last_process_kills_the_warrior():
    m = machine(["DIV.B $1, $1", "NOP.F $0, $0"])
    m.step()
    assert m.processes(0) == [] and m.alive == 0


# ---- jumps ----------------------------------------------------------------------------------

@pytest.mark.parametrize("instruction, target_cell, jumps", [
    ("JMP.B $5, $0", "NOP.F $0, $0", True),
    ("JMZ.B $5, $1", "NOP.F $3, $0", True),
    ("JMZ.B $5, $1", "NOP.F $0, $3", False),
    ("JMZ.A $5, $1", "NOP.F $0, $3", True),
    ("JMZ.BA $5, $1", "NOP.F $0, $3", True),
    ("JMZ.F $5, $1", "NOP.F $0, $3", False),
    ("JMZ.X $5, $1", "NOP.F $0, $0", True),
    ("JMZ.I $5, $1", "NOP.F $1, $0", False),
    ("JMN.B $5, $1", "NOP.F $3, $0", False),
    ("JMN.AB $5, $1", "NOP.F $0, $3", True),
    ("JMN.A $5, $1", "NOP.F $3, $0", True),
    ("JMN.F $5, $1", "NOP.F $0, $3", True),
    ("JMN.F $5, $1", "NOP.F $0, $0", False)])
def test_conditional_jumps(instruction, target_cell, jumps):
    m = machine([instruction, target_cell])
    m.step()
    assert m.processes(0) == [105 if jumps else 101]


@pytest.mark.parametrize("instruction, before, after, jumps", [
    ("DJN.B $5, $1", "NOP.F $7, $2", "NOP.F $7, $1", True),
    ("DJN.B $5, $1", "NOP.F $7, $1", "NOP.F $7, $0", False),     # falls through when it was 1
    ("DJN.B $5, $1", "NOP.F $7, $0", "NOP.F $7, $7999", True),
    ("DJN.A $5, $1", "NOP.F $1, $9", "NOP.F $0, $9", False),
    ("DJN.BA $5, $1", "NOP.F $2, $9", "NOP.F $1, $9", True),
    ("DJN.F $5, $1", "NOP.F $1, $1", "NOP.F $0, $0", False),
    ("DJN.F $5, $1", "NOP.F $1, $2", "NOP.F $0, $1", True),
    ("DJN.I $5, $1", "NOP.F $2, $1", "NOP.F $1, $0", True)])
def test_djn(instruction, before, after, jumps):
    m = machine([instruction, before])
    m.step()
    assert m.cell(101) == cell(after)
    assert m.processes(0) == [105 if jumps else 101]


def test_djn_immediate_decrements_itself():
    m = machine(["DJN.B $5, #2"])
    m.step()
    assert m.cell(100) == cell("DJN.B $5, #1")
    assert m.processes(0) == [105]


# ---- skips ----------------------------------------------------------------------------------

@pytest.mark.parametrize("instruction, first, second, skips", [
    ("SEQ.I $1, $2", "MOV.I $1, $2", "MOV.I $1, $2", True),
    ("SEQ.I $1, $2", "CMP.A $1, $2", "SEQ.A $1, $2", False),     # distinct opcodes
    ("CMP.I $1, $2", "DAT.F $1, $2", "DAT.A $1, $2", False),     # distinct modifiers
    ("SEQ.I $1, $2", "DAT.F $1, $2", "DAT.F #1, $2", False),     # distinct modes
    ("SNE.I $1, $2", "DAT.F $1, $2", "DAT.F #1, $2", True),
    ("SNE.I $1, $2", "DAT.F $1, $2", "DAT.F $1, $2", False),
    ("SEQ.A $1, $2", "DAT.F $4, $2", "NOP.F $4, $3", True),
    ("SEQ.F $1, $2", "DAT.F $4, $2", "NOP.F $4, $3", False),
    ("SEQ.X $1, $2", "DAT.F $4, $3", "NOP.F $3, $4", True),
    ("CMP.AB $1, $2", "DAT.F $4, $3", "NOP.F $3, $4", True),
    ("SNE.BA $1, $2", "DAT.F $4, $3", "NOP.F $3, $4", False),
    ("SNE.B $1, $2", "DAT.F $4, $3", "NOP.F $3, $4", True),
    ("SLT.A $1, $2", "DAT.F $4, $3", "NOP.F $5, $0", True),
    ("SLT.B $1, $2", "DAT.F $4, $3", "NOP.F $5, $3", False),     # 3 < 3 is false
    ("SLT.AB #5, $2", "DAT.F $0, $0", "NOP.F $0, $-1", True),    # -1 is 7999: unsigned
    ("SLT.F $1, $2", "DAT.F $4, $3", "NOP.F $5, $4", True),
    ("SLT.F $1, $2", "DAT.F $4, $3", "NOP.F $5, $3", False),
    ("SLT.X $1, $2", "DAT.F $4, $3", "NOP.F $4, $5", True)])
def test_skips(instruction, first, second, skips):
    m = machine([instruction, first, second])
    m.step()
    assert m.processes(0) == [102 if skips else 101]


def test_skip_wraps_around_core():
    m = Machine(SETTINGS)
    m.load(CORESIZE - 1, np.asarray([row("SEQ.B #1, #1")]))
    m.spawn(0, CORESIZE - 1)
    m.step()
    assert m.processes(0) == [1]


# ---- processes ------------------------------------------------------------------------------

def test_spl_queues_next_then_target():
    m = machine(["SPL.B $5, $0"])
    m.step()
    assert m.processes(0) == [101, 105]


def test_spl_at_process_limit_queues_only_next():
    m = machine(["SPL.B $5, $0", "NOP.F $0, $0"], settings=SETTINGS.with_(maxprocesses=2))
    m.spawn(0, 101)
    m.step()
    assert m.processes(0) == [101, 101]


def test_dat_removes_the_process_and_the_last_one_kills():
    m = machine(["DAT.F $0, $0", "NOP.F $0, $0"])
    m.spawn(0, 101)
    m.step()
    assert m.processes(0) == [101] and m.alive == 1
    m.step()                          # the NOP at 101
    m.load(102, np.asarray([row("DAT.F $0, $0")]))
    m.step()
    assert m.processes(0) == [] and m.alive == 0


def test_nop_only_moves_on():
    m = machine(["NOP.F $3, $4"])
    m.step()
    assert m.cell(100) == cell("NOP.F $3, $4") and m.processes(0) == [101]


def test_warriors_take_turns():
    m = Machine(SETTINGS, n_warriors=2)
    m.load(100, np.asarray([row("JMP.B $0, $0")]))
    m.load(200, np.asarray([row("NOP.F $0, $0")]))
    m.spawn(0, 100)
    m.spawn(1, 200)
    m.step(3)
    assert (m.turns(0), m.turns(1)) == (2, 1)
    assert m.processes(0) == [100] and m.processes(1) == [201]


# ---- P-space --------------------------------------------------------------------------------

def test_stp_then_ldp():
    # STP.B stores the A value's B (33) at the B value's B (7); LDP.AB loads cell A (7).
    m = machine(["STP.B $2, #7", "LDP.AB #7, $2", "NOP.F $0, $33", "NOP.F $0, $0"])
    m.step(2)
    assert m.pspace_cell(0, 7) == 33
    assert m.cell(103) == cell("NOP.F $0, $33")


def test_pspace_addresses_wrap_at_its_size():
    m = machine(["STP.AB #9, #507"])            # P-space of 8000 / 16 = 500 cells
    m.step()
    assert m.pspace_cell(0, 7) == 9


def test_cell_zero_is_the_last_result():
    m = machine(["LDP.AB #0, $1", "NOP.F $0, $0", "STP.AB #42, #0", "LDP.A #0, $-2"])
    m.step()
    assert m.cell(101) == cell("NOP.F $0, $-1")   # before round 1: coresize - 1
    m.step(3)
    assert m.cell(101) == cell("NOP.F $42, $-1")


@pytest.mark.parametrize("modifier, expected", [("A", (5, 0)), ("B", (0, 6)), ("AB", (0, 5)), ("BA", (6, 0)),
                                                ("F", (0, 6)), ("X", (0, 6)), ("I", (0, 6))])
def test_ldp_modifiers(modifier, expected):
    # P-space cell k holds 100 + k; the A operand latches (A, B) = (5, 6) from 104.
    m = machine(["STP.AB #105, #5", "STP.AB #106, #6", f"LDP.{modifier} $2, $1", "NOP.F $0, $0",
                 "NOP.F $5, $6"])
    m.step(3)
    a, b = expected
    assert m.cell(103) == cell(f"NOP.F ${100 + a if a else 0}, ${100 + b if b else 0}")


@pytest.mark.parametrize("modifier, address, value", [("A", 5, 9), ("B", 6, 8), ("AB", 6, 9), ("BA", 5, 8),
                                                      ("F", 6, 8), ("X", 6, 8), ("I", 6, 8)])
def test_stp_modifiers(modifier, address, value):
    # A operand latches (9, 8) from 101, B operand (5, 6) from 102.
    m = machine([f"STP.{modifier} $1, $2", "NOP.F $9, $8", "NOP.F $5, $6"])
    m.step()
    assert m.pspace_cell(0, address) == value
    assert m.pspace_cell(0, 11 - address) == 0


def test_shared_pspace_keeps_own_last_result():
    m = Machine(SETTINGS, n_warriors=2, pspace_index=[0, 0])
    m.load(100, np.asarray([row("STP.AB #77, #3"), row("STP.AB #11, #0"), row("JMP.B $0, $0")]))
    m.load(300, np.asarray([row("NOP.F $0, $0"), row("LDP.AB #3, $8"), row("LDP.AB #0, $8")]))
    m.spawn(0, 100)
    m.spawn(1, 300)
    m.step(4)
    assert m.pspace_cell(1, 3) == 77
    assert m.pspace_cell(0, 0) == 11 and m.pspace_cell(1, 0) == CORESIZE - 1
    m.step(2)
    assert m.cell(309) == cell("DAT.F $0, $77") and m.cell(310) == cell("DAT.F $0, $-1")
