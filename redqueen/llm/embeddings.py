"""Embeddings of program texts, from the endpoint of a chat client and cached in its store.

Each text is one request to `/v1/embeddings` through the chat client's `openai` client (same
endpoint, key, retries, concurrency limit). Every request is a `llm_calls` row (purpose
`embedding`, the text as the one message, the vector as the response: base64 of float32
little-endian), and a text whose key (model and text) is already stored with an answer is not
sent again: a resumed run, or another run in the same archive, reuses the vectors. A request that
fails after its retries stops the run (`EndpointUnreachable`, `EndpointFailing`: one line with the
server's message); the step it was in is not committed, so `--resume` redoes it.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time

import numpy as np

from .client import EndpointFailing, EndpointUnreachable, LLMClient, _is_refused
from .pricing import estimate_cost

PURPOSE = "embedding"


def embedding_key(model: str, text: str) -> str:
    payload = json.dumps(dict(endpoint="embeddings", model=model, input=text), sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def encode(vector) -> str:
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode()


def decode(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(float)


class Embedder:
    """Vectors of texts from `model` at `client`'s endpoint."""

    def __init__(self, client: LLMClient, model: str):
        self.client, self.model = client, model
        self.requests = 0                 # texts sent to the endpoint (not replayed from the store)

    def preflight(self) -> None:
        """One real request (not recorded) before a run: a wrong model or an endpoint without
        embeddings is one line with the server's message."""
        _, _, error = self.client.run(self.client._send(self._arguments("OK"), min(self.client.max_retries, 2),
                                                        "embeddings"))
        if error is not None:
            raise self._failure(error, "refused a check request")

    def embed(self, texts: list[str]) -> list[np.ndarray]:
        """The vector of each text, in order (stored ones from the store, the others requested
        concurrently)."""
        return self.client.run(self._embed_all(texts))

    async def _embed_all(self, texts):
        limit = asyncio.Semaphore(self.client.concurrency)

        async def one(text):
            async with limit:
                return await self._embed_one(text)
        return list(await asyncio.gather(*(one(t) for t in texts)))

    async def _embed_one(self, text: str) -> np.ndarray:
        store, key = self.client.store, embedding_key(self.model, text)
        hit = store.llm_lookup(key) if store else None
        if hit is not None:
            return decode(hit["response"])
        started = time.monotonic()
        self.requests += 1
        response, attempts, error = await self.client._send(self._arguments(text), self.client.max_retries,
                                                            "embeddings")
        vector = np.asarray(response.data[0].embedding, dtype=float) if response is not None else None
        tokens = getattr(getattr(response, "usage", None), "prompt_tokens", None)
        cost = estimate_cost(self.model, tokens, 0, None) if tokens is not None else None
        self.client.spent += cost or 0.0
        if store is not None:
            store.llm_record(dict(run_id=self.client.run_id, key=key, model=self.model, base_url=self.client.base_url,
                                  purpose=PURPOSE, messages=[{"role": "input", "content": text}],
                                  response=encode(vector) if vector is not None else None, cached=False,
                                  prompt_tokens=tokens, completion_tokens=0 if tokens is not None else None,
                                  latency_s=time.monotonic() - started, attempts=attempts, error=error,
                                  cost_usd=cost))
        if vector is None:
            raise self._failure(error, "failed")
        return vector

    def _arguments(self, text: str) -> dict:
        return dict(model=self.model, input=text, encoding_format="float", timeout=self.client.timeout)

    def _failure(self, error: str, what: str):
        where = f"the embeddings endpoint {self.client.base_url or 'of OpenAI'}"
        if _is_refused(error):
            return EndpointUnreachable(f"cannot reach {where}: {error}")
        return EndpointFailing(f"{where} {what} for model {self.model!r}: {error}")
