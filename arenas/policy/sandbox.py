"""The worker process: compiles policies with numba and plays games under resource limits.

Everything here runs inside a sandbox worker started by `pool.WorkerPool`, never in the parent.
The worker applies its limits once its libraries are loaded: an address-space cap (RLIMIT_AS,
relative to what the worker already maps), and before every compilation or game a fresh CPU-time
budget (RLIMIT_CPU; exceeding it kills the worker with SIGXCPU). The parent adds a wall-clock
limit by watching the heartbeat in the shared control array.

The control array (shared memory, int64) tells the parent who was in control when something went
wrong: the game loops write `control[SIDE]` around every policy call.

A game module (e.g. `arenas.ipd.game`) provides:
  signature()                         numba signature of the policy function
  warm_up()                           load or compile the game loop
  STATS                               names of a game's statistics
  play_batch(a, b, seeds, options, control, stats, statuses, bad_values)
                                      one game per seed, in one call: fills row i of `stats`, or
                                      sets statuses[i] to the side (1, 2) that made an invalid
                                      move bad_values[i]; beats control[BEAT] and sets
                                      control[SEED_INDEX] at every game; a policy's exception
                                      propagates (the worker resumes after that game)
  invalid_move(value)                 how to word an invalid move
  SMOKE_OPPONENT, smoke_options(opts) the opponent and settings of the smoke game run at check
  resolve_builtin(name)               optional: a non-policy contestant (e.g. an Axelrod strategy)
  query(what)                         optional: facts only the worker can know (e.g. strategy names)
"""
from __future__ import annotations

import builtins
import importlib
import math
import os
import re
import resource
import signal
import sys
import types
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

# Control array slots.
SIDE, PHASE, BEAT, PAIR, SEED_INDEX, COMPILING = range(6)
CONTROL_SIZE = 8
IDLE, COMPILE, PLAY, QUERY = 0, 1, 2, 3
ENGINE, SIDE_A, SIDE_B = 0, 1, 2

SMOKE_SEED = 12345
POLICY_ORIGIN = "<policy>"
SAFE_BUILTINS = frozenset({"range", "len", "min", "max", "abs", "int", "float", "bool", "round",
                           "enumerate", "zip", "sum"})


class Fault(Exception):
    """A policy broke the rules of the game (e.g. returned an invalid move)."""

    def __init__(self, side: int, reason: str):
        super().__init__(reason)
        self.side, self.reason = side, reason


class CompileError(Exception):
    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.reason, self.line = reason, line


@dataclass(frozen=True)
class Limits:
    """Per-worker resource limits. CPU and wall limits apply to each game and each compilation."""
    game_cpu: float = 2.0          # seconds of CPU per game
    game_wall: float = 10.0        # seconds of wall clock per game (the machine may be busy)
    compile_cpu: float = 30.0
    compile_wall: float = 90.0
    memory_mb: int = 1024          # address space a worker may add beyond its loaded libraries
    start_wall: float = 180.0      # starting a worker (imports, warm-up)
    cache_size: int = 256          # compiled policies kept per worker
    disk_cache: bool = True        # share compiled policies between workers and runs (on disk)
    recycle_after: int = 600       # compilations after which a worker is replaced (numba keeps code)


# ---- compilation -----------------------------------------------------------------------------
class Policy(NamedTuple):
    """A compiled policy: its function (which takes the parameter arrays as its last two
    arguments, see `arenas.policy.lift`) and the arrays of its constants. Game loops call
    `function(..., ints, floats)`; Python callers may call the policy as written."""
    function: object
    ints: object
    floats: object

    def __call__(self, *args):
        return self.function(*args, self.ints, self.floats)

    def may_write(self, index: int) -> bool:
        """False only when the function provably never writes argument `index` (`writes`)."""
        from .writes import may_write
        return may_write(self.function, index)


def with_arrays(signature):
    """A policy signature with the two parameter arrays appended: what compiled policies take."""
    from numba import types
    return signature.return_type(*signature.args, types.int64[::1], types.float64[::1])


