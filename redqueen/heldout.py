"""Held-out evaluation: each program plays 1v1 against every program of a held-out set over
S seeds; results go into the run archive (table `heldout_results`) so that nothing is played
twice, and come back as per-opponent arrays and a generality summary. The summary is the
arena's `Arena.heldout_summary` of the per-opponent results (head-to-head by default, a round
robin for the IPD), computed afresh from stored results, so it never needs games replayed.

Arena-agnostic: programs and opponents are the arena's own objects, games are `Arena.duel`.
A held-out set is a directory of program files (`Arena.load_directory`: files that do not
parse are reported as skipped, with the reason; kept parsed on disk, see `parsed_cache`), or,
for an arena whose opponents are not files, whatever its `heldout_opponents()` returns.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from .arena import Arena, DuelResults
from .parsed_cache import load_directory_cached

# The project's own held-out set (classic strategies written for it), beside the package.
DEFAULT_HELDOUT_DIR = Path(__file__).resolve().parent.parent / "archive" / "heldout"
DEFAULT_SEEDS = 20
MAX_BATCH = 64            # opponents per duel call (times the seeds: games per batch)
TAIL_CHUNK = 4            # opponents per task at least, in the last tasks of an evaluation
RESULT_FIELDS = ("fitness_a", "fitness_b", "wins", "ties", "losses", "score_a", "score_b")

class HeldoutError(ValueError):
    """A held-out set that cannot be used: one clear line."""


@dataclass
class HeldoutSet:
    """The opponents of a held-out evaluation, with what was rejected and why."""
    source: str                                   # the directory, or "<arena>" for built-in opponents
    programs: list
    labels: list[str]                             # file stem or program name, one per opponent
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (file, reason)

    def __len__(self) -> int:
        return len(self.programs)


def load_heldout(arena: Arena, against: str | Path | None = None,
                 only: Sequence[str] | None = None) -> HeldoutSet:
    """The held-out set: the directory `against`; else the arena's own `heldout_opponents()`
    when it has one; else the project's set in archive/heldout. With `only`, just the opponents
    of those labels, in the set's order."""
    return _restrict(_load_heldout(arena, against), only)


def _load_heldout(arena: Arena, against: str | Path | None) -> HeldoutSet:
    own = arena.heldout_opponents() if against is None else None
    if own is not None:
        return HeldoutSet(f"<{arena.name}>", list(own), [arena.label(p) for p in own])
    directory = Path(against) if against is not None else DEFAULT_HELDOUT_DIR
    if not directory.is_dir():
        raise HeldoutError(f"{directory}: no such directory of held-out programs")
    programs, skipped = load_directory_cached(arena, directory)
    labels = [arena.label(p) for p in programs]
    if not programs:
        raise HeldoutError(f"{directory}: no usable {arena.program_suffix} program "
                           f"({len(skipped)} rejected)")
    return HeldoutSet(str(directory), programs, labels, skipped)


def _restrict(heldout: HeldoutSet, only: Sequence[str] | None) -> HeldoutSet:
    if not only:
        return heldout
    unknown = sorted(set(only) - set(heldout.labels))
    if unknown:
        raise HeldoutError(f"{heldout.source}: no held-out opponent named {', '.join(map(repr, unknown))} "
                           f"(names as listed by `redqueen eval --per-opponent`)")
    keep = [i for i, label in enumerate(heldout.labels) if label in set(only)]
    return HeldoutSet(heldout.source, [heldout.programs[i] for i in keep], [heldout.labels[i] for i in keep],
                      heldout.skipped)


def default_seeds(count: int = DEFAULT_SEEDS, base: int = 0) -> list[int]:
    """`count` game seeds drawn reproducibly from `base`."""
    rng = np.random.default_rng([base, 0x4E1D])
    return [int(s) for s in rng.integers(1, 2**31 - 1, size=count)]


def arena_key(name: str, options: dict | None = None) -> str:
    return json.dumps({"arena": name, "options": options or {}}, sort_keys=True)


def seeds_key(seeds: Sequence[int]) -> str:
    return hashlib.sha256(json.dumps([int(s) for s in seeds]).encode()).hexdigest()[:16]


@dataclass
class ProgramResult:
    """One program against the held-out set: per-opponent arrays (opponent order of the set)."""
    label: str
    digest: str
    results: DuelResults
    summary: dict                   # the arena's heldout_summary of the results
    program_id: int | None = None
    played: int = 0                 # opponents played now (the others came from the archive)

    def summary_fields(self) -> dict:
        """The summary's figures for the program as a whole (without its per-opponent part)."""
        return {key: value for key, value in self.summary.items() if key != "per_opponent"}

    def per_opponent(self, heldout: HeldoutSet) -> list[dict]:
        """One row per opponent: the game results, then the summary's per-opponent figures
        (e.g. whether the opponent counts towards generality)."""
        extra = self.summary.get("per_opponent") or [{}] * len(heldout.labels)
        rows = []
        for index, name in enumerate(heldout.labels):
            row = {"opponent": name}
            for key in RESULT_FIELDS:
                value = getattr(self.results, key)[index]
                row[key] = int(value) if key in ("wins", "ties", "losses") else float(value)
            row.update({key: value for key, value in extra[index].items() if key not in row})
            rows.append(row)
        return rows


