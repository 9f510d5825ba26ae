"""The encoding pass: each expanded line becomes one instruction (pMARS 0.9.2's automaton,
dfashell and encode in asm.c).

A line is read by a small state machine: opcode, optional `.modifier`, A mode and expression,
`,`, B mode and expression. Labels still present (forward references) become their offset from
the instruction; an EQU name met here (defined after its use) is replaced by the first line of
its text, read in the state the machine is in. An unknown one-letter name is a register.
A missing modifier gets pMARS's default; a single operand is DAT's B field (A is #0) or the
A field of JMP/SPL/NOP (B is $0), and is an error for any other opcode.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from .asm_diag import Diagnostics, LineFailed
from .asm_expand import N_OPCODES, OPERATION_NAMES, Symbol, TEXT
from .asm_expr import DIV_ZERO, MAX_DIGITS, OK, OVERFLOW, UNDEFINED, Evaluator
from .asm_lines import SourceLine
from .asm_tokens import ADDRESS, COMMA, DOT, MODE_SYMBOLS, NONE, NUMBER, OPERATOR, WORD, tokenize
from . import instruction as ins

# Machine states, after pMARS's stateCol.
(OPCODE, AFTER_OPCODE, MODIFIER, A_OPERAND, A_EXPRESSION, B_OPERAND, B_EXPRESSION) = range(7)

ORG_OP, END_OP, PIN_OP = (OPERATION_NAMES[name] for name in ("ORG", "END", "PIN"))
MODIFIER_NAMES = {name: number for number, name in enumerate(ins.MODIFIERS)}
EXPRESSION_LIMIT = 255
WORK_LIMIT = 100_000        # substitutions in this pass, over the whole warrior


@dataclass
class Fields:
    """What the state machine read from one line."""
    operation: int = -1
    modifier: int | None = None
    a_mode: int = ins.DIRECT
    a_expr: str = ""
    b_mode: int = ins.DIRECT
    b_expr: str = ""
    complete: bool = False      # an operand expression was read (pMARS's statefine)


def default_modifier(op: int, a_mode: int, b_mode: int) -> int:
    """pMARS's modifier for an instruction written without one."""
    if op in (ins.DAT, ins.NOP):
        return ins.M_F
    if op in (ins.MOV, ins.CMP, ins.SEQ, ins.SNE, ins.ADD, ins.SUB, ins.MUL, ins.DIV, ins.MOD):
        if a_mode == ins.IMMEDIATE:
            return ins.M_AB
        if b_mode == ins.IMMEDIATE:
            return ins.M_B
        return ins.M_I if op in (ins.MOV, ins.CMP, ins.SEQ, ins.SNE) else ins.M_F
    if op in (ins.SLT, ins.LDP, ins.STP):
        return ins.M_AB if a_mode == ins.IMMEDIATE else ins.M_B
    return ins.M_B


