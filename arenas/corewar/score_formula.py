"""pMARS's score formula (`-=`), evaluated as pMARS's expression evaluator does.

A survivor of a round in which S of W warriors survive earns formula(W, S) points; the default
is "(W*W-1)/S". pMARS evaluates the formula with its own precedence-climbing evaluator, whose
quirks are kept: C integer arithmetic on 64-bit values (truncating division), single-letter
registers A..Z (case-insensitive; W and S preset, the others start at 0 and may be assigned
with `x=...`), comparisons and && || ! yielding 0/1, and its particular handling of mixed
precedence levels.
"""
from __future__ import annotations

DEFAULT_FORMULA = "(W*W-1)/S"

# Two-character operators, numbered as pMARS numbers them (EQUAL is 0, which pMARS's
# "pending operator" test reads as "none": kept, it decides how some formulas parse).
EQUAL, NOT_EQUAL, GREATER_EQUAL, LESS_EQUAL, AND, OR, IDENTITY = range(7)

_OK, _OVERFLOW, _BAD, _DIV_ZERO = 0, 1, -1, -2
_INT64 = 2**64


class FormulaError(ValueError):
    """The formula cannot be evaluated (bad syntax or division by zero)."""


def _wrap(value: int) -> int:
    """Two's-complement 64-bit wrap, as C's long arithmetic on this platform."""
    value %= _INT64
    return value - _INT64 if value >= 2**63 else value


def _precedence(op) -> int:
    if op in ("*", "/", "%"):
        return 5
    if op in ("+", "-"):
        return 4
    if op in (">", "<", EQUAL, NOT_EQUAL, GREATER_EQUAL, LESS_EQUAL):
        return 3
    return {AND: 2, OR: 1}.get(op, 0)


class _Evaluator:
    def __init__(self, text: str, registers: dict[str, int]):
        self.text = text + "\0"
        self.registers = registers
        self.error = _OK
        self.pending = 0   # pMARS's saveOper

    def char(self, i: int) -> str:
        return self.text[i] if i < len(self.text) else "\0"

    def skip_space(self, i: int) -> int:
        while self.char(i) in " \t\n\r\v\f":
            i += 1
        return i

    def calc(self, x: int, y: int, op) -> int:
        if op == "+":
            return _wrap(x + y)
        if op == "-":
            return _wrap(x - y)
        if op == "*":
            return _wrap(x * y)
        if op in ("/", "%"):
            if y == 0:
                self.error = _DIV_ZERO
                return 0
            quotient = abs(x) // abs(y) * (1 if (x >= 0) == (y >= 0) else -1)
            return _wrap(quotient if op == "/" else x - quotient * y)
        comparisons = {AND: lambda: bool(x) and bool(y), OR: lambda: bool(x) or bool(y),
                       EQUAL: lambda: x == y, NOT_EQUAL: lambda: x != y, "<": lambda: x < y,
                       ">": lambda: x > y, LESS_EQUAL: lambda: x <= y, GREATER_EQUAL: lambda: x >= y}
        if op == IDENTITY:
            return y
        if op in comparisons:
            return int(comparisons[op]())
        self.error = _BAD
        return 0

    def operator(self, i: int):
        """(operator, next index). Unknown characters are returned as themselves."""
        c, following = self.char(i), self.char(i + 1)
        pairs = {"&": ("&", AND), "|": ("|", OR), "=": ("=", EQUAL), "!": ("=", NOT_EQUAL)}
        if c in pairs:
            second, op = pairs[c]
            return (op if following == second else c), i + 2
        if c in "<>":
            if following == "=":
                return (LESS_EQUAL if c == "<" else GREATER_EQUAL), i + 2
            return c, i + 1
        return c, i + 1

    def value(self, i: int) -> tuple[int, int]:
        i = self.skip_space(i)
        c = self.char(i)
        if c == "(":
            result, i = self.eval(-1, 0, IDENTITY, i + 1)
            if self.char(i) != ")":
                self.error = _BAD
                return result, len(self.text) - 1
            return result, i + 1
        if c == "-":
            value, i = self.value(i + 1)
            return _wrap(-value), i
        if c == "!":
            value, i = self.value(i + 1)
            return int(not value), i
        if c == "+":
            return self.value(i + 1)
        if c.isascii() and c.isalpha():
            return self.register(c.upper(), i + 1)
        start = i
        while self.char(i).isdigit() and self.char(i).isascii():
            i += 1
        if i == start:
            self.error = _BAD
            return 0, i
        return _wrap(int(self.text[start:i])), i

    def register(self, name: str, i: int) -> tuple[int, int]:
        i = self.skip_space(i)
        if self.char(i) == "=" and self.char(i + 1) != "=":
            value, i = self.eval(-1, 0, IDENTITY, i + 1)
            self.registers[name] = value
            return value, i
        return self.registers.get(name, 0), i

    def eval(self, outer: int, left: int, op1, i: int) -> tuple[int, int]:
        """pMARS's eval(): returns (result, index after what was consumed)."""
        right, i = self.value(i)
        i = self.skip_space(i)
        if self.char(i) in (")", "\0"):
            return self.calc(left, right, op1), i
        op2, i = self.operator(i)
        self.pending = 0
        prec1, prec2 = _precedence(op1), _precedence(op2)
        if prec1 >= prec2:
            if prec2 >= outer or prec1 <= outer:
                return self.eval(prec1, self.calc(left, right, op1), op2, i)
            self.pending = op2
            return self.calc(left, right, op1), i
        inner, i = self.eval(prec1, right, op2, i)
        result = self.calc(left, inner, op1)
        if self.pending and _precedence(self.pending) >= outer:
            pending, self.pending = self.pending, 0
            result, i = self.eval(prec2, result, pending, i)
        return result, i


def evaluate(formula: str, registers: dict[str, int]) -> int:
    """The formula's value with these register values (updated by assignments in it)."""
    evaluator = _Evaluator(formula, registers)
    result, end = evaluator.eval(-1, 0, IDENTITY, 0)
    if evaluator.char(end) != "\0":
        evaluator.error = _BAD
    if evaluator.error < _OK:
        raise FormulaError(f"bad score formula {formula!r}")
    return result


def points(formula: str, warriors: int) -> list[int]:
    """Points for surviving a round with S = 1..warriors survivors: formula(W=warriors, S)."""
    registers = {"W": warriors}
    values = []
    for survivors in range(1, warriors + 1):
        registers["S"] = survivors
        values.append(evaluate(formula, registers))
    return values
