"""The run archive: one SQLite file (WAL mode) holding runs, rounds, programs, evaluations,
elites per round and cell, champions, failed candidates and language-model calls.

The tables and their versions live in `redqueen.schema`: opening an older file upgrades it
in place after a backup (`Archive.upgraded` says so), a newer one is refused. All SQL that
reads or writes rows lives here, in `Archive` methods.

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
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from .schema import LATEST, ArchiveError, Upgrade, open_schema, stored_version

__all__ = ["Archive", "ArchiveError", "DEFAULT_DB", "LATEST", "Upgrade"]

DEFAULT_DB = "archive/redqueen.db"

def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


ROUND_JSON = ("opponents", "seeds", "stats", "opponent_weights", "operator_weights")
_UNCHANGED = object()


def _dumps_or_null(value) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)


def _check_opponent_weights(opponents: list, weights) -> None:
    if weights is not None and len(weights) != len(opponents):
        raise ValueError(f"{len(weights)} opponent weights for {len(opponents)} opponents: "
                         f"give one weight per opponent, in the same order")


def _loads(row: dict, *columns: str) -> dict:
    for column in columns:
        if row.get(column) is not None:
            row[column] = json.loads(row[column])
    return row


class Archive:
    """A run archive in one SQLite file. Open it with `Archive(path)`; the file and its tables
    are created when missing, an older file is upgraded (after a backup beside it; see
    `upgraded`), and a file of a newer schema than this code knows is refused with ArchiveError."""

    def __init__(self, path: str | Path = DEFAULT_DB, read_only: bool = False):
        import sqlite_utils
        self.path = Path(path)
        if read_only:
            self._open_read_only(sqlite_utils)
            return
        on_disk = str(path) != ":memory:"
        if on_disk:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(str(path))
        try:
            connection.execute("PRAGMA busy_timeout = 10000")
            stored_version(connection, self.path)      # refuse a newer or foreign file before changing it
            self.db = sqlite_utils.Database(connection)
        except (ArchiveError, sqlite3.DatabaseError) as error:
            connection.close()
            if isinstance(error, ArchiveError):
                raise
            raise ArchiveError(f"{self.path}: not a redqueen archive ({error})") from None
        if on_disk:
            self.db.enable_wal()
        self.db.conn.execute("PRAGMA foreign_keys = ON")
        self.db.conn.execute("PRAGMA synchronous = NORMAL")
        try:
            self.upgraded: Upgrade | None = open_schema(self.db.conn, self.path)
        except BaseException:
            self.db.close()
            raise
        """Set when this opening migrated an existing file: versions and backup path, and a
        one-line `message` for people."""

    def _open_read_only(self, sqlite_utils) -> None:
        """A connection that cannot write (SQLite's mode=ro) but sees a running writer's WAL
        commits; the file must exist and already have the latest schema."""
        if not self.path.is_file():
            raise ArchiveError(f"{self.path}: no archive here")
        connection = sqlite3.connect(f"file:{self.path.resolve()}?mode=ro", uri=True, check_same_thread=False)
        try:
            connection.execute("PRAGMA busy_timeout = 10000")
            version = stored_version(connection, self.path)
        except ArchiveError:
            connection.close()
            raise
        if version != LATEST:
            connection.close()
            raise ArchiveError(f"{self.path} has schema version {version}, not {LATEST}: open it once with a "
                               f"redqueen command that writes (e.g. `redqueen archive runs`) to upgrade it")
        self.db = sqlite_utils.Database(connection)
        self.upgraded = None

    @property
    def schema_version(self) -> int:
        """The file's schema version (`PRAGMA user_version`); `redqueen.schema.LATEST` once open."""
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self):
        """All writes inside commit together or not at all. The outermost one takes the write
        lock as it begins (BEGIN IMMEDIATE): connections writing the same file from several
        threads then wait for each other (busy_timeout) instead of failing on a stale snapshot."""
        connection = self.db.conn
        if connection.in_transaction:
            with self.db.atomic():              # nested: a savepoint
                yield self
            return
        connection.execute("BEGIN IMMEDIATE")
        try:
            with self.db.atomic():
                yield self
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

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
                       add_elapsed: float = 0.0, reason: str | None = None) -> None:
        """Set the run's status. `error` is the exception that stopped it (type: message);
        `reason` says for people why it stopped or failed (shown by `redqueen archive runs`).
        Both are replaced: a status change without them clears them."""
        stamp = now()
        changes = dict(status=status, updated_at=stamp, error=error, reason=reason)
        if status == "finished":
            changes["finished_at"] = stamp
        with self.transaction():
            self.db.execute("UPDATE runs SET elapsed_s = elapsed_s + ? WHERE id = ?", [add_elapsed, run_id])
            self.db["runs"].update(run_id, changes)

    def update_run_config(self, run_id: int, config: dict, rounds: int) -> None:
        """Replace a run's stored configuration (operational options changed on resume, or more
        rounds asked for)."""
        with self.transaction():
            self.db["runs"].update(run_id, dict(config=json.dumps(config, sort_keys=True), rounds=rounds,
                                                updated_at=now()))

    def record_resume(self, run_id: int, round: int, iteration: int, changes: dict) -> int:
        """Note that a run was resumed at (round, iteration), with the options `changes` maps
        to [stored, applied]."""
        with self.transaction():
            return self.db["run_resumes"].insert(dict(
                run_id=run_id, round=round, iteration=iteration, changes=json.dumps(changes, sort_keys=True),
                created_at=now())).last_pk

    def resumes(self, run_id) -> list[dict]:
        run_id = self._resolve_run(run_id)
        return [_loads(row, "changes") for row in self.db.query(
            "SELECT * FROM run_resumes WHERE run_id = ? ORDER BY id", [run_id])]

    def run_cost(self, run_id: int) -> float:
        """Estimated US dollars of the run's language-model calls so far (replays cost nothing)."""
        return self.db.execute("SELECT coalesce(sum(cost_usd), 0.0) FROM llm_calls WHERE run_id = ?",
                               [run_id]).fetchone()[0]

    def runs(self) -> list[dict]:
        """Every run with its progress: rounds finished, programs, language-model calls and
        their estimated cost, per-model figures (`models`, see `model_usage`); and its `error`
        and `reason` when it stopped."""
        rows = [_loads(row, "config") for row in self.db.query("""
            SELECT runs.*,
                   (SELECT count(*) FROM rounds WHERE run_id = runs.id AND status = 'finished') AS rounds_done,
                   (SELECT count(*) FROM programs WHERE run_id = runs.id) AS programs,
                   (SELECT count(*) FROM llm_calls WHERE run_id = runs.id) AS llm_calls,
                   (SELECT coalesce(sum(cost_usd), 0.0) FROM llm_calls WHERE run_id = runs.id) AS cost_usd
            FROM runs ORDER BY id""")]
        for row in rows:
            row["models"] = self.model_usage(row["id"])
        return rows

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

    def program_id(self, run_id: int, digest: str) -> int | None:
        """The id of the run's program with this compiled digest, if stored."""
        row = self.db.execute("SELECT id FROM programs WHERE run_id = ? AND digest = ?", [run_id, digest]).fetchone()
        return row[0] if row else None

    def initial_program_ids(self, run_id: int) -> list[int]:
        """The ids of the run's initial programs (round 0's opponents), in the order stored."""
        return [row[0] for row in self.db.execute(
            "SELECT id FROM programs WHERE run_id = ? AND origin = 'initial' ORDER BY id", [run_id])]

    def program(self, program_id) -> dict:
        try:
            program_id = int(program_id)
        except (TypeError, ValueError):
            raise ArchiveError(f"program {program_id!r} is not a program id (a number)") from None
        rows = list(self.db.query("SELECT * FROM programs WHERE id = ?", [program_id]))
        if not rows:
            raise ArchiveError(f"{self.path}: no program {program_id}")
        return rows[0]

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
                    rng_state: dict, opponent_weights: list[float] | None = None,
                    operator_weights: dict[str, float] | None = None) -> int:
        """Create round `number`; the weights are as in `set_round_weights`."""
        _check_opponent_weights(opponents, opponent_weights)
        with self.transaction():
            return self.db["rounds"].insert(dict(
                run_id=run_id, number=number, status="running", opponents=json.dumps(opponents),
                seeds=json.dumps(seeds), rng_state=json.dumps(rng_state), started_at=now(),
                opponent_weights=_dumps_or_null(opponent_weights),
                operator_weights=_dumps_or_null(operator_weights))).last_pk

    def set_round_weights(self, round_id: int, *, opponent_weights=_UNCHANGED, operator_weights=_UNCHANGED) -> None:
        """Store a round's weights; only those given change (None stores NULL).
        `opponent_weights`: one number per entry of the round's `opponents`, same order (NULL:
        every opponent weighs the same). `operator_weights`: {mutation operator name: weight}
        (NULL: the round did not weigh operators)."""
        changes = {}
        if opponent_weights is not _UNCHANGED:
            opponents = json.loads(self.db.execute("SELECT opponents FROM rounds WHERE id = ?",
                                                   [round_id]).fetchone()[0])
            _check_opponent_weights(opponents, opponent_weights)
            changes["opponent_weights"] = _dumps_or_null(opponent_weights)
        if operator_weights is not _UNCHANGED:
            changes["operator_weights"] = _dumps_or_null(operator_weights)
        if changes:
            with self.transaction():
                self.db["rounds"].update(round_id, changes)

    def round_row(self, run_id: int, number: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM rounds WHERE run_id = ? AND number = ?", [run_id, number]))
        return _loads(rows[0], *ROUND_JSON, "rng_state") if rows else None

    def rounds(self, run_id) -> list[dict]:
        """The rounds of a run, in order, with their champion and statistics."""
        run_id = self._resolve_run(run_id)
        return [_loads(row, *ROUND_JSON) for row in self.db.query("""
            SELECT rounds.id, rounds.run_id, rounds.number, rounds.status, rounds.iterations,
                   rounds.opponents, rounds.seeds, rounds.opponent_weights, rounds.operator_weights,
                   rounds.champion_id, rounds.best_fitness,
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

    def save_stats(self, round_id: int, stats: dict) -> None:
        """Replace the round's statistics (the round's final figures, e.g. champion confirmation)."""
        self.db.execute("UPDATE rounds SET stats = ? WHERE id = ?", [json.dumps(stats, sort_keys=True), round_id])

    def record_evaluation(self, run_id: int, round_id: int, program_id: int, *, iteration: int,
                          fitness: float, descriptors: dict, cell, outcome: str, opponents: list[int],
                          seeds: list[int], fitness_mode: str, beaten_by=(), details=None) -> int:
        return self.db["evaluations"].insert(dict(
            run_id=run_id, round_id=round_id, program_id=program_id, iteration=iteration,
            fitness=float(fitness), descriptors=json.dumps(descriptors, sort_keys=True),
            cell=json.dumps(list(cell)), outcome=outcome, opponents=json.dumps(opponents),
            seeds=json.dumps(seeds), fitness_mode=fitness_mode, beaten_by=json.dumps(list(beaten_by)),
            details=json.dumps(details or {}, sort_keys=True, default=float), created_at=now())).last_pk

    def evaluated_digests(self, round_id: int) -> set[str]:
        """Digests of the programs already evaluated in the round."""
        return {row[0] for row in self.db.execute(
            "SELECT programs.digest FROM evaluations JOIN programs ON programs.id = evaluations.program_id "
            "WHERE evaluations.round_id = ?", [round_id])}

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
                     evaluation_id: int, fitness: float, exploiter_id: int | None = None) -> None:
        """Freeze the round's champion (and its exploiter, if any); call inside the final step's transaction."""
        self.db.execute("UPDATE rounds SET status = 'finished', champion_id = ?, best_fitness = ?, "
                        "finished_at = ? WHERE id = ?", [champion_id, float(fitness), now(), round_id])
        self.db["champions"].insert(dict(run_id=run_id, round=number, program_id=champion_id,
                                         evaluation_id=evaluation_id, fitness=float(fitness),
                                         exploiter_id=exploiter_id))

    # ---- champions and export ----------------------------------------------------------------
    def champions(self, run_id) -> list[dict]:
        """The champion of each finished round: program, fitness and the evaluation's details."""
        run_id = self._resolve_run(run_id)
        return [_loads(row, "descriptors", "cell", "opponents", "seeds") for row in self.db.query("""
            SELECT champions.round, champions.program_id, champions.fitness, champions.exploiter_id, programs.name,
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
            from .registry import UnknownArena, program_suffix
            try:
                suffix = program_suffix(run["arena"])
            except UnknownArena:
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

    # ---- champions' cross-play ---------------------------------------------------------------
    def record_cross_play(self, run_id: int, row: int, col: int, payoff: float, seeds: list[int]) -> None:
        """Store (or replace) the payoff of program `row` against program `col` in 1v1 games
        over `seeds`: one cell of the run's champion-vs-champion matrix."""
        with self.transaction():
            self.db["cross_play"].upsert(dict(run_id=run_id, row_program=int(row), col_program=int(col),
                                              payoff=float(payoff), seeds=json.dumps([int(s) for s in seeds])),
                                         pk=("run_id", "row_program", "col_program"))

    def cross_play(self, run_id):
        """The run's cross-play matrix: (program ids, payoffs), payoffs[i][j] being program i's
        payoff against program j as a numpy array, NaN where the pair was not played. Programs
        come in the order of the rounds they were champion of (others after, by id)."""
        import numpy as np
        run_id = self._resolve_run(run_id)
        cells = self.db.execute("SELECT row_program, col_program, payoff FROM cross_play WHERE run_id = ?",
                                [run_id]).fetchall()
        rounds = {program: number for number, program in reversed(self.db.execute(
            "SELECT round, program_id FROM champions WHERE run_id = ? ORDER BY round", [run_id]).fetchall())}
        ids = sorted({p for cell in cells for p in cell[:2]}, key=lambda p: (rounds.get(p, float("inf")), p))
        index = {p: i for i, p in enumerate(ids)}
        matrix = np.full((len(ids), len(ids)), np.nan)
        for row, col, payoff in cells:
            matrix[index[row], index[col]] = payoff
        return ids, matrix

    def cross_play_seeds(self, run_id, row: int, col: int) -> list[int] | None:
        """The seeds the (row, col) cell of the run's cross-play matrix was played over, if played."""
        found = self.db.execute("SELECT seeds FROM cross_play WHERE run_id = ? AND row_program = ? "
                                "AND col_program = ?", [self._resolve_run(run_id), row, col]).fetchone()
        return json.loads(found[0]) if found else None

    # ---- held-out results (redqueen.heldout's store) ------------------------------------------
    def heldout_results(self, arena: str, seeds_key: str, program_digest: str) -> dict[str, dict]:
        """Stored held-out results of one program under an arena key and seed list:
        opponent digest -> row."""
        rows = self.db.query(
            "SELECT * FROM heldout_results WHERE arena = ? AND seeds_key = ? AND program_digest = ?",
            [arena, seeds_key, program_digest])
        return {row["opponent_digest"]: row for row in rows}

    def save_heldout_results(self, arena: str, seeds_key: str, program_digest: str, games: int,
                             rows: dict[str, tuple[str, dict]]) -> None:
        """Store one program's held-out results; rows: opponent digest -> (opponent name, {field: value})."""
        stamp = now()
        with self.transaction():
            self.db["heldout_results"].upsert_all(
                [dict(arena=arena, seeds_key=seeds_key, program_digest=program_digest, opponent_digest=digest,
                      opponent_name=name, games=games, created_at=stamp, **values)
                 for digest, (name, values) in rows.items()],
                pk=("arena", "seeds_key", "program_digest", "opponent_digest"))

    def heldout_of(self, program_digest: str) -> list[dict]:
        """Every stored held-out result of a program (all arenas and seed lists), by opponent."""
        return list(self.db.query("SELECT * FROM heldout_results WHERE program_digest = ? "
                                  "ORDER BY arena, seeds_key, opponent_name", [program_digest]))

    def offspring(self, program_id: int) -> list[dict]:
        """Programs made from this one, as parent or as mate."""
        return list(self.db.query("SELECT id, name, origin, mutator, round, parent_id, mate_id FROM programs "
                                  "WHERE parent_id = ? OR mate_id = ? ORDER BY id", [program_id, program_id]))

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

    def save_model_usage(self, run_id: int, usage: dict) -> None:
        """Store the run's per-model figures {model: {asks, valid, improvements, cost_usd}} (the
        totals so far); call inside the step's transaction."""
        stamp = now()
        self.db["model_usage"].upsert_all(
            [dict(run_id=run_id, model=model, updated_at=stamp, **{k: figures.get(k, 0) for k in
                                                                   ("asks", "valid", "improvements", "cost_usd")})
             for model, figures in usage.items()], pk=("run_id", "model"))

    def model_usage(self, run_id) -> list[dict]:
        """Per model of the run: asks, valid answers, improvements and cost as the mutator counted
        them, with the HTTP requests made, replays and the recorded cost of its calls."""
        run_id = self._resolve_run(run_id)
        return list(self.db.query("""
            SELECT m.model, m.asks, m.valid, m.improvements, m.cost_usd,
                   (SELECT count(*) FROM llm_calls c WHERE c.run_id = m.run_id AND c.model = m.model
                    AND c.cached = 0) AS requests,
                   (SELECT count(*) FROM llm_calls c WHERE c.run_id = m.run_id AND c.model = m.model
                    AND c.cached = 1) AS replays,
                   (SELECT coalesce(sum(attempts), 0) FROM llm_calls c WHERE c.run_id = m.run_id
                    AND c.model = m.model) AS attempts,
                   (SELECT coalesce(sum(cost_usd), 0) FROM llm_calls c WHERE c.run_id = m.run_id
                    AND c.model = m.model) AS spent_usd
            FROM model_usage m WHERE m.run_id = ? ORDER BY m.model""", [run_id]))

    def llm_call(self, call_id: int) -> dict:
        rows = list(self.db.query("SELECT * FROM llm_calls WHERE id = ?", [call_id]))
        if not rows:
            raise ArchiveError(f"{self.path}: no language-model call {call_id}")
        return _loads(rows[0], "messages")

    def llm_calls(self, run_id) -> list[dict]:
        run_id = self._resolve_run(run_id)
        return [_loads(row, "messages") for row in self.db.query(
            "SELECT * FROM llm_calls WHERE run_id = ? ORDER BY id", [run_id])]
