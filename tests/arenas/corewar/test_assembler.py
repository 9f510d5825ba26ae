"""Unit tests of the assembler: the expression evaluator, default modifiers, the API, errors and
warnings. Expected values are pMARS 0.9.2's (each was checked against the pmars binary; the
differential tests in test_assembler_pmars.py keep checking them whenever pmars is present)."""
from __future__ import annotations

import numpy as np
import pytest

from arenas.corewar import instruction as ins
from arenas.corewar.asm_encode import default_modifier
from arenas.corewar.asm_expr import BAD, DIV_ZERO, LONG_MAX, OK, OVERFLOW, UNDEFINED, Evaluator
from arenas.corewar.assembler import (RedcodeError, assemble, assemble_file, listing,
                                      predefined_constants)
from arenas.corewar.settings import Settings
from redqueen.arena import ProgramError


def value(expression: str, **registers) -> int:
    status, result = Evaluator(registers).evaluate(expression)
    assert status in (OK, OVERFLOW), (expression, status)
    return result


def status(expression: str) -> int:
    return Evaluator().evaluate(expression)[0]


# ---- expressions -------------------------------------------------------------------------------
@pytest.mark.parametrize("expression, expected", [
    ("1+2*3", 7), ("2*3+1", 7), ("7-2-1", 4), ("8/2/2", 2), ("(2-3)*4", -4),
    ("2-3*4+5", -15),                 # pMARS folds right after a higher-precedence operator
    ("10-4/2", 8), ("-7/2", -3), ("7%-3", 1), ("-7%3", -1),      # C division and remainder
    ("1<2", 1), ("2<1", 0), ("3==3", 1), ("3!=3", 0), ("2>=2", 1), ("2<=1", 0),
    ("1&&0", 0), ("1||0", 1), ("!0", 1), ("!5", 0), ("--1", 1), ("-(-3)", 3), ("+4", 4),
    ("0||0&&1", 0), ("1>0>0", 1),
    ("9999999999999999999", LONG_MAX),  # sscanf saturates
    (" 1 + 2 ", 3),
])
def test_expression_values(expression, expected):
    assert value(expression) == expected


def test_division_by_zero_and_bad_expressions():
    assert status("1/0") == DIV_ZERO
    assert status("1%0") == DIV_ZERO
    for bad in ["", "1+", "(1+2", "1+2)", "1 2", "#1", "1&2", "1+2*3==7"]:
        assert status(bad) == BAD, bad


def test_lone_equals_reads_as_equality_swallowing_a_character():
    # pMARS leaves the operator unset; its binary then sees 0, the code of ==.
    assert value("8000=11") == 0          # 8000 == 1
    assert value("3=03") == 1             # 3 == 3
    assert status("1=0") == BAD           # the 0 was swallowed: nothing left


def test_overflow_is_flagged_and_wraps():
    assert Evaluator().evaluate("9223372036854775807+1") == (OVERFLOW, -(2 ** 63))
    assert Evaluator().evaluate("4611686018427387904*2")[0] == OVERFLOW
    assert Evaluator().evaluate("4611686018427387904*-2")[0] == OK     # exactly LONG_MIN


def test_overlong_numbers_are_undefined():
    assert status("1" * 47) == OK
    assert status("1" * 48) == UNDEFINED


def test_registers():
    evaluator = Evaluator({"W": 2, "S": 2})
    assert evaluator.evaluate("w*10+s") == (OK, 22)
    assert evaluator.evaluate("a=5") == (OK, 5)
    assert evaluator.evaluate("A+1") == (OK, 6)         # registers outlive one expression
    assert evaluator.evaluate("b") == (OK, 0)
    assert evaluator.evaluate("a==5") == (OK, 1)        # equality, not assignment


# ---- default modifiers ------------------------------------------------------------------------
def test_default_modifiers_follow_icws94_as_pmars_lists_them():
    imm, direct = ins.IMMEDIATE, ins.DIRECT
    for op in (ins.DAT, ins.NOP):
        assert default_modifier(op, imm, direct) == ins.M_F
    for op in (ins.JMP, ins.JMZ, ins.JMN, ins.DJN, ins.SPL):
        assert default_modifier(op, imm, imm) == ins.M_B
    for op in (ins.MOV, ins.SEQ, ins.SNE, ins.CMP):
        assert [default_modifier(op, a, b) for a, b in [(imm, direct), (direct, imm), (direct, direct)]] \
            == [ins.M_AB, ins.M_B, ins.M_I]
    for op in (ins.ADD, ins.SUB, ins.MUL, ins.DIV, ins.MOD):
        assert [default_modifier(op, a, b) for a, b in [(imm, imm), (direct, imm), (direct, direct)]] \
            == [ins.M_AB, ins.M_B, ins.M_F]
    for op in (ins.SLT, ins.LDP, ins.STP):
        assert [default_modifier(op, a, b) for a, b in [(imm, direct), (direct, imm)]] == [ins.M_AB, ins.M_B]


