"""Constant optimisation: a local search over a program's numeric constants.

Evolution changes a program's structure well but tunes its numbers badly: a point mutation nudges
one field at a time, and most nudges of a bombing step ruin it. Classic non-LLM Core War evolvers
that did well on public hills tuned constants separately, by local search against a fixed
opponent set ("Optimax"). This module is that search, for any arena that exposes its programs'
constants (`Arena.constants` / `Arena.with_constants`):

- coordinate search: each candidate changes one constant (sometimes two, or a whole group the
  arena declared as one constant), proposed by the arena's move for that constant
  (`Constant.propose`, e.g. Core War draws steps from its optima tables) or a generic move for
  its kind;
- candidates are evaluated in batches by one `arena.evaluate` call (engines are fastest with many
  candidates per call), on a fixed set of search seeds (common random numbers: every candidate
  sees the same games, so differences are not seed noise);
- the best candidate of a batch is accepted when it beats the current program; the search stops
  when the evaluation or time budget is spent or no new candidate can be proposed;
- the programs accepted along the way are then re-evaluated with the starting program on more,
  fresh confirmation seeds, and the best of them there is the result, so luck on the search
  seeds is not kept; before/after are reported on those same confirmation seeds.

With an evaluation budget the search is deterministic for a given numpy Generator; a time budget
stops wherever the clock says.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from .arena import Arena, Program, ProgramError

SEED_RANGE = 2**31 - 1
DEFAULT_EVALUATIONS = 200     # when neither an evaluation nor a time budget is given


@dataclass(frozen=True)
class Constant:
    """A tunable number of a program, as an arena describes it.

    `value` is its current value. `lower`/`upper` bound it (None: unbounded); with `modulus` set,
    values are equivalent modulo it (Core War fields live modulo the core size) and are kept in
    (-modulus/2, modulus/2]. `kind` hints how to move it: "step" (an increment a bomber or
    scanner spreads with; large jumps between good values), "offset" (a distance; nudged),
    "count" (a repeat count; scaled). `propose`, when given, is the arena's own move: it returns
    a new value for this constant from a Generator. `name` says where it is, for reports."""
    name: str
    value: int
    kind: str = "offset"
    lower: int | None = None
    upper: int | None = None
    modulus: int | None = None
    propose: Callable[[int, np.random.Generator], int] | None = field(default=None, compare=False, repr=False)

    def normalise(self, value: int) -> int:
        """`value` folded into the modulus' signed range and clipped to the bounds."""
        value = int(value)
        if self.modulus:
            value %= self.modulus
            if value > self.modulus // 2:
                value -= self.modulus
        if self.lower is not None:
            value = max(self.lower, value)
        if self.upper is not None:
            value = min(self.upper, value)
        return value


def generic_move(constant: Constant, value: int, rng: np.random.Generator) -> int:
    """A new value for a constant without an arena move: steps jump (relative changes up to a
    factor of about 3, or anywhere in the modulus), counts scale, offsets are nudged by a
    geometrically distributed amount (mostly +-1..3), sometimes relatively."""
    sign = 1 if rng.random() < 0.5 else -1
    if constant.kind == "step":
        if constant.modulus and rng.random() < 0.3:
            return int(rng.integers(1, constant.modulus))
        return int(round(value * np.exp(rng.normal(0.0, 0.6)))) or sign
    if constant.kind == "count":
        scaled = int(round(value * np.exp(rng.normal(0.0, 0.35))))
        return scaled if scaled != value else value + sign
    if rng.random() < 0.7 or abs(value) < 8:
        return value + sign * int(rng.geometric(0.35))
    return int(round(value * np.exp(rng.normal(0.0, 0.25))))


def propose_value(constant: Constant, value: int, rng: np.random.Generator, tries: int = 8) -> int:
    """A normalised new value for `constant` standing at `value` (`value` itself if none is found):
    the arena's move when it has one, else `generic_move`."""
    for _ in range(tries):
        if constant.propose is not None:
            new = constant.normalise(constant.propose(value, rng))
        else:
            new = constant.normalise(generic_move(constant, value, rng))
        if new != value:
            return new
    return value