def compile_policy(code: str, function_name: str, signature, cache_dir: str | None = None,
                   shapes: dict | None = None, before_compile=None) -> Policy:
    """The policy compiled by numba in nopython mode with bounds checking, or CompileError.
    Its constants are lifted into parameter arrays, so policies of the same shape share one
    compiled function (`shapes`: shape digest -> function, or the CompileError of a shape numba
    rejects, whose policies are then compiled as written). A policy that does not compile as
    written raises that compilation's error, as if lifting did not exist. `before_compile` is
    called before each compilation (the worker renews its CPU budget and heartbeat there)."""
    import numpy as np
    from .lift import lift, with_parameters
    before_compile = before_compile or (lambda: None)
    shapes = {} if shapes is None else shapes
    try:
        lifted = lift(code, function_name)
    except Exception:            # not a policy module (only unvalidated code): compile it as written
        lifted = None
    if lifted is not None:
        if lifted.digest not in shapes:
            before_compile()
            shapes[lifted.digest] = _function_or_error(lifted.shape, function_name, signature, cache_dir)
        shape = shapes[lifted.digest]
        if not isinstance(shape, CompileError):
            return Policy(shape, lifted.ints, lifted.floats)
    before_compile()
    function = compile_function(with_parameters(code, function_name), function_name, signature, cache_dir)
    return Policy(function, np.zeros(0, np.int64), np.zeros(0, np.float64))


def _function_or_error(code: str, function_name: str, signature, cache_dir: str | None):
    try:
        return compile_function(code, function_name, signature, cache_dir)
    except CompileError as error:
        return error


def compile_function(code: str, function_name: str, signature, cache_dir: str | None = None):
    """`code`'s function compiled by numba for `signature` plus the parameter arrays, or CompileError.
    The code already passed the AST whitelist; it runs with no builtins but the safe few.
    With `cache_dir`, the code is kept there in a file named by its hash and numba caches the
    machine code beside it, so other workers and later runs load it instead of compiling."""
    import numba
    import numpy
    namespace = {"__builtins__": {name: getattr(builtins, name) for name in SAFE_BUILTINS}, "np": numpy}
    filename = _source_file(code, cache_dir) if cache_dir else None
    if filename:     # numba's cache reloads the function's module by name: register one
        module = types.ModuleType(os.path.splitext(os.path.basename(filename))[0])
        module.__dict__.update(namespace)
        sys.modules[module.__name__] = module
        namespace = module.__dict__
    try:
        exec(compile(code, filename or POLICY_ORIGIN, "exec"), namespace)
        function = namespace[function_name]
        compiled = numba.njit(with_arrays(signature), boundscheck=True, cache=filename is not None)(function)
    except Exception as error:   # numba's errors, and anything else compilation throws
        raise CompileError(*condense_compile_error(error, filename)) from None
    from .writes import mark
    mark(compiled, filename)
    return compiled


def _source_file(code: str, cache_dir: str) -> str | None:
    """`cache_dir`/p<hash of code>.py holding `code` (written once, never rewritten: numba's
    cache index is keyed by the file's time stamp); None when the directory is not writable."""
    import hashlib
    path = os.path.join(cache_dir, f"p{hashlib.sha256(code.encode()).hexdigest()[:32]}.py")
    if os.path.exists(path):
        return path
    try:
        os.makedirs(cache_dir, exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "w") as file:
            file.write(code)
        try:
            os.link(temporary, path)      # atomic and exclusive: a concurrent writer's file stays
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
        return path
    except OSError:
        return None