def test_single_operands():
    code = assemble("dat 5\ndat #5\njmp 3\nspl @2\nnop <1\n").code
    assert code[0].tolist() == [ins.DAT, ins.M_F, ins.IMMEDIATE, 0, ins.DIRECT, 5]
    assert code[1].tolist() == [ins.DAT, ins.M_F, ins.IMMEDIATE, 0, ins.IMMEDIATE, 5]
    assert code[2].tolist() == [ins.JMP, ins.M_B, ins.DIRECT, 3, ins.DIRECT, 0]
    assert code[3].tolist() == [ins.SPL, ins.M_B, ins.B_INDIRECT, 2, ins.DIRECT, 0]
    assert code[4].tolist() == [ins.NOP, ins.M_F, ins.B_PREDEC, 1, ins.DIRECT, 0]
    for op in ("mov", "djn", "add", "ldp", "seq"):
        with pytest.raises(RedcodeError, match="Incomplete operand"):
            assemble(f"{op} 1\n")


# ---- assembling ---------------------------------------------------------------------------------
IMP_SOURCE = """;redcode-94
;name Imp
;author A. K. Dewdney
;strategy the smallest warrior
;assert CORESIZE == 8000
start   mov.i   start, start+1  ; copy forward
        end     start
"""


def test_a_complete_warrior():
    warrior = assemble(IMP_SOURCE, filename="imp.red")
    assert (warrior.name, warrior.author, warrior.strategy) == ("Imp", "A. K. Dewdney", "the smallest warrior")
    assert warrior.code.tolist() == [[ins.MOV, ins.M_I, ins.DIRECT, 0, ins.DIRECT, 1]]
    assert (warrior.start, warrior.pin, warrior.filename, warrior.warnings) == (0, None, "imp.red", ())
    assert warrior.code.dtype == np.int32 and not warrior.code.flags.writeable


def test_fields_are_stored_unsigned():
    warrior = assemble("dat -1, 4001\n", Settings(coresize=8000))
    assert warrior.code[0, 3] == 7999 and warrior.code[0, 5] == 4001
    assert assemble("dat -1, 401\n", Settings(coresize=800, maxlength=20, mindistance=20)).code[0, 3] == 799


def test_labels_are_relative_and_org_absolute():
    warrior = assemble("dat 0\nhere jmp here, there\nthere dat there\norg here\n")
    assert warrior.code[1, 3] == 0 and warrior.code[1, 5] == 1
    assert warrior.code[2, 5] == 0
    assert warrior.start == 1


def test_for_rof_with_counter_and_concatenation():
    warrior = assemble("i for 3\nl&i dat i, 10*i\nrof\njmp l02\n")
    assert warrior.code[:3, 5].tolist() == [10, 20, 30]
    assert warrior.code[3, 3] == (1 - 3) % 8000


def test_equ_and_multiline_equ():
    warrior = assemble("two equ 2\nmac equ mov two, 1\n    equ dat two*2\nmac\n")
    assert warrior.code.tolist() == [[ins.MOV, ins.M_I, ins.DIRECT, 2, ins.DIRECT, 1],
                                     [ins.DAT, ins.M_F, ins.IMMEDIATE, 0, ins.DIRECT, 4]]


def test_pin_and_names():
    warrior = assemble(";name  padded  \n;author\npin -3\ndat 0\n")
    assert (warrior.name, warrior.author, warrior.pin) == ("padded  ", "Anonymous", -3)


def test_redcode_line_restarts_and_end_stops():
    assert assemble("dat 1\n;redcode\ndat 2\nend\ndat 3\n").code[:, 5].tolist() == [2]


def test_predefined_constants_follow_the_settings():
    settings = Settings(coresize=8001, maxcycles=7, maxprocesses=9, maxlength=20, mindistance=30,
                        rounds=4, warriors=3)
    constants = predefined_constants(settings)
    assert constants == dict(CORESIZE=8001, MAXPROCESSES=9, MAXCYCLES=7, MAXLENGTH=20, MINDISTANCE=30,
                             VERSION=92, WARRIORS=3, ROUNDS=4, PSPACESIZE=889)
    assert Settings().pspace == 500 and Settings(pspacesize=7).pspace == 7
    warrior = assemble("dat CORESIZE-1, WARRIORS\n", settings)
    assert warrior.code[0, 3] == 8000 and warrior.code[0, 5] == 3


