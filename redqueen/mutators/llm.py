"""The language-model mutator: the arena's prompts, sent to OpenAI-compatible endpoints.

Each ask becomes one conversation: the arena's system prompt, then its *new* or *mutate*
prompt. The program is extracted from the answer and parsed; if it does not parse, the
parser's error goes back once with the *repair* prompt. Whatever the model answers (prose,
several blocks, no code, broken code) ends as a Proposal: a source, or a recorded failure.

With several models (an ensemble, one client each) a `ModelSelector` picks the model of each
ask, uniformly or by a bandit that follows archive improvements per unit cost; the counts it
learns from (asks, valid programs, improvements, cost per model) are the mutator's `state()`.
"""
from __future__ import annotations

import asyncio

import numpy as np

from ..arena import ProgramError
from ..llm.client import ChatRequest, LLMClient
from ..llm.extract import extract_code
from ..llm.selection import ModelSelector
from .base import Mutator, Proposal


class LLMMutator(Mutator):
    name = "llm"

    def __init__(self, arena, *, model: str | None = None, repair: bool = True, client: LLMClient | None = None,
                 clients: list[LLMClient] | None = None, selection: str = "uniform", prompts: str = "default",
                 **client_options):
        self.arena, self.repair = arena, repair
        self.prompts = arena.prompts() if prompts == "default" else arena.prompts(prompts)
        self.clients = clients or [client or LLMClient(model, **client_options)]
        self.client = self.clients[0]
        self.selector = ModelSelector([c.model for c in self.clients], selection)
        self._limit = None

    pipelined = True       # draw / submit / collect: requests may be in flight across steps

    def embedder(self, model: str):
        """Embeddings from `model` at the first model's endpoint, recorded like its calls."""
        from ..llm.embeddings import Embedder
        return Embedder(self.client, model)

    def attach_run(self, run_id: int) -> None:
        for client in self.clients:
            client.run_id = run_id

    def propose(self, asks, rng: np.random.Generator) -> list[Proposal]:
        return self.collect(self.submit(asks, self.draw(asks, rng)))

    def draw(self, asks, rng: np.random.Generator) -> dict:
        """What the asks' requests take from the run's random stream, drawn now, a fixed amount
        per ask (so rng use never depends on answers): a seed each, and the model each goes to."""
        seeds = [int(s) for s in rng.integers(0, 2**31 - 1, size=len(asks))]
        return dict(seeds=seeds, models=self.selector.choose(len(asks), rng))

    def submit(self, asks, drawn: dict):
        """Start the asks' requests; a Future of their results. In background mode (`start_background`)
        they run while the caller goes on; otherwise they are answered before this returns."""
        coroutine = self._propose_all(asks, drawn["seeds"], drawn["models"])
        if self.client._thread is not None:
            return self.client.submit(coroutine)
        from concurrent.futures import Future
        future = Future()
        future.set_result(self.client.run(coroutine))
        return future

    def collect(self, future) -> list[Proposal]:
        """The proposals of a submitted batch, counted for the ensemble here, in ask order (so the
        bandit's counts never depend on when answers arrived)."""
        results = future.result()
        for client in self.clients:
            client.raise_if_failing()
        for proposal, valid, cost in results:
            self.selector.record(proposal.operator, asks=1, valid=int(valid), cost_usd=cost)
        return [proposal for proposal, _, _ in results]

    def start_background(self, store_path) -> None:
        """Requests run on a thread of their own from now on (each client recording through its own
        connection to the archive at `store_path`)."""
        self.client.start_background(store_path)
        for client in self.clients[1:]:
            client.use_loop_thread(self.client, store_path)

    async def _propose_all(self, asks, seeds, models) -> list:
        # One limit for every batch in flight: at most `concurrency` requests at once in all.
        if self._limit is None:
            self._limit = asyncio.Semaphore(max(c.concurrency for c in self.clients))
        limit = self._limit

        async def one(ask, seed, model):
            async with limit:
                return await self._propose_one(ask, seed, self.clients[model])
        return list(await asyncio.gather(*(one(a, s, m) for a, s, m in zip(asks, seeds, models))))

    def messages_for(self, ask) -> list[dict]:
        if ask.kind == "new":
            user = self.prompts.new.format()
        else:
            user = self.prompts.mutate.format(parent=ask.parent.program.source, feedback=ask.feedback or "")
        return [{"role": "system", "content": self.prompts.system}, {"role": "user", "content": user}]

    async def _propose_one(self, ask, seed: int, client: LLMClient) -> tuple[Proposal, bool, float]:
        proposal, cost, valid = await self._answer(ask, seed, client)
        proposal.operator = client.model
        return proposal, valid, cost

    async def _answer(self, ask, seed: int, client: LLMClient) -> tuple[Proposal, float, bool]:
        """The proposal, its cost and whether its source parses (each source is parsed once here)."""
        origin = "new" if ask.kind == "new" else "mutate"
        messages = self.messages_for(ask)
        answer = await client.complete(ChatRequest(messages, seed, purpose=origin))
        if answer.text is None:
            return (Proposal(None, origin, answer.call_id, answer.error or "empty answer", "request"), answer.cost,
                    False)
        source = extract_code(answer.text, self.prompts.code_fence)
        if source is None:
            return Proposal(None, origin, answer.call_id, "no program in the answer", "extract",
                            answer.text), answer.cost, False
        error = self._parse_error(source)
        if error is None or not self.repair:
            return Proposal(source, origin, answer.call_id, response=answer.text), answer.cost, error is None
        proposal, cost, valid = await self._repaired(messages, answer, source, error, seed, origin, client)
        return proposal, answer.cost + cost, valid

    async def _repaired(self, messages, answer, source, error, seed, origin, client) -> tuple[Proposal, float, bool]:
        """Send the parser's complaint back once; the repaired answer stands or falls on its own."""
        conversation = messages + [
            {"role": "assistant", "content": answer.text},
            {"role": "user", "content": self.prompts.repair.format(program=source, error=error)}]
        repaired = await client.complete(ChatRequest(conversation, seed + 1, purpose="repair"))
        if repaired.text is None:       # keep the broken first answer: the loop records its error
            return Proposal(source, origin, answer.call_id, response=answer.text), repaired.cost, False
        fixed = extract_code(repaired.text, self.prompts.code_fence)
        if fixed is None:
            return Proposal(None, origin, repaired.call_id, "no program in the repair answer", "extract",
                            repaired.text), repaired.cost, False
        return (Proposal(fixed, origin, repaired.call_id, response=repaired.text), repaired.cost,
                self._parse_error(fixed) is None)

    def _parse_error(self, source: str) -> str | None:
        try:
            self.arena.parse(source, origin="candidate")
        except ProgramError as error:
            return str(error)
        except Exception as error:      # a parser bug must not stop a run; the loop records it
            return f"the parser failed: {type(error).__name__}: {error}"
        return None

    # ---- what the ensemble learned -----------------------------------------------------------
    def tell(self, credits) -> None:
        for model, entered in credits:
            if model in self.selector.counts and entered:
                self.selector.record(model, improvements=1)

    def state(self) -> dict:
        return {"models": self.selector.state()}

    def restore(self, state) -> None:
        self.selector.restore((state or {}).get("models"))

    def usage(self) -> dict:
        """Per model: asks, valid programs, improvements and estimated cost so far in the run."""
        return self.selector.state()

    def cost(self) -> float:
        return sum(c.spent for c in self.clients)

    def close(self) -> None:
        self.client.cancel_pending()
        for client in reversed(self.clients):       # the first owns the event loop: closed last
            client.close()
