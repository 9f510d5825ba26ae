"""`redqueen evolve --mutator llm` on Core War, against the local chat server, through the CLI."""
import json

import pytest

from chatserver import ChatServer
from redqueen.db import Archive
from redqueen.llm.client import PREFLIGHT

pytest.importorskip("arenas.corewar.assembler", reason="the Redcode assembler is not in this checkout")
from llm_cli import DWARF  # noqa: E402
from loop_helpers import redqueen  # noqa: E402


def model(body, index):
    """Scripted answers chosen by the request's seed: good warriors, prose, junk, broken code."""
    last = body["messages"][-1]["content"]
    if "does not assemble" in last:                   # a repair request: fixed half of the time
        fixed = body["seed"] % 2 == 0
        return ("ok", "Sorry, fixed:\n```redcode\n" + (DWARF.format(step=5) if fixed else "JMP\n") + "```")
    seed = body["seed"]
    step = 2 + seed % 97
    return [("ok", "```redcode\n" + DWARF.format(step=step) + "```"),
            ("ok", "Here is a bomber.\n```redcode\n" + DWARF.format(step=step) + "```\nIt bombs every few cells."),
            ("ok", "Core War is a programming game from 1984."),
            ("ok", "```redcode\n;redcode-94\n        MOV.Q 0, 1\n        END\n```"),
            ("status", 500)][seed % 5]


def evolve(db, server, seed=3):
    return redqueen("evolve", "--mutator", "llm", "--base-url", server.base_url, "--model", "gpt-4.1-mini",
                    "--rounds", "2", "--iters", "10", "--seeds", "2", "--n-init", "3", "--batch", "5",
                    "--max-retries", "1", "--seed", seed, "-A", "maxcycles=2000", "--quiet", "--db", db,
                    env_extra={"OPENAI_API_KEY": "test-key"})


def test_llm_run_records_everything_and_replays_from_the_cache(tmp_path):
    db = tmp_path / "llm.db"
    with ChatServer(model) as server:
        first = evolve(db, server)
        assert first.returncode == 0, first.stderr
        without_checks = lambda requests: [r for r in requests if r["messages"] != PREFLIGHT]   # each run checks first
        requests = len(without_checks(server.requests))
        second = evolve(db, server)
        assert second.returncode == 0, second.stderr
        # The repeated run replays every answer from the cache; only requests that got no answer
        # (the scripted 500s) are tried again.
        failing = lambda r: r["seed"] % 5 == 4 and "does not assemble" not in r["messages"][-1]["content"]
        again = without_checks(server.requests)[requests:]
        assert again and all(failing(r) for r in again)
        assert sorted(r["seed"] for r in again) == sorted(r["seed"] for r in without_checks(server.requests)[:requests]
                                                          if failing(r))

    archive = Archive(db)
    runs = archive.runs()
    assert [r["status"] for r in runs] == ["finished", "finished"]
    calls = archive.llm_calls(1)
    assert sum(c["attempts"] for c in calls) == requests
    assert any(c["purpose"] == "repair" for c in calls)
    repairs = [c["messages"][-1]["content"] for c in calls if c["purpose"] == "repair"]
    assert any("MOV.Q" in text and "candidate:" in text for text in repairs)        # the broken code
    assert any("programming game from 1984" in text for text in repairs)            # the prose
    failures = archive.failures(1)
    assert {f["stage"] for f in failures} >= {"request", "parse"}
    assert sum(r["stats"]["failures"] for r in archive.rounds(1)) == len(failures)
    assert all(c["cached"] == 1 and c["attempts"] == 0 for c in archive.llm_calls(2) if c["error"] is None)
    assert [c["digest"] for c in archive.champions(2)] == [c["digest"] for c in archive.champions(1)]
    cost = [c["cost_usd"] for c in calls if c["error"] is None]
    assert cost and all(value > 0 for value in cost)
    listing = json.loads(redqueen("archive", "calls", "1", "--json", "--db", db).stdout)
    assert len(listing) == len(calls)
    archive.close()
