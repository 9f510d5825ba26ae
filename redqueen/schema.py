"""The archive's schema, as an ordered list of migrations, and the code that brings a file to it.

An archive file records its schema version in SQLite's `PRAGMA user_version`. Opening one
(`open_schema`, called by `redqueen.db.Archive`):

- a new or empty file gets every migration at once and starts at the latest version;
- an older file is first copied beside itself (`NAME.vN.bak`, through SQLite's backup API, so
  a WAL database copies consistently), then migrated in place, all migrations in one
  transaction; the returned `Upgrade` says so in one line;
- a file of a newer version than this code knows is refused (ArchiveError): it is left as is.

The first release wrote no version (user_version 0) but its tables: such a file is version 1.
It created the held-out table only on first use, so migration 1, whose statements all read
`IF NOT EXISTS`, is applied to it again, which adds that table where missing.

Adding a migration: append a `Migration(N + 1, ...)` with the SQL that turns version N into
N + 1 (never edit a released one), give `redqueen.db.Archive` the methods that read and write
what it adds, and extend tests/test_migrations.py.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


class ArchiveError(LookupError):
    """A user-facing archive problem (unknown run or program, unusable file): one clear line."""


@dataclass(frozen=True)
class Migration:
    version: int        # the schema version the file has once `sql` has run
    summary: str
    sql: str            # statements separated by semicolons; run inside one transaction


# Version 1: the first release's tables, unchanged (the run archive, then the held-out results).
V1_ARCHIVE = """
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

V1_HELDOUT = """
CREATE TABLE IF NOT EXISTS heldout_results (
    arena TEXT NOT NULL,              -- arena name and options, canonical JSON
    seeds_key TEXT NOT NULL,          -- hash of the seed list
    program_digest TEXT NOT NULL,     -- compiled-program digests: a program is the same
    opponent_digest TEXT NOT NULL,    --   whichever file or run it came from
    opponent_name TEXT,
    games INTEGER NOT NULL,
    fitness_a REAL NOT NULL, fitness_b REAL NOT NULL,
    wins INTEGER NOT NULL, ties INTEGER NOT NULL, losses INTEGER NOT NULL,
    score_a REAL NOT NULL, score_b REAL NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (arena, seeds_key, program_digest, opponent_digest)
);
"""

V2 = """
ALTER TABLE runs ADD COLUMN reason TEXT;                -- why the run stopped or failed, for people
ALTER TABLE rounds ADD COLUMN opponent_weights TEXT;    -- JSON list aligned with opponents; NULL: uniform
ALTER TABLE rounds ADD COLUMN operator_weights TEXT;    -- JSON {operator name: weight}; NULL: not used
CREATE TABLE IF NOT EXISTS cross_play (                 -- the champions' 1v1 payoff matrix of a run
    run_id INTEGER NOT NULL REFERENCES runs(id),
    row_program INTEGER NOT NULL REFERENCES programs(id),
    col_program INTEGER NOT NULL REFERENCES programs(id),
    payoff REAL NOT NULL,            -- row program's payoff against the column program
    seeds TEXT NOT NULL,             -- JSON list of the games' seeds
    PRIMARY KEY (run_id, row_program, col_program)
);
"""

V3 = """
CREATE TABLE IF NOT EXISTS model_usage (                -- per run and model of a language-model ensemble
    run_id INTEGER NOT NULL REFERENCES runs(id),
    model TEXT NOT NULL,
    asks INTEGER NOT NULL DEFAULT 0,         -- proposals asked of the model (a repair is part of its ask)
    valid INTEGER NOT NULL DEFAULT 0,        -- answers that gave a program that parses
    improvements INTEGER NOT NULL DEFAULT 0, -- proposals (or their tuned children) that entered the grid
    cost_usd REAL NOT NULL DEFAULT 0,        -- estimated cost of its answers (replays count what they cost)
    updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, model)
);
CREATE TABLE IF NOT EXISTS run_resumes (                -- each time a run was resumed
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    round INTEGER NOT NULL,          -- the round it continued at
    iteration INTEGER NOT NULL,      -- that round's iterations done
    changes TEXT NOT NULL DEFAULT '{}',  -- JSON {option: [stored, applied]}: operational options changed
    created_at TEXT NOT NULL
);
"""

