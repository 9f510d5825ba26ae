"""The language-model mutator and the loop driven by it, against the local chat server."""
import hashlib

import numpy as np
import pytest

from chatserver import ChatServer, scripted
from redqueen.db import Archive
from redqueen.llm.client import LLMClient
from redqueen.loop import RedQueen, RunConfig
from redqueen.map_elites import Ask, Elite
from redqueen.mutators.llm import LLMMutator
from tinygame import TinyArena


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "llm.db")
    yield archive
    archive.close()


def mutator_for(server, archive, **options):
    client = LLMClient("test-model", api_key="k", base_url=server.base_url, store=archive, backoff=0.01,
                       max_backoff=0.02, max_retries=1, timeout=5.0)
    return LLMMutator(TinyArena(), model="test-model", client=client, **options)


def propose(server, archive, asks):
    mutator = mutator_for(server, archive)
    try:
        return mutator.propose(asks, np.random.default_rng(0))
    finally:
        mutator.close()


def test_code_is_found_in_prose(archive):
    with ChatServer(scripted(("ok", "Sure! Here is one:\n```rps\nR P S\n```\nGood luck."))) as server:
        [proposal] = propose(server, archive, [Ask("new")])
    assert proposal.source == "R P S\n" and proposal.origin == "new" and proposal.error is None
    assert archive.llm_call(proposal.llm_call_id)["response"].startswith("Sure!")


def test_the_last_block_in_the_arena_language_wins(archive):
    answer = "Old:\n```\nX X\n```\nBetter:\n```rps\nP P\n```\nBest:\n```RPS\nS S\n```\n```text\nnotes\n```"
    with ChatServer(scripted(("ok", answer))) as server:
        [proposal] = propose(server, archive, [Ask("new")])
    assert proposal.source == "S S\n"


def test_an_empty_answer_is_an_extract_failure(archive):
    with ChatServer(scripted(("ok", "   \n"))) as server:
        [proposal] = propose(server, archive, [Ask("new")])
    assert proposal.source is None and proposal.stage == "extract"


def test_broken_code_goes_back_once_with_the_parser_error(archive):
    with ChatServer(scripted(("ok", "```rps\nR Q S\n```"), ("ok", "Fixed:\n```rps\nR P S\n```"))) as server:
        [proposal] = propose(server, archive, [Ask("new")])
    assert len(server.requests) == 2
    repair = server.requests[1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": "```rps\nR Q S\n```"}
    assert "unknown throw 'Q'" in repair[-1]["content"] and "R Q S" in repair[-1]["content"]
    assert proposal.source == "R P S\n"
    assert archive.llm_call(proposal.llm_call_id)["purpose"] == "repair"


def test_broken_twice_stays_broken_for_the_loop_to_record(archive):
    with ChatServer(scripted(("ok", "```rps\nR Q\n```"), ("ok", "```rps\nstill Q\n```"))) as server:
        [proposal] = propose(server, archive, [Ask("new")])
    assert len(server.requests) == 2 and proposal.source == "still Q\n"


def test_a_mutation_prompt_carries_the_parent_and_feedback(archive):
    parent = Elite(1, TinyArena().parse("P R S S"), None, (0, 0))
    with ChatServer(scripted(("ok", "```rps\nP\n```"))) as server:
        propose(server, archive, [Ask("mutate", parent=parent, feedback="It loses to hand-R.")])
    prompt = server.requests[0]["messages"][-1]["content"]
    assert "P R S S" in prompt and "It loses to hand-R." in prompt


def junk_by_seed(body, index):
    """A deterministic model with every kind of bad habit, chosen by the request's seed."""
    if "invalid" in body["messages"][-1]["content"]:          # a repair request
        return ("ok", "```rps\nR P\n```")
    seed = body["seed"]
    throws = " ".join("RPS"[int(c, 16) % 3] for c in hashlib.sha256(str(seed).encode()).hexdigest()[:1 + seed % 7])
    kind = seed % 5
    return [("ok", f"```rps\n{throws}\n```"),
            ("ok", f"Here you go, a fine hand.\n```rps\n{throws}\n```\nIt should win."),
            ("ok", "I would rather talk about chess."),
            ("ok", "```rps\nR P Z\n```"),
            ("ok", "")][kind]


def run_tiny(archive, server, seed=5, feedback=False):
    arena = TinyArena()
    config = RunConfig(arena="tiny", rounds=2, iters=12, seeds=3, n_init=4, batch=4, seed=seed,
                       mutator="llm", feedback=feedback)
    mutator = mutator_for(server, archive)
    loop = RedQueen.start(archive, config, arena, mutator, progress=False)
    mutator.client.run_id = loop.run_id
    try:
        return loop.run()
    finally:
        mutator.close()


def test_a_run_on_junk_answers_counts_failures_and_replays_from_cache(tmp_path):
    path = tmp_path / "run.db"
    with ChatServer(junk_by_seed) as server:
        archive = Archive(path)
        first = run_tiny(archive, server)
        requests_made = len(server.requests)
        rounds = archive.rounds(first)
        assert [r["status"] for r in rounds] == ["finished", "finished"]
        failures = archive.failures(first)
        assert sum(r["stats"]["failures"] for r in rounds) == len(failures) > 0
        assert {f["stage"] for f in failures} <= {"extract", "parse", "request"}
        calls = archive.llm_calls(first)
        assert len(calls) == requests_made and all(c["cached"] == 0 for c in calls)
        for program in archive.db["programs"].rows_where("run_id = ? AND origin != 'initial'", [first]):
            assert program["source"].strip() in archive.llm_call(program["llm_call_id"])["response"]

        second = run_tiny(archive, server)            # same seed, same answers: all from the cache
        assert len(server.requests) == requests_made
        assert all(c["cached"] == 1 for c in archive.llm_calls(second))
        digests = lambda run: [c["digest"] for c in archive.champions(run)]
        assert digests(second) == digests(first)
        archive.close()


def test_feedback_puts_fitness_into_mutation_prompts(archive):
    with ChatServer(junk_by_seed) as server:
        run_tiny(archive, server, feedback=True)
    mutations = [r for r in server.requests if "Improve this sequence" in r["messages"][-1]["content"]]
    assert mutations and all("scored fitness" in r["messages"][-1]["content"] for r in mutations)
