"""Redcode constants: which numbers are tunable, how they group, and writing new values back."""
from math import gcd

import numpy as np
import pytest

from arenas.corewar.assembler import assemble
from arenas.corewar.constants import find_constants, tune_constants, with_values
from arenas.corewar.instruction import A_FIELD, B_FIELD
from arenas.corewar.mutation import random_code, to_source
from arenas.corewar.settings import Settings
from arenas.corewar.steps import optima_steps

SETTINGS = Settings()

STONE = """;redcode-94
;name stone with names
;assert CORESIZE == 8000 && 7 > 3
step    EQU 2
gap     EQU step*2+1          ; 9 is in a comment
        ORG start
start   ADD.AB  #step, bomb
        MOV.I   bomb, @bomb
        JMP     start
bomb    DAT     #0, #-3
        MOV     bomb, @bomb+4
        END     start
"""

PLAIN = """;redcode-94
;name plain
        ORG     1
        DAT.F  #0, #2667
        ADD.AB #2667, $-1
        MOV.I  $20, $-5
        JMP.B  $19, $0
        DJN.B  $-2, #12
        JMP.B  $-4, $0
        END
"""


def by_name(source):
    return {c.name: c for c in find_constants(source, SETTINGS)}


def test_equ_and_field_numbers_are_found_and_comments_org_end_are_not():
    constants = by_name(STONE)
    assert list(constants) == ["step (EQU, line 4)", "gap (EQU, line 5, number 1)", "gap (EQU, line 5, number 2)",
                               "line 10 DAT A-field", "line 10 DAT B-field", "line 11 MOV B-field, number 1"]
    assert constants["step (EQU, line 4)"].value == 2 and constants["step (EQU, line 4)"].kind == "step"
    assert [constants[n].value for n in list(constants)[1:]] == [2, 1, 0, -3, 4]
    assert {c.modulus for c in constants.values()} == {8000}


def test_plain_code_groups_shared_values_and_targets_and_skips_code_references():
    constants = by_name(PLAIN)
    # #2667 on lines 4 and 5 are one constant (a step: ADD's A immediate); $-1, $0, $-2, $-4
    # point into the program; $20 (line 6, index 2) and $19 (line 7, index 3) share target 22.
    assert list(constants) == ["line 4 DAT A-field", "line 4 DAT B-field (+1 more)", "line 6 MOV A-field (+1 more)",
                               "line 6 MOV B-field", "line 8 DJN B-field"]
    assert constants["line 4 DAT B-field (+1 more)"].kind == "step"
    assert constants["line 8 DJN B-field"].kind == "count"
    assert constants["line 6 MOV B-field"].value == -5          # index 2 - 5 lies before the program


def sources():
    rng = np.random.default_rng(5)
    plain = [to_source(*random_code(rng, 8000, 100), 8000, f"r{i}") for i in range(30)]
    return [STONE, PLAIN, *plain]


@pytest.mark.parametrize("source", sources())
def test_writing_the_same_values_back_assembles_to_the_same_warrior(source):
    values = [c.value for c in find_constants(source, SETTINGS)]
    assert assemble(with_values(source, values, SETTINGS), SETTINGS) == assemble(source, SETTINGS)


def test_a_changed_equ_changes_every_use():
    values = [c.value for c in find_constants(STONE, SETTINGS)]
    values[0] = 7
    warrior = assemble(with_values(STONE, values, SETTINGS), SETTINGS)
    assert warrior.code[0, A_FIELD] == 7                        # ADD.AB #step
    assert "step    EQU 7" in with_values(STONE, values, SETTINGS)


def test_a_negative_value_after_a_binary_operator_is_parenthesised():
    values = [c.value for c in find_constants(STONE, SETTINGS)]
    values[-1] = -9                                             # MOV bomb, @bomb+4  ->  @bomb+(-9)
    source = with_values(STONE, values, SETTINGS)
    assert "@bomb+(-9)" in source
    assert assemble(source, SETTINGS).code[4, B_FIELD] == (-1 - 9) % 8000   # bomb is one line above


def test_grouped_address_fields_keep_one_target():
    constants = find_constants(PLAIN, SETTINGS)
    values = [c.value for c in constants]
    names = [c.name for c in constants]
    values[names.index("line 6 MOV A-field (+1 more)")] = 100
    code = assemble(with_values(PLAIN, values, SETTINGS), SETTINGS).code
    assert code[2, A_FIELD] == 100 and code[3, A_FIELD] == 99   # both still point at index 102
    values[names.index("line 4 DAT B-field (+1 more)")] = -3044
    code = assemble(with_values(PLAIN, values, SETTINGS), SETTINGS).code
    assert code[0, B_FIELD] == code[1, A_FIELD] == 8000 - 3044


