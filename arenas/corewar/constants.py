"""The tunable constants of a Redcode source, for constant optimisation and the `tune_constants`
mutation.

A constant is a number literal in the source text, found with pMARS's tokens:
- in an EQU definition (`step EQU 3044`): every use of the name shares it;
- in an instruction's operand (`ADD.AB #4, $1`, `MOV bomb, @ptr+2`).
Never: comments and `;assert`/`;name`... lines, ORG, END, FOR/ROF counts and PIN.

Literals that change together form one constant (rule for operands that are a bare number, the
form `mutation.to_source` writes and hand-written code without labels uses):
- an *address* operand (any mode but `#`, outside DAT) whose target, instruction index + value,
  lies inside the program is a reference to code (a label in disguise): not tuned;
- address operands whose target lies outside the program are grouped by that absolute target,
  and a change moves the target, keeping every field pointing at it (each keeps its own
  relative value: `MOV $5, ...` on line 0 and `JMP $4` on line 1 move as one);
- *data* operands (`#` mode, or any field of DAT) with the same value are grouped when the value
  is large (|value| >= max(16, 2 x length)): equal large numbers are one constant written twice
  (a step and the pointer it starts from); small ones often agree by chance and stay apart.
Target grouping needs instruction indices, so it is off when the source has FOR blocks; then
every bare-number operand is its own constant. A number inside a larger expression
(`ptr+2`, `step*2`) is always its own constant.

Kinds: a *step* is the A-operand immediate of ADD/SUB or an EQU whose name says step (step,
inc, gap, skip, stride) or that is used as such an immediate; steps move among the optima step
tables (`steps.nearby_step`: same modulus; `draw_step`: any small modulus). A *count* is
DJN's B-operand immediate or an EQU named like one (count, times, rep, num); other constants are
*offsets*. Counts and offsets get the generic moves of `redqueen.optimize` (offsets nudged by
geometric amounts, counts scaled).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from redqueen.optimize import Constant, propose_value

from .asm_tokens import ADDRESS, COMMA, DOT, NUMBER, OPERATOR, WORD, tokenize
from .instruction import OPCODES
from .settings import Settings
from .steps import draw_step, nearby_step

STEP_NAME = re.compile(r"step|inc|gap|skip|stride", re.IGNORECASE)
COUNT_NAME = re.compile(r"count|times|rep|num", re.IGNORECASE)
NOT_TUNED = {"ORG", "END", "FOR", "ROF", "PIN"}
KEYWORDS = set(OPCODES) | NOT_TUNED | {"EQU"}
DEFAULT_SETTINGS = Settings()


@dataclass(frozen=True)
class Literal:
    start: int          # span in the source text, a unary sign included
    end: int
    value: int          # as written, sign included
    bare: bool          # follows a binary operator: a negative value needs parentheses


@dataclass
class Site:
    """One constant: the literals that change together, and how to describe it."""
    name: str
    kind: str
    literals: list[Literal] = field(default_factory=list)

    @property
    def value(self) -> int:
        return self.literals[0].value


@dataclass
class _Operand:
    line: int           # physical line number, 1-based
    index: int          # instruction index in the program
    opcode: str
    field: str          # "A" or "B"
    mode: str
    literals: list[Literal]
    whole: bool         # the operand is one (signed) number
    names: list[str]    # identifiers in the operand


# ---- public ------------------------------------------------------------------------------------
def find_constants(source: str, settings: Settings = DEFAULT_SETTINGS) -> list[Constant]:
    """The constants of a Redcode source, in source order (see the module docstring)."""
    length = _length(source, settings)
    min_step = max(1, length)
    return [Constant(site.name, site.value, site.kind, modulus=settings.coresize,
                     propose=_step_move(settings.coresize, min_step) if site.kind == "step" else None)
            for site in _sites(source, settings.coresize, length)]


def with_values(source: str, values, settings: Settings = DEFAULT_SETTINGS) -> str:
    """`source` with its constants (as `find_constants` lists them) set to `values`. A group moves
    by the same amount everywhere (so grouped address fields keep one target); literals whose
    value does not change keep their text."""
    sites = _sites(source, settings.coresize, _length(source, settings))
    values = [int(v) for v in values]
    if len(values) != len(sites):
        raise ValueError(f"{len(values)} values for {len(sites)} constants")
    edits = []
    for site, value in zip(sites, values):
        if value != site.value:
            edits += [(literal, literal.value + value - site.value) for literal in site.literals]
    for literal, value in sorted(edits, key=lambda edit: -edit[0].start):
        source = source[:literal.start] + _format(value, literal.bare) + source[literal.end:]
    return source


def tune_constants(source: str, rng: np.random.Generator, settings: Settings = DEFAULT_SETTINGS) -> str:
    """A mutation: one constant (a whole group of shared literals) moved as the optimiser moves it
    (steps among the optima tables, offsets nudged). The source unchanged if it has none."""
    constants = find_constants(source, settings)
    if not constants:
        return source
    chosen = int(rng.integers(len(constants)))
    values = [c.value for c in constants]
    values[chosen] = propose_value(constants[chosen], values[chosen], rng)
    return with_values(source, values, settings)


# ---- moves -------------------------------------------------------------------------------------
def _step_move(coresize: int, min_step: int):
    """Steps jump between optima of the same modulus, sometimes of another small modulus."""
    def move(value: int, rng: np.random.Generator) -> int:
        if value % coresize == 0 or rng.random() < 0.35:
            return draw_step(rng, coresize, None, min_step)
        return nearby_step(rng, coresize, value, min_step)
    return move


# ---- finding literals --------------------------------------------------------------------------
def _length(source: str, settings: Settings) -> int | None:
    """The assembled length, or None when the source does not assemble."""
    return _assembled_length(source, settings)


@lru_cache(maxsize=256)
def _assembled_length(source: str, settings: Settings) -> int | None:
    from redqueen.arena import ProgramError

    from .assembler import assemble
    try:
        return assemble(source, settings).length
    except ProgramError:
        return None


@lru_cache(maxsize=256)
def _scan(source: str) -> tuple[list[tuple[str, int, list[Literal], bool]], list[_Operand], int, bool]:
    """(EQU definitions as (label, line, literals, whole), operands, the number of instruction
    lines, whether FOR is used)."""
    equs, operands, uses_for = [], [], False
    index, offset = 0, 0
    lines = source.split("\n")
    markers = [n for n, raw in enumerate(lines) if raw.lstrip().lower().startswith(";redcode")]
    first, last = (markers[0], markers[1] if len(markers) > 1 else len(lines)) if markers else (-1, len(lines))
    for number, raw in enumerate(lines, start=1):
        text = raw.split(";", 1)[0]
        start_offset, offset = offset, offset + len(raw) + 1
        if not first < number - 1 < last:                   # pMARS reads from ;redcode to the next
            continue
        tokens = [(k, t, s + start_offset, e + start_offset) for k, t, s, e in tokenize(text)]
        at = next((i for i, tok in enumerate(tokens) if tok[0] == WORD and tok[1].upper() in KEYWORDS), None)
        if at is None:
            continue
        opcode = tokens[at][1].upper()
        uses_for |= opcode == "FOR"
        if opcode == "END":
            break                                           # pMARS stops reading here
        if opcode in NOT_TUNED:
            continue
        if opcode == "EQU":
            labels = [t for k, t, _, _ in tokens[:at] if k == WORD]
            literals, whole = _literals(tokens[at + 1:])
            if labels and literals:
                equs.append((labels[-1], number, literals, whole))
            continue
        rest = tokens[at + 1:]
        if len(rest) >= 2 and rest[0][0] == DOT:
            rest = rest[2:]                                 # the modifier
        parts = _split(rest)
        fields = ("B",) if opcode == "DAT" and len(parts) == 1 else ("A", "B")
        for name, part in zip(fields, parts):
            mode = part[0][1] if part and part[0][0] == ADDRESS else "$"
            expression = part[1:] if part and part[0][0] == ADDRESS else part
            literals, whole = _literals(expression)
            operands.append(_Operand(number, index, opcode, name, mode, literals, whole,
                                     [t for k, t, _, _ in expression if k == WORD]))
        index += 1
    return equs, operands, index, uses_for


def _split(tokens):
    parts, current = [], []
    for token in tokens:
        if token[0] == COMMA:
            parts.append(current)
            current = []
        else:
            current.append(token)
    return [*parts, current] if current or parts else []


def _literals(expression) -> tuple[list[Literal], bool]:
    """The number literals of an expression, and whether it is nothing but one (signed) number."""
    literals = []
    for i, (kind, token, start, end) in enumerate(expression):
        if kind != NUMBER:
            continue
        before = expression[i - 1] if i else None
        unary = (before is not None and before[1] in "+-" and before[0] == OPERATOR
                 and (i == 1 or (expression[i - 2][0] in (OPERATOR, ADDRESS) and expression[i - 2][1] != ")")))
        if unary:
            sign = -1 if before[1] == "-" else 1
            literals.append(Literal(before[2], end, sign * int(token), bare=False))
        else:
            literals.append(Literal(start, end, int(token), bare=before is not None and before[1] != "("))
    signs = len(expression) == 2 and expression[0][1] in ("+", "-")
    whole = len(literals) == 1 and (len(expression) == 1 or signs)
    return literals, whole


# ---- grouping ----------------------------------------------------------------------------------
@lru_cache(maxsize=256)
def _sites(source: str, coresize: int, length: int | None) -> list[Site]:
    equs, operands, instructions, uses_for = _scan(source)
    indexed = length is not None and not uses_for and length == instructions
    step_names = {o.names[0] for o in operands if o.opcode in ("ADD", "SUB") and o.field == "A"
                  and o.mode == "#" and len(o.names) == 1}
    count_names = {o.names[0] for o in operands if o.opcode == "DJN" and o.field == "B"
                   and o.mode == "#" and len(o.names) == 1}
    sites: list[Site] = []
    for label, line, literals, whole in equs:
        if whole:
            kind = ("step" if STEP_NAME.search(label) or label in step_names else
                    "count" if COUNT_NAME.search(label) or label in count_names else "offset")
            sites.append(Site(f"{label} (EQU, line {line})", kind, literals))
        else:
            sites += [Site(f"{label} (EQU, line {line}, number {k + 1})", "offset", [literal])
                      for k, literal in enumerate(literals)]
    groups: dict[tuple, Site] = {}
    big = max(16, 2 * (length or 0))
    for operand in operands:
        for k, literal in enumerate(operand.literals):
            where = f"line {operand.line} {operand.opcode} {operand.field}-field"
            if not operand.whole:
                sites.append(Site(f"{where}, number {k + 1}", "offset", [literal]))
                continue
            kind = _field_kind(operand)
            data = operand.mode == "#" or operand.opcode == "DAT"
            if data:
                key = ("value", literal.value) if abs(literal.value) >= big else None
            else:
                target = operand.index + literal.value
                if indexed and 0 <= target < length:
                    continue                                # a reference to the program's code
                key = ("target", target % coresize) if indexed else None
            site = groups.get(key) if key else None
            if site is None:
                site = Site(where, kind, [])
                sites.append(site)
                if key:
                    groups[key] = site
            else:
                site.kind = site.kind if site.kind != "offset" else kind
            site.literals.append(literal)
    for site in sites:
        if len(site.literals) > 1:
            site.name += f" (+{len(site.literals) - 1} more)"
    return sites


def _field_kind(operand: _Operand) -> str:
    if operand.mode == "#" and operand.field == "A" and operand.opcode in ("ADD", "SUB"):
        return "step"
    if operand.mode == "#" and operand.field == "B" and operand.opcode == "DJN":
        return "count"
    return "offset"


def _format(value: int, bare: bool) -> str:
    if value >= 0:
        return str(value)
    return f"({value})" if bare else str(value)
