"""Where batches of games run: in this process (`local`, the default) or on a Dask cluster (`dask`).

Everything that plays many games (the loop's candidate evaluations, `eval`, `tournament`,
scripts/reproduce.py) hands its executor coarse tasks: a module-level function and picklable
arguments (program sources, not parsed programs), and gets the results back in task order
(`map`) or as the tasks finish (`completed`) in the coordinating process, which alone writes the
SQLite archive.

With Dask, each task is retried on another worker when its worker dies (the scheduler reruns
what was lost), and a result reaches the coordinator once, so an archive written from the
results has nothing missing and nothing twice. Workers are ordinary processes that keep what
they compiled (the Numba cache) and what they parsed (see `worker_cache`) across tasks; the
games are the same function on the same inputs as locally, so results are identical.

    executor = make_executor("dask")                       # a local cluster of processes
    executor = make_executor("dask", "tcp://host:8786")    # an existing cluster
"""
from __future__ import annotations

import os
from typing import Callable, Iterator, Sequence

SCHEDULER_VARIABLE = "DASK_SCHEDULER_ADDRESS"
NAMES = ("local", "dask")
RETRIES = 3               # reruns of a task whose worker failed, beyond the scheduler's own
# A local cluster's housekeeping, made rarer: with no dashboard to show them, the workers' sampling
# profiler (every 10 ms) and the 20 ms event-loop ticks only take CPU from the games (about 3%
# of a busy worker's, and most of an idle one's).
QUIET_CLUSTER = {"distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "1s",
                 "distributed.admin.system-monitor.interval": "5s",
                 "distributed.worker.memory.monitor-interval": "1s"}


class ExecutorError(RuntimeError):
    """An executor that cannot start (e.g. the `dask` extra is missing): one clear line."""


class LocalExecutor:
    """Tasks run one after another in this process (each batch is itself parallel on threads)."""
    name = "local"
    workers = 1

    def map(self, function: Callable, tasks: Sequence) -> list:
        return [function(task) for task in tasks]

    def completed(self, function: Callable, tasks: Sequence) -> Iterator[tuple[int, object]]:
        """(task index, result) of each task as it finishes (here: in order, one after another)."""
        for index, task in enumerate(tasks):
            yield index, function(task)

    def evaluator(self, arena, name: str, options: dict) -> Callable:
        """A function with the signature of `arena.evaluate` that plays where this executor does."""
        return arena.evaluate

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class DaskExecutor(LocalExecutor):
    """Tasks on Dask distributed: an existing scheduler, or a LocalCluster of worker processes
    (one thread each) bound to 127.0.0.1."""
    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None):
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError("the dask executor needs the `dask` extra: pip install 'redqueen[dask]' "
                                "(or pip install distributed)") from None
        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="20s")
            except OSError as error:
                raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
        else:
            with dask.config.set(QUIET_CLUSTER):          # the worker processes take it with them
                self.cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                            processes=True, host="127.0.0.1", dashboard_address=None)
            self.client = Client(self.cluster)

    @property
    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info()["workers"]))

    def map(self, function: Callable, tasks: Sequence) -> list:
        if not tasks:
            return []
        futures = self.client.map(function, list(tasks), pure=False, retries=RETRIES)
        return self.client.gather(futures)

    def completed(self, function: Callable, tasks: Sequence) -> Iterator[tuple[int, object]]:
        """(task index, result) as the workers finish them, so that the caller uses the first
        results (e.g. writes them to the archive) while the others are still playing."""
        from distributed import as_completed
        futures = self.client.map(function, list(tasks), pure=False, retries=RETRIES)
        index_of = {future.key: index for index, future in enumerate(futures)}
        for future, result in as_completed(futures, with_results=True):
            yield index_of[future.key], result

    def evaluator(self, arena, name: str, options: dict) -> Callable:
        def evaluate(candidates, opponents, seeds, fitness="battle"):
            return evaluate_in_chunks(self, name, options, candidates, opponents, seeds, fitness)
        return evaluate

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(name: str = "local", scheduler: str | None = None, workers: int | None = None):
    """The executor `name`; for dask, `scheduler` (default $DASK_SCHEDULER_ADDRESS) names an
    existing cluster, else a local one of `workers` processes starts."""
    if name == "local":
        return LocalExecutor()
    if name == "dask":
        return DaskExecutor(scheduler or os.environ.get(SCHEDULER_VARIABLE) or None, workers)
    raise ExecutorError(f"unknown executor {name!r} (choose {', '.join(NAMES)})")


# ---- what workers keep between tasks ----------------------------------------------------------
_cache: dict = {}


THREADS_VARIABLE = "REDQUEEN_THREADS"     # threads an engine may start in this process


def worker_cache(key, build: Callable):
    """The value cached in this process under `key`, built once (arenas, parsed programs)."""
    if not _cache:
        _limit_threads()
    if key not in _cache:
        if len(_cache) > 20000:          # a long-lived worker sees many candidates: forget old ones
            _cache.clear()
        _cache[key] = build()
    return _cache[key]


def _limit_threads() -> None:
    """In a Dask worker: engines use the worker's threads, not every core of its node (where
    many workers share the cores)."""
    try:
        from distributed import get_worker
        threads = get_worker().state.nthreads
    except (ImportError, ValueError, AttributeError):
        return
    os.environ.setdefault(THREADS_VARIABLE, str(threads))


def worker_arena(name: str, options: dict):
    import json
    from .registry import make_arena
    return worker_cache(("arena", name, json.dumps(options, sort_keys=True)), lambda: make_arena(name, options))


def worker_program(arena, arena_key, source: str, origin: str):
    return worker_cache(("program", arena_key, source), lambda: arena.parse(source, origin=origin))


# ---- candidate evaluations --------------------------------------------------------------------
def evaluate_in_chunks(executor, name, options, candidates, opponents, seeds, fitness) -> list:
    """`arena.evaluate` split into one task per chunk of candidates (as many chunks as workers):
    each candidate's games do not depend on the others', so the results equal one local call's."""
    candidates = list(candidates)
    if not candidates:
        return []
    size = -(-len(candidates) // executor.workers)
    shipped = [(p.source, getattr(p, "name", "")) for p in opponents]
    tasks = [(name, options, [p.source for p in candidates[i:i + size]], shipped, list(seeds), fitness)
             for i in range(0, len(candidates), size)]
    return [evaluation for chunk in executor.map(_evaluate_task, tasks) for evaluation in chunk]


def _evaluate_task(task) -> list:
    import json
    name, options, sources, opponents, seeds, fitness = task
    arena = worker_arena(name, options)
    key = json.dumps([name, options], sort_keys=True)
    candidates = [worker_program(arena, key, source, "candidate") for source in sources]
    rivals = [worker_program(arena, key, source, f"opponent {label}") for source, label in opponents]
    return arena.evaluate(candidates, rivals, seeds, fitness=fitness)
