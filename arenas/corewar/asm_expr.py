"""Redcode expressions, evaluated exactly as pMARS 0.9.2 evaluates them (eval.c).

Arithmetic is on 64-bit C longs: + - * wrap around and raise an overflow flag (a warning in
pMARS, not an error); / and % truncate toward zero like C and a zero divisor is an error.
Precedence, high to low: * / %, then + -, then the comparisons < > <= >= == !=, then &&, then ||.
pMARS's precedence climbing has quirks we keep on purpose:
- after an operator of higher precedence it folds the rest to the right: `2-3*4+5` is -15;
- it codes == as 0, which is also "no pending operator", so `1+2*3==7` is a bad expression;
- a lone & | = or ! swallows the next character and leaves the operator unset (see `_Stack`).

A single letter is one of 26 registers (`a`..`z`, case-insensitive), initially 0 except W and S
(see `Evaluator`); `x=expr` assigns a register and yields the value. Registers live as long as
the `Evaluator`, i.e. through one warrior's assembly, as in pMARS.
"""
from __future__ import annotations

import re

LONG_MAX = 2 ** 63 - 1
LONG_MIN = -(2 ** 63)

# Status of an evaluation, as pMARS's evalerr: negative values are errors. UNDEFINED is ours:
# a number of MAX_DIGITS digits or more overflows pMARS's digit buffer and corrupts its stack
# (it crashes or computes garbage), so no result is right; we reject it wherever it appears.
OK, OVERFLOW, BAD, DIV_ZERO, UNDEFINED = 0, 1, -1, -2, -3
MAX_DIGITS = 48

# Operators are the byte codes pMARS uses: its enum for the two-character ones and the right
# identity, the character itself for the others. Any other byte is no operator at all.
EQUAL, NOT_EQUAL, AT_LEAST, AT_MOST, AND, OR, IDENTITY = range(7)
PLUS, MINUS, TIMES, DIVIDE, MODULO, LESS, GREATER = (ord(c) for c in "+-*/%<>")
_PRECEDENCE = {TIMES: 5, DIVIDE: 5, MODULO: 5, PLUS: 4, MINUS: 4, LESS: 3, GREATER: 3,
               EQUAL: 3, NOT_EQUAL: 3, AT_LEAST: 3, AT_MOST: 3, AND: 2, OR: 1}
_PAIRS = {"&&": AND, "||": OR, "==": EQUAL, "!=": NOT_EQUAL, "<=": AT_MOST, ">=": AT_LEAST}
_DIGITS = "0123456789"
_SPACES = " \t\n\v\f\r"

# Stack frame sizes in the pMARS binary (x86-64): eval and getval push a return address and six
# registers and reserve 40 bytes; getreg, tail-called from getval, pushes three registers.
_FRAME, _REGISTER_FRAME = 96, 32


def _wrap(value: int) -> int:
    """Two's-complement 64-bit wrap-around, as C longs overflow in practice."""
    return ((value + 2 ** 63) % 2 ** 64) - 2 ** 63


def _c_div(a: int, b: int) -> int:
    """C integer division: the quotient truncated toward zero."""
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


class _Stack:
    """The stack bytes an unset operator variable shows, as they are in the pMARS binary.

    A lone & | = or ! makes pMARS's getop skip the store into eval's one-byte operator variable,
    so that byte keeps whatever the stack held at that address. We track the top byte of each
    8-byte stack word below eval_expr (the operator variable is one of those): pushed return
    addresses and registers (0, or 0xFF for a negative long), stored longs, digits of numbers,
    and operators stored by earlier evals at the same depth, including those of the A field
    when the B field is evaluated next. What sscanf and the rest of pMARS leave there is taken
    as zero bytes, which makes the unset operator read as == (code 0) in the usual case.
    """

    def __init__(self):
        self.top: dict[int, int] = {}

    def reset(self):
        self.top.clear()

    def read(self, address: int) -> int:
        return self.top.get(address, 0)

    def store_byte(self, address: int, value: int):
        if address % 8 == 7:
            self.top[address] = value

    def store_long(self, word: int, value: int):
        self.top[word + 7] = 0xFF if value < 0 else 0

    def enter(self, caller_sp: int, saved_long: int = 0):
        """A 96-byte frame below `caller_sp`: return address and six registers, of which the
        fifth (r12) is the caller eval's left operand."""
        for k in range(1, 8):
            self.top[caller_sp - 8 * k + 7] = 0
        if saved_long < 0:
            self.top[caller_sp - 40 + 7] = 0xFF

    def call_leaf(self, sp: int):
        """A call to a function that uses no stack but its return address."""
        self.top[sp - 1] = 0

    def clobber_below(self, address: int):
        for key in [key for key in self.top if key < address]:
            del self.top[key]


