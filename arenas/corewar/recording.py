"""One round of a battle recorded instruction by instruction, for replays.

The round runs on the battle engine itself (`mars.execute`, one instruction per call inside a
compiled loop), so it ends exactly as `battle()` plays it. Before each instruction the cells it
can write are worked out from the instruction alone: the A and B operands' pointer cells
(pre/post-increment) and the B target; afterwards those cells are compared with their earlier
contents and the changed ones are logged. Memory is fixed per instruction executed (its warrior,
its address, the warrior's process count after it, how many cells it changed) plus one entry per
changed cell, all preallocated from the round's instruction budget.

Round N > 1 is reached by playing rounds 1..N-1 on the same engine first, as `battle()` does:
each round's placement draws on the seed left by the one before, the first mover rotates, and
P-space (with each warrior's last result in location 0) carries over, so round N starts from
exactly the state the battle gives it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from . import mars
from .battle import WarriorPool, pspace_map, resolve_seed, _check_settings
from .instruction import IMMEDIATE, DIRECT, A_INDIRECT, A_PREDEC, A_POSTINC, B_PREDEC, B_POSTINC
from .mars import load_round
from .placement import place_round
from .settings import Settings

MAX_INSTRUCTIONS = 20_000_000   # refuse recordings above this (about 200 MB of trace)
WRITES_PER_INSTRUCTION = 3      # the A pointer, the B pointer and the B target


@dataclass
class Recording:
    """One round of a battle (`round_number`, 1-based; warrior `starter` moved first). Per
    instruction k: `warrior[k]` executed the instruction at `address[k]` and then had
    `processes[k]` processes; it changed `changes[k]` cells, the next entries of `changed`
    (addresses, in order). `initial_owner[c]` is the warrior loaded at cell c (-1: empty).
    `survivors` are the warriors alive at the end."""
    coresize: int
    maxcycles: int
    positions: np.ndarray
    initial_owner: np.ndarray
    warrior: np.ndarray
    address: np.ndarray
    processes: np.ndarray
    changes: np.ndarray
    changed: np.ndarray
    survivors: list[int]
    round_number: int = 1
    starter: int = 0

    @property
    def instructions(self) -> int:
        return len(self.warrior)

    def cycles(self) -> np.ndarray:
        """The cycle (0-based) of each instruction: one cycle is one turn of every living warrior."""
        alive = np.ones(len(self.positions), dtype=bool)
        cycle = np.zeros(self.instructions, dtype=np.int64)
        _cycles(self.warrior, self.processes, alive, cycle, self.starter, len(self.positions))
        return cycle


@njit(cache=True)
def _cycles(warrior, processes, alive, cycle, starter, n):
    """A cycle ends when the turn passes back to (or beyond) the first living warrior, counting
    turns from the round's first mover."""
    current = 0
    last = -1
    for k in range(warrior.shape[0]):
        w = (warrior[k] - starter + n) % n
        if k > 0 and w <= last:
            current += 1
        cycle[k] = current
        last = w
        if processes[k] == 0:
            alive[warrior[k]] = False


@njit(cache=True, nogil=True)
def _pointer_field(core, pc, offset, mode, coresize):
    """The core index of the field an indirect operand reads its pointer from, or -1."""
    if mode == IMMEDIATE or mode == DIRECT:
        return -1
    cell = pc + offset
    if cell >= coresize:
        cell -= coresize
    return cell * mars.CELL + (mars.AF if mode >= A_INDIRECT else mars.BF)


