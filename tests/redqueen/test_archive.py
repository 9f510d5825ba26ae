"""The archive database: WAL, deduplication, atomic steps, the LLM cache lookups, lookups by id."""
import pytest

from redqueen.db import Archive, ArchiveError


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "sub" / "a.db")
    yield archive
    archive.close()


def test_file_is_created_in_wal_mode(archive):
    assert archive.path.is_file()
    assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert archive.integrity_check() == "ok"


def test_programs_are_stored_once_per_run_by_compiled_digest(archive):
    run = archive.create_run("tiny", {}, 0, 1)
    other = archive.create_run("tiny", {}, 0, 1)
    first, new = archive.add_program(run, digest="d1", source="R", origin="new")
    again, new_again = archive.add_program(run, digest="d1", source="R # same compiled", origin="mutate")
    elsewhere, _ = archive.add_program(other, digest="d1", source="R", origin="new")
    assert new and not new_again and again == first and elsewhere != first
    assert archive.program(first)["source"] == "R"


def test_a_failed_step_leaves_nothing_behind(archive):
    run = archive.create_run("tiny", {}, 0, 1)
    with pytest.raises(RuntimeError):
        with archive.transaction():
            archive.add_program(run, digest="d1", source="R", origin="new")
            archive.record_failure(run, None, 1, stage="parse", error="bad")
            raise RuntimeError("killed mid-step")
    assert archive.db.execute("SELECT count(*) FROM programs").fetchone()[0] == 0
    assert archive.db.execute("SELECT count(*) FROM failures").fetchone()[0] == 0


def test_cache_lookup_finds_the_latest_answer_and_skips_errors(archive):
    call = dict(run_id=None, key="k", model="m", messages=[{"role": "user", "content": "x"}], cached=0)
    archive.llm_record({**call, "response": "first"})
    archive.llm_record({**call, "response": "second"})
    archive.llm_record({**call, "response": None, "error": "RateLimitError (HTTP 429)"})
    assert archive.llm_lookup("k")["response"] == "second"
    assert archive.llm_lookup("other") is None


def test_runs_are_found_by_id_or_latest_and_mistakes_say_so(archive):
    with pytest.raises(ArchiveError, match="holds no run"):
        archive.run("latest")
    first = archive.create_run("tiny", {"rounds": 2}, 5, 2)
    second = archive.create_run("tiny", {}, 6, 1)
    assert archive.run("latest")["id"] == second and archive.run(str(first))["config"] == {"rounds": 2}
    with pytest.raises(ArchiveError, match="no run 9"):
        archive.rounds(9)
    with pytest.raises(ArchiveError, match="not a run id"):
        archive.champions("first")
    with pytest.raises(ArchiveError, match="no program 3"):
        archive.show(3)