def test_maxlength_is_enforced():
    assemble("for 20\ndat 0\nrof\n", Settings(maxlength=20, mindistance=20))
    with pytest.raises(RedcodeError, match="Too many instructions"):
        assemble("for 21\ndat 0\nrof\n", Settings(maxlength=20, mindistance=20))


def test_warnings_do_not_reject():
    warrior = assemble("x dat 0\nx dat 1\norg 9\n", filename="w.red")
    assert warrior.length == 1
    assert any("redefinition" in w and w.startswith("w.red:2:") for w in warrior.warnings)
    assert any("outside of the program" in w for w in warrior.warnings)
    assert any("Missing ';assert'" in w for w in warrior.warnings)


def test_nine_distinct_warnings_reject_as_in_pmars():
    eight = "".join(f"x{i} dat 0\nx{i} dat 1\n" for i in range(8))
    assert assemble(eight).length == 8
    with pytest.raises(RedcodeError, match="too many errors or warnings"):
        assemble(eight + "x8 dat 0\nx8 dat 1\n")


def test_empty_warrior_is_accepted_with_a_warning():
    warrior = assemble(";name nothing\n")
    assert warrior.length == 0 and any("No instructions" in w for w in warrior.warnings)


def test_equality_is_by_content():
    a = assemble(";name A\nmov 0, 1\n", filename="a.red")
    b = assemble(";name B\n  MOV.I $0, $1 ; same code\n", filename="b.red")
    assert a == b and hash(a) == hash(b) and a.digest == b.digest
    assert a != assemble("mov 0, 2\n")
    assert a != assemble("mov 0, 1\npin 1\n")


# ---- errors -----------------------------------------------------------------------------------
def test_errors_name_file_and_line():
    with pytest.raises(RedcodeError) as caught:
        assemble(";name bad\nmov 0, 1\nmov nowhere, 1\n", filename="bad.red")
    error = caught.value
    assert isinstance(error, ProgramError)
    assert error.errors == [("bad.red", 3, "Undefined label or symbol: 'nowhere'")]
    assert str(error) == "bad.red:3: Undefined label or symbol: 'nowhere'"


def test_every_bad_line_is_reported_one_line_each():
    with pytest.raises(RedcodeError) as caught:
        assemble("mov 0, 1\nmov #, \njmp nowhere\ndat 1/0\n", filename="f.red")
    lines = str(caught.value).splitlines()
    assert [line.split(":")[1] for line in lines] == ["2", "3"]
    assert all(line.startswith("f.red:") for line in lines)


def test_whole_warrior_errors_have_no_line():
    with pytest.raises(RedcodeError) as caught:
        assemble(";assert CORESIZE == 55440\ndat 0\n", filename="a.red")
    assert caught.value.errors == [("a.red", 1, "Assertion in this line fails")]
    with pytest.raises(RedcodeError) as caught:
        assemble("mov 0, 1\n" * 3, Settings(maxlength=2, mindistance=2), filename="long.red")
    assert caught.value.errors[0][:2] == ("long.red", 3)


def test_assemble_file(tmp_path):
    path = tmp_path / "imp.red"
    path.write_bytes(IMP_SOURCE.replace("\n", "\r\n").encode())
    warrior = assemble_file(path)
    assert warrior.filename == str(path) and warrior == assemble(IMP_SOURCE)
    with pytest.raises(RedcodeError, match="Unable to open"):
        assemble_file(tmp_path / "missing.red")


def test_names_keep_their_bytes(tmp_path):
    assert assemble(";name Café ☕\nmov 0, 1\n").name == "Café ☕"
    path = tmp_path / "latin1.red"
    path.write_bytes(b";name caf\xe9\n;author \xff\nmov 0, 1\n")
    warrior = assemble_file(path)
    assert warrior.name.encode("utf-8", "surrogateescape") == b"caf\xe9"
    assert listing(warrior).encode("utf-8", "surrogateescape").startswith(b'Program "caf\xe9" (length 1) by "\xff"')


# ---- the listing ------------------------------------------------------------------------------
def test_listing_layout():
    text = listing(assemble(";name Imp\n;author Me\ndat 0\nstart mov 0, 1\nend start\n"))
    assert text.splitlines() == [
        'Program "Imp" (length 2) by "Me"',
        "",
        "       ORG      START",
        "       DAT.F  #     0, $     0     ",
        "START  MOV.I  $     0, $     1     ",
        "",
    ]
    assert text.endswith("\n\n")


def test_listing_without_a_valid_start_has_no_org_line():
    text = listing(assemble("org 3\ndat 4001\n"))
    assert text.splitlines() == ['Program "Unknown" (length 1) by "Anonymous"', "",
                                 "       DAT.F  #     0, $ -3999     ", ""]
    assert listing(assemble("")) == 'Program "Unknown" (length 0) by "Anonymous"\n\n\n'
