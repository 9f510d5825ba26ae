"""Built-in Redcode variation operators, for evolution without a language model.

They work on assembled code (the (n, 6) arrays of `instruction`), as classic non-LLM Core War
evolvers do: change an opcode, a modifier, an addressing mode or a field; insert, delete,
duplicate or swap lines; move the start; cross two warriors over. Results are written back as
plain Redcode (`to_source`) that our assembler and pMARS both accept. All randomness comes from
the numpy Generator passed in.
"""
from __future__ import annotations

import numpy as np

from .instruction import (A_FIELD, A_MODE, B_FIELD, B_MODE, MODES, MODIFIERS, MODIFIER, N_COLUMNS, OP,
                          OPCODES, signed)

# Opcodes drawn for new instructions, weighted towards what working warriors use most.
OPCODE_WEIGHTS = {"MOV": 8, "ADD": 3, "SUB": 2, "MUL": 1, "DIV": 1, "MOD": 1, "JMZ": 2, "JMN": 2, "DJN": 3,
                  "CMP": 1, "SLT": 1, "SPL": 4, "DAT": 4, "JMP": 3, "SEQ": 2, "SNE": 2, "NOP": 1}
_OPS = np.array([OPCODES.index(name) for name in OPCODE_WEIGHTS])
_OP_P = np.array(list(OPCODE_WEIGHTS.values()), dtype=float) / sum(OPCODE_WEIGHTS.values())


def random_field(rng: np.random.Generator, coresize: int, length: int) -> int:
    """A field value: usually a small offset around the program, sometimes anywhere in core."""
    if rng.random() < 0.7:
        reach = max(4, 2 * length)
        return int(rng.integers(-reach, reach + 1)) % coresize
    return int(rng.integers(coresize))


def random_instruction(rng: np.random.Generator, coresize: int, length: int) -> np.ndarray:
    row = np.empty(N_COLUMNS, dtype=np.int32)
    row[OP] = rng.choice(_OPS, p=_OP_P)
    row[MODIFIER] = rng.integers(len(MODIFIERS))
    row[A_MODE], row[B_MODE] = rng.integers(len(MODES), size=2)
    row[A_FIELD], row[B_FIELD] = random_field(rng, coresize, length), random_field(rng, coresize, length)
    return row


def random_code(rng: np.random.Generator, coresize: int, maxlength: int) -> tuple[np.ndarray, int]:
    """A random program of 1 to 10 instructions and its start offset."""
    length = int(rng.integers(1, min(10, maxlength) + 1))
    code = np.stack([random_instruction(rng, coresize, length) for _ in range(length)])
    return code, int(rng.integers(length))


# ---- point mutations: each returns a new (code, start) -------------------------------------------
def change_opcode(code, start, rng, coresize, maxlength):
    code = code.copy()
    code[rng.integers(len(code)), OP] = rng.choice(_OPS, p=_OP_P)
    return code, start


def change_modifier(code, start, rng, coresize, maxlength):
    code = code.copy()
    code[rng.integers(len(code)), MODIFIER] = rng.integers(len(MODIFIERS))
    return code, start


def change_mode(code, start, rng, coresize, maxlength):
    code = code.copy()
    code[rng.integers(len(code)), (A_MODE, B_MODE)[rng.integers(2)]] = rng.integers(len(MODES))
    return code, start


def change_field(code, start, rng, coresize, maxlength):
    """Nudge a field by a small step (tuning a constant) or replace it outright."""
    code = code.copy()
    line, column = rng.integers(len(code)), (A_FIELD, B_FIELD)[rng.integers(2)]
    if rng.random() < 0.6:
        step = int(rng.choice([-1, 1])) * int(rng.geometric(0.3))
        code[line, column] = (int(code[line, column]) + step) % coresize
    else:
        code[line, column] = random_field(rng, coresize, len(code))
    return code, start


def insert_line(code, start, rng, coresize, maxlength):
    if len(code) >= maxlength:
        return change_field(code, start, rng, coresize, maxlength)
    at = int(rng.integers(len(code) + 1))
    code = np.insert(code, at, random_instruction(rng, coresize, len(code) + 1), axis=0)
    return code, start + (at <= start)


def delete_line(code, start, rng, coresize, maxlength):
    if len(code) <= 1:
        return change_opcode(code, start, rng, coresize, maxlength)
    at = int(rng.integers(len(code)))
    code = np.delete(code, at, axis=0)
    return code, min(start - (at < start), len(code) - 1)


def duplicate_line(code, start, rng, coresize, maxlength):
    if len(code) >= maxlength:
        return change_mode(code, start, rng, coresize, maxlength)
    at = int(rng.integers(len(code)))
    code = np.insert(code, at, code[at], axis=0)
    return code, start + (at < start)


def swap_lines(code, start, rng, coresize, maxlength):
    if len(code) < 2:
        return change_modifier(code, start, rng, coresize, maxlength)
    code = code.copy()
    i, j = rng.choice(len(code), size=2, replace=False)
    code[[i, j]] = code[[j, i]]
    return code, start


def move_start(code, start, rng, coresize, maxlength):
    return code, int(rng.integers(len(code)))


OPERATORS = (change_opcode, change_modifier, change_mode, change_field, change_field, insert_line,
             delete_line, duplicate_line, swap_lines, move_start)


def mutate_code(code: np.ndarray, start: int, rng: np.random.Generator, coresize: int,
                maxlength: int) -> tuple[np.ndarray, int]:
    """Apply one or more (geometrically many) random operators."""
    for _ in range(int(rng.geometric(0.6))):
        operator = OPERATORS[int(rng.integers(len(OPERATORS)))]
        code, start = operator(code, start, rng, coresize, maxlength)
    return code, start


def crossover_code(a: np.ndarray, a_start: int, b: np.ndarray, rng: np.random.Generator,
                   maxlength: int) -> tuple[np.ndarray, int]:
    """Two-point crossover: a's code with a slice of b's put in place of a slice of a's."""
    i, j = sorted(rng.integers(0, len(a) + 1, size=2))
    k, m = sorted(rng.integers(0, len(b) + 1, size=2))
    child = np.concatenate([a[:i], b[k:m], a[j:]])[:maxlength]
    if len(child) == 0:
        child = a.copy()
    return child, min(a_start, len(child) - 1)


def to_source(code: np.ndarray, start: int, coresize: int, name: str, strategy: str = "") -> str:
    """Plain Redcode for assembled code: explicit modifiers and modes, signed fields, ORG."""
    lines = [";redcode-94", f";name {name}", ";author redqueen builtin mutator"]
    if strategy:
        lines.append(f";strategy {strategy}")
    lines.append(f";assert CORESIZE == {coresize}")
    lines.append(f"        ORG     {start}")
    for row in code:
        op, mod, amode, a, bmode, b = (int(x) for x in row)
        lines.append(f"        {OPCODES[op]}.{MODIFIERS[mod]:<2} {MODES[amode]}{signed(a, coresize)}, "
                     f"{MODES[bmode]}{signed(b, coresize)}")
    lines.append("        END")
    return "\n".join(lines) + "\n"
