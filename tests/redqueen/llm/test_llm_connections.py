"""Connections: one kept alive per concurrent request, so when every request of a run above the
SDK's keep-alive pool (100) has come back (the end of a round), the next requests reuse them
instead of opening new ones."""
from chatserver import ChatServer, scripted
from redqueen.llm.client import ChatRequest, LLMClient

MESSAGES = [{"role": "user", "content": "hello"}]


def test_each_concurrent_request_keeps_its_connection_between_waves():
    concurrency = 120
    with ChatServer(scripted(("slow", 0.2, "MOV 0, 1")), keep_alive=True) as server:
        client = LLMClient("stand-in", api_key="test-key", base_url=server.base_url, concurrency=concurrency,
                           timeout=30.0)
        waves = [client.complete_many([ChatRequest(MESSAGES, seed=wave * concurrency + s) for s in range(concurrency)])
                 for wave in range(2)]                 # all idle in between, like a round's end
        client.close()
    assert all(a.text == "MOV 0, 1" for wave in waves for a in wave)
    assert 100 < server.max_in_flight <= concurrency
    assert len(server.connections) <= concurrency      # the second wave reused the first wave's
