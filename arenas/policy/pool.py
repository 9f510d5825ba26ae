"""The parent side of the sandbox: a pool of worker processes that compile and play policies.

Work is sent as jobs: one contestant A against a list of B's over the same seeds, so that a
worker compiles A once and reuses its cache of opponents. Workers stream one reply per pairing.
When a worker dies (a crash, SIGXCPU from its CPU limit, an allocation the memory cap refused) or
stops beating for longer than the wall-clock limit (then the pool kills it), the pairing being
played is forfeited by whoever the shared control array says was in control, the rest of the job
is requeued and a fresh worker takes the dead one's place. Nothing a policy does can stop the
pool: the worst it can do is lose its own games.
"""
from __future__ import annotations

import dataclasses
import json
import mmap
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

import numpy as np

from .sandbox import BEAT, COMPILE, COMPILING, CONTROL_SIZE, ENGINE, PHASE, QUERY, SIDE, Limits

# The directory holding the `arenas` package, so workers import the same code as the parent.
_CODE_ROOT = str(Path(__file__).resolve().parent.parent.parent)

# A contestant as workers see it: ("policy", digest, code) or ("builtin", key, name).
Contestant = tuple[str, str, str]
GameResult = tuple  # (stats tuple or None, {side: reason})

POLL_SECONDS = 0.05


class PoolError(RuntimeError):
    """The pool itself cannot work (e.g. workers fail to start): one line."""


@dataclass
class _Job:
    job_id: int
    a: Contestant
    pairs: list                      # [(pair id, contestant B)]
    answered: int = 0


@dataclass
class _Slot:
    """One worker process and what it is doing."""
    process: subprocess.Popen
    connection: Connection
    control: np.ndarray
    errors: object                   # the worker's stderr, a temporary file
    job: _Job | None = None
    beat: int = -1
    beat_time: float = field(default_factory=time.monotonic)
    compiled: int = 0


def _death_reason(exitcode: int | None, limits: Limits, killed_for_time: str | None) -> str:
    if killed_for_time:
        return killed_for_time
    if exitcode is None:
        return "the worker stopped answering"
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        if number == signal.SIGXCPU:
            return "exceeded the CPU-time limit"
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        if number in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT):
            return f"crashed the worker ({name}; memory limit {limits.memory_mb} MB)"
        return f"killed the worker ({name})"
    return f"the worker exited (status {exitcode})"