def test_rewritten_sources_assemble_in_pmars_as_in_ours(pmars, tmp_path):
    """Independent check that rewritten text (parentheses, signs) means what we think."""
    from tests.redqueen.loop.loop_helpers import pmars_listing
    rng = np.random.default_rng(3)
    negative = [c.value for c in find_constants(STONE, SETTINGS)][:-1] + [-9]
    for k in range(7):
        source = STONE if k % 2 else PLAIN
        for _ in range(3):
            source = tune_constants(source, rng, SETTINGS)
        if k == 6:
            source = with_values(STONE, negative, SETTINGS)
            assert "@bomb+(-9)" in source
        path = tmp_path / f"t{k}.red"
        path.write_text(source)
        rows, start = pmars_listing(pmars, path)
        warrior = assemble(source, SETTINGS)
        assert np.asarray(rows).tolist() == warrior.code.tolist() and start == warrior.start, source


def test_tune_constants_moves_one_group_and_steps_come_from_the_tables():
    rng = np.random.default_rng(11)
    before = [c.value for c in find_constants(STONE, SETTINGS)]
    table = set(optima_steps(8000, 1, 10_000)) | {s for m in (2, 4, 5, 8) for s in optima_steps(8000, m, 32)}
    step_moves = 0
    for _ in range(40):
        tuned = tune_constants(STONE, rng, SETTINGS)
        after = [c.value for c in find_constants(tuned, SETTINGS)]
        changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
        assert len(changed) <= 1
        if changed == [0]:
            step_moves += 1
            step = after[0] % 8000
            assert min(step, 8000 - step) in table
            assert gcd(step, 8000) in (1, 2, 4, 5, 8)
    assert step_moves > 0


def test_tune_constants_is_deterministic_and_leaves_constant_free_code_alone():
    assert tune_constants(STONE, np.random.default_rng(4), SETTINGS) == \
        tune_constants(STONE, np.random.default_rng(4), SETTINGS)
    bare = ";redcode-94\nstart MOV.I start, start+1\n END start\n"
    assert find_constants(bare, SETTINGS)[0].name == "line 2 MOV B-field, number 1"
    no_numbers = ";redcode-94\nstart MOV.I start, next\nnext DAT #start, #next\n END start\n"
    assert find_constants(no_numbers, SETTINGS) == []
    assert tune_constants(no_numbers, np.random.default_rng(0), SETTINGS) == no_numbers


def test_a_source_with_for_blocks_tunes_numbers_without_grouping():
    source = ";redcode-94\n        FOR 3\n        DAT #0, #100\n        ROF\n        MOV $100, $200\n        END\n"
    constants = find_constants(source, SETTINGS)
    assert [c.value for c in constants] == [0, 100, 100, 200]   # FOR's count is not a constant
    values = [c.value for c in constants]
    values[1] = 50
    code = assemble(with_values(source, values, SETTINGS), SETTINGS).code
    assert code[:3, B_FIELD].tolist() == [50, 50, 50] and code[3, A_FIELD] == 100


def test_with_values_refuses_a_wrong_number_of_values():
    with pytest.raises(ValueError, match="values for"):
        with_values(STONE, [1], SETTINGS)


def test_text_pmars_does_not_read_has_no_constants():
    source = ("Here is my warrior, version 2:\nMOV 0, 5\n;redcode-94\n;name x\n        MOV.I 0, 2667\n"
              "        END\n        DAT #0, #77\n")
    assert [c.value for c in find_constants(source, SETTINGS)] == [2667]


def test_a_sign_after_a_closing_parenthesis_is_binary():
    source = ";redcode-94\nk EQU 3\n        MOV.I $(k*2)+1, $(k)-4\n        END\n"
    constants = find_constants(source, SETTINGS)
    assert [c.value for c in constants] == [3, 2, 1, 4]
    rewritten = with_values(source, [3, 2, -2, 6], SETTINGS)
    assert "$(k*2)+(-2), $(k)-6" in rewritten
    code = assemble(rewritten, SETTINGS).code
    assert code[0, A_FIELD] == 4 and code[0, B_FIELD] == -3 % 8000


@pytest.mark.slow
@pytest.mark.parametrize("stride", [1])
def test_human_warriors_round_trip_and_tuned_variants_assemble(shared_warriors, stride):
    check_human_warriors(shared_warriors, stride)


def test_a_sample_of_human_warriors_round_trips(shared_warriors):
    check_human_warriors(shared_warriors, 25)


def check_human_warriors(shared_warriors, stride):
    """Robustness of the literal finder on varied hand-written Redcode (nothing is tuned against
    or copied from these files: each is only read back and re-assembled)."""
    from redqueen.arena import ProgramError
    rng = np.random.default_rng(0)
    checked = rejected = 0
    for path in sorted(shared_warriors.glob("*/*.red"))[::stride]:
        source = path.read_text(encoding="latin-1")
        try:
            warrior = assemble(source, SETTINGS)
        except ProgramError:
            continue
        values = [c.value for c in find_constants(source, SETTINGS)]
        assert assemble(with_values(source, values, SETTINGS), SETTINGS) == warrior, path
        try:
            assemble(tune_constants(source, rng, SETTINGS), SETTINGS)
        except ProgramError:
            rejected += 1              # e.g. a changed FOR count making the warrior too long
        checked += 1
    assert checked > 1000 // stride and rejected <= max(1, checked // 100)
