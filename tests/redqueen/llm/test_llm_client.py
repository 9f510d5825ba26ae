"""The chat client against a real local HTTP server, through the real `openai` package."""
import socket

import pytest

from chatserver import ChatServer, scripted
from redqueen.db import Archive
from redqueen.llm.client import ChatRequest, EndpointUnreachable, LLMClient

MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"}]


@pytest.fixture
def archive(tmp_path):
    archive = Archive(tmp_path / "calls.db")
    yield archive
    archive.close()


def client_for(server, archive, **options):
    settings = dict(api_key="test-key", base_url=server.base_url, store=archive, backoff=0.01,
                    max_backoff=0.05, timeout=5.0, max_retries=3)
    settings.update(options)
    return LLMClient("gpt-4.1-mini", **settings)


def test_answer_is_returned_and_recorded(archive):
    with ChatServer(scripted(("ok", "MOV 0, 1"))) as server:
        client = client_for(server, archive)
        [answer] = client.complete_many([ChatRequest(MESSAGES, seed=7, purpose="new")])
        client.close()
    assert answer.text == "MOV 0, 1" and answer.error is None and not answer.cached
    assert server.requests[0]["seed"] == 7 and server.requests[0]["messages"] == MESSAGES
    call = archive.llm_call(answer.call_id)
    assert call["messages"] == MESSAGES and call["response"] == "MOV 0, 1"
    assert call["prompt_tokens"] == 20 and call["completion_tokens"] == 3
    assert call["attempts"] == 1 and call["latency_s"] > 0 and call["purpose"] == "new"
    assert call["cost_usd"] == pytest.approx((20 * 0.40 + 3 * 1.60) / 1e6)


def test_429_and_500_are_retried_until_an_answer(archive):
    with ChatServer(scripted(("status", 429), ("status", 500), ("status", 503), ("ok", "done"))) as server:
        client = client_for(server, archive)
        [answer] = client.complete_many([ChatRequest(MESSAGES, seed=1)])
        client.close()
    assert answer.text == "done"
    assert len(server.requests) == 4
    assert archive.llm_call(answer.call_id)["attempts"] == 4


def test_retries_run_out_into_a_recorded_error(archive):
    with ChatServer(scripted(("status", 500))) as server:
        client = client_for(server, archive, max_retries=2)
        [answer] = client.complete_many([ChatRequest(MESSAGES, seed=1)])
        client.close()
    assert answer.text is None and "500" in answer.error
    assert len(server.requests) == 3
    call = archive.llm_call(answer.call_id)
    assert call["error"] == answer.error and call["response"] is None and call["attempts"] == 3


def test_client_errors_other_than_429_are_not_retried(archive):
    with ChatServer(scripted(("status", 400), ("ok", "never"))) as server:
        client = client_for(server, archive)
        [answer] = client.complete_many([ChatRequest(MESSAGES, seed=1)])
        client.close()
    assert answer.text is None and "400" in answer.error
    assert len(server.requests) == 1


def test_a_slow_answer_times_out_and_is_retried(archive):
    with ChatServer(scripted(("slow", 3.0, "too late"), ("ok", "in time"))) as server:
        client = client_for(server, archive, timeout=0.5)
        [answer] = client.complete_many([ChatRequest(MESSAGES, seed=1)])
        client.close()
    assert answer.text == "in time"
    assert len(server.requests) == 2


def test_cache_replays_without_any_http_call(tmp_path):
    requests = [ChatRequest(MESSAGES + [{"role": "user", "content": f"n{i}"}], seed=i) for i in range(5)]
    echo = lambda body, index: ("ok", f"answer to {body['messages'][-1]['content']} seed {body['seed']}")
    path = tmp_path / "cache.db"
    with ChatServer(echo) as server:
        first_archive = Archive(path)
        client = client_for(server, first_archive)
        first = client.complete_many(requests)
        client.close()
        first_archive.close()
        calls_after_first = len(server.requests)

        second_archive = Archive(path)       # a new process would open the file the same way
        client = client_for(server, second_archive)
        second = client.complete_many(requests)
        client.close()
    assert calls_after_first == 5 and len(server.requests) == 5 and client.http_calls == 0
    assert [a.text for a in second] == [a.text for a in first]
    assert all(a.cached for a in second)
    replayed = second_archive.llm_call(second[0].call_id)
    assert replayed["cached"] == 1 and replayed["attempts"] == 0
    second_archive.close()


def test_a_different_seed_is_a_different_request(archive):
    echo = lambda body, index: ("ok", f"seed {body['seed']}")
    with ChatServer(echo) as server:
        client = client_for(server, archive)
        answers = client.complete_many([ChatRequest(MESSAGES, seed=1), ChatRequest(MESSAGES, seed=2)])
        client.close()
    assert [a.text for a in answers] == ["seed 1", "seed 2"] and len(server.requests) == 2


def test_requests_run_concurrently_up_to_the_limit(archive):
    slow = lambda body, index: ("slow", 0.3, f"seed {body['seed']}")
    with ChatServer(slow) as server:
        client = client_for(server, archive, concurrency=3)
        answers = client.complete_many([ChatRequest(MESSAGES, seed=i) for i in range(9)])
        client.close()
    assert [a.text for a in answers] == [f"seed {i}" for i in range(9)]     # request order kept
    assert server.max_in_flight == 3


def test_a_closed_port_is_an_unreachable_endpoint(archive):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = LLMClient("m", api_key="k", base_url=f"http://127.0.0.1:{port}/v1", store=archive,
                       backoff=0.01, max_backoff=0.02, max_retries=1)
    with pytest.raises(EndpointUnreachable):
        client.complete_many([ChatRequest(MESSAGES, seed=1)])
    client.close()
