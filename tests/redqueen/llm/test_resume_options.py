"""`redqueen evolve --resume`: options that differ from the stored run are named and refused,
operational ones (the cost cap here) are applied and recorded, and --rounds extends a run."""
import json
import re

import pytest

from chatserver import ChatServer
from redqueen.db import Archive

pytest.importorskip("arenas.corewar.assembler", reason="the Redcode assembler is not in this checkout")
from llm_cli import dwarf_answer, evolve_llm  # noqa: E402
from loop_helpers import redqueen  # noqa: E402

BUILTIN = ("--mutator", "builtin", "--iters", "4", "--seeds", "2", "--n-init", "3", "--batch", "4",
           "-A", "maxcycles=2000", "--quiet")


def test_changed_options_are_named_and_refused_and_rounds_extend_a_finished_run(tmp_path):
    db, longer = tmp_path / "short.db", tmp_path / "long.db"
    assert redqueen("evolve", *BUILTIN, "--rounds", "1", "--db", db).returncode == 0
    refused = redqueen("evolve", "--resume", "1", "--rounds", "2", "--iters", "5", "--seed", "9",
                       "-A", "maxcycles=3000", "--db", db)
    assert refused.returncode != 0
    [line] = refused.stderr.strip().splitlines()
    assert "--iters 5 (stored: 4)" in line and "--seed 9 (stored: 0)" in line
    assert "--arena-option" in line and "3000" in line and "--rounds" not in line

    finished = redqueen("evolve", "--resume", "1", "--db", db)
    assert finished.returncode != 0 and "already finished (1 rounds)" in finished.stderr
    assert "--rounds N" in finished.stderr

    # Options equal to the stored ones are fine; --rounds 2 extends the finished run.
    extended = redqueen("evolve", "--resume", "1", "--rounds", "2", "--iters", "4", "--quiet", "--db", db)
    assert extended.returncode == 0, extended.stderr
    assert "resuming run 1 at round 1, iteration 0" in extended.stderr
    assert redqueen("evolve", *BUILTIN, "--rounds", "2", "--db", longer).returncode == 0
    archive, reference = Archive(db), Archive(longer)
    assert archive.run(1)["status"] == "finished" and archive.run(1)["rounds"] == 2
    assert [c["digest"] for c in archive.champions(1)] == [c["digest"] for c in reference.champions(1)]
    assert [(r["round"], r["iteration"], r["changes"]) for r in archive.resumes(1)] == [(1, 0, {})]
    archive.close()
    reference.close()


def test_the_cost_cap_stops_a_run_and_a_higher_cap_given_on_resume_is_applied_and_recorded(tmp_path):
    db = tmp_path / "capped.db"
    price = ("--price", "1000000", "1000000")          # one US dollar per token
    with ChatServer(lambda body, index: ("ok", dwarf_answer(body))) as server:
        capped = evolve_llm(db, server, *price, "--max-cost", "300")
        assert capped.returncode == 3, capped.stderr
        assert re.search(r"run 1 stopped: cost cap: US\$\d+\.\d+ spent, cap US\$300", capped.stderr)
        table = redqueen("archive", "runs", "--db", db).stdout
        assert "stopped" in table and "cost cap" in table

        again = redqueen("evolve", "--resume", "1", "--quiet", "--db", db, env_extra={"OPENAI_API_KEY": "k"})
        assert again.returncode == 3 and "cost cap" in again.stderr        # same cap: stops at once

        raised = redqueen("evolve", "--resume", "1", "--max-cost", "100000", "--quiet", "--db", db,
                          env_extra={"OPENAI_API_KEY": "k"})
        assert raised.returncode == 0, raised.stderr
        assert "max_cost 300.0 -> 100000.0" in raised.stderr
    archive = Archive(db)
    run = archive.run(1)
    assert run["status"] == "finished" and run["config"]["max_cost"] == 100000.0
    assert [r["changes"] for r in archive.resumes(1)] == [{}, {"max_cost": [300.0, 100000.0]}]
    rounds = json.loads(redqueen("archive", "rounds", "1", "--json", "--db", db).stdout)
    assert sum(r["stats"]["cost_usd"] for r in rounds) == pytest.approx(archive.run_cost(1))
    archive.close()
