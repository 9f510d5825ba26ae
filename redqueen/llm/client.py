"""An OpenAI-compatible chat client for the mutators.

- Requests run concurrently (up to `concurrency`) on one private event loop, so the synchronous
  loop can call `complete_many` and get answers back in request order.
- 429, 5xx, timeouts and dropped connections are retried with exponential backoff and jitter
  (a server's Retry-After is honoured up to the cap); other errors are final.
- Every call is recorded through the store (messages, response, tokens, latency, attempts,
  error, estimated cost), and a request whose key is already in the store with an answer is
  replayed from it without any HTTP call: a resumed or repeated run sees identical completions.
- `preflight()` sends one real request before a run starts, so a wrong endpoint, key or model
  is one line with the server's own message; during a run a `FailureGuard` counts failed
  requests and `raise_if_failing()` stops the run when they keep failing.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import random
import socket
import time
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlparse

from ..stops import RunStopped
from .guard import FailureGuard
from .pricing import estimate_cost

PREFLIGHT = [{"role": "user", "content": "Reply with the single word OK."}]


class LLMStore(Protocol):
    def llm_lookup(self, key: str) -> dict | None: ...
    def llm_record(self, call: dict) -> int: ...


class EndpointUnreachable(RunStopped):
    """The endpoint cannot be reached at all (connection refused, unknown host)."""

    def __init__(self, reason: str):
        super().__init__(reason, "failed")


class EndpointFailing(RunStopped):
    """The endpoint answers, but requests keep failing (see `FailureGuard`), or the pre-flight
    request was refused (wrong key, unknown model)."""

    def __init__(self, reason: str):
        super().__init__(reason, "failed")


@dataclass
class Completion:
    text: str | None
    call_id: int | None
    error: str | None = None
    cached: bool = False
    cost: float = 0.0        # estimated USD of the answer (a replay: what the original call cost)


@dataclass(frozen=True)
class ChatRequest:
    messages: list
    seed: int
    purpose: str = ""


def request_key(model: str, messages: list, temperature: float, seed: int, max_tokens: int | None) -> str:
    """The cache key: everything that determines a completion except where it is served from."""
    payload = json.dumps(dict(model=model, messages=messages, temperature=temperature, seed=seed,
                              max_tokens=max_tokens), sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def check_reachable(base_url: str, timeout: float = 3.0) -> None:
    """Raise EndpointUnreachable unless a TCP connection to the endpoint's host opens."""
    url = urlparse(base_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise EndpointUnreachable(f"{base_url}: not an http(s) URL")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname, port), timeout=timeout):
            pass
    except OSError as error:
        raise EndpointUnreachable(f"cannot reach the language-model endpoint {base_url}: "
                                  f"{error.strerror or error}") from None