def default_cache_dir() -> str:
    """Where compiled policies are kept: $REDQUEEN_CACHE/policies (default ~/.cache/redqueen)."""
    root = os.environ.get("REDQUEEN_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "redqueen")
    return os.path.join(root, "policies")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LINE = re.compile(r'File "' + re.escape(POLICY_ORIGIN) + r'", line (\d+)')
_NOISE = ("Failed in nopython mode pipeline", "During:", "File \"", "<source missing", "Enable logging",
          "This error may have been", "raised from", "^")


def condense_compile_error(error: Exception, filename: str | None = None) -> tuple[str, int | None]:
    """One line out of numba's multi-line report, and the policy line it points at."""
    text = _ANSI.sub("", str(error))
    # numba may print the cached file's path relative to the working directory
    pattern = re.compile(r'File "[^"]*' + re.escape(os.path.basename(filename)) + r'", line (\d+)') \
        if filename else _LINE
    match = pattern.search(text)
    line = int(match.group(1)) if match else getattr(error, "lineno", None)
    message = next((part.strip() for part in text.splitlines()
                    if part.strip() and not part.strip().startswith(_NOISE)), type(error).__name__)
    message = re.sub(r"\s+", " ", message)[:300]
    return f"does not compile in nopython mode: {message}", line


class PolicyCache:
    """Compiled policies (or their compile errors) by digest, and compiled shapes by the digest
    of the lifted code (see `compile_policy`), least recently used dropped. `compiled` counts
    the requests that were not in the cache (the worker is recycled after enough of them)."""

    def __init__(self, function_name: str, signature, size: int, cache_dir: str | None = None,
                 before_compile=None):
        self.function_name, self.signature, self.size = function_name, signature, size
        self.cache_dir, self.before_compile = cache_dir, before_compile
        self.entries: OrderedDict = OrderedDict()
        self.shapes: OrderedDict = OrderedDict()
        self.compiled = 0

    def get(self, digest: str, code: str):
        if digest in self.entries:
            self.entries.move_to_end(digest)
        else:
            self.compiled += 1
            try:
                self.entries[digest] = compile_policy(code, self.function_name, self.signature,
                                                      self.cache_dir, self.shapes, self.before_compile)
            except CompileError as error:
                self.entries[digest] = error
            for cache in (self.entries, self.shapes):
                while len(cache) > self.size:
                    cache.popitem(last=False)
        entry = self.entries[digest]
        if isinstance(entry, CompileError):
            raise entry
        return entry


# ---- limits ----------------------------------------------------------------------------------
def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def grant_cpu(seconds: float) -> None:
    """Allow `seconds` more CPU time from now on; beyond it the kernel sends SIGXCPU."""
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(_cpu_used() + seconds)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def cap_memory(extra_mb: int) -> None:
    """Cap the address space at what is mapped now plus `extra_mb`."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    mapped = pages * os.sysconf("SC_PAGE_SIZE")
    limit = mapped + extra_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


# ---- the worker ------------------------------------------------------------------------------
class Worker:
    """One sandbox worker's state: the game module, the control array, the policy cache."""

    def __init__(self, game_module: str, function_name: str, control, limits: Limits):
        self.game = importlib.import_module(game_module)
        self.control, self.limits = control, limits
        self.game.warm_up()
        self.cache = PolicyCache(function_name, self.game.signature(), limits.cache_size,
                                 default_cache_dir() if limits.disk_cache else None, self._compile_budget)

    def _compile_budget(self) -> None:
        """Every compilation gets the full budget: a shape numba rejects is followed by a second."""
        self.control[BEAT] += 1
        grant_cpu(self.limits.compile_cpu)

    def resolve(self, contestant, side: int):
        """A playable contestant: a compiled policy, or the game's own built-in opponent."""
        kind, key, payload = contestant
        if kind == "builtin":
            return self.game.resolve_builtin(payload)
        self.control[PHASE], self.control[COMPILING] = COMPILE, side
        self.control[BEAT] += 1
        grant_cpu(self.limits.compile_cpu)
        try:
            return self.cache.get(key, payload)
        finally:
            self.control[PHASE], self.control[COMPILING] = IDLE, 0

    def play_games(self, a, b, seeds, options) -> list:
        """One result per seed: (stats tuple or None, {side: reason} of faults). Games are played
        in batches (one compiled call); after an exception the next batch starts past its game."""
        import numpy as np
        seeds = np.asarray(seeds, dtype=np.int64)
        count = len(seeds)
        stats = np.zeros((count, len(self.game.STATS)))
        statuses, bad_values = np.zeros(count, np.int64), np.zeros(count, np.int64)
        failures: dict[int, dict] = {}
        start = 0
        while start < count:
            stopped = self.play_batch(a, b, seeds, options, start, stats, statuses, bad_values)
            if stopped is None:
                break
            index, fault = stopped
            failures[index] = fault
            start = index + 1
        self.control[PHASE] = IDLE
        return [self._result(i, stats, statuses, bad_values, failures) for i in range(count)]

    def _result(self, index, stats, statuses, bad_values, failures):
        if index in failures:
            return None, failures[index]
        if statuses[index]:
            return None, {int(statuses[index]): self.game.invalid_move(int(bad_values[index]))}
        return tuple(float(x) for x in stats[index]), {}

    def play_batch(self, a, b, seeds, options, start, stats, statuses, bad_values):
        """Games from `start` on; None when all finished, else (index, fault) of the one that raised."""
        self.control[SIDE], self.control[PHASE], self.control[SEED_INDEX] = ENGINE, PLAY, 0
        grant_cpu(self.limits.game_cpu * (len(seeds) - start))
        try:
            self.game.play_batch(a, b, seeds[start:], options, self.control, stats[start:],
                                 statuses[start:], bad_values[start:])
            return None
        except Exception as error:   # raised inside a policy: IndexError, ZeroDivisionError, MemoryError...
            side = int(self.control[SIDE])
            return start + int(self.control[SEED_INDEX]), {side: f"raised {type(error).__name__}: {_one_line(error)}"}

    def pair(self, a_contestant, b_contestant, seeds, options) -> list:
        """All games of one pairing; a contestant that does not compile forfeits them all."""
        resolved, faults = [], {}
        for side, contestant in ((SIDE_A, a_contestant), (SIDE_B, b_contestant)):
            try:
                resolved.append(self.resolve(contestant, side))
            except CompileError as error:
                resolved.append(None)
                faults[side] = error.reason
        if faults:
            return [(None, dict(faults)) for _ in seeds]
        return self.play_games(resolved[0], resolved[1], seeds, options)

    def trace(self, a_contestant, b_contestant, seed, options) -> dict:
        """One game recorded by the game module's `trace` (replays), or {"faults": {side: reason}}."""
        faults, resolved = {}, []
        for side, contestant in ((SIDE_A, a_contestant), (SIDE_B, b_contestant)):
            try:
                resolved.append(self.resolve(contestant, side))
            except CompileError as error:
                faults[side] = error.reason
        if faults:
            return {"faults": faults}
        self.control[SIDE], self.control[PHASE], self.control[SEED_INDEX] = ENGINE, PLAY, 0
        grant_cpu(self.limits.game_cpu)
        try:
            return self.game.trace(resolved[0], resolved[1], seed, options, self.control)
        except Exception as error:   # raised inside a policy
            return {"faults": {int(self.control[SIDE]): f"raised {type(error).__name__}: {_one_line(error)}"}}
        finally:
            self.control[PHASE] = IDLE

    def check(self, contestant, options):
        """None if the policy compiles and finishes a smoke game, else (reason, line)."""
        try:
            policy = self.resolve(contestant, SIDE_A)
        except CompileError as error:
            return error.reason, error.line
        smoke = self.game.SMOKE_OPPONENT
        opponent = self.resolve(("policy", "smoke-opponent", smoke), SIDE_B)
        self.control[PAIR] = 0
        (stats, faults), = self.play_games(policy, opponent, [SMOKE_SEED], self.game.smoke_options(options))
        if faults:
            side, reason = next(iter(faults.items()))
            prefix = "in a smoke game: " if side == SIDE_A else "the smoke game failed: "
            return prefix + reason, None
        return None


def _one_line(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text[:200] if text else "(no message)"


def worker_main(connection, control, game_module: str, function_name: str, limits: Limits):
    """Serve requests from the pool until told to stop."""
    worker = Worker(game_module, function_name, control, limits)
    cap_memory(limits.memory_mb)
    connection.send(("ready", os.getpid()))
    while True:
        message = connection.recv()
        kind = message[0]
        if kind == "stop":
            return
        if kind == "check":
            _, contestant, options = message
            connection.send(("checked", worker.check(contestant, options), worker.cache.compiled))
        elif kind == "query":
            control[PHASE] = QUERY
            answer = worker.game.query(message[1])
            control[PHASE] = IDLE
            connection.send(("answer", answer))
        elif kind == "trace":
            _, a, b, seed, options = message
            connection.send(("traced", worker.trace(a, b, seed, options)))
        elif kind == "play":
            _, job_id, a, pairs, seeds, options = message
            for position, (pair_id, b) in enumerate(pairs):
                control[PAIR] = position
                connection.send(("pair", job_id, pair_id, worker.pair(a, b, seeds, options)))
            connection.send(("done", job_id, worker.cache.compiled))


def main(argv: list[str]) -> None:
    """`python -m arenas.policy.sandbox CONNECTION_FD CONTROL_FD CONFIG_JSON`, run by the pool."""
    import json
    import mmap
    from multiprocessing.connection import Connection
    os.environ.setdefault("NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING", "1")
    os.environ.setdefault("NUMBA_COLOR_SCHEME", "no_color")
    signal.signal(signal.SIGINT, signal.SIG_IGN)        # the parent decides when workers stop
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))    # a policy killed by a limit leaves no core file
    import numpy as np
    connection = Connection(int(argv[0]))
    control = np.frombuffer(mmap.mmap(int(argv[1]), CONTROL_SIZE * 8), dtype=np.int64)
    config = json.loads(argv[2])
    try:
        worker_main(connection, control, config["game_module"], config["function_name"],
                    Limits(**config["limits"]))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        pass                                             # the pool went away


if __name__ == "__main__":
    # Run the imported module's main, not this __main__ copy: game modules raise
    # arenas.policy.sandbox.Fault, and it must be the class the worker catches.
    import sys
    from arenas.policy import sandbox
    sandbox.main(sys.argv[1:])
