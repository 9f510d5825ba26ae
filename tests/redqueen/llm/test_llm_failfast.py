"""A broken endpoint fails fast and loudly: before a run with the server's own message, during a
run with the run marked `failed` and its reason stored; such a run resumes later."""
import json
import re

import pytest

from chatserver import ChatServer, scripted
from redqueen.db import Archive

pytest.importorskip("arenas.corewar.assembler", reason="the Redcode assembler is not in this checkout")
from llm_cli import dwarf_answer, evolve_llm  # noqa: E402
from loop_helpers import redqueen  # noqa: E402

MISSING_MODEL = "The model `gpt-4.1-mini` does not exist or you do not have access to it."
BAD_KEY = "Incorrect API key provided: test-key. You can find your API key at https://example.test."


@pytest.mark.parametrize("code, message", [(404, MISSING_MODEL), (401, BAD_KEY)])
def test_a_refused_check_request_is_one_line_with_the_servers_message_and_no_run(tmp_path, code, message):
    db = tmp_path / "refused.db"
    with ChatServer(scripted(("status", code, message))) as server:
        result = evolve_llm(db, server)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and f"HTTP {code}" in lines[0], result.stderr
    assert len(server.requests) == 1                     # one check request, nothing retried
    if db.exists():
        archive = Archive(db)
        assert archive.runs() == []
        archive.close()


def test_a_failing_endpoint_fails_the_run_with_its_reason_and_the_run_resumes(tmp_path):
    reference, db = tmp_path / "healthy.db", tmp_path / "failing.db"
    broken_from = [None]        # request index from which the server answers 503

    def respond(body, index):
        if broken_from[0] is not None and index >= broken_from[0]:
            return ("status", 503, "The engine is currently overloaded, please try again later")
        return ("ok", dwarf_answer(body))
    # One request at a time, so the outage hits the same asks whatever the machine's load (with
    # several in flight, which of them arrive after it starts is a matter of timing).
    with ChatServer(respond) as server:
        healthy = evolve_llm(reference, server, "--concurrency", "1")
        assert healthy.returncode == 0, healthy.stderr
        broken_from[0] = len(server.requests) + 12      # the check request and part of round 0 pass
        failed = evolve_llm(db, server, "--concurrency", "1", "--max-consecutive-failures", "4")
        assert failed.returncode == 1, failed.stderr
        assert "run 1 failed: 4 language-model requests failed in a row" in failed.stderr
        assert "currently overloaded" in failed.stderr
        runs = json.loads(redqueen("archive", "runs", "--json", "--db", db).stdout)
        assert [r["status"] for r in runs] == ["failed"] and runs[0]["rounds_done"] < 2
        assert "failed in a row" in runs[0]["reason"] and "HTTP 503" in runs[0]["reason"]
        table = redqueen("archive", "runs", "--db", db).stdout
        assert "failed" in table and "currently overloaded" in table

        broken_from[0] = None
        resumed = redqueen("evolve", "--resume", "1", "--quiet", "--db", db, env_extra={"OPENAI_API_KEY": "k"})
        assert resumed.returncode == 0, resumed.stderr
        assert re.search(r"^resuming run 1 at round [01], iteration \d+$", resumed.stderr, re.M), resumed.stderr
    archive, healthy_archive = Archive(db), Archive(reference)
    assert archive.run(1)["status"] == "finished" and archive.run(1)["reason"] is None
    # The resumed run is the run it would have been: the same champions as the healthy run.
    assert [c["digest"] for c in archive.champions(1)] == [c["digest"] for c in healthy_archive.champions(1)]
    archive.close()
    healthy_archive.close()