@njit(cache=True, nogil=True)
def _touched(core, pc, coresize, out):
    """The cells (up to 3) that the instruction at `pc` may write: its pointer cells and its B
    target, evaluated as `mars.execute` does (B sees A's increments). Returns how many."""
    p = pc * mars.CELL
    modes = np.int64(core[p + mars.MODES])
    ira = np.int64(core[p + mars.AF])
    irb = np.int64(core[p + mars.BF])
    amode = modes >> 3
    bmode = modes & 7
    last = coresize - 1
    a_field = _pointer_field(core, pc, ira, amode, coresize)
    a_value = -1
    if a_field >= 0:
        a_value = np.int64(core[a_field])
        if amode == B_PREDEC or amode == A_PREDEC:
            a_value = last if a_value == 0 else a_value - 1
        elif amode == B_POSTINC or amode == A_POSTINC:
            a_value = 0 if a_value == last else a_value + 1
    b_field = _pointer_field(core, pc, irb, bmode, coresize)
    n = 0
    if a_field >= 0:
        out[n] = a_field // mars.CELL
        n += 1
    if bmode == IMMEDIATE:
        target = pc
    else:
        target = pc + irb
        if target >= coresize:
            target -= coresize
        if b_field >= 0:
            out[n] = b_field // mars.CELL
            n += 1
            offset = a_value if b_field == a_field else np.int64(core[b_field])
            if bmode == B_PREDEC or bmode == A_PREDEC:
                offset = last if offset == 0 else offset - 1
            target = (target + offset) % coresize
    out[n] = target
    return n + 1


@njit(cache=True, nogil=True)
def _record(core, coresize, queue, qcap, maxprocesses, wstate, reg, pspace, pssize, score, n,
            visited, overrun_limit, warrior, address, processes, changes, changed):
    """Execute the loaded round one instruction at a time, logging each (see `Recording`).
    Returns (instructions, changed cells)."""
    candidates = np.zeros(WRITES_PER_INSTRUCTION, dtype=np.int64)
    before = np.zeros(WRITES_PER_INSTRUCTION * mars.CELL, dtype=np.int64)
    k = 0
    m = 0
    while k < warrior.shape[0] and reg[mars.R_ALIVE] >= min(n, 2):
        w = reg[mars.R_CURRENT]
        ws = w * mars.W_FIELDS
        pc = np.int64(queue[w * qcap + wstate[ws + mars.W_HEAD]])
        count = _touched(core, pc, coresize, candidates)
        for i in range(count):
            for f in range(mars.CELL):
                before[i * mars.CELL + f] = core[candidates[i] * mars.CELL + f]
        if mars.execute(core, coresize, queue, qcap, maxprocesses, wstate, reg, pspace, pssize,
                        score, n, visited, overrun_limit, 1) == 0:
            break
        warrior[k] = w
        address[k] = pc
        processes[k] = wstate[ws + mars.W_COUNT]
        written = 0
        for i in range(count):
            cell = candidates[i]
            seen = False
            for j in range(i):
                seen = seen or candidates[j] == cell
            if seen:
                continue
            for f in range(mars.CELL):
                if core[cell * mars.CELL + f] != before[i * mars.CELL + f]:
                    changed[m] = cell
                    m += 1
                    written += 1
                    break
        changes[k] = written
        k += 1
    return k, m


@njit(cache=True, nogil=True)
def _play_rounds(rounds, core, coresize, queue, qcap, maxprocesses, wstate, reg, pspace, pssize, score,
                 visited, overrun_limit, pool_core, pool_offset, pool_length, pool_entry, positions, seed,
                 maxcycles, separation):
    """Play `rounds` rounds as `mars.play_battle` does (placement, rotation of the first mover, each
    warrior's last result for P-space), then place and load the next one. Returns its first mover."""
    n = positions.shape[0]
    members = np.arange(n)
    no_permutation = np.empty(0, dtype=np.int64)
    starter = 0
    for r in range(rounds + 1):
        seed, _, _ = place_round(positions, n, seed, coresize, separation, no_permutation, 0)
        load_round(core, coresize, queue, qcap, wstate, reg, visited, pool_core, pool_offset, pool_length,
                   pool_entry, members, positions, starter, maxcycles)
        if r == rounds:
            return starter
        mars.execute(core, coresize, queue, qcap, maxprocesses, wstate, reg, pspace, pssize, score, n,
                     visited, overrun_limit, -1)      # -1 steps: no limit
        left = reg[mars.R_ALIVE]
        for i in range(n):
            ws = i * mars.W_FIELDS
            wstate[ws + mars.W_RESULT] = left if wstate[ws + mars.W_COUNT] > 0 else 0
        starter = starter + 1 if starter + 1 < n else 0
    return starter


