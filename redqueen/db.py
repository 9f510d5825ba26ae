"""The run archive: one SQLite file (WAL mode) holding runs, rounds, programs, evaluations,
elites per round and cell, champions, failed candidates and language-model calls.

The Python API mirrors `redqueen archive` one to one: `runs()`, `rounds(run)`,
`champions(run)`, `show(program)`, `export(run, directory)`. The loop writes through the
`record_*` methods, each iteration inside one `transaction()`, so a run killed at any moment
leaves a consistent database that `redqueen evolve --resume RUN` continues from.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from contextlib import contextmanager
from pathlib import Path

DEFAULT_DB = "archive/redqueen.db"

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    arena TEXT NOT NULL,
    status TEXT NOT NULL,            -- running, interrupted, failed, finished
    config TEXT NOT NULL,            -- JSON of the run's configuration
    seed INTEGER NOT NULL,
    rounds INTEGER NOT NULL,         -- rounds asked for
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT,
    elapsed_s REAL NOT NULL DEFAULT 0,
    error TEXT
);
CREATE TABLE IF NOT EXISTS programs (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    digest TEXT NOT NULL,            -- hash of the compiled program: deduplication key
    source_hash TEXT NOT NULL,
    name TEXT,
    source TEXT NOT NULL,
    listing TEXT,                    -- the compiled/assembled form as text
    origin TEXT NOT NULL,            -- initial, new, mutate, crossover
    mutator TEXT,
    parent_id INTEGER REFERENCES programs(id),
    mate_id INTEGER REFERENCES programs(id),
    llm_call_id INTEGER REFERENCES llm_calls(id),
    round INTEGER,                   -- round that created it (NULL for initial programs)
    created_at TEXT NOT NULL,
    UNIQUE (run_id, digest)
);
CREATE TABLE IF NOT EXISTS rounds (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    number INTEGER NOT NULL,
    status TEXT NOT NULL,            -- running, finished
    opponents TEXT NOT NULL,         -- JSON list of program ids
    seeds TEXT NOT NULL,             -- JSON list of battle seeds
    iterations INTEGER NOT NULL DEFAULT 0,   -- iterations completed (after initialisation)
    initialised INTEGER NOT NULL DEFAULT 0,
    rng_state TEXT,                  -- JSON numpy bit-generator state after the last committed step
    champion_id INTEGER REFERENCES programs(id),
    best_fitness REAL,
    stats TEXT NOT NULL DEFAULT '{}',
    started_at TEXT NOT NULL,
    finished_at TEXT,
    elapsed_s REAL NOT NULL DEFAULT 0,
    UNIQUE (run_id, number)
);
CREATE TABLE IF NOT EXISTS evaluations (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    program_id INTEGER NOT NULL REFERENCES programs(id),
    iteration INTEGER NOT NULL,      -- 0 for the round's initialisation
    fitness REAL NOT NULL,
    descriptors TEXT NOT NULL,
    cell TEXT NOT NULL,
    outcome TEXT NOT NULL,           -- new_cell, improved, not_added
    opponents TEXT NOT NULL,
    seeds TEXT NOT NULL,
    fitness_mode TEXT NOT NULL,
    beaten_by TEXT NOT NULL DEFAULT '[]',
    details TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    UNIQUE (round_id, program_id)
);
CREATE TABLE IF NOT EXISTS elites (
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    cell TEXT NOT NULL,
    program_id INTEGER NOT NULL REFERENCES programs(id),
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
    fitness REAL NOT NULL,
    PRIMARY KEY (round_id, cell)
);
CREATE TABLE IF NOT EXISTS champions (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    round INTEGER NOT NULL,
    program_id INTEGER NOT NULL REFERENCES programs(id),
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
    fitness REAL NOT NULL,
    PRIMARY KEY (run_id, round)
);
CREATE TABLE IF NOT EXISTS failures (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    round_id INTEGER REFERENCES rounds(id),
    iteration INTEGER,
    stage TEXT NOT NULL,             -- request (no answer), extract (no code), parse (invalid program)
    error TEXT NOT NULL,
    source TEXT,
    response TEXT,
    llm_call_id INTEGER REFERENCES llm_calls(id),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS llm_calls (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id),
    key TEXT NOT NULL,               -- hash of the request: the response cache's key
    model TEXT NOT NULL,
    base_url TEXT,
    purpose TEXT,                    -- new, mutate, repair
    messages TEXT NOT NULL,
    response TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    latency_s REAL,
    attempts INTEGER,
    error TEXT,
    cost_usd REAL,
    cached INTEGER NOT NULL DEFAULT 0,  -- 1 when replayed from the cache, no HTTP call made
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS llm_calls_key ON llm_calls(key);
CREATE INDEX IF NOT EXISTS evaluations_round ON evaluations(round_id);
CREATE INDEX IF NOT EXISTS failures_round ON failures(round_id);
"""


