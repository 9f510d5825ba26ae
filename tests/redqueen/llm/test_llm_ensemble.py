"""Model ensembles: each model at its own endpoint (NAME@BASE_URL), chosen per ask uniformly or
by the bandit; per-model figures in the archive; the bandit's counts survive a resume."""
import json

import pytest

from chatserver import ChatServer
from redqueen.db import Archive
from redqueen.llm.client import PREFLIGHT
from redqueen.loop import RunConfig
from loop_helpers import redqueen
from tiny_llm import good, play, resume, start, tiny_config

JUNK = lambda body, index: ("ok", "")          # an empty answer every time: never a program


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "ensemble.db")
    yield archive
    archive.close()


def ensemble(useful, junk, selection):
    return dict(models=[f"useful@{useful.base_url}", f"junk@{junk.base_url}"], selection=selection,
                base_url=None)


def test_the_bandit_asks_a_useful_model_at_least_twice_as_often_as_a_junk_one(archive):
    with ChatServer(good) as useful, ChatServer(JUNK) as junk:
        config = tiny_config(None, rounds=1, iters=40, llm=ensemble(useful, junk, "bandit"))
        loop = start(archive, config)
        play(loop)
        first = {row["model"]: dict(row) for row in archive.model_usage(loop.run_id)}
        # Extend to a second round: the counts carry on from the archive, not from zero.
        config = RunConfig.from_json(archive.run(loop.run_id)["config"])
        config.rounds = 2
        play(resume(archive, loop.run_id, config))
        asked = lambda server: sum(r["messages"] != PREFLIGHT for r in server.requests)   # not the checks
        requests = {"useful": asked(useful), "junk": asked(junk)}
    usage = {row["model"]: row for row in archive.model_usage(loop.run_id)}
    assert usage["useful"]["asks"] >= 2 * usage["junk"]["asks"] > 0
    assert requests["useful"] >= 2 * requests["junk"]
    assert usage["useful"]["requests"] == requests["useful"] and usage["junk"]["requests"] == requests["junk"]
    assert usage["junk"]["valid"] == usage["junk"]["improvements"] == 0
    assert usage["useful"]["valid"] == usage["useful"]["asks"] and usage["useful"]["improvements"] > 0
    rounds = archive.rounds(loop.run_id)
    assert sum(row["asks"] for row in usage.values()) == sum(r["stats"]["candidates"] for r in rounds)
    assert all(usage[m]["asks"] > first[m]["asks"] or m == "junk" for m in usage)
    assert rounds[-1]["stats"]["operators"]["models"]["useful"]["asks"] == usage["useful"]["asks"]
    [run] = archive.runs()
    assert {m["model"] for m in run["models"]} == {"useful", "junk"}
    listed = json.loads(redqueen("archive", "calls", "1", "--by-model", "--json", "--db", archive.path).stdout)
    assert {row["model"]: row["asks"] for row in listed} == {m: usage[m]["asks"] for m in usage}
    table = redqueen("archive", "calls", "1", "--by-model", "--db", archive.path).stdout.splitlines()
    assert table[0].split()[:4] == ["model", "asks", "valid", "improvements"] and len(table) == 3


def test_uniform_selection_spreads_asks_over_the_models(archive):
    with ChatServer(good) as useful, ChatServer(JUNK) as junk:
        play(start(archive, tiny_config(None, rounds=1, iters=24, llm=ensemble(useful, junk, "uniform"))))
    usage = {row["model"]: row["asks"] for row in archive.model_usage(1)}
    assert usage["useful"] + usage["junk"] == 28 and min(usage.values()) >= 6


def test_a_bandit_run_interrupted_mid_round_resumes_to_the_same_run(tmp_path):
    """The bandit's counts are committed with each step: a run stopped mid-round resumes to the
    model choices, usage and champions of the run that was never stopped."""
    def stop_in_round_one(loop, state):
        if state.number == 1 and state.iterations >= 8:
            raise KeyboardInterrupt

    results, interrupted = [], []
    for name, on_step in (("whole", None), ("stopped", stop_in_round_one)):
        archive = Archive(tmp_path / f"{name}.db")
        with ChatServer(good) as useful, ChatServer(JUNK) as junk:
            config = tiny_config(None, rounds=2, iters=20, llm=ensemble(useful, junk, "bandit"))
            loop = start(archive, config, on_step)
            try:
                play(loop)
            except KeyboardInterrupt:
                assert archive.run(1)["status"] == "interrupted"
                interrupted.append(name)
                play(resume(archive, 1))
        results.append(([c["digest"] for c in archive.champions(1)],
                        {row["model"]: (row["asks"], row["valid"], row["improvements"])
                         for row in archive.model_usage(1)}))
        archive.close()
    assert interrupted == ["stopped"] and results[0] == results[1]
