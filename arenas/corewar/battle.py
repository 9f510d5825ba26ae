"""Battles between assembled warriors: the Python API over the compiled MARS.

`battle()` plays one multi-round battle, exactly as `pmars` would with the same settings and
seed, and returns a `BattleResult` (pMARS's score table, scores, and per-round, per-warrior
statistics). `batch_battle()` plays many independent battles in parallel across cores, from a
`WarriorPool` uploaded once, and returns numpy arrays.

Seeds are pMARS's internal seed at the start of round 1 (see `placement`): `fixed_position=X`
is the same as pMARS's `-F X` (seed X - separation); with neither a seed nor a position the seed
comes from the clock, as pMARS does without -F/-f.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from . import seeds
from .core_cells import core_dtype, core_rows
from .score_formula import DEFAULT_FORMULA, points
from .settings import Settings
from .warrior import Warrior

MAX_WARRIORS = 36   # pMARS's MAXWARRIOR
UNLIMITED = 2**62   # mars.UNLIMITED, here so that callers need not import the compiled engine


def pspace_map(pins: Sequence[int | None]) -> tuple[np.ndarray, int]:
    """Which P-space each warrior uses, and how many there are, as pMARS assigns them.

    Warriors without PIN get their own. A warrior with PIN p shares with every later warrior
    whose PIN is p; pMARS compares against an unset PIN as 0, so `PIN 0` also captures the later
    warriors that have no PIN."""
    index = [-1] * len(pins)
    count = 0
    for i, pin in enumerate(pins):
        if index[i] >= 0:
            continue
        index[i] = count
        if pin is not None:
            for j in range(i + 1, len(pins)):
                if (pins[j] if pins[j] is not None else 0) == pin:
                    index[j] = count
        count += 1
    return np.asarray(index, dtype=np.int64), count


class WarriorPool:
    """Warriors uploaded once as flat arrays; battles then name them by index."""

    def __init__(self, warriors: Sequence[Warrior], settings: Settings = Settings()):
        self.warriors = list(warriors)
        self.settings = settings
        for warrior in self.warriors:
            _check_warrior(warrior, settings)
        self.length = np.asarray([w.length for w in self.warriors], dtype=np.int64)
        self.offset = np.cumsum(self.length) - self.length        # where each one's cells start
        self.entry = np.asarray([w.start % settings.coresize for w in self.warriors], dtype=np.int64)
        cells = [core_rows(w.code) for w in self.warriors] or [np.zeros((0, 4), np.int32)]
        self.core = np.concatenate(cells).reshape(-1).astype(core_dtype(settings.coresize))
        self.pins = [w.pin for w in self.warriors]

    def __len__(self):
        return len(self.warriors)


def _check_warrior(warrior: Warrior, settings: Settings):
    if warrior.coresize != settings.coresize:
        raise ValueError(f"{warrior.filename}: assembled for core size {warrior.coresize}, "
                         f"battle core size is {settings.coresize}")
    if not 0 < warrior.length <= settings.maxlength:
        raise ValueError(f"{warrior.filename}: length {warrior.length} outside 1..{settings.maxlength}")


def _check_settings(settings: Settings, n: int):
    if not 1 <= n <= MAX_WARRIORS:
        raise ValueError(f"a battle needs 1 to {MAX_WARRIORS} warriors, got {n}")
    if settings.mindistance < settings.maxlength:
        raise ValueError("minimum distance must be at least the maximum length")
    if settings.coresize < n * settings.mindistance:
        raise ValueError(f"core size {settings.coresize} is too small for {n} warriors "
                         f"{settings.mindistance} apart")
    if settings.pspace > settings.coresize:
        raise ValueError("P-space size cannot exceed the core size")


def _check_seed(seed: int):
    if not 0 <= seed < seeds.SEED_LIMIT:
        raise ValueError(f"seed must be in [0, {seeds.SEED_LIMIT}), got {seed}")


@dataclass
class BattleResult:
    """One battle. Per-round arrays are (rounds, warriors), warriors in the order given.

    `score_table` is pMARS's per-warrior table (warriors, 2 * warriors - 1): column s-1 counts
    rounds survived with s survivors; the remaining columns count deaths by order of death.
    `fitness`: survival fitness per round (shares of n; see `mars.survival_shares`).
    `lifetime`: cycles alive (the cycle limit for survivors). `spawned`: processes added by SPL.
    `coverage`: distinct core addresses executed. `enqueued`: distinct core addresses the warrior
    queued a process at (the DRQ study's memory coverage; the load-time process not counted)."""
    warriors: list[Warrior]
    settings: Settings
    seed: int
    formula: str
    score_table: np.ndarray
    survived: np.ndarray
    fitness: np.ndarray
    lifetime: np.ndarray
    spawned: np.ndarray
    coverage: np.ndarray
    enqueued: np.ndarray
    instructions: int = 0     # instructions executed in all rounds

    @property
    def rounds(self) -> int:
        return self.survived.shape[0]

    @property
    def wins(self) -> np.ndarray:
        """Rounds each warrior survived alone."""
        alone = self.survived.sum(axis=1) == 1
        return (self.survived & alone[:, None]).sum(axis=0)

    @property
    def ties(self) -> np.ndarray:
        """Rounds each warrior survived together with others."""
        shared = self.survived.sum(axis=1) > 1
        return (self.survived & shared[:, None]).sum(axis=0)

    @property
    def losses(self) -> np.ndarray:
        """Rounds each warrior died."""
        return (~self.survived).sum(axis=0)

    @property
    def scores(self) -> np.ndarray:
        """pMARS scores: each survival with S survivors earns formula(W, S)."""
        return pmars_scores(self.score_table, self.formula)

    def pmars_output(self, koth: bool = False, sort: bool = False) -> str:
        """The lines `pmars -b` prints after a battle (`-k`: KotH format; `-o`: sorted by score)."""
        return format_results(self.warriors, self.score_table, self.formula, koth, sort)


def _short(values: np.ndarray) -> np.ndarray:
    """pMARS keeps the score table in C shorts: wrap like them."""
    return ((np.asarray(values, dtype=np.int64) + 2**15) % 2**16) - 2**15


def pmars_scores(score_table: np.ndarray, formula: str = DEFAULT_FORMULA) -> np.ndarray:
    """Scores from score tables (..., n, 2n-1), as pMARS's score() computes them."""
    table = _short(score_table)
    n = table.shape[-2]
    per_survival = np.asarray(points(formula, n), dtype=np.int64)
    total = (table[..., :n] * per_survival).sum(axis=-1)
    return ((total + 2**31) % 2**32) - 2**31   # accumulated in a C int


def format_results(warriors: Sequence[Warrior], score_table: np.ndarray, formula: str = DEFAULT_FORMULA,
                   koth: bool = False, sort: bool = False) -> str:
    table = _short(score_table)
    n = len(warriors)
    scores = pmars_scores(score_table, formula)
    deaths = table[:, n:].sum(axis=1)
    lines = []
    if koth:
        if n == 2:
            lines.append(f"{table[0, 0]} {table[0, 1]}\n{table[1, 0]} {table[1, 1]}\n")
        else:
            for i in range(n):
                lines.append(f"{scores[i]} " + "".join(f"{v} " for v in table[i, :n]) + f"{deaths[i]}\n")
        return "".join(lines)
    order = list(range(n))
    if sort:
        order.sort(key=lambda i: -scores[i])
    for i in order:
        lines.append(f"{warriors[i].name} by {warriors[i].author} scores {scores[i]}\n")
        if n > 2:
            lines.append("  Results:" + "".join(f" {v}" for v in table[i, :n]) + f" {deaths[i]}\n")
    if n == 2:
        first = order[0]
        lines.append(f"Results: {table[first, 0]} {table[first, 2]} {table[first, 1]}\n")
    return "".join(lines)


def default_rounds(settings: Settings, n: int, permutate: bool) -> int:
    """pMARS's default -r: 1, or with -P every (position, first mover) combination."""
    if permutate:
        return 2 * settings.coresize - 4 * settings.mindistance + 2
    return settings.rounds


def resolve_seed(settings: Settings, n: int, seed: int | None, fixed_position: int | None,
                 permutate: bool) -> int:
    """The pMARS seed for round 1 from the API's options (see the module docstring)."""
    if fixed_position is not None:
        if seed is not None:
            raise ValueError("give a seed or a fixed position, not both")
        seed = seeds.seed_for_position(fixed_position, settings.mindistance)
        if permutate:
            seed = seeds.permutation_seed(seed, n)
    elif seed is None:
        seed = seeds.clock_seed()
    _check_seed(seed)
    return int(seed)


# Extra instructions a round may run after pMARS's budget overrun (see mars.execute):
# None means the round's own budget again; the CLI passes mars.UNLIMITED to match pMARS.
def _overrun(overrun_limit, settings, n):
    return n * settings.maxcycles if overrun_limit is None else overrun_limit


def battle(warriors: Sequence[Warrior], settings: Settings = Settings(), rounds: int | None = None,
           seed: int | None = None, fixed_position: int | None = None, permutate: bool = False,
           formula: str = DEFAULT_FORMULA, overrun_limit: int | None = None,
           statistics: bool = True) -> BattleResult:
    """Play `rounds` rounds (default settings.rounds; with `permutate`, every combination)
    between `warriors` in this order (warrior 1 at address 0, as pMARS). Same semantics as
    `pmars -r ROUNDS -F fixed_position [-P] ...`, or pMARS seeded internally with `seed`.
    `statistics=False` skips the per-round statistics (left zero), about 10% faster, and uses
    the ahead-of-time engine when it is built (`engine_aot`), which starts without Numba."""
    warriors = list(warriors)
    n = len(warriors)
    _check_settings(settings, n)
    if permutate and n != 2:
        raise ValueError("permutations (-P) need exactly two warriors")
    pool = WarriorPool(warriors, settings)
    rounds = default_rounds(settings, n, permutate) if rounds is None else rounds
    seed = resolve_seed(settings, n, seed, fixed_position, permutate)
    points(formula, n)   # reject a bad formula before playing
    pindex, n_pspaces = pspace_map(pool.pins)
    outputs = _allocate_outputs((), rounds, n)
    args = (pool.core, pool.offset, pool.length, pool.entry, np.arange(n, dtype=np.int64), pindex, n_pspaces,
            seed, rounds, settings.coresize, settings.maxcycles, settings.maxprocesses, settings.mindistance,
            settings.pspace, permutate, _overrun(overrun_limit, settings, n))
    compiled = None if statistics else _ahead_of_time(pool.core.dtype)
    if compiled is not None:
        executed = compiled(*args, *outputs)
    else:
        from . import mars
        executed = mars.play_battle(*args, True if statistics else None, *outputs)
    table, survived, fitness, lifetime, spawned, coverage, enqueued = outputs
    return BattleResult(warriors, settings, seed, formula, table.reshape(n, 2 * n - 1),
                        survived.astype(bool), fitness, lifetime, spawned, coverage, enqueued, int(executed))


def _ahead_of_time(cell_dtype):
    """The ahead-of-time battle function for this core's cells, or None when not built."""
    from . import engine_aot
    module = engine_aot.load()
    if module is None:
        return None
    return module.play_battle_u16 if cell_dtype == np.uint16 else module.play_battle_i32


def _allocate_outputs(batch: tuple, rounds: int, n: int):
    per_round = batch + (rounds, n)
    return (np.zeros(batch + (n * (2 * n - 1),), dtype=np.int64),
            np.zeros(per_round, dtype=np.uint8),
            np.zeros(per_round, dtype=np.float64),
            np.zeros(per_round, dtype=np.int64),
            np.zeros(per_round, dtype=np.int64),
            np.zeros(per_round, dtype=np.int64),
            np.zeros(per_round, dtype=np.int64))


@dataclass
class BatchResult:
    """Many battles: arrays indexed (battle, ...). `members[b]` are pool indices of battle b."""
    members: np.ndarray
    seeds: np.ndarray
    score_table: np.ndarray   # (battles, n, 2n - 1)
    survived: np.ndarray      # (battles, rounds, n) bool
    fitness: np.ndarray       # (battles, rounds, n)
    lifetime: np.ndarray
    spawned: np.ndarray
    coverage: np.ndarray
    enqueued: np.ndarray

    @property
    def scores(self) -> np.ndarray:
        """(battles, n) pMARS scores with the default formula."""
        return pmars_scores(self.score_table)

    @property
    def wins(self) -> np.ndarray:
        alone = self.survived.sum(axis=2, keepdims=True) == 1
        return (self.survived & alone).sum(axis=1)

    @property
    def ties(self) -> np.ndarray:
        shared = self.survived.sum(axis=2, keepdims=True) > 1
        return (self.survived & shared).sum(axis=1)

    @property
    def losses(self) -> np.ndarray:
        return (~self.survived).sum(axis=1)


def batch_battle(pool: WarriorPool, members, seeds, rounds: int = 1, permutate: bool = False,
                 overrun_limit: int | None = None, threads: int | None = None,
                 scheduler: str = "threads", statistics: bool = True) -> BatchResult:
    """Play battle b between pool warriors `members[b]` (an int array (battles, n); every battle
    has the same number of warriors) from pMARS seed `seeds[b]`, all in parallel.

    For "candidate c against opponent set O over seeds S": members = [[c, *O] for c, s in ...],
    one row per (candidate, seed). Each battle has its own P-space. `threads` caps the worker
    threads (default: all cores). `scheduler`: "threads" hands small chunks of battles to
    threads as they free up (battles differ in length); "prange" splits them evenly up front."""
    from . import mars

    settings = pool.settings
    members = np.ascontiguousarray(members, dtype=np.int64)
    if members.ndim != 2:
        raise ValueError("members must be a (battles, warriors) array of pool indices")
    battles, n = members.shape
    seeds = np.ascontiguousarray(np.broadcast_to(np.asarray(seeds, dtype=np.int64), (battles,)))
    _check_settings(settings, n)
    if battles and (members.min() < 0 or members.max() >= len(pool)):
        raise ValueError("members name warriors outside the pool")
    for seed in np.unique(seeds):
        _check_seed(int(seed))
    if permutate and n != 2:
        raise ValueError("permutations (-P) need exactly two warriors")
    maps = [pspace_map([pool.pins[m] for m in row]) for row in members.tolist()]
    pindex = np.asarray([m[0] for m in maps], dtype=np.int64).reshape(battles, n)
    n_pspaces = np.asarray([m[1] for m in maps], dtype=np.int64)
    outputs = _allocate_outputs((battles,), rounds, n)
    args = (pool.core, pool.offset, pool.length, pool.entry, members, pindex, n_pspaces, seeds, rounds,
            settings.coresize, settings.maxcycles, settings.maxprocesses, settings.mindistance,
            settings.pspace, permutate, _overrun(overrun_limit, settings, n),
            True if statistics else None, *outputs)
    if scheduler == "prange":
        _run_prange(mars.play_batch, threads, *args)
    elif scheduler == "threads":
        _run_threads(mars.play_range, battles, threads, args)
    else:
        raise ValueError(f"unknown scheduler {scheduler!r} (threads or prange)")
    table, survived, fitness, lifetime, spawned, coverage, enqueued = outputs
    return BatchResult(members, seeds, table.reshape(battles, n, 2 * n - 1), survived.astype(bool),
                       fitness, lifetime, spawned, coverage, enqueued)


def _run_prange(kernel, threads, *args):
    import numba
    previous = numba.get_num_threads()
    if threads:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        kernel(*args)
    finally:
        numba.set_num_threads(previous)


def _run_threads(kernel, battles, threads, args):
    """Chunks of battles to a thread pool; the kernel releases the GIL."""
    from concurrent.futures import ThreadPoolExecutor
    threads = min(threads or _default_threads(), max(battles, 1))
    if threads <= 1 or battles <= 1:
        kernel(0, battles, *args)
        return
    chunk = max(1, battles // (threads * 8))
    with ThreadPoolExecutor(threads) as executor:
        for future in [executor.submit(kernel, start, min(start + chunk, battles), *args)
                       for start in range(0, battles, chunk)]:
            future.result()


def _default_threads() -> int:
    """Every core, or the share a cluster worker was given ($REDQUEEN_THREADS, see
    redqueen.executor): many single-thread workers on one node must not each start a thread per core."""
    import os
    return int(os.environ.get("REDQUEEN_THREADS") or 0) or os.cpu_count() or 1
