"""A run stops when its endpoint dies (status `failed`) or its cost cap is reached (status
`stopped`), stores why, and resumes: after the endpoint is back, or with a higher cap."""
import pytest

from chatserver import ChatServer
from redqueen.db import Archive
from redqueen.loop import RunConfig
from redqueen.stops import RunStopped
from tiny_llm import good, play, resume, start, tiny_config


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "limits.db")
    yield archive
    archive.close()


def test_a_server_that_dies_mid_run_fails_the_run_and_it_resumes_elsewhere(archive):
    def dies(body, index):
        if index == 20:
            server.stop()
        return good(body, index)
    with ChatServer(dies) as server:
        loop = start(archive, tiny_config(server.base_url))
        with pytest.raises(RunStopped) as stopped:
            play(loop)
    run = archive.run(loop.run_id)
    assert run["status"] == "failed" and "cannot reach the language-model endpoint" in run["reason"]
    assert stopped.value.reason == run["reason"]
    with ChatServer(good) as server:             # the endpoint is back, on another port
        config = RunConfig.from_json(run["config"])
        config.mutator_options["base_url"] = server.base_url
        play(resume(archive, loop.run_id, config))
    assert archive.run(loop.run_id)["status"] == "finished"
    assert len(archive.champions(loop.run_id)) == 2


def test_the_cost_cap_stops_the_run_and_a_higher_cap_resumes_it(archive):
    # $1 per token: a call costs what its tokens count (prompt 10 per message, answer words).
    pricey = dict(prices=[1e6, 1e6])
    with ChatServer(good) as server:
        loop = start(archive, tiny_config(server.base_url, max_cost=400.0, llm=pricey))
        with pytest.raises(RunStopped) as stopped:
            play(loop)
        run = archive.run(loop.run_id)
        assert run["status"] == "stopped" and run["reason"].startswith("cost cap")
        assert stopped.value.status == "stopped"
        calls = archive.llm_calls(loop.run_id)
        costs = [c["cost_usd"] for c in calls]
        spent = sum(costs)
        assert spent == pytest.approx(sum(c["prompt_tokens"] + c["completion_tokens"] for c in calls))
        # Stopped at the first step boundary past the cap: at most one batch (4 asks, each with
        # at most a repair) beyond it.
        assert 400.0 <= spent < 400.0 + 8 * max(costs)
        rounds = archive.rounds(loop.run_id)
        assert sum(r["stats"].get("cost_usd", 0) for r in rounds) == pytest.approx(spent)

        config = RunConfig.from_json(run["config"])
        config.max_cost = 100000.0
        play(resume(archive, loop.run_id, config))
    assert archive.run(loop.run_id)["status"] == "finished"
    rounds = archive.rounds(loop.run_id)
    assert sum(r["stats"].get("cost_usd", 0) for r in rounds) == pytest.approx(archive.run_cost(loop.run_id))
    assert all(r["stats"]["cost_usd"] > 0 for r in rounds)


def test_a_pipelined_run_fails_when_requests_keep_failing(archive):
    def breaks(body, index):
        return good(body, index) if index < 16 else ("status", 500, "backend gone")
    with ChatServer(breaks) as server:
        config = tiny_config(server.base_url, pipeline=3, llm=dict(max_consecutive_failures=5, concurrency=8))
        loop = start(archive, config)
        with pytest.raises(RunStopped):
            play(loop)
    run = archive.run(loop.run_id)
    assert run["status"] == "failed" and "failed in a row" in run["reason"] and "backend gone" in run["reason"]