class HeldoutStore:
    """Held-out results in the run archive's SQLite file (table `heldout_results`)."""

    def __init__(self, archive):
        self.archive = archive

    def lookup(self, arena: str, seeds: str, program_digest: str) -> dict[str, dict]:
        return self.archive.heldout_results(arena, seeds, program_digest)

    def save(self, arena: str, seeds: str, program_digest: str, games: int,
             rows: dict[str, tuple[str, dict]]) -> None:
        """rows: opponent digest -> (opponent name, {field: value})."""
        self.archive.save_heldout_results(arena, seeds, program_digest, games, rows)


# ---- playing the games ------------------------------------------------------------------------
@dataclass(frozen=True)
class ArenaSpec:
    """How a worker process rebuilds the arena and the held-out set."""
    name: str
    options: dict
    against: str | None
    only: tuple[str, ...] | None = None     # the held-out opponents chosen by label, if not all


_worker: dict = {}


def _worker_start(spec: ArenaSpec) -> None:
    from .registry import make_arena
    arena = make_arena(spec.name, spec.options)
    _worker.update(arena=arena, opponents=load_heldout(arena, spec.against, spec.only).programs)


def _worker_duel(task):
    source, origin, indices, seeds = task
    arena = _worker["arena"]
    program = arena.parse(source, origin=origin)
    return indices, arena.duel(program, [_worker["opponents"][i] for i in indices], seeds)


def _executor_duel(task):
    """One executor task: a program against a chunk of the held-out set, on a worker that keeps
    the arena and the parsed set between tasks."""
    from .executor import worker_cache
    spec, source, origin, indices, seeds = task
    if _worker.get("spec") != spec:
        _worker.clear()
        _worker_start(spec)
        _worker["spec"] = spec
    program = worker_cache(("heldout-program", repr(spec), source),
                           lambda: _worker["arena"].parse(source, origin=origin))
    return indices, _worker["arena"].duel(program, [_worker["opponents"][i] for i in indices], seeds)