def load_round_number(warriors, settings: Settings = Settings(), seed: int | None = None,
                      fixed_position: int | None = None, round_number: int = 1):
    """The machine state of round `round_number` of `battle(warriors, settings, seed=...,
    fixed_position=...)` just loaded, the earlier rounds played: (state tuple as `mars.new_state`
    returns it, positions, first mover)."""
    n = len(warriors)
    _check_settings(settings, n)
    if round_number < 1:
        raise ValueError(f"rounds are numbered from 1, got {round_number}")
    pool = WarriorPool(warriors, settings)
    seed = resolve_seed(settings, n, seed, fixed_position, False)
    pindex, n_pspaces = pspace_map(pool.pins)
    state = mars.new_state(n, settings.coresize, settings.maxprocesses, pindex, n_pspaces, settings.pspace,
                           pool.core)
    core, queue, qcap, wstate, reg, pspace, visited = state
    positions = np.zeros(n, dtype=np.int64)
    score = np.zeros(n * (2 * n - 1), dtype=np.int64)
    starter = _play_rounds(round_number - 1, core, settings.coresize, queue, qcap, settings.maxprocesses,
                           wstate, reg, pspace, settings.pspace, score, visited, mars.UNLIMITED, pool.core,
                           pool.offset, pool.length, pool.entry, positions, seed, settings.maxcycles,
                           settings.mindistance)
    return state, positions, int(starter)


def load_first_round(warriors, settings: Settings = Settings(), seed: int | None = None,
                     fixed_position: int | None = None):
    """The machine state of round 1 of `battle(warriors, settings, seed=..., fixed_position=...)`
    just loaded: (state tuple as `mars.new_state` returns it, positions)."""
    state, positions, _ = load_round_number(warriors, settings, seed, fixed_position, 1)
    return state, positions


def record_round(warriors, settings: Settings = Settings(), seed: int | None = None,
                 fixed_position: int | None = None, round_number: int = 1) -> Recording:
    """Record round `round_number` (1-based) of the battle `battle(warriors, settings, rounds=R,
    seed=..., fixed_position=...)` for any R >= round_number."""
    warriors = list(warriors)
    n = len(warriors)
    budget = n * settings.maxcycles
    if budget > MAX_INSTRUCTIONS:
        raise ValueError(f"{n} warriors x {settings.maxcycles} cycles is more than the "
                         f"{MAX_INSTRUCTIONS} instructions a recording holds: lower the cycles")
    (core, queue, qcap, wstate, reg, pspace, visited), positions, starter = load_round_number(
        warriors, settings, seed, fixed_position, round_number)
    initial_owner = np.full(settings.coresize, -1, dtype=np.int8)
    for i, warrior in enumerate(warriors):
        initial_owner[(positions[i] + np.arange(warrior.length)) % settings.coresize] = i
    address_type = np.uint16 if settings.coresize <= 2**16 else np.uint32
    count_type = np.uint16 if settings.maxprocesses < 2**16 else np.uint32
    trace = (np.zeros(budget, np.uint8), np.zeros(budget, address_type), np.zeros(budget, count_type),
             np.zeros(budget, np.uint8), np.zeros(budget * WRITES_PER_INSTRUCTION, address_type))
    score = np.zeros(n * (2 * n - 1), dtype=np.int64)
    steps, writes = _record(core, settings.coresize, queue, qcap, settings.maxprocesses, wstate, reg,
                            pspace, settings.pspace, score, n, visited, mars.UNLIMITED, *trace)
    survivors = [i for i in range(n) if wstate[i * mars.W_FIELDS + mars.W_COUNT] > 0]
    warrior, address, processes, changes, changed = trace
    return Recording(settings.coresize, settings.maxcycles, positions.copy(), initial_owner, warrior[:steps],
                     address[:steps], processes[:steps], changes[:steps], changed[:writes].copy(), survivors,
                     round_number, starter)