class WorkerPool:
    """Sandbox workers for one game module. Workers start on first use; `close` stops them."""

    def __init__(self, game_module: str, function_name: str = "policy", workers: int | None = None,
                 limits: Limits | None = None):
        self.game_module, self.function_name = game_module, function_name
        self.size = max(1, workers or os.cpu_count() or 1)
        self.limits = limits or Limits()
        self.slots: list[_Slot] = []
        self._next_job = 0

    # ---- lifecycle ---------------------------------------------------------------------------
    def _spawn(self) -> _Slot:
        """A worker process (`python -m arenas.policy.sandbox`) with a socket and a control array."""
        ours, theirs = socket.socketpair()
        control_file = tempfile.TemporaryFile(dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
        control_file.truncate(CONTROL_SIZE * 8)
        control = np.frombuffer(mmap.mmap(control_file.fileno(), CONTROL_SIZE * 8), dtype=np.int64)
        errors = tempfile.TemporaryFile()
        config = json.dumps({"game_module": self.game_module, "function_name": self.function_name,
                             "limits": dataclasses.asdict(self.limits)})
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            [_CODE_ROOT] + [p for p in environment.get("PYTHONPATH", "").split(os.pathsep) if p])
        process = subprocess.Popen(
            [sys.executable, "-m", "arenas.policy.sandbox", str(theirs.fileno()),
             str(control_file.fileno()), config],
            pass_fds=(theirs.fileno(), control_file.fileno()), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=errors, env=environment, cwd=tempfile.gettempdir())
        theirs.close()
        control_file.close()
        return _Slot(process, Connection(ours.detach()), control, errors)

    def _await_ready(self, slots: list[_Slot]) -> None:
        deadline = time.monotonic() + self.limits.start_wall
        for slot in slots:
            remaining = max(0.0, deadline - time.monotonic())
            ok = False
            try:
                ok = slot.connection.poll(remaining) and slot.connection.recv()[0] == "ready"
            except (EOFError, OSError):
                ok = False
            if not ok:
                if slot.process.poll() is None:
                    slot.process.kill()
                slot.process.wait()
                reason = _last_line(slot)
                self._kill(slot)
                raise PoolError(f"a sandbox worker for {self.game_module} did not start: {reason}")

    def start(self) -> None:
        if not self.slots:
            fresh = [self._spawn() for _ in range(self.size)]
            self.slots = fresh
            self._await_ready(fresh)

    def _replace(self, slot: _Slot) -> _Slot:
        self._kill(slot)
        fresh = self._spawn()
        self._await_ready([fresh])
        self.slots[self.slots.index(slot)] = fresh
        return fresh

    @staticmethod
    def _kill(slot: _Slot) -> None:
        if slot.process.poll() is None:
            slot.process.kill()
        try:
            slot.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        slot.connection.close()
        slot.errors.close()

    def close(self) -> None:
        for slot in self.slots:
            try:
                slot.connection.send(("stop",))
            except (OSError, ValueError):
                pass
        for slot in self.slots:
            try:
                slot.process.wait(2)
            except subprocess.TimeoutExpired:
                pass
            self._kill(slot)
        self.slots = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- checking one policy -----------------------------------------------------------------
    def check(self, contestant: Contestant, options: dict) -> tuple[str, int | None] | None:
        """None if the contestant compiles and survives a smoke game, else (reason, line)."""
        self.start()
        slot = self._alive(self.slots[self._home(contestant)])     # where later jobs with this A go first
        if not self._send(slot, ("check", contestant, options)):
            slot = self._replace(slot)
            return "the sandbox worker could not take the request", None
        self._reset_beat(slot)
        while True:
            message, death = self._receive(slot)
            if death:
                self._replace(slot)
                return f"during compilation or the smoke game: {death}", None
            if message is not None:
                _, result, slot.compiled = message
                self._recycle_if_worn(slot)
                return result

    def check_many(self, contestants: list[Contestant], options: dict) -> list:
        """`check` of each contestant, spread over all workers at once (compilation is most of
        a check's time); a worker prefers the contestants it will play first (`_home`)."""
        self.start()
        results: list = [None] * len(contestants)
        queue, busy = deque(range(len(contestants))), {}     # busy: slot position -> contestant index
        while queue or busy:
            for position in range(len(self.slots)):
                if position not in busy and queue:
                    index = self._take_check(queue, position, contestants)
                    slot = self._alive(self.slots[position])
                    if not self._send(slot, ("check", contestants[index], options)):
                        self._replace(slot)
                        results[index] = ("the sandbox worker could not take the request", None)
                        continue
                    self._reset_beat(slot)
                    busy[position] = index
            if busy:
                wait([self.slots[position].connection for position in busy], timeout=POLL_SECONDS * 4)
            for position, index in list(busy.items()):
                slot = self.slots[position]
                message, death = self._receive(slot, block=False)
                if death:
                    self._replace(slot)
                    results[index] = (f"during compilation or the smoke game: {death}", None)
                elif message is not None:
                    _, results[index], slot.compiled = message
                    self._recycle_if_worn(slot)
                else:
                    continue
                del busy[position]
        return results

    def _take_check(self, queue: deque, position: int, contestants) -> int:
        for offset, index in enumerate(queue):
            if self._home(contestants[index]) == position:
                del queue[offset]
                return index
        return queue.popleft()

    def query(self, what: str):
        """Ask the game module in a worker (e.g. for the names of its built-in opponents)."""
        self.start()
        slot = self._alive(self.slots[0])
        if self._send(slot, ("query", what)):
            while True:
                message, death = self._receive(slot)
                if death:
                    break
                if message is not None:
                    return message[1]
        self._replace(slot)
        raise PoolError(f"the sandbox worker for {self.game_module} failed to answer {what!r}")

    def trace(self, a: Contestant, b: Contestant, seed: int, options: dict) -> dict:
        """One game recorded for a replay by the game module's `trace` (see sandbox.Worker.trace);
        {"faults": {side: reason}} when a policy broke down (side 0: the worker died)."""
        self.start()
        slot = self._alive(self.slots[0])
        if not self._send(slot, ("trace", a, b, int(seed), options)):
            self._replace(slot)
            raise PoolError(f"the sandbox worker for {self.game_module} could not take the replay")
        self._reset_beat(slot)
        while True:
            message, death = self._receive(slot)
            if death:
                self._replace(slot)
                return {"faults": {0: death}}
            if message is not None:
                return message[1]

    # ---- playing many pairings ---------------------------------------------------------------
    def play(self, pairings: list[tuple[Contestant, Contestant]], seeds: list[int], options: dict,
             progress=None) -> list[list[GameResult]]:
        """Every pairing (A, B) over the seeds: per pairing, one GameResult per seed. A game is
        determined by its contestants, options and seed, so a pairing listed more than once (an
        opponent listed twice, a champion that is also an initial program) is played once."""
        distinct: dict[tuple, int] = {}
        for pairing in pairings:
            distinct.setdefault(tuple(pairing), len(distinct))
        played = self._play_distinct(list(distinct), seeds, options, progress)
        if progress is not None and len(distinct) < len(pairings):
            progress.update((len(pairings) - len(distinct)) * len(seeds))
        return [list(played[distinct[tuple(pairing)]]) for pairing in pairings]

    def _play_distinct(self, pairings, seeds, options, progress) -> list[list[GameResult]]:
        self.start()
        results: list = [None] * len(pairings)
        queue = deque(self._jobs(pairings))
        while queue or any(slot.job for slot in self.slots):
            for slot in self.slots:
                if slot.job is None and queue:
                    self._dispatch(slot, self._take(queue, slot), seeds, options)
            self._wait_busy()
            for slot in list(self.slots):
                if slot.job is not None:
                    self._service(slot, results, queue, seeds, progress)
        return results

    def _jobs(self, pairings) -> list[_Job]:
        """Pairings grouped by contestant A, in chunks small enough to spread over the workers."""
        groups: dict[str, tuple[Contestant, list]] = {}
        for pair_id, (a, b) in enumerate(pairings):
            groups.setdefault(a[1], (a, []))[1].append((pair_id, b))
        largest = max((len(pairs) for _, pairs in groups.values()), default=1)
        chunk = max(1, min(32, -(-largest // (2 * self.size)) if len(groups) < 2 * self.size else largest))
        jobs = []
        for a, pairs in groups.values():
            for start in range(0, len(pairs), chunk):
                jobs.append(self._job(a, pairs[start:start + chunk]))
        return jobs

    def _job(self, a, pairs) -> _Job:
        self._next_job += 1
        return _Job(self._next_job, a, pairs)

    def _take(self, queue: deque, slot: _Slot) -> _Job:
        """The next job, preferring one whose A this worker compiled before (same slot index)."""
        home = self.slots.index(slot)
        for position, job in enumerate(queue):
            if self._home(job.a) == home:
                del queue[position]
                return job
            if position > 4 * self.size:
                break
        return queue.popleft()

    def _home(self, contestant: Contestant) -> int:
        """The worker that compiles this contestant first (stable within this process)."""
        return hash(contestant[1]) % self.size

    def _alive(self, slot: _Slot) -> _Slot:
        """The slot's worker, or a fresh one if it died while idle (nothing to blame on anyone)."""
        return slot if slot.process.poll() is None else self._replace(slot)

    def _dispatch(self, slot: _Slot, job: _Job, seeds: list[int], options: dict) -> None:
        message = ("play", job.job_id, job.a, job.pairs, list(seeds), options)
        slot = self._alive(slot)
        if not self._send(slot, message):       # the worker went away just now
            slot = self._replace(slot)
            self._send(slot, message)
        slot.job = job
        self._reset_beat(slot)

    def _wait_busy(self) -> None:
        busy = [slot.connection for slot in self.slots if slot.job is not None]
        if busy:
            wait(busy, timeout=POLL_SECONDS * 4)

    def _service(self, slot: _Slot, results, queue: deque, seeds, progress) -> None:
        """Collect a busy worker's replies; on its death or timeout, forfeit and requeue."""
        while slot.job is not None:
            message, death = self._receive(slot, block=False)
            if death:
                self._on_death(slot, death, results, queue, seeds, progress)
                return
            if message is None:
                return
            if message[0] == "pair":
                _, job_id, pair_id, games = message
                results[pair_id] = games
                slot.job.answered += 1
                if progress is not None:
                    progress.update(len(games))
            elif message[0] == "done":
                slot.compiled = message[2]
                slot.job = None
                self._recycle_if_worn(slot)

    def _on_death(self, slot: _Slot, reason: str, results, queue, seeds, progress) -> None:
        """The pairing in play is forfeited by whoever was in control; the rest is requeued."""
        job = slot.job
        slot.job = None
        if job.answered < len(job.pairs):        # else it died after its last answer: no one to blame
            pair_id, _ = job.pairs[job.answered]
            results[pair_id] = [(None, {self._blame(slot): reason}) for _ in seeds]
            if progress is not None:
                progress.update(len(seeds))
            rest = job.pairs[job.answered + 1:]
            if rest:
                queue.appendleft(self._job(job.a, rest))
        self._replace(slot)

    @staticmethod
    def _blame(slot: _Slot) -> int:
        """The side in control when the worker died: a policy, or the engine (0)."""
        control = slot.control
        if control[PHASE] == COMPILE:
            return int(control[COMPILING])
        side = int(control[SIDE])
        return side if side in (1, 2) else ENGINE

    # ---- messaging and watchdog ----------------------------------------------------------------
    def _send(self, slot: _Slot, message) -> bool:
        try:
            slot.connection.send(message)
            return True
        except (OSError, ValueError):
            return False

    def _reset_beat(self, slot: _Slot) -> None:
        slot.beat, slot.beat_time = int(slot.control[BEAT]), time.monotonic()

    def _receive(self, slot: _Slot, block: bool = True):
        """(message, None), (None, death reason) or (None, None) when nothing came yet."""
        while True:
            try:
                if slot.connection.poll(POLL_SECONDS if block else 0):
                    return slot.connection.recv(), None
            except (EOFError, OSError):
                return None, self._death(slot)
            if slot.process.poll() is not None:
                return None, self._death(slot)
            overdue = self._overdue(slot)
            if overdue:
                self._kill(slot)
                return None, overdue
            if not block:
                return None, None

    def _overdue(self, slot: _Slot) -> str | None:
        """A reason to kill a worker whose heartbeat stopped for longer than the wall limit."""
        now, beat = time.monotonic(), int(slot.control[BEAT])
        if beat != slot.beat:
            slot.beat, slot.beat_time = beat, now
            return None
        phase = slot.control[PHASE]
        limit, what = {COMPILE: (self.limits.compile_wall, "compilation"),
                       QUERY: (self.limits.start_wall, "a query")}.get(phase, (self.limits.game_wall, "a game"))
        if now - slot.beat_time > limit:
            return f"exceeded the wall-clock limit ({limit:g} s for {what})"
        return None

    def _death(self, slot: _Slot) -> str:
        """Why a worker went away; when it was not a signal, what it last wrote (an engine bug)."""
        code = self._exit_code(slot)
        reason = _death_reason(code, self.limits, None)
        return reason if code is not None and code < 0 else f"{reason}: {_last_line(slot)}"

    @staticmethod
    def _exit_code(slot: _Slot) -> int | None:
        try:
            return slot.process.wait(2)
        except subprocess.TimeoutExpired:
            return None

    def _recycle_if_worn(self, slot: _Slot) -> None:
        if slot.compiled >= self.limits.recycle_after:
            self._send(slot, ("stop",))
            self._exit_code(slot)
            self._replace(slot)


def _last_line(slot: _Slot) -> str:
    """The last line the worker wrote to stderr, or its exit status."""
    try:
        slot.errors.seek(0)
        lines = [line.strip() for line in slot.errors.read().decode(errors="replace").splitlines() if line.strip()]
    except (OSError, ValueError):
        lines = []
    errors = [line for line in lines if "Error" in line]
    return (errors or lines)[-1] if lines else f"exit status {slot.process.poll()}"