class Encoder:
    def __init__(self, symbols: dict[str, list[Symbol]], evaluator: Evaluator, diag: Diagnostics,
                 coresize: int):
        self.symbols, self.evaluator, self.diag, self.coresize = symbols, evaluator, diag, coresize
        self.rows: list[list[int]] = []
        self.start = 0
        self.pin: int | None = None
        self.work = 0
        self._line: SourceLine | None = None

    def encode(self, lines: list[tuple[str, SourceLine]]):
        for text, source_line in lines:
            self._line = source_line
            try:
                fields = self.read(text)
                if not self.diag.errors:
                    self._evaluate(fields)
            except LineFailed as failure:
                if type(failure) is not LineFailed:
                    raise

    # ---- reading a line -----------------------------------------------------------------------
    def read(self, text: str) -> Fields:
        fields = Fields()
        self._run(fields, text, OPCODE)
        if fields.operation >= N_OPCODES:
            return fields
        if not fields.complete:
            self._fail("SYNERR", "Syntax error")
        if not fields.b_expr:
            self._single_operand(fields)
        if fields.modifier is None:
            fields.modifier = default_modifier(fields.operation, fields.a_mode, fields.b_mode)
        return fields

    def _single_operand(self, fields: Fields):
        op = fields.operation
        if op == ins.DAT:
            fields.b_mode, fields.b_expr = fields.a_mode, fields.a_expr
            fields.a_mode, fields.a_expr = ins.IMMEDIATE, "0"
        elif op in (ins.SPL, ins.JMP, ins.NOP):
            fields.b_mode, fields.b_expr = ins.DIRECT, "0"
        else:
            self._fail("NOPERR", f"Incomplete operand at instruction '{ins.OPCODES[op]}'")

    def _run(self, fields: Fields, text: str, state: int) -> int:
        """Run the machine over `text` from `state`; return the state it stops in."""
        tokens = tokenize(text)
        index = 0
        while True:
            kind, token = tokens[index][:2] if index < len(tokens) else (NONE, "")
            if state == OPCODE:
                self._opcode(fields, kind, token)
                state = AFTER_OPCODE if fields.operation < N_OPCODES else B_EXPRESSION
                index += 1
                continue
            if state not in (A_EXPRESSION, B_EXPRESSION):
                fields.complete = False
            if kind == NONE:
                return state
            if state == MODIFIER:
                state, consumed = self._modifier(fields, kind, token), True
            elif state in (A_EXPRESSION, B_EXPRESSION):
                state, consumed = self._expression(fields, kind, token, state), True
            else:
                state, consumed = self._operand_start(fields, kind, token, state)
            index += consumed

    def _opcode(self, fields: Fields, kind: int, token: str):
        operation = OPERATION_NAMES.get(token.upper()) if kind == WORD else None
        if operation is None:
            self._fail("EXPERR", "Missing 'opcode'")
        fields.operation = operation

    def _modifier(self, fields: Fields, kind: int, token: str) -> int:
        modifier = MODIFIER_NAMES.get(token.upper()) if kind == WORD else None
        if modifier is None:
            self._fail("EXPERR", "Missing 'modifier'")
        fields.modifier = modifier
        return A_OPERAND

    def _operand_start(self, fields: Fields, kind: int, token: str, state: int) -> tuple[int, bool]:
        """After the opcode (AFTER_OPCODE), the modifier (A_OPERAND) or the comma (B_OPERAND):
        a mode, or the expression's first token (read again in the expression state)."""
        expression_state = B_EXPRESSION if state == B_OPERAND else A_EXPRESSION
        if kind == DOT and state == AFTER_OPCODE:
            return MODIFIER, True
        if kind == ADDRESS:
            if state == B_OPERAND:
                fields.b_mode = MODE_SYMBOLS.index(token)
            else:
                fields.a_mode = MODE_SYMBOLS.index(token)
            return expression_state, True
        if kind in (NUMBER, OPERATOR):
            return expression_state, False
        if kind == WORD:
            symbol = self._lookup(token)
            if symbol is not None:
                return self._substitute(fields, symbol, token, state), True
            if len(token) == 1:
                return expression_state, False          # a register
            self._fail("SNFERR", f"Undefined label or symbol: '{token}'")
        if state == AFTER_OPCODE:
            self._fail("APPERR", f"Improper placement of '{token}'")
        self._fail("EXPERR", f"Missing '{'A' if state == A_OPERAND else 'B'}-term'")

    def _expression(self, fields: Fields, kind: int, token: str, state: int) -> int:
        """A token of the A or B expression; a comma ends the A operand."""
        if kind == COMMA and state == A_EXPRESSION:
            return B_OPERAND
        if kind == WORD:
            symbol = self._lookup(token)
            if symbol is not None:
                last = self._substitute(fields, symbol, token, state)
                return B_EXPRESSION if state == B_EXPRESSION else last
            if len(token) > 1:
                self._fail("SNFERR", f"Undefined label or symbol: '{token}'")
        elif kind == NUMBER:
            if len(token) >= EXPRESSION_LIMIT:
                self._fail("BUFERR", "Buffer overflow. Substitution is too complex")
            token += " "                                # keeps 1 2 from reading as 12
        elif not (kind == OPERATOR or (kind == ADDRESS and token in "<>*")):
            self._fail("APPERR", f"Improper placement of '{token}'")
        self._extend(fields, state, token)
        fields.complete = True
        return state

    def _extend(self, fields: Fields, state: int, token: str):
        current = fields.a_expr if state == A_EXPRESSION else fields.b_expr
        if len(current) + len(token) > EXPRESSION_LIMIT:
            self._fail("BUFERR", "Buffer overflow. Substitution is too complex")
        if state == A_EXPRESSION:
            fields.a_expr += token
        else:
            fields.b_expr += token

    def _lookup(self, name: str) -> Symbol | None:
        stack = self.symbols.get(name)
        return stack[-1] if stack else None

    def _substitute(self, fields: Fields, symbol: Symbol, token: str, state: int) -> int:
        """Read a label's offset, or the first line of an EQU's text, in the current state."""
        if symbol.visiting:
            self._fail("RECERR", f"Recursive reference of label '{token}'")
        self.work += 1
        if self.work > WORK_LIMIT:
            self.diag.error("WORK", f"EQU substitution too large (more than {WORK_LIMIT} steps)",
                            self._line, abandon=True)
        if symbol.kind == TEXT:
            text = symbol.lines[0].text
        elif state == B_EXPRESSION and fields.operation >= N_OPCODES:
            text = str(symbol.value)                    # ORG/END/PIN: absolute
        else:
            text = str(symbol.value - len(self.rows))
        symbol.visiting = True
        try:
            return self._run(fields, text, state)
        finally:
            symbol.visiting = False

    # ---- values -------------------------------------------------------------------------------
    def _value(self, expression: str, follows_previous: bool = False,
               followed_by: str = "") -> tuple[int, int]:
        status, value = self.evaluator.evaluate(expression or "0", follows_previous, followed_by)
        if status == UNDEFINED:
            self._fail("UNDEFINED", f"a number of {MAX_DIGITS} digits or more: pMARS's result "
                                    "is undefined (it crashes or computes garbage)")
        if status == DIV_ZERO:
            self._fail("DIVERR", "Division by zero")
        if status < OK:
            self._fail("EVLERR", "Bad expression")
        return status, value

    def _evaluate(self, fields: Fields):
        op = fields.operation
        if op >= N_OPCODES:
            status, value = self._value(fields.b_expr)
            if status == OVERFLOW:
                self.diag.warning("OFLERR", "Arithmetic overflow detected", self._line)
            if op == ORG_OP:
                self.start = value % self.coresize
            elif op == PIN_OP:
                self.pin = value
            elif value:                                 # END with a non-zero start
                if self.start:
                    self.diag.warning("DOEERR", "Both opcodes ORG and END are used. Ignoring END",
                                      self._line)
                else:
                    self.start = value % self.coresize
            return
        a_status, a_value = self._value(fields.a_expr, followed_by=fields.b_expr)
        b_status, b_value = self._value(fields.b_expr, follows_previous=True)
        if OVERFLOW in (a_status, b_status):
            self.diag.warning("OFLERR", "Arithmetic overflow detected", self._line)
        self.rows.append([op, fields.modifier, fields.a_mode, a_value % self.coresize,
                          fields.b_mode, b_value % self.coresize])

    def _fail(self, kind: str, reason: str) -> NoReturn:
        self.diag.error(kind, reason, self._line)