class _NoStack(_Stack):
    """The stack model switched off, for expressions that cannot read it."""

    def store_byte(self, address: int, value: int):
        pass

    def store_long(self, word: int, value: int):
        pass

    def enter(self, caller_sp: int, saved_long: int = 0):
        pass

    def call_leaf(self, sp: int):
        pass

    def clobber_below(self, address: int):
        pass


_NO_STACK = _NoStack()
_MAY_READ_STACK = re.compile(r"[&|=!]")          # a lone operator is possible
_MAY_USE_REGISTERS = re.compile(r"[A-Za-z&|=!]")  # ... or a register: no caching
_CONSTANT_CACHE: dict[str, tuple[int, int]] = {}  # results of the other expressions
_CACHE_LIMIT = 50_000


class Evaluator:
    """pMARS's expression evaluator with its register file.

    `registers` gives initial register values by letter. pMARS evaluates its score formula
    before assembling the first warrior, which leaves W (the number of warriors) and S (the
    last warrior number, also the number of warriors) set for that warrior's assembly.
    """

    def __init__(self, registers: dict[str, int] | None = None):
        self.registers = [0] * 26
        for letter, value in (registers or {}).items():
            self.registers[ord(letter.upper()) - ord("A")] = value
        self._text, self._pos, self._status, self._saved_op = "", 0, OK, 0
        self._model = _Stack()
        self._stack: _Stack = self._model

    def evaluate(self, text: str, follows_previous: bool = False,
                 followed_by: str = "") -> tuple[int, int]:
        """(status, value) of an expression; status is OK, OVERFLOW, BAD or DIV_ZERO.

        `follows_previous`: pMARS evaluates this right after the previous expression, from the
        same place (the B field after the A field), so it may see that one's stack bytes;
        `followed_by` is the expression that will follow this one that way, if any."""
        if not follows_previous:
            self._model.reset()
        needs_stack = bool(_MAY_READ_STACK.search(followed_by)) if followed_by else False
        if not needs_stack:
            cached = _CONSTANT_CACHE.get(text)
            if cached is not None:
                return cached
            if not _MAY_USE_REGISTERS.search(text):
                cached = _CONSTANT_CACHE[text] = self._run(text, _NO_STACK)
                if len(_CONSTANT_CACHE) > _CACHE_LIMIT:
                    _CONSTANT_CACHE.clear()
                return cached
            needs_stack = bool(_MAY_READ_STACK.search(text))
        return self._run(text, self._model if needs_stack else _NO_STACK)

    def _run(self, text: str, stack: _Stack) -> tuple[int, int]:
        self._stack = stack
        self._text, self._pos, self._status, self._saved_op = text, 0, OK, 0
        self._undefined = False
        value = self._eval(0, 0, -1, 0, IDENTITY)
        if self._char() != "":
            self._status = BAD                  # characters left over
        return (UNDEFINED, 0) if self._undefined else (self._status, value)

    # ---- reading --------------------------------------------------------------------------
    def _char(self, ahead: int = 0) -> str:
        """The character at the cursor; "" stands for C's NUL (also past the end)."""
        pos = self._pos + ahead
        return self._text[pos] if pos < len(self._text) else ""

    def _skip_space(self):
        text, pos = self._text, self._pos
        while pos < len(text) and text[pos] in _SPACES:
            pos += 1
        self._pos = pos

    def _operator(self, sp: int) -> int:
        """Read a binary operator into the frame at `sp`; a lone & | = ! leaves it unset."""
        self._stack.call_leaf(sp)
        first, second = self._char(), self._char(1)
        if first in ("&", "|", "=", "!"):
            self._pos += 2
            code = _PAIRS.get(first + second)
            if code is None:
                return self._stack.read(sp + 15)
        elif first in ("<", ">") and second == "=":
            self._pos += 2
            code = _PAIRS[first + second]
        else:
            self._pos += 1
            code = ord(first) & 0xFF
        self._stack.store_byte(sp + 15, code)
        return code

    def _value(self, caller_sp: int, caller_left: int) -> int:
        """getval: a number, register, parenthesised expression, or unary - ! + applied to one.
        `caller_sp` and `caller_left` place its frame on the modelled stack."""
        sp = caller_sp - _FRAME
        stack = self._stack
        stack.enter(caller_sp, caller_left)
        stack.call_leaf(sp)
        self._skip_space()
        while self._char() == "+":              # compiled as a loop in pMARS: no new frame
            self._pos += 1
            self._skip_space()
        char = self._char()
        if char == "(":
            self._pos += 1
            value = self._eval(sp, 0, -1, 0, IDENTITY)
            if self._char() != ")":
                self._status = BAD
            self._pos += 1
            return value
        if char in ("-", "!"):
            self._pos += 1
            operand = self._value(sp, 0)
            stack.store_long(sp, operand)       # the inner getval's result, in this frame
            return _wrap(-operand) if char == "-" else int(not operand)
        stack.call_leaf(sp)
        if char and char.isascii() and char.isalpha():
            self._pos += 1
            return self._register(caller_sp, caller_left, ord(char.upper()) - ord("A"))
        start = self._pos
        while self._char() and self._char() in _DIGITS:
            self._pos += 1
        digits = self._text[start:self._pos]
        for offset, digit in enumerate(digits + "\0"):
            stack.store_byte(sp + offset, ord(digit))
        stack.clobber_below(sp)                 # sscanf
        if not digits:
            self._status = BAD
            return 0
        if len(digits) >= MAX_DIGITS:
            self._undefined = True
        return min(int(digits), LONG_MAX)       # sscanf("%ld") saturates

    def _register(self, caller_sp: int, caller_left: int, index: int) -> int:
        """getreg, tail-called from getval (so its frame replaces getval's)."""
        sp = caller_sp - _REGISTER_FRAME
        self._stack.store_long(caller_sp - 16, caller_left)
        self._stack.store_long(caller_sp - 24, 0)
        self._stack.store_long(caller_sp - 32, 0)
        self._stack.call_leaf(sp)
        self._skip_space()
        if self._char() == "=" and self._char(1) != "=":       # assignment, not equality
            self._pos += 1
            value = self._eval(sp, 0, -1, 0, IDENTITY)
            self.registers[index] = value
            return value
        return self.registers[index]

    # ---- pMARS's precedence climbing --------------------------------------------------------
    def _eval(self, caller_sp: int, caller_left: int, prev_prec: int, left: int, op1: int) -> int:
        sp = caller_sp - _FRAME
        self._stack.enter(caller_sp, caller_left)
        right = self._value(sp, left)
        self._stack.store_long(sp + 24, right)
        self._skip_space()
        if self._char() in ("", ")"):
            return self._calc(sp, left, right, op1)
        op2 = self._operator(sp)
        self._saved_op = 0
        prec1, prec2 = _PRECEDENCE.get(op1, 0), _PRECEDENCE.get(op2, 0)
        if prec1 >= prec2:
            if prec2 >= prev_prec or prec1 <= prev_prec:
                return self._eval(sp, left, prec1, self._calc(sp, left, right, op1), op2)
            # A caller of lower precedence finishes with op2; a saved == (code 0) is lost.
            result = self._calc(sp, left, right, op1)
            self._saved_op = op2
            return result
        inner = self._eval(sp, left, prec1, right, op2)
        self._stack.store_long(sp + 16, inner)
        result = self._calc(sp, left, inner, op1)
        if self._saved_op and _PRECEDENCE.get(self._saved_op, 0) >= prev_prec:
            result = self._eval(sp, left, prec2, result, self._saved_op)
            self._saved_op = 0
        return result

    def _calc(self, sp: int, x: int, y: int, op: int) -> int:
        self._stack.call_leaf(sp)
        if op == PLUS:
            if self._status == OK and (y > 0 and x > LONG_MAX - y if x > 0 else y < 0 and x < LONG_MIN - y):
                self._status = OVERFLOW
            return _wrap(x + y)
        if op == MINUS:
            if self._status == OK and (y < 0 and x > LONG_MAX + y if x > 0 else y > 0 and x < LONG_MIN + y):
                self._status = OVERFLOW
            return _wrap(x - y)
        if op == TIMES:
            if (self._status == OK and x not in (0, -1) and y not in (0, -1)
                    and _c_div(_c_div(LONG_MAX if (x > 0) == (y > 0) else LONG_MIN, y), x) == 0):
                self._status = OVERFLOW
            return _wrap(x * y)
        if op in (DIVIDE, MODULO):
            if y == 0:
                self._status = DIV_ZERO
                return 0
            if x == LONG_MIN and y == -1:       # a hardware trap in pMARS: never accepted
                self._status = BAD
                return 0
            quotient = _c_div(x, y)
            return quotient if op == DIVIDE else x - y * quotient
        if op == IDENTITY:
            return y
        if op == AND:
            return int(bool(x and y))
        if op == OR:
            return int(bool(x or y))
        if op == EQUAL:
            return int(x == y)
        if op == NOT_EQUAL:
            return int(x != y)
        if op == LESS:
            return int(x < y)
        if op == GREATER:
            return int(x > y)
        if op == AT_MOST:
            return int(x <= y)
        if op == AT_LEAST:
            return int(x >= y)
        self._status = BAD
        return 0