# A program found to beat the round's champion, an opponent of later rounds (--exploiters); NULL: none.
V4 = """
ALTER TABLE champions ADD COLUMN exploiter_id INTEGER REFERENCES programs(id);
"""

MIGRATIONS = (
    Migration(1, "first release: runs, programs, rounds, evaluations, elites, champions, failures, "
                 "language-model calls, held-out results", V1_ARCHIVE + V1_HELDOUT),
    Migration(2, "run stop reasons, per-round opponent and operator weights, champions' cross-play matrix", V2),
    Migration(3, "language-model usage per model (the ensemble bandit's counts), resumes with changed options", V3),
    Migration(4, "each champion's exploiter (--exploiters)", V4),
)
LATEST = MIGRATIONS[-1].version


@dataclass(frozen=True)
class Upgrade:
    """An archive file brought from one schema version to another, with its backup."""
    from_version: int
    to_version: int
    backup: Path

    @property
    def message(self) -> str:
        return f"archive upgraded from schema {self.from_version} to {self.to_version}; backup at {self.backup}"


def stored_version(conn: sqlite3.Connection, path) -> int:
    """The file's schema version: 0 for a new (empty) file, 1 for a first-release file.
    Raises ArchiveError for a newer version than this code knows, or a file that is not an archive."""
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise ArchiveError(f"{path}: not a redqueen archive ({error})") from None
    if version > LATEST:
        raise ArchiveError(f"{path} has schema version {version}; this redqueen knows up to {LATEST}: "
                           f"upgrade redqueen")
    if version == 0 and tables:
        if "runs" not in tables:
            raise ArchiveError(f"{path}: not a redqueen archive (an SQLite file with other tables)")
        return 1
    return version


def open_schema(conn: sqlite3.Connection, path) -> Upgrade | None:
    """Bring the file to the latest schema (see the module's description). Returns the Upgrade
    when an existing file was migrated, else None."""
    if stored_version(conn, path) == LATEST:
        return None
    version = None
    try:
        conn.execute("BEGIN IMMEDIATE")      # one writer migrates; others wait, then find it done
        version = stored_version(conn, path)
        if version == LATEST:
            conn.rollback()
            return None
        backup = _back_up(path, version) if version else None
        # A first-release file is re-given migration 1 (all IF NOT EXISTS): it may lack the held-out table.
        for migration in MIGRATIONS[0 if version <= 1 else version:]:
            for statement in _statements(migration.sql):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {LATEST}")
        conn.commit()
    except sqlite3.OperationalError as error:    # read-only file or directory, disk full, locked
        conn.rollback()
        step = f"upgrade it from schema {version} to {LATEST}" if version else "create its tables"
        raise ArchiveError(f"{path}: cannot {step} ({error})") from None
    except BaseException:
        conn.rollback()
        raise
    return Upgrade(version, LATEST, backup) if backup else None


def _back_up(path, version: int) -> Path:
    """Copy the file beside itself through a second connection: our own holds the write lock,
    so the copy is exactly the state about to be migrated."""
    path = Path(path)
    backup = path.with_name(f"{path.name}.v{version}.bak")
    count = 1
    while backup.exists():                   # never overwrite an earlier backup
        count += 1
        backup = path.with_name(f"{path.name}.v{version}.{count}.bak")
    source, target = sqlite3.connect(path), sqlite3.connect(backup)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return backup


def _statements(script: str) -> list[str]:
    """A script's statements one by one (executescript would commit the open transaction)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip() and not pending.strip().startswith("--"):
        statements.append(pending.strip())
    return statements
