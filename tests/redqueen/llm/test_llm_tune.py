"""`--tune`: valid proposals are constant-tuned before they enter the archive; the raw proposal
and the tuned program are both stored, parent and child."""
import re

import pytest

from chatserver import ChatServer
from redqueen.db import Archive

pytest.importorskip("arenas.corewar.assembler", reason="the Redcode assembler is not in this checkout")
from llm_cli import dwarf_answer, evolve_llm  # noqa: E402


def test_tuned_proposals_are_stored_as_children_of_the_raw_ones_and_fitter(tmp_path):
    db = tmp_path / "tuned.db"
    with ChatServer(lambda body, index: ("ok", dwarf_answer(body))) as server:
        result = evolve_llm(db, server, "--tune", "8", rounds=1, iters=10)
    assert result.returncode == 0, result.stderr
    archive = Archive(db)
    tuned = list(archive.db.query("SELECT * FROM programs WHERE origin = 'tune'"))
    assert tuned
    numbers = re.compile(r"-?\d+")
    for child in tuned:
        raw = archive.program(child["parent_id"])
        assert raw["origin"] in ("new", "mutate") and raw["llm_call_id"] == child["llm_call_id"]
        assert raw["source"] in archive.llm_call(raw["llm_call_id"])["response"]      # the model's own text
        assert numbers.sub("N", raw["source"]) == numbers.sub("N", child["source"])   # only numbers changed
        assert child["source"] != raw["source"]
        [round_row] = archive.rounds(1)
        mine, theirs = archive.evaluation(round_row["id"], child["id"]), archive.evaluation(round_row["id"], raw["id"])
        assert mine is not None and theirs is not None
        assert mine["fitness"] > theirs["fitness"]           # tuning accepts only gains on the round's seeds
        assert mine["iteration"] == theirs["iteration"]
    archive.close()