class ArchiveError(LookupError):
    """A user-facing lookup problem (unknown run or program): one clear line."""


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _loads(row: dict, *columns: str) -> dict:
    for column in columns:
        if row.get(column) is not None:
            row[column] = json.loads(row[column])
    return row


class Archive:
    """A run archive in one SQLite file. Open it with `Archive(path)`; the file and its tables
    are created when missing."""

    def __init__(self, path: str | Path = DEFAULT_DB):
        import sqlite_utils
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(str(path))
        self.db.conn.execute("PRAGMA busy_timeout = 10000")
        if str(path) != ":memory:":
            self.db.enable_wal()
        self.db.conn.execute("PRAGMA foreign_keys = ON")
        self.db.conn.execute("PRAGMA synchronous = NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self):
        """All writes inside commit together or not at all."""
        with self.db.atomic():
            yield self

    def integrity_check(self) -> str:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    # ---- runs ------------------------------------------------------------------------------
    def create_run(self, arena: str, config: dict, seed: int, rounds: int) -> int:
        stamp = now()
        with self.transaction():
            return self.db["runs"].insert(dict(
                arena=arena, status="running", config=json.dumps(config, sort_keys=True), seed=seed,
                rounds=rounds, created_at=stamp, updated_at=stamp)).last_pk

    def run(self, run_id) -> dict:
        """One run by id (`latest` names the newest). Raises ArchiveError when unknown."""
        run_id = self._resolve_run(run_id)
        rows = list(self.db.query("SELECT * FROM runs WHERE id = ?", [run_id]))
        return _loads(rows[0], "config")

    def _resolve_run(self, run_id) -> int:
        if str(run_id) == "latest":
            row = self.db.execute("SELECT max(id) FROM runs").fetchone()
            if row[0] is None:
                raise ArchiveError(f"{self.path}: the archive holds no run yet")
            return row[0]
        try:
            run_id = int(run_id)
        except (TypeError, ValueError):
            raise ArchiveError(f"run {run_id!r} is not a run id (a number, or 'latest')") from None
        if self.db.execute("SELECT 1 FROM runs WHERE id = ?", [run_id]).fetchone() is None:
            raise ArchiveError(f"{self.path}: no run {run_id} (see `redqueen archive runs`)")
        return run_id

    def set_run_status(self, run_id: int, status: str, error: str | None = None,
                       add_elapsed: float = 0.0) -> None:
        stamp = now()
        changes = dict(status=status, updated_at=stamp, error=error)
        if status == "finished":
            changes["finished_at"] = stamp
        with self.transaction():
            self.db.execute("UPDATE runs SET elapsed_s = elapsed_s + ? WHERE id = ?", [add_elapsed, run_id])
            self.db["runs"].update(run_id, changes)

    def runs(self) -> list[dict]:
        """Every run with its progress: rounds finished, champions, best fitness."""
        return [_loads(row, "config") for row in self.db.query("""
            SELECT runs.*,
                   (SELECT count(*) FROM rounds WHERE run_id = runs.id AND status = 'finished') AS rounds_done,
                   (SELECT count(*) FROM programs WHERE run_id = runs.id) AS programs,
                   (SELECT count(*) FROM llm_calls WHERE run_id = runs.id) AS llm_calls
            FROM runs ORDER BY id""")]

    # ---- programs ----------------------------------------------------------------------------
    def add_program(self, run_id: int, *, digest: str, source: str, name: str = "", listing: str = "",
                    origin: str, mutator: str | None = None, parent_id=None, mate_id=None,
                    llm_call_id=None, round: int | None = None) -> tuple[int, bool]:
        """Store a program once per run (by compiled digest). Returns (id, newly_added)."""
        existing = self.db.execute("SELECT id FROM programs WHERE run_id = ? AND digest = ?",
                                   [run_id, digest]).fetchone()
        if existing:
            return existing[0], False
        program_id = self.db["programs"].insert(dict(
            run_id=run_id, digest=digest, source_hash=text_hash(source), name=name, source=source,
            listing=listing, origin=origin, mutator=mutator, parent_id=parent_id, mate_id=mate_id,
            llm_call_id=llm_call_id, round=round, created_at=now())).last_pk
        return program_id, True

    def program(self, program_id) -> dict:
        try:
            program_id = int(program_id)
        except (TypeError, ValueError):
            raise ArchiveError(f"program {program_id!r} is not a program id (a number)") from None
        rows = list(self.db.query("SELECT * FROM programs WHERE id = ?", [program_id]))
        if not rows:
            raise ArchiveError(f"{self.path}: no program {program_id}")
        return rows[0]

    def programs_by_id(self, ids) -> list[dict]:
        return [self.program(i) for i in ids]

    def show(self, program_id) -> dict:
        """A program with its lineage, evaluations and the rounds it was champion of."""
        program = self.program(program_id)
        program["evaluations"] = [
            _loads(row, "descriptors", "cell", "opponents", "seeds", "beaten_by", "details")
            for row in self.db.query("""
                SELECT evaluations.*, rounds.number AS round FROM evaluations
                JOIN rounds ON rounds.id = evaluations.round_id
                WHERE program_id = ? ORDER BY evaluations.id""", [program["id"]])]
        program["champion_of"] = [row["round"] for row in self.db.query(
            "SELECT round FROM champions WHERE program_id = ? ORDER BY round", [program["id"]])]
        if program["llm_call_id"] is not None:
            program["llm_call"] = self.llm_call(program["llm_call_id"])
        return program

    # ---- rounds ------------------------------------------------------------------------------
    def start_round(self, run_id: int, number: int, opponents: list[int], seeds: list[int],
                    rng_state: dict) -> int:
        with self.transaction():
            return self.db["rounds"].insert(dict(
                run_id=run_id, number=number, status="running", opponents=json.dumps(opponents),
                seeds=json.dumps(seeds), rng_state=json.dumps(rng_state), started_at=now())).last_pk

    def round_row(self, run_id: int, number: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM rounds WHERE run_id = ? AND number = ?", [run_id, number]))
        return _loads(rows[0], "opponents", "seeds", "rng_state", "stats") if rows else None

    def rounds(self, run_id) -> list[dict]:
        """The rounds of a run, in order, with their champion and statistics."""
        run_id = self._resolve_run(run_id)
        return [_loads(row, "opponents", "seeds", "stats") for row in self.db.query("""
            SELECT rounds.id, rounds.run_id, rounds.number, rounds.status, rounds.iterations,
                   rounds.opponents, rounds.seeds, rounds.champion_id, rounds.best_fitness,
                   rounds.stats, rounds.started_at, rounds.finished_at, rounds.elapsed_s,
                   (SELECT count(*) FROM elites WHERE round_id = rounds.id) AS filled_cells,
                   (SELECT count(*) FROM evaluations WHERE round_id = rounds.id) AS evaluations,
                   (SELECT count(*) FROM failures WHERE round_id = rounds.id) AS failures
            FROM rounds WHERE run_id = ? ORDER BY number""", [run_id])]

    def save_step(self, round_id: int, *, iterations: int, rng_state: dict, stats: dict,
                  initialised: bool = True, elapsed: float = 0.0) -> None:
        """Record the round's progress; call inside the step's transaction."""
        self.db.execute(
            "UPDATE rounds SET iterations = ?, rng_state = ?, stats = ?, initialised = ?, "
            "elapsed_s = elapsed_s + ? WHERE id = ?",
            [iterations, json.dumps(rng_state), json.dumps(stats, sort_keys=True), int(initialised),
             elapsed, round_id])

    def record_evaluation(self, run_id: int, round_id: int, program_id: int, *, iteration: int,
                          fitness: float, descriptors: dict, cell, outcome: str, opponents: list[int],
                          seeds: list[int], fitness_mode: str, beaten_by=(), details=None) -> int:
        return self.db["evaluations"].insert(dict(
            run_id=run_id, round_id=round_id, program_id=program_id, iteration=iteration,
            fitness=float(fitness), descriptors=json.dumps(descriptors, sort_keys=True),
            cell=json.dumps(list(cell)), outcome=outcome, opponents=json.dumps(opponents),
            seeds=json.dumps(seeds), fitness_mode=fitness_mode, beaten_by=json.dumps(list(beaten_by)),
            details=json.dumps(details or {}, sort_keys=True, default=float), created_at=now())).last_pk

    def evaluation(self, round_id: int, program_id: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM evaluations WHERE round_id = ? AND program_id = ?",
                                  [round_id, program_id]))
        return _loads(rows[0], "descriptors", "cell", "opponents", "seeds", "beaten_by", "details") if rows else None

    def set_elite(self, round_id: int, cell, program_id: int, evaluation_id: int, fitness: float) -> None:
        self.db["elites"].upsert(dict(round_id=round_id, cell=json.dumps(list(cell)), program_id=program_id,
                                      evaluation_id=evaluation_id, fitness=float(fitness)),
                                 pk=("round_id", "cell"))

    def elites(self, round_id: int) -> list[dict]:
        return [_loads(row, "cell") for row in self.db.query(
            "SELECT * FROM elites WHERE round_id = ? ORDER BY cell", [round_id])]

    def record_failure(self, run_id: int, round_id: int | None, iteration: int | None, *, stage: str,
                       error: str, source: str | None = None, response: str | None = None,
                       llm_call_id: int | None = None) -> int:
        return self.db["failures"].insert(dict(
            run_id=run_id, round_id=round_id, iteration=iteration, stage=stage, error=error, source=source,
            response=response, llm_call_id=llm_call_id, created_at=now())).last_pk

    def failures(self, run_id) -> list[dict]:
        """Failed candidates of a run, each with its round's number (`round`) beside its `round_id`."""
        run_id = self._resolve_run(run_id)
        return list(self.db.query("SELECT failures.*, rounds.number AS round FROM failures LEFT JOIN rounds "
                                  "ON rounds.id = failures.round_id WHERE failures.run_id = ? "
                                  "ORDER BY failures.id", [run_id]))

    def finish_round(self, round_id: int, run_id: int, number: int, *, champion_id: int,
                     evaluation_id: int, fitness: float) -> None:
        """Freeze the round's champion; call inside the final step's transaction."""
        self.db.execute("UPDATE rounds SET status = 'finished', champion_id = ?, best_fitness = ?, "
                        "finished_at = ? WHERE id = ?", [champion_id, float(fitness), now(), round_id])
        self.db["champions"].insert(dict(run_id=run_id, round=number, program_id=champion_id,
                                         evaluation_id=evaluation_id, fitness=float(fitness)))

    # ---- champions and export ----------------------------------------------------------------
    def champions(self, run_id) -> list[dict]:
        """The champion of each finished round: program, fitness and the evaluation's details."""
        run_id = self._resolve_run(run_id)
        return [_loads(row, "descriptors", "cell", "opponents", "seeds") for row in self.db.query("""
            SELECT champions.round, champions.program_id, champions.fitness, programs.name,
                   programs.digest, programs.origin, programs.source, evaluations.descriptors,
                   evaluations.cell, evaluations.opponents, evaluations.seeds, evaluations.fitness_mode
            FROM champions
            JOIN programs ON programs.id = champions.program_id
            JOIN evaluations ON evaluations.id = champions.evaluation_id
            WHERE champions.run_id = ? ORDER BY champions.round""", [run_id])]

    def export(self, run_id, directory, suffix: str | None = None) -> list[Path]:
        """Write each champion of a run as a program file the arena accepts; returns the paths.
        `suffix` defaults to the run's arena's program suffix."""
        run = self.run(run_id)
        if suffix is None:
            import arenas
            try:
                suffix = arenas.load(run["arena"], **run["config"].get("arena_options", {})).program_suffix
            except KeyError:
                raise ArchiveError(f"run {run['id']} was played in arena {run['arena']!r}, which is not "
                                   f"installed here; give the file suffix explicitly") from None
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for champion in self.champions(run["id"]):
            stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", champion["name"] or "program").strip("_")[:40] or "program"
            path = directory / f"run{run['id']}-round{champion['round']:03d}-{stem}{suffix}"
            path.write_text(champion["source"] if champion["source"].endswith("\n") else champion["source"] + "\n")
            paths.append(path)
        return paths

    # ---- language-model calls (the LLM client's store) ---------------------------------------
    def llm_lookup(self, key: str) -> dict | None:
        """The latest successful call with this request key, for replay."""
        rows = list(self.db.query("SELECT * FROM llm_calls WHERE key = ? AND error IS NULL "
                                  "AND response IS NOT NULL ORDER BY id DESC LIMIT 1", [key]))
        return rows[0] if rows else None

    def llm_record(self, call: dict) -> int:
        row = dict(call)
        row["messages"] = json.dumps(row["messages"])
        row.setdefault("created_at", now())
        with self.transaction():
            return self.db["llm_calls"].insert(row).last_pk

    def llm_call(self, call_id: int) -> dict:
        rows = list(self.db.query("SELECT * FROM llm_calls WHERE id = ?", [call_id]))
        if not rows:
            raise ArchiveError(f"{self.path}: no language-model call {call_id}")
        return _loads(rows[0], "messages")

    def llm_calls(self, run_id) -> list[dict]:
        run_id = self._resolve_run(run_id)
        return [_loads(row, "messages") for row in self.db.query(
            "SELECT * FROM llm_calls WHERE run_id = ? ORDER BY id", [run_id])]
