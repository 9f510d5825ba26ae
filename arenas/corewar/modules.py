"""Module operators: insert, replace and swap whole components (a quickscan prefix, a SPL fan,
a core clear, an imp launcher, a decoy block) in any warrior's source.

They work on assembled code, so any source our assembler accepts will do (archetypes, the
plain output of `mutation.to_source`, LLM-written code with macros): a component is a run of
cells; inserting, removing or replacing one re-targets every relative field (all modes but
immediate) of the other cells that pointed inside the program, so the rest keeps its internal
references (a field aiming into a replaced component lands on the same offset of the new
one, clamped to its length); fields aiming outside the program are left alone. New components
come from the archetype builders, assembled on their own, so their labels never meet the
host's. Results are written back as plain Redcode with `;component KIND` markers; a source
whose markers do not account for exactly its instructions (one instruction per line) counts
as one unmarked "body".

Components go at the ends, never between the host's cells (a host's immediate fields may hold
offsets that no fix-up can recognise). Routing: a quickscan or fan goes first and becomes the
start, falling through (or jumping) to the old start; an imp launcher goes after the last cell (its ring
crawls forward, away from
the program) and becomes the start, splitting a process to the old start first; a clear goes
after the last cell, where a program whose control runs off its end comes next;
decoys go first, where nothing runs into them. An operation whose result would exceed
settings.maxlength returns the program unchanged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from . import archetypes as arch
from .assembler import assemble
from .components import Line, Program
from .instruction import (A_FIELD, A_MODE, B_FIELD, B_MODE, DIRECT, IMMEDIATE, JMP, M_B, MODES, MODIFIERS,
                          OPCODES, signed)
from .settings import Settings

INSERTABLE = ("quickscan", "fan", "clear", "imp", "decoy")
_MARKER = re.compile(r"^\s*;component\s+(\S+)")
_NAME = re.compile(r"^\s*;name\s+(.*)$", re.M)
_DIRECTIVES = {"EQU", "ORG", "END", "FOR", "ROF", "PIN"}


@dataclass
class Layout:
    """Assembled code, its start, and the components as (kind, begin, end) spans covering it."""
    code: np.ndarray
    start: int
    spans: list[tuple[str, int, int]]
    name: str = "modular warrior"

    @property
    def marked(self) -> bool:
        return any(kind != "body" for kind, _, _ in self.spans)


def layout(source: str, settings: Settings) -> Layout:
    warrior = assemble(source, settings)
    spans = _marker_spans(source, warrior.length) or [("body", 0, warrior.length)]
    name = _NAME.search(source)
    return Layout(np.array(warrior.code), warrior.start, spans, name.group(1).strip() if name else "modular warrior")


def has_markers(source: str) -> bool:
    return any(_MARKER.match(line) for line in source.splitlines())


def _marker_spans(source: str, length: int):
    spans, kind, begin, count = [], "body", 0, 0
    for line in source.splitlines():
        marker = _MARKER.match(line)
        if marker:
            if count > begin:
                spans.append((kind, begin, count))
            kind, begin = marker.group(1), count
        elif _is_instruction(line):
            count += 1
    if count > begin:
        spans.append((kind, begin, count))
    return spans if count == length and len(spans) > 0 and any(k != "body" for k, _, _ in spans) else None


def _is_instruction(line: str) -> bool:
    text = line.split(";", 1)[0].strip()
    if not text:
        return False
    words = [w.split(".")[0].upper() for w in text.replace(",", " ").split()]
    if _DIRECTIVES & set(words[:2]):
        return False
    return any(w in OPCODES for w in words[:2])


def render(lay: Layout, settings: Settings, strategy: str = "") -> str:
    """Plain Redcode with markers (explicit modifiers and modes, signed fields, ORG)."""
    out = [";redcode-94", f";name {lay.name}", ";author redqueen modules"]
    if strategy:
        out.append(f";strategy {strategy}")
    out += [f";assert CORESIZE == {settings.coresize}", f"        ORG     {lay.start}"]
    starts = {begin: kind for kind, begin, _ in lay.spans}
    for i, row in enumerate(lay.code):
        if i in starts:
            out.append(f";component {starts[i]}")
        op, mod, amode, a, bmode, b = (int(x) for x in row)
        out.append(f"        {OPCODES[op]}.{MODIFIERS[mod]:<2} {MODES[amode]}{signed(a, settings.coresize)}, "
                   f"{MODES[bmode]}{signed(b, settings.coresize)}")
    out.append("        END")
    return "\n".join(out) + "\n"


# ---- code surgery ------------------------------------------------------------------------------

def splice(lay: Layout, begin: int, end: int, block: np.ndarray, kind: str, coresize: int,
           entry: int | None = None) -> Layout:
    """Cells [begin, end) replaced by `block` (an insert when begin == end), relative fields of
    the other cells re-targeted. The start follows its cell; with `entry`, the start becomes
    that cell of the block."""
    n, k = len(lay.code), len(block)

    def moved(t):                   # an old cell index (or n, just past the end) -> new index
        if t < begin:
            return t
        if t < end:
            return begin + min(t - begin, k - 1)
        return t - (end - begin) + k

    kept = [p for p in range(n) if not begin <= p < end]
    rows = lay.code[kept].copy()
    for row, p in zip(rows, kept):
        for mode, field in ((A_MODE, A_FIELD), (B_MODE, B_FIELD)):
            if row[mode] == IMMEDIATE:
                continue
            target = p + signed(int(row[field]), coresize)
            if 0 <= target <= n and not (target == n and begin == n):
                row[field] = (moved(target) - moved(p)) % coresize
    code = np.concatenate([rows[:begin], block, rows[begin:]]) if len(block) else rows
    if entry is not None:
        start = begin + entry
    elif begin <= lay.start < end:
        start = begin
    else:
        start = moved(lay.start)
    spans = []
    for s_kind, s_begin, s_end in lay.spans:
        if s_end <= begin:
            spans.append((s_kind, s_begin, s_end))
        elif s_begin >= end and s_end > s_begin:
            spans.append((s_kind, s_begin - (end - begin) + k, s_end - (end - begin) + k))
        elif s_begin < begin < s_end or s_begin < end < s_end:     # a body split around the block
            if s_begin < begin:
                spans.append((s_kind, s_begin, begin))
            if end < s_end:
                spans.append((s_kind, begin + k, s_end - (end - begin) + k))
    if k:
        spans.append((kind, begin, begin + k))
    spans.sort(key=lambda span: span[1])
    return Layout(code, start, spans, lay.name)


# ---- new components ----------------------------------------------------------------------------

def new_component(kind: str, rng: np.random.Generator, settings: Settings) -> tuple[np.ndarray, int]:
    """A fresh component of `kind`, assembled on its own: (code rows, entry index)."""
    p = arch.Params(rng, {})
    if kind == "quickscan":
        component = arch.quickscan(p, settings, None, x="mq")
    elif kind == "fan":
        component = arch.spl_fan(p, settings, x="mf")
    elif kind == "clear":
        component = arch.core_clear(p, settings, x="mc")
        # A jump in front, so a program running off its end enters the loop, not the pointer.
        component.lines.insert(0, Line("mc_in", "jmp.b", "mc_loop", "0"))
        component.entry = "mc_in"
    elif kind == "imp":
        component = arch.imp_launcher(p, settings, host="mi_imp+1", x="mi")
    elif kind == "decoy":
        component = arch.decoy(p, settings, x="md")
    else:
        raise ValueError(f"unknown component kind {kind!r} (one of {', '.join(INSERTABLE)})")
    program = Program(f"{kind} component", kind, [component], start=component.entry or component.lines[0].label)
    # Assembled without the length limit: whether the result fits is decided after placing it.
    warrior = assemble(program.render(settings.coresize), settings.with_(maxlength=1000))
    entry = program.address(component.entry) if component.entry else 0
    return np.array(warrior.code), entry


def _place(kind: str, lay: Layout, block: np.ndarray, entry: int, coresize: int) -> Layout:
    if kind in ("quickscan", "fan"):
        # First of all (never inside the host: its immediate fields may be offsets too), then
        # a jump to the old start unless that is where the block falls through anyway.
        if lay.start != 0:
            jump = np.array([[JMP, M_B, DIRECT, (lay.start + 1) % coresize, DIRECT, 0]], dtype=block.dtype)
            block = np.concatenate([block, jump])
        return splice(lay, 0, 0, block, kind, coresize, entry=entry)
    if kind == "imp":
        # Last, so the ring crawls away from the program; its first SPL re-aimed at the old start.
        old_start, end = lay.start, len(lay.code)
        lay = splice(lay, end, end, block, kind, coresize, entry=entry)
        lay.code[end, A_FIELD] = (old_start - end) % coresize
        return lay
    if kind == "clear":
        return splice(lay, len(lay.code), len(lay.code), block, kind, coresize)
    return splice(lay, 0, 0, block, kind, coresize)            # decoys


def _fits(source_before: str, lay: Layout, settings: Settings, strategy: str) -> str:
    if len(lay.code) > settings.maxlength:
        return source_before
    return render(lay, settings, strategy)


def insert_component(source: str, rng: np.random.Generator, settings: Settings,
                     kind: str | None = None) -> str:
    """`source` with a new component of `kind` (default: one drawn from INSERTABLE)."""
    kind = kind or INSERTABLE[int(rng.integers(len(INSERTABLE)))]
    lay = layout(source, settings)
    block, entry = new_component(kind, rng, settings)
    return _fits(source, _place(kind, lay, block, entry, settings.coresize), settings, f"with a new {kind}")


def replace_component(source: str, rng: np.random.Generator, settings: Settings,
                      kind: str | None = None) -> str:
    """A marked component of `kind` (default: any insertable one present) redrawn afresh; a
    program without one gets it inserted."""
    lay = layout(source, settings)
    present = [span for span in lay.spans if span[0] in INSERTABLE and (kind is None or span[0] == kind)]
    if not present:
        return insert_component(source, rng, settings, kind)
    s_kind, begin, end = present[int(rng.integers(len(present)))]
    block, entry = new_component(s_kind, rng, settings)
    takes_start = begin <= lay.start < end
    lay = splice(lay, begin, end, block, s_kind, settings.coresize, entry=entry if takes_start else None)
    return _fits(source, lay, settings, f"with a new {s_kind}")


def component_crossover(a: str, b: str, rng: np.random.Generator, settings: Settings) -> str:
    """Parent a with one of its components swapped for b's component of the same kind (by
    marker); without a common kind, a two-point block crossover of the code."""
    la, lb = layout(a, settings), layout(b, settings)
    common = sorted({k for k, _, _ in la.spans} & {k for k, _, _ in lb.spans} - {"body"})
    if common:
        kind = common[int(rng.integers(len(common)))]
        spans_a = [s for s in la.spans if s[0] == kind]
        spans_b = [s for s in lb.spans if s[0] == kind]
        _, begin, end = spans_a[int(rng.integers(len(spans_a)))]
        _, b_begin, b_end = spans_b[int(rng.integers(len(spans_b)))]
        takes_start = begin <= la.start < end
        entry = (lb.start - b_begin) if b_begin <= lb.start < b_end else (la.start - begin)
        child = splice(la, begin, end, lb.code[b_begin:b_end], kind, settings.coresize,
                       entry=min(entry, b_end - b_begin - 1) if takes_start else None)
        return _fits(a, child, settings, f"{kind} from {lb.name}")
    from .mutation import crossover_code
    code, start = crossover_code(la.code, la.start, lb.code, rng, settings.maxlength)
    return render(Layout(code, start, [("body", 0, len(code))], la.name), settings, f"cross with {lb.name}")
