"""Redcode expressions, evaluated exactly as pMARS 0.9.2 evaluates them (eval.c).

Arithmetic is on 64-bit C longs: + - * wrap around and raise an overflow flag (a warning in
pMARS, not an error); / and % truncate toward zero like C and a zero divisor is an error.
Precedence, high to low: * / %, then + -, then the comparisons < > <= >= == !=, then &&, then ||.
pMARS's precedence climbing has a quirk we keep on purpose: after an operator of higher
precedence it folds the rest of the expression to the right, so `2-3*4+5` is `2-(12+5)` = -15.

A single letter is one of 26 registers (`a`..`z`, case-insensitive), initially 0 except W and S
(see `Evaluator`); `x=expr` assigns a register and yields the value. Registers live as long as
the `Evaluator`, i.e. through one warrior's assembly, as in pMARS.
"""
from __future__ import annotations

LONG_MAX = 2 ** 63 - 1
LONG_MIN = -(2 ** 63)

# Status of an evaluation, as pMARS's evalerr: negative values are errors.
OK, OVERFLOW, BAD, DIV_ZERO = 0, 1, -1, -2

# Two-character operators and the two internal ones; one-character operators are themselves.
EQUAL, NOT_EQUAL, AT_LEAST, AT_MOST, AND, OR = "==", "!=", ">=", "<=", "&&", "||"
IDENTITY = "identity"       # the right-identity operator of the first call

_PRECEDENCE = {"*": 5, "/": 5, "%": 5, "+": 4, "-": 4, "<": 3, ">": 3,
               EQUAL: 3, NOT_EQUAL: 3, AT_LEAST: 3, AT_MOST: 3, AND: 2, OR: 1}
_DIGITS = "0123456789"
_SPACES = " \t\n\v\f\r"


def _wrap(value: int) -> int:
    """Two's-complement 64-bit wrap-around, as C longs overflow in practice."""
    return ((value + 2 ** 63) % 2 ** 64) - 2 ** 63


def _c_div(a: int, b: int) -> int:
    """C integer division: the quotient truncated toward zero."""
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


def _precedence(op) -> int:
    return _PRECEDENCE.get(op, 0)


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
        self._text, self._pos, self._status, self._saved_op = "", 0, OK, None

    def evaluate(self, text: str) -> tuple[int, int]:
        """(status, value) of an expression; status is OK, OVERFLOW, BAD or DIV_ZERO."""
        self._text, self._pos, self._status, self._saved_op = text, 0, OK, None
        value = self._eval(-1, 0, IDENTITY)
        if self._char() != "":
            self._status = BAD                  # characters left over
        return self._status, value

    # ---- reading --------------------------------------------------------------------------
    def _char(self, ahead: int = 0) -> str:
        """The character at the cursor; "" stands for C's NUL (also past the end)."""
        pos = self._pos + ahead
        return self._text[pos] if pos < len(self._text) else ""

    def _skip_space(self):
        while self._char() and self._char() in _SPACES:
            self._pos += 1

    def _at_terminal(self) -> bool:
        return self._char() in ("", ")")

    def _operator(self):
        """Read a binary operator.

        A lone & | = or ! is a pMARS slip: it swallows the next character and leaves the
        operator variable unset. In the pMARS binary that variable then holds 0, which is its
        code for ==, so `8000 = 11` reads as `8000 == 1` followed by nothing."""
        first, second = self._char(), self._char(1)
        if first in ("&", "|", "=", "!"):
            self._pos += 2
            pairs = {"&": "&", "|": "|", "=": "=", "!": "="}
            return first + second if second == pairs[first] else EQUAL
        self._pos += 1
        if first in ("<", ">") and second == "=":
            self._pos += 1
            return first + "="
        return first

    def _value(self) -> int:
        """A number, register, parenthesised expression, or a unary - ! + applied to one."""
        self._skip_space()
        char = self._char()
        if char == "(":
            self._pos += 1
            value = self._eval(-1, 0, IDENTITY)
            if self._char() != ")":
                self._status = BAD
            self._pos += 1
            return value
        if char == "-":
            self._pos += 1
            return _wrap(-self._value())
        if char == "!":
            self._pos += 1
            return 0 if self._value() else 1
        if char == "+":
            self._pos += 1
            return self._value()
        if char and char.isascii() and char.isalpha():
            self._pos += 1
            return self._register(ord(char.upper()) - ord("A"))
        start = self._pos
        while self._char() and self._char() in _DIGITS:
            self._pos += 1
        if self._pos == start:
            self._status = BAD
            return 0
        return min(int(self._text[start:self._pos]), LONG_MAX)   # sscanf("%ld") saturates

    def _register(self, index: int) -> int:
        self._skip_space()
        if self._char() == "=" and self._char(1) != "=":       # assignment, not equality
            self._pos += 1
            value = self._eval(-1, 0, IDENTITY)
            self.registers[index] = value
            return value
        return self.registers[index]

    # ---- pMARS's precedence climbing --------------------------------------------------------
    def _eval(self, prev_prec: int, left: int, op1) -> int:
        right = self._value()
        self._skip_space()
        if self._at_terminal():
            return self._calc(left, right, op1)
        op2 = self._operator()
        self._saved_op = None
        prec1, prec2 = _precedence(op1), _precedence(op2)
        if prec1 >= prec2:
            if prec2 >= prev_prec or prec1 <= prev_prec:
                return self._eval(prec1, self._calc(left, right, op1), op2)
            # The caller of lower precedence finishes with op2. pMARS codes == as 0, the same
            # as "no saved operator", so a saved == is lost and the rest reads as left over:
            # `1+2*3==7` is a bad expression in pMARS.
            self._saved_op = None if op2 == EQUAL else op2
            return self._calc(left, right, op1)
        result = self._calc(left, self._eval(prec1, right, op2), op1)
        if self._saved_op is not None and _precedence(self._saved_op) >= prev_prec:
            result = self._eval(prec2, result, self._saved_op)
            self._saved_op = None
        return result

    def _calc(self, x: int, y: int, op) -> int:
        if op == "+":
            if self._status == OK and (y > 0 and x > LONG_MAX - y if x > 0 else y < 0 and x < LONG_MIN - y):
                self._status = OVERFLOW
            return _wrap(x + y)
        if op == "-":
            if self._status == OK and (y < 0 and x > LONG_MAX + y if x > 0 else y > 0 and x < LONG_MIN + y):
                self._status = OVERFLOW
            return _wrap(x - y)
        if op == "*":
            if (self._status == OK and x not in (0, -1) and y not in (0, -1)
                    and _c_div(_c_div(LONG_MAX if (x > 0) == (y > 0) else LONG_MIN, y), x) == 0):
                self._status = OVERFLOW
            return _wrap(x * y)
        if op in ("/", "%"):
            if y == 0:
                self._status = DIV_ZERO
                return 0
            if x == LONG_MIN and y == -1:       # a hardware trap in pMARS: never accepted
                self._status = BAD
                return 0
            quotient = _c_div(x, y)
            return quotient if op == "/" else x - y * quotient
        comparisons = {AND: lambda: bool(x and y), OR: lambda: bool(x or y),
                       EQUAL: lambda: x == y, NOT_EQUAL: lambda: x != y,
                       "<": lambda: x < y, ">": lambda: x > y,
                       AT_MOST: lambda: x <= y, AT_LEAST: lambda: x >= y}
        if op in comparisons:
            return int(comparisons[op]())
        if op == IDENTITY:
            return y
        self._status = BAD
        return 0