class LLMClient:
    def __init__(self, model: str, *, base_url: str | None = None, api_key: str | None = None,
                 temperature: float = 1.0, max_tokens: int | None = None, concurrency: int = 8,
                 timeout: float = 120.0, max_retries: int = 5, backoff: float = 1.0,
                 max_backoff: float = 60.0, store: LLMStore | None = None, run_id: int | None = None,
                 prices: tuple[float, float] | None = None, guard: FailureGuard | None = None,
                 loop: asyncio.AbstractEventLoop | None = None):
        self.model, self.base_url, self.api_key = model, base_url, api_key
        self.temperature, self.max_tokens = temperature, max_tokens
        self.concurrency, self.timeout, self.max_retries = concurrency, timeout, max_retries
        self.backoff, self.max_backoff = backoff, max_backoff
        self.store, self.run_id, self.prices = store, run_id, prices
        self.http_calls = 0
        self.spent = 0.0                  # estimated USD of this client's calls (replays are free)
        self.guard = guard or FailureGuard()
        self.refused: str | None = None   # set when the endpoint refused a connection: the run stops
        self._owns_loop = loop is None          # an ensemble's clients share the first one's loop
        self._thread = None                      # set in background mode (start_background)
        self._own_store = False                  # a store opened for the background thread
        self._loop = loop or asyncio.new_event_loop()
        self._client = None
        self._jitter = random.Random()   # timing only; never touches a run's results

    # ---- public ------------------------------------------------------------------------------
    def complete_many(self, requests: list[ChatRequest]) -> list[Completion]:
        """Answers to all requests, concurrently, in request order; raises EndpointUnreachable or
        EndpointFailing when the endpoint refused connections or requests kept failing."""
        answers = self._loop.run_until_complete(self.gather(requests))
        self.raise_if_failing()
        return answers

    async def gather(self, requests: list[ChatRequest]) -> list[Completion]:
        limit = asyncio.Semaphore(self.concurrency)

        async def one(request):
            async with limit:
                return await self.complete(request)
        return list(await asyncio.gather(*(one(r) for r in requests)))

    def run(self, coroutine):
        """Run a coroutine on the client's event loop (for callers chaining several requests)."""
        if self._thread is not None:
            return self.submit(coroutine).result()
        return self._loop.run_until_complete(coroutine)

    # ---- background mode: requests in flight while the caller evaluates ---------------------
    def start_background(self, store_path=None) -> None:
        """Run the event loop in a thread of its own, so `submit`ted requests progress while the
        caller computes. The store is reopened in that thread from `store_path` (an SQLite
        connection serves one thread); ensemble clients sharing the loop call `use_loop_thread`."""
        import threading
        self._thread = threading.Thread(target=self._loop.run_forever, name="llm-requests", daemon=True)
        self._thread.start()
        if store_path is not None:
            self.store, self._own_store = self.submit(_open_store(store_path)).result(), True

    def use_loop_thread(self, owner: "LLMClient", store_path=None) -> None:
        self._thread = owner._thread
        if store_path is not None:
            self.store, self._own_store = self.submit(_open_store(store_path)).result(), True

    def cancel_pending(self) -> None:
        """End the requests still running on the background loop (batches an interrupted run left)."""
        if self._thread is not None:
            self.submit(_cancel_other_tasks()).result()

    def submit(self, coroutine):
        """Schedule a coroutine on the background loop; a concurrent.futures.Future of its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    async def complete(self, request: ChatRequest) -> Completion:
        key = request_key(self.model, request.messages, self.temperature, request.seed, self.max_tokens)
        hit = self.store.llm_lookup(key) if self.store else None
        if hit is not None:
            call_id = self._record(key, request, response=hit["response"], cached=True,
                                   prompt_tokens=hit["prompt_tokens"], completion_tokens=hit["completion_tokens"],
                                   latency_s=0.0, attempts=0, error=None)
            return Completion(hit["response"], call_id, cached=True, cost=hit["cost_usd"] or 0.0)
        if self.guard.tripped or self.refused:      # the run is stopping: send nothing more
            return Completion(None, None, error=f"not sent: {self.refused or self.guard.tripped}")
        return await self._call_with_retries(key, request)

    def preflight(self) -> None:
        """One real request (not recorded) to check endpoint, key and model before a run; raises
        EndpointUnreachable or EndpointFailing with the server's own message."""
        arguments = dict(model=self.model, messages=PREFLIGHT, temperature=self.temperature, seed=0,
                         timeout=self.timeout)
        if self.max_tokens:
            arguments["max_tokens"] = self.max_tokens
        _, _, error = self.run(self._send(arguments, min(self.max_retries, 2)))
        if error is None:
            return
        where = f"the language-model endpoint {self.base_url or 'of OpenAI'}"
        if _is_refused(error):
            raise EndpointUnreachable(f"cannot reach {where}: {error}")
        raise EndpointFailing(f"{where} refused a check request for model {self.model!r}: {error}")

    def raise_if_failing(self) -> None:
        """Raise EndpointUnreachable once a connection was refused, EndpointFailing once the
        guard has tripped (call after a batch of requests)."""
        if self.refused:
            raise EndpointUnreachable(self.refused)
        if self.guard.tripped:
            raise EndpointFailing(f"{self.guard.tripped} ({self.base_url or 'OpenAI'}, model {self.model})")

    def close(self) -> None:
        if self._thread is not None:       # background mode: close on the loop's thread, then stop it
            if self._owns_loop:
                self.cancel_pending()
            if self._client is not None:
                self.submit(self._client.close()).result()
                self._client = None
            if self._own_store:
                self.submit(_close_store(self.store)).result()
            if self._owns_loop:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join()
            self._thread = None
        elif self._client is not None:
            self._loop.run_until_complete(self._client.close())
            self._client = None
        if self._owns_loop:
            self._loop.close()

    # ---- internals ---------------------------------------------------------------------------
    def _openai(self):
        if self._client is None:
            import httpx
            from openai import AsyncOpenAI, DefaultAsyncHttpxClient
            # Retries are ours (to record attempts and honour our backoff), so the SDK's are off.
            # One connection kept alive per concurrent request (the SDK keeps 100 idle), so when
            # all requests are back (a round's end) the next ones reuse them, not open new ones.
            limits = httpx.Limits(max_connections=max(1000, self.concurrency),
                                  max_keepalive_connections=max(100, self.concurrency))
            self._client = AsyncOpenAI(api_key=self.api_key, base_url=self.base_url, max_retries=0,
                                       timeout=self.timeout, http_client=DefaultAsyncHttpxClient(limits=limits))
        return self._client

    async def _send(self, arguments: dict, max_retries: int, endpoint: str = "chat"):
        """(response or None, attempts, error or None) of one request with its retries, to the
        chat endpoint or (`endpoint="embeddings"`) the embeddings endpoint."""
        import openai
        attempt, error = 0, None
        while attempt <= max_retries:
            attempt += 1
            try:
                if endpoint == "embeddings":
                    return await self._openai().embeddings.create(**arguments), attempt, None
                self.http_calls += 1
                return await self._openai().chat.completions.create(**arguments), attempt, None
            except (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError) as exc:
                error = _describe(exc)
                if attempt > max_retries:
                    break
                await asyncio.sleep(self._delay(attempt, exc))
            except openai.APIStatusError as exc:       # 4xx other than 429: retrying will not help
                error = _describe(exc)
                break
        return None, attempt, error

    async def _call_with_retries(self, key: str, request: ChatRequest) -> Completion:
        started = time.monotonic()
        response, attempt, error = await self._send(self._arguments(request), self.max_retries)
        self.guard.record(response is None, error)
        if response is not None:
            text = response.choices[0].message.content if response.choices else None
            usage = response.usage
            fields = dict(prompt_tokens=getattr(usage, "prompt_tokens", None),
                          completion_tokens=getattr(usage, "completion_tokens", None))
            cost = estimate_cost(self.model, fields["prompt_tokens"], fields["completion_tokens"], self.prices) or 0.0
            self.spent += cost
            call_id = self._record(key, request, response=text, cached=False, attempts=attempt, error=None,
                                   latency_s=time.monotonic() - started, **fields)
            return Completion(text, call_id, cost=cost)
        call_id = self._record(key, request, response=None, cached=False, attempts=attempt, error=error,
                               prompt_tokens=None, completion_tokens=None, latency_s=time.monotonic() - started)
        if _is_refused(error) and not self.refused:   # in-flight requests finish; nothing new is sent
            self.refused = f"cannot reach the language-model endpoint {self.base_url}: {error}"
        return Completion(None, call_id, error=error)

    def _arguments(self, request: ChatRequest) -> dict:
        arguments = dict(model=self.model, messages=request.messages, temperature=self.temperature,
                         seed=request.seed, timeout=self.timeout)
        if self.max_tokens:
            arguments["max_tokens"] = self.max_tokens
        return arguments

    def _delay(self, attempt: int, exc) -> float:
        """Exponential backoff with full jitter; a Retry-After header sets a floor."""
        delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1)) * self._jitter.uniform(0.5, 1.0)
        retry_after = _retry_after(exc)
        return min(self.max_backoff, max(delay, retry_after)) if retry_after else delay

    def _record(self, key: str, request: ChatRequest, **fields) -> int | None:
        if self.store is None:
            return None
        cost = estimate_cost(self.model, fields["prompt_tokens"], fields["completion_tokens"], self.prices)
        return self.store.llm_record(dict(
            run_id=self.run_id, key=key, model=self.model, base_url=self.base_url, purpose=request.purpose,
            messages=request.messages, cost_usd=None if fields["cached"] else cost, **fields))


async def _open_store(path):
    from ..db import Archive
    return Archive(path)


async def _close_store(store):
    store.close()


async def _cancel_other_tasks():
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _describe(exc) -> str:
    """The error's type, HTTP status and the server's own message when it sent one."""
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    if not status:
        return f"{name}: {exc}"
    body = getattr(exc, "body", None)
    message = body.get("message") if isinstance(body, dict) else body
    message = " ".join(str(message).split())[:300] if message else ""
    return f"{name} (HTTP {status}): {message}" if message else f"{name} (HTTP {status})"


def _is_refused(error: str | None) -> bool:
    return bool(error) and error.startswith("APIConnectionError")


def _retry_after(exc) -> float:
    response = getattr(exc, "response", None)
    try:
        return float(response.headers.get("retry-after", 0)) if response is not None else 0.0
    except (TypeError, ValueError):
        return 0.0
