"""Instruction encoding shared by the assembler and the simulator.

Numbers follow pMARS 0.9.2's own enums so that opcode identity matches the reference:
CMP and SEQ are distinct opcodes (MOV.I copies which one it was, CMP.I/SEQ.I compare it),
even though they execute identically.

A warrior's code is an int32 array of shape (n, 6) with the columns below. Field values are
stored unsigned, 0 <= value < coresize, as pMARS stores them.
"""

OPCODES = ("MOV", "ADD", "SUB", "MUL", "DIV", "MOD", "JMZ", "JMN", "DJN", "CMP",
           "SLT", "SPL", "DAT", "JMP", "SEQ", "SNE", "NOP", "LDP", "STP")
(MOV, ADD, SUB, MUL, DIV, MOD, JMZ, JMN, DJN, CMP,
 SLT, SPL, DAT, JMP, SEQ, SNE, NOP, LDP, STP) = range(len(OPCODES))

MODIFIERS = ("A", "B", "AB", "BA", "F", "X", "I")
M_A, M_B, M_AB, M_BA, M_F, M_X, M_I = range(len(MODIFIERS))

# Mode symbols in encoding order: immediate, direct, B-indirect, B-predecrement,
# B-postincrement, A-indirect, A-predecrement, A-postincrement.
MODES = ("#", "$", "@", "<", ">", "*", "{", "}")
IMMEDIATE, DIRECT, B_INDIRECT, B_PREDEC, B_POSTINC, A_INDIRECT, A_PREDEC, A_POSTINC = range(len(MODES))

# Columns of a code array.
OP, MODIFIER, A_MODE, A_FIELD, B_MODE, B_FIELD = range(6)
N_COLUMNS = 6


def signed(value: int, coresize: int) -> int:
    """Fold an unsigned field into (-coresize/2, coresize/2], as pMARS lists it."""
    value %= coresize
    return value - coresize if value > coresize // 2 else value


def format_instruction(row, coresize: int) -> str:
    """One instruction as pMARS's load-file listing prints it, e.g. 'MOV.I  $     0, $     1'."""
    op, mod, amode, a, bmode, b = (int(x) for x in row)
    return (f"{OPCODES[op]}.{MODIFIERS[mod]:<2} {MODES[amode]}{signed(a, coresize):>6}, "
            f"{MODES[bmode]}{signed(b, coresize):>6}")
