"""Archive schema versions: a first-release archive (tests/redqueen/fixtures/archive-v1.db, written by
that release's code) opens, is backed up and upgraded in place, and everything works on it;
newer archives are refused; new archives start at the latest version; schema 2 round-trips."""
import json
import shutil
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pytest

from redqueen.db import Archive, ArchiveError
from redqueen.schema import LATEST, MIGRATIONS

sys.path.insert(0, str(Path(__file__).resolve().parent / "loop"))
from invariants import check_run
from loop_helpers import redqueen

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "archive-v1.db"
HELDOUT = Path(__file__).resolve().parents[2] / "archive" / "heldout"


@pytest.fixture
def v1(tmp_path) -> Path:
    """A copy of the first-release archive (the fixture itself is only ever copied: opening a
    WAL database writes beside it)."""
    return Path(shutil.copy(FIXTURE, tmp_path / "archive.db"))


def read(path: Path, sql: str, *args) -> list[tuple]:
    """Rows straight from SQLite, without redqueen's code in between."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql, args).fetchall()
    finally:
        connection.close()


def dump(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def table_shapes(path: Path) -> dict:
    """Every table's columns (name, type, not null, default, key) and every index, by name."""
    names = [row[0] for row in read(path, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    shapes = {name: [row[1:] for row in read(path, f"PRAGMA table_info({name})")] for name in names}
    shapes["indexes"] = read(path, "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' "
                                   "AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name")
    return shapes


def test_the_fixture_is_a_first_release_archive(v1):
    lines = dump(v1)
    assert read(v1, "PRAGMA user_version") == [(0,)]
    assert any("heldout_results" in line for line in lines)
    assert not any("cross_play" in line or "reason" in line for line in lines)
    assert read(v1, "SELECT status FROM runs") == [("interrupted",)]


def test_first_release_archive_is_backed_up_then_upgraded_in_place(v1, tmp_path):
    before = dump(v1)
    archive = Archive(v1)
    upgrade = archive.upgraded
    assert (upgrade.from_version, upgrade.to_version) == (1, LATEST) and LATEST == len(MIGRATIONS)
    assert upgrade.backup == tmp_path / "archive.db.v1.bak"
    assert upgrade.message == f"archive upgraded from schema 1 to {LATEST}; backup at {upgrade.backup}"
    assert archive.schema_version == LATEST
    assert archive.integrity_check() == "ok"
    archive.close()
    assert read(v1, "PRAGMA user_version") == [(LATEST,)]
    assert read(upgrade.backup, "PRAGMA user_version") == [(0,)]
    assert dump(upgrade.backup) == before                   # the backup is the file as it was
    for table in ("runs", "programs", "rounds", "evaluations", "champions", "heldout_results"):
        assert read(v1, f"SELECT count(*) FROM {table}") == read(upgrade.backup, f"SELECT count(*) FROM {table}")
    assert read(v1, "SELECT reason FROM runs") == [(None,)]
    again = Archive(v1)                                     # already current: nothing to do
    assert again.upgraded is None
    again.close()
    assert sorted(p.name for p in tmp_path.glob("*.bak")) == ["archive.db.v1.bak"]


def test_an_upgraded_archive_has_the_tables_of_a_new_one(v1, tmp_path):
    Archive(v1).close()
    Archive(tmp_path / "new.db").close()
    assert table_shapes(v1) == table_shapes(tmp_path / "new.db")


def test_a_first_release_archive_without_held_out_results_gets_the_table(v1):
    # The first release created the held-out table on first use only.
    connection = sqlite3.connect(v1)
    connection.execute("DROP TABLE heldout_results")
    connection.commit()
    connection.close()
    archive = Archive(v1)
    assert archive.heldout_results("corewar", "any", "digest") == {}
    archive.close()


def test_a_new_archive_starts_at_the_latest_version(tmp_path):
    archive = Archive(tmp_path / "new.db")
    assert archive.upgraded is None and archive.schema_version == LATEST
    assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    archive.close()
    assert list(tmp_path.glob("*.bak")) == []


def test_a_newer_archive_is_refused_with_one_line_and_left_alone(tmp_path):
    db = tmp_path / "future.db"
    Archive(db).close()
    connection = sqlite3.connect(db)
    connection.execute(f"PRAGMA user_version = {LATEST + 1}")
    connection.commit()
    connection.close()
    before = dump(db)
    with pytest.raises(ArchiveError, match=f"has schema version {LATEST + 1}; this redqueen knows up to {LATEST}"):
        Archive(db)
    for args in (["archive", "runs"], ["evolve", "--resume", "latest", "--quiet"],
                 ["eval", "--run", "latest", "--quiet"]):
        result = redqueen(*args, "--db", db)
        assert result.returncode != 0
        assert result.stderr.strip().splitlines() == [
            f"Error: {db} has schema version {LATEST + 1}; this redqueen knows up to {LATEST}: upgrade redqueen"]
    assert dump(db) == before and list(tmp_path.glob("*.bak")) == []


def test_files_that_are_not_archives_are_refused(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all, just some bytes " * 100)
    with pytest.raises(ArchiveError, match="not a redqueen archive"):
        Archive(junk)
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE people (name TEXT)")
    connection.commit()
    connection.close()
    with pytest.raises(ArchiveError, match="not a redqueen archive"):
        Archive(other)
    assert read(other, "SELECT name FROM sqlite_master") == [("people",)]


def test_cli_lists_exports_and_evaluates_an_upgraded_archive(v1, tmp_path):
    listed = redqueen("archive", "runs", "--db", v1)
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr.strip().splitlines() == [
        f"archive upgraded from schema 1 to {LATEST}; backup at {v1}.v1.bak"]
    header, row = listed.stdout.splitlines()
    assert row.split()[:4] == ["1", "corewar", "interrupted", "2/3"] and "reason" not in header

    backup = Path(f"{v1}.v1.bak")
    exported = redqueen("archive", "export", "1", tmp_path / "out", "--db", v1)
    assert exported.returncode == 0, exported.stderr
    files = sorted((tmp_path / "out").glob("*.red"))
    sources = read(backup, "SELECT programs.source FROM champions JOIN programs ON programs.id = "
                           "champions.program_id ORDER BY champions.round")
    assert [f.read_text().rstrip("\n") for f in files] == [s.rstrip("\n") for (s,) in sources]

    # The fixture stored round 0's champion against Blizzard and Pebble over 2 seeds: the
    # upgraded archive serves those results instead of replaying the games.
    evaluated = redqueen("eval", "--run", "1", "--against", HELDOUT, "--opponent", "Blizzard",
                         "--opponent", "Pebble", "--seeds", "2", "--json", "--quiet", "--db", v1)
    assert evaluated.returncode == 0, evaluated.stderr
    report = json.loads(evaluated.stdout)
    assert report["games_played"] == 0 and len(report["programs"]) == 2
    stored = {name: (wins, ties, losses, fitness) for name, wins, ties, losses, fitness in read(
        backup, "SELECT opponent_name, wins, ties, losses, fitness_a FROM heldout_results")}
    for program in report["programs"]:
        assert {row["opponent"]: (row["wins"], row["ties"], row["losses"], row["fitness_a"])
                for row in program["per_opponent"]} == stored


def test_the_interrupted_run_resumes_to_finished_through_the_cli(v1, tmp_path):
    from redqueen.registry import make_arena
    pristine = shutil.copy(FIXTURE, tmp_path / "pristine.db")
    backup_champions = read(pristine, "SELECT round, program_id, fitness FROM champions ORDER BY round")
    resumed = redqueen("evolve", "--resume", "1", "--quiet", "--db", v1)
    assert resumed.returncode == 0, resumed.stderr
    assert f"archive upgraded from schema 1 to {LATEST}" in resumed.stderr
    archive = Archive(v1)
    run = archive.run(1)
    assert run["status"] == "finished" and run["error"] is None
    check_run(archive, 1, make_arena("corewar", run["config"]["arena_options"]))
    champions = archive.champions(1)
    assert [(c["round"], c["program_id"], c["fitness"]) for c in champions[:2]] == backup_champions
    assert len(champions) == run["rounds"] == 3
    [round_2] = [r for r in archive.rounds(1) if r["number"] == 2]
    assert round_2["iterations"] == run["config"]["iters"]
    # Round 2 kept the seeds and opponents it was started with by the first release.
    assert read(pristine, "SELECT seeds, opponents FROM rounds WHERE number = 2") == \
        [(json.dumps(round_2["seeds"]), json.dumps(round_2["opponents"]))]
    archive.close()


def test_run_reasons_round_trip_and_show_in_the_cli(tmp_path):
    db = tmp_path / "a.db"
    archive = Archive(db)
    quiet = archive.create_run("corewar", {"mutator": "builtin"}, 0, 2)
    stopped = archive.create_run("corewar", {"mutator": "builtin"}, 1, 2)
    archive.set_run_status(stopped, "failed", error="RuntimeError: boom", reason="budget of 2 USD spent")
    assert archive.run(stopped)["reason"] == "budget of 2 USD spent"
    assert archive.run(stopped)["error"] == "RuntimeError: boom"
    assert [r["reason"] for r in archive.runs()] == [None, "budget of 2 USD spent"]
    archive.close()
    table = redqueen("archive", "runs", "--db", db)
    assert table.returncode == 0, table.stderr
    header, first, second = table.stdout.splitlines()
    assert header.split()[-1] == "reason" and second.endswith("budget of 2 USD spent") and first.endswith("-")
    listed = json.loads(redqueen("archive", "runs", "--json", "--db", db).stdout)
    assert [r["reason"] for r in listed] == [None, "budget of 2 USD spent"]
    archive = Archive(db)
    archive.set_run_status(stopped, "running")               # a new status clears the old reason
    assert archive.run(stopped)["reason"] is None and archive.run(quiet)["reason"] is None
    archive.close()


def test_round_weights_round_trip(tmp_path):
    archive = Archive(tmp_path / "a.db")
    run = archive.create_run("corewar", {}, 0, 2)
    first = archive.start_round(run, 0, [1, 2, 3], [7, 8], {"state": 1}, opponent_weights=[0.5, 0.25, 0.25])
    second = archive.start_round(run, 1, [1, 2], [7, 8], {"state": 1})
    row = archive.round_row(run, 0)
    assert row["opponent_weights"] == [0.5, 0.25, 0.25] and row["operator_weights"] is None
    assert archive.round_row(run, 1)["opponent_weights"] is None          # NULL: uniform
    archive.set_round_weights(second, operator_weights={"mutate": 0.75, "crossover": 0.25})
    archive.set_round_weights(first, opponent_weights=None)
    rounds = {r["number"]: r for r in archive.rounds(run)}
    assert rounds[0]["opponent_weights"] is None and rounds[0]["operator_weights"] is None
    assert rounds[1]["operator_weights"] == {"mutate": 0.75, "crossover": 0.25}
    assert rounds[1]["opponent_weights"] is None
    with pytest.raises(ValueError, match="2 opponent weights for 3 opponents"):
        archive.set_round_weights(first, opponent_weights=[0.5, 0.5])
    with pytest.raises(ValueError, match="1 opponent weights for 2 opponents"):
        archive.start_round(run, 2, [1, 2], [7], {}, opponent_weights=[1.0])
    assert archive.round_row(run, 2) is None
    archive.close()


def test_cross_play_matrix_round_trips_in_champion_order(v1):
    archive = Archive(v1)
    # The fixture's run: program 1 is the initial program, program 12 champion of rounds 0 and 1.
    [champion] = {c["program_id"] for c in archive.champions(1)}
    other = archive.add_program(1, digest="cross-play-test", source="mov.i $0, $1", origin="new")[0]
    archive.record_cross_play(1, other, champion, 0.25, [5, 6])
    archive.record_cross_play(1, champion, other, 0.5, [5, 6])
    archive.record_cross_play(1, champion, champion, 1.0, [5])
    archive.record_cross_play(1, 1, champion, 0.0, [5])
    archive.record_cross_play(1, champion, other, 0.75, [5, 6, 7])   # replaces the earlier cell
    ids, matrix = archive.cross_play(1)
    assert ids == [champion, 1, other]          # champions first, by round; then the rest by id
    expected = np.array([[1.0, np.nan, 0.75], [0.0, np.nan, np.nan], [0.25, np.nan, np.nan]])
    np.testing.assert_array_equal(matrix, expected)
    assert archive.cross_play_seeds(1, champion, other) == [5, 6, 7]
    assert archive.cross_play_seeds(1, other, 1) is None
    assert archive.cross_play("latest")[0] == ids
    archive.close()
    assert read(v1, "SELECT count(*) FROM cross_play") == [(4,)]


def test_the_backup_holds_what_is_still_in_the_write_ahead_log(v1):
    # A writer that keeps its connection open leaves its commits in archive.db-wal, not yet in
    # archive.db: a copy of the main file alone would miss them; the backup must not.
    writer = sqlite3.connect(v1)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE runs SET error = 'written to the log only' WHERE id = 1")
    writer.commit()
    try:
        assert Path(f"{v1}-wal").stat().st_size > 0
        archive = Archive(v1)
        backup = archive.upgraded.backup
        archive.close()
    finally:
        writer.close()
    assert read(backup, "SELECT error FROM runs") == [("written to the log only",)]
    assert read(backup, "PRAGMA user_version") == [(0,)]


def test_two_openers_at_once_upgrade_the_file_once(v1, tmp_path):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier
    start = Barrier(2)

    def open_it(_):
        start.wait()
        archive = Archive(v1)
        try:
            return archive.upgraded, archive.schema_version
        finally:
            archive.close()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(open_it, range(2)))
    assert sorted(upgrade is None for upgrade, _ in results) == [False, True]   # one upgraded it
    assert [version for _, version in results] == [LATEST, LATEST]
    assert [p.name for p in tmp_path.glob("*.bak")] == ["archive.db.v1.bak"]


def test_a_schema_2_archive_gains_model_usage_and_resumes(tmp_path):
    """A file at schema 2 (migrations 1 and 2 applied by hand) is upgraded to 3: its runs keep
    their rows, and per-model usage and resumes round-trip."""
    path = tmp_path / "v2.db"
    connection = sqlite3.connect(path)
    for migration in MIGRATIONS[:2]:
        connection.executescript(migration.sql)
    connection.execute("INSERT INTO runs (arena, status, config, seed, rounds, created_at, updated_at) "
                       "VALUES ('tiny', 'finished', '{}', 0, 1, 'then', 'then')")
    connection.execute("PRAGMA user_version = 2")
    connection.commit()
    connection.close()
    archive = Archive(path)
    assert archive.upgraded.from_version == 2 and archive.schema_version == LATEST >= 3
    [run] = archive.runs()
    assert run["models"] == [] and run["cost_usd"] == 0
    with archive.transaction():
        archive.save_model_usage(1, {"a": dict(asks=5, valid=4, improvements=2, cost_usd=0.5), "b": dict(asks=1)})
    archive.record_resume(1, 2, 7, {"max_cost": [1.0, 2.0]})
    archive.close()
    assert read(path, "SELECT model, asks, valid, improvements, cost_usd FROM model_usage ORDER BY model") == \
        [("a", 5, 4, 2, 0.5), ("b", 1, 0, 0, 0)]
    archive = Archive(path)
    resumes = [(r["round"], r["iteration"], r["changes"]) for r in archive.resumes(1)]
    assert resumes == [(2, 7, {"max_cost": [1.0, 2.0]})]
    assert [m["model"] for m in archive.runs()[0]["models"]] == ["a", "b"]
    archive.close()