@dataclass
class Change:
    name: str
    old: int
    new: int

    def __str__(self) -> str:
        return f"{self.name}: {self.old} -> {self.new}"


@dataclass
class TuneResult:
    """What a constant search found. `before`/`after` are mean fitness on the same confirmation
    seeds; `program` is the starting program when nothing better was confirmed."""
    program: Program
    source: str
    before: float
    after: float
    changes: list[Change]
    search_before: float            # on the search seeds
    search_after: float             # the best program the search accepted, on the search seeds
    evaluations: int                # candidate evaluations spent (search and confirmation)
    accepted: int                   # improvements accepted during the search
    seconds: float
    search_seeds: list[int]
    confirm_seeds: list[int]
    constants: int                  # how many tunable constants the program has

    @property
    def improved(self) -> bool:
        return bool(self.changes) and self.after > self.before

    def summary(self) -> dict:
        """A JSON-serialisable report."""
        return dict(before=self.before, after=self.after, improved=self.improved,
                    changes=[dict(name=c.name, old=c.old, new=c.new) for c in self.changes],
                    search_before=self.search_before, search_after=self.search_after,
                    evaluations=self.evaluations, accepted=self.accepted, seconds=round(self.seconds, 3),
                    constants=self.constants, search_seeds=len(self.search_seeds),
                    confirm_seeds=len(self.confirm_seeds))


@dataclass
class _Point:
    program: Program
    values: tuple[int, ...]
    score: float


def optimize_constants(arena: Arena, program: Program, opponents: Sequence[Program],
                       rng: np.random.Generator, *, seeds: int | Sequence[int] = 8,
                       confirm_seeds: int | Sequence[int] = 32,
                       evaluations: int | None = None, seconds: float | None = None,
                       fitness: str = "battle", batch: int = 16, pair_rate: float = 0.25,
                       progress: Callable[[int, float], None] | None = None) -> TuneResult:
    """Tune `program`'s constants against `opponents` by batched coordinate search.

    `seeds` search seeds and `confirm_seeds` confirmation seeds are drawn from `rng` (distinct
    sets), or given as lists (e.g. a round's own seeds to search on). The budget is `evaluations` candidate
    evaluations and/or `seconds` of wall time
    (whichever ends first; DEFAULT_EVALUATIONS when neither is given); confirmation comes on top.
    Each batch holds `batch` candidates; a candidate changes two constants with probability
    `pair_rate`, else one. `progress(new_evaluations, best_search_score)` is called after each
    batch. Candidates that the arena does not parse are skipped (not counted)."""
    if evaluations is None and seconds is None:
        evaluations = DEFAULT_EVALUATIONS
    started = time.monotonic()
    search_seeds, check_seeds = _draw_seeds(rng, seeds, confirm_seeds)
    constants = list(arena.constants(program))
    spent = 0

    def evaluate(programs: list[Program], game_seeds) -> list[float]:
        nonlocal spent
        spent += len(programs)
        return [e.fitness for e in arena.evaluate(programs, opponents, game_seeds, fitness=fitness)]

    start = _Point(program, tuple(c.value for c in constants), evaluate([program], search_seeds)[0])
    trail = [start]
    if constants:
        trail += _search(arena, start, constants, rng, lambda programs: evaluate(programs, search_seeds),
                         lambda: _budget_left(spent, evaluations, started, seconds), batch, pair_rate, progress)
    confirmed = evaluate([p.program for p in trail], check_seeds)
    best = int(np.argmax(confirmed))          # ties keep the earliest: the starting program first
    chosen = trail[best]
    changes = [Change(c.name, old, new) for c, old, new in zip(constants, start.values, chosen.values)
               if old != new]
    return TuneResult(program=chosen.program, source=chosen.program.source, before=confirmed[0],
                      after=confirmed[best], changes=changes, search_before=start.score,
                      search_after=trail[-1].score, evaluations=spent, accepted=len(trail) - 1,
                      seconds=time.monotonic() - started, search_seeds=search_seeds,
                      confirm_seeds=check_seeds, constants=len(constants))