def _tasks(todo: Sequence[list[int]], workers: int) -> list[tuple[int, list[int]]]:
    """(program index, opponent indices) tasks for `workers` processes (1: this one), largest
    first (guided scheduling): each takes a 1/(2 workers) share of the opponents not yet handed
    out, between TAIL_CHUNK and MAX_BATCH. The first tasks are big (few round trips) and the last
    ones small, so that the workers finish together although one opponent's games may take many
    times another's; in this process, the small last tasks keep the progress bar moving and the
    results are stored task by task."""
    remaining = sum(len(indices) for indices in todo)
    tasks = []
    for p_index, indices in enumerate(todo):
        indices, start = list(indices), 0
        while start < len(indices):
            size = max(TAIL_CHUNK, min(MAX_BATCH, -(-remaining // (2 * workers))))
            if len(indices) - start - size < TAIL_CHUNK and len(indices) - start <= MAX_BATCH:
                size = len(indices) - start                   # no smaller task after this one
            tasks.append((p_index, indices[start:start + size]))
            start += size
            remaining -= len(tasks[-1][1])
    return tasks


def play(arena: Arena, programs: Sequence, heldout: HeldoutSet, seeds: Sequence[int],
         todo: Sequence[list[int]], jobs: int = 1, spec: ArenaSpec | None = None,
         progress: bool = True, executor=None, on_result=None) -> list[dict[int, dict]]:
    """Duel each program against the opponents at the indices `todo[i]`; returns, per program,
    opponent index -> {field: value} (in index order). With jobs > 1 and a `spec` (arena
    loadable by name), the games are spread over a pool of worker processes; with a non-local
    `executor` and a spec, over its workers. `on_result(program index, {opponent index:
    {field: value}})` is called for each task's results as they arrive, while others still play."""
    from tqdm.auto import tqdm
    remote = executor is not None and executor.name != "local" and spec is not None
    jobs = executor.workers if remote else max(1, jobs)
    tasks = _tasks(todo, jobs if spec is not None else 1)     # without a spec, every task plays here
    collected: list[dict[int, dict]] = [{} for _ in programs]
    total = sum(len(t) for t in todo) * len(seeds)
    with tqdm(total=total, unit="game", desc="held-out games", disable=not progress or total == 0) as bar:
        done = _run_remote(executor, programs, seeds, tasks, spec) if remote else \
            _run_tasks(arena, programs, heldout, seeds, tasks, jobs, spec)
        for p_index, (indices, results) in done:
            values = {opponent: {key: _plain(getattr(results, key)[position]) for key in RESULT_FIELDS}
                      for position, opponent in enumerate(indices)}
            collected[p_index].update(values)
            if on_result is not None:
                on_result(p_index, values)
            bar.update(len(indices) * len(seeds))
    return [dict(sorted(found.items())) for found in collected]


def _run_tasks(arena, programs, heldout, seeds, tasks, jobs, spec):
    """Yield (program index, (opponent indices, DuelResults)) as tasks complete."""
    if jobs == 1 or spec is None or len(tasks) <= 1:
        for p_index, indices in tasks:
            yield p_index, (indices, arena.duel(programs[p_index], [heldout.programs[i] for i in indices], seeds))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    context = multiprocessing.get_context("spawn" if os.name == "nt" else "forkserver")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_start,
                             initargs=(spec,)) as pool:
        futures = {pool.submit(_worker_duel, (programs[p].source, f"program {p}", idx, list(seeds))): p
                   for p, idx in tasks}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _run_remote(executor, programs, seeds, tasks, spec):
    """Yield (program index, (opponent indices, DuelResults)) as the executor's workers finish."""
    payloads = [(spec, programs[p].source, f"program {p}", list(idx), list(seeds)) for p, idx in tasks]
    for index, result in executor.completed(_executor_duel, payloads):
        yield tasks[index][0], result


def evaluate_heldout(arena: Arena, programs: Sequence, heldout: HeldoutSet, seeds: Sequence[int],
                     labels: Sequence[str] | None = None, store: HeldoutStore | None = None,
                     key: str | None = None, jobs: int = 1, spec: ArenaSpec | None = None,
                     program_ids: Sequence[int | None] | None = None,
                     progress: bool = True, executor=None) -> list[ProgramResult]:
    """Every program against every held-out opponent over the seeds. With a `store`, results
    already there (same arena key, seeds, program and opponent digests) are reused and new ones
    saved; `key` is the arena key (`arena_key(name, options)`)."""
    key = key or arena_key(arena.name)
    skey = seeds_key(seeds)
    digests = [o.digest for o in heldout.programs]
    unique = list({p.digest: p for p in programs}.values())        # a program listed twice plays once
    known = [store.lookup(key, skey, p.digest) if store else {} for p in unique]
    todo = [_missing(digests, k) for k in known]

    def save(p_index: int, fresh: dict[int, dict]) -> None:
        """Each task's results into the archive as they arrive (while other tasks still play;
        a run stopped midway keeps them)."""
        store.save(key, skey, unique[p_index].digest, len(seeds),
                   {digests[i]: (heldout.labels[i], v) for i, v in fresh.items()})

    played = play(arena, unique, heldout, seeds, todo, jobs=jobs, spec=spec, progress=progress, executor=executor,
                  on_result=save if store else None)
    rows_of: dict[str, list[dict]] = {}
    played_of = {p.digest: len(fresh) for p, fresh in zip(unique, played)}
    for program, stored, fresh in zip(unique, known, played):
        by_digest = {d: _row_values(row) for d, row in stored.items()}
        by_digest.update({digests[i]: v for i, v in fresh.items()})
        rows_of[program.digest] = [by_digest[d] for d in digests]
    duels = {digest: _as_duel_results(rows) for digest, rows in rows_of.items()}
    summaries = {digest: arena.heldout_summary(duel, heldout.programs, seeds) for digest, duel in duels.items()}
    results = []
    for index, program in enumerate(programs):
        results.append(ProgramResult(
            label=labels[index] if labels else program.name, digest=program.digest,
            results=duels[program.digest], summary=summaries[program.digest],
            program_id=program_ids[index] if program_ids else None,
            played=played_of.pop(program.digest, 0)))
    return results


def _missing(digests: list[str], known: dict) -> list[int]:
    """Indices of opponents still to play; an opponent listed twice (same digest) is played once."""
    seen, todo = set(known), []
    for index, digest in enumerate(digests):
        if digest not in seen:
            seen.add(digest)
            todo.append(index)
    return todo


def _plain(value):
    """A numpy scalar as the Python int or float SQLite and JSON take."""
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def _row_values(row: dict) -> dict:
    return {key: row[key] for key in RESULT_FIELDS}


def _as_duel_results(rows: list[dict]) -> DuelResults:
    """Per-opponent rows of values as the arrays of a DuelResults."""
    integer = ("wins", "ties", "losses")
    return DuelResults(**{key: np.array([row[key] for row in rows], dtype=int if key in integer else float)
                          for key in RESULT_FIELDS})
