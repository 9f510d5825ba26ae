"""`Archive(path, read_only=True)`: the web view's connection cannot write, sees a writer's
commits, and refuses files it cannot read as they are."""
import shutil
import sqlite3
from pathlib import Path

import pytest

from redqueen.db import Archive, ArchiveError

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_reads_a_writer_s_commits_and_cannot_write(tmp_path):
    path = tmp_path / "a.db"
    writer = Archive(path)
    reader = Archive(path, read_only=True)
    try:
        assert reader.runs() == []
        run = writer.create_run("corewar", {"x": 1}, seed=3, rounds=2)
        assert [r["id"] for r in reader.runs()] == [run]          # the same connection, no reopening
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.create_run("corewar", {}, seed=1, rounds=1)
    finally:
        reader.close()
        writer.close()


def test_refuses_missing_and_old_files(tmp_path):
    with pytest.raises(ArchiveError, match="no archive here"):
        Archive(tmp_path / "missing.db", read_only=True)
    old = tmp_path / "old.db"
    shutil.copy(FIXTURES / "archive-v1.db", old)
    with pytest.raises(ArchiveError, match="schema version 1"):
        Archive(old, read_only=True)
    assert not list(tmp_path.glob("old.db.v*.bak"))              # left untouched: no upgrade, no backup