def _draw_seeds(rng: np.random.Generator, seeds, confirm_seeds) -> tuple[list[int], list[int]]:
    """Search and confirmation seeds: given lists kept, counts drawn from `rng`, all distinct."""
    counts = [n if isinstance(n, (int, np.integer)) else len(n) for n in (seeds, confirm_seeds)]
    if min(counts) < 1:
        raise ValueError("constant search needs at least one search and one confirmation seed")
    given = {int(s) for n in (seeds, confirm_seeds) if not isinstance(n, (int, np.integer)) for s in n}
    drawn = iter(int(s) + 1 for s in rng.choice(SEED_RANGE, size=sum(counts) + len(given), replace=False)
                 if int(s) + 1 not in given)
    return [[int(s) for s in n] if not isinstance(n, (int, np.integer)) else [next(drawn) for _ in range(n)]
            for n in (seeds, confirm_seeds)]


def _budget_left(spent: int, evaluations: int | None, started: float, seconds: float | None) -> int:
    """Evaluations still allowed (a large number when only time limits the search), 0 when done."""
    if seconds is not None and time.monotonic() - started >= seconds:
        return 0
    return max(0, evaluations - spent) if evaluations is not None else 1 << 30


def _search(arena, start: _Point, constants: list[Constant], rng, evaluate, budget_left, batch,
            pair_rate, progress) -> list[_Point]:
    """Accepted improvements, in order. Besides the batch's best, the other candidates that beat
    the current program are not wasted: each is combined with the new best (its changed constants
    put into it) and tried first in the next batch."""
    current, accepted = start, []
    seen = {start.program.digest}
    order: list[int] = []
    combined: list[tuple[int, ...]] = []
    barren = 0                                  # consecutive batches without a new candidate
    while (room := budget_left()) > 0 and barren < 3:
        size = min(batch, room)
        candidates = [p for p in (_build(arena, start, values, seen) for values in combined[:size]) if p]
        for _ in range(4 * size):               # proposals may repeat or fail to parse
            if len(candidates) >= size:
                break
            if len(order) < 2:
                order += list(rng.permutation(len(constants)))
            chosen = [order.pop(0)]
            if len(constants) > 1 and rng.random() < pair_rate:
                chosen.append(order.pop(0))
            values = list(current.values)
            for index in chosen:
                values[index] = propose_value(constants[index], values[index], rng)
            point = _build(arena, start, tuple(values), seen)
            if point is not None:
                candidates.append(point)
        barren = 0 if candidates else barren + 1
        if not candidates:
            continue
        scores = evaluate([p.program for p in candidates])
        ranked = sorted(range(len(candidates)), key=lambda i: -scores[i])
        better = [candidates[i] for i in ranked if scores[i] > current.score]
        combined = []
        if better:
            previous = current
            current = _Point(better[0].program, better[0].values, scores[ranked[0]])
            accepted.append(current)
            combined = [tuple(v if v != old else new for v, old, new in zip(current.values, previous.values,
                                                                             other.values))
                        for other in better[1:4]]
        if progress:
            progress(len(candidates), current.score)
    return accepted


def _build(arena, start: _Point, values: tuple[int, ...], seen) -> _Point | None:
    """The program with these constant values, written from the starting program (constants are
    always those found in it, so a change cannot regroup them), or None when it is a program
    already seen or one the arena rejects."""
    try:
        source = arena.with_constants(start.program, list(values))
        program = arena.parse(source, origin="<tuned>")
    except ProgramError:
        return None
    if program.digest in seen:
        return None
    seen.add(program.digest)
    return _Point(program, values, float("-inf"))
