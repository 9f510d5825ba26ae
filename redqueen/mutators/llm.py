"""The language-model mutator: the arena's prompts, sent to an OpenAI-compatible endpoint.

Each ask becomes one conversation: the arena's system prompt, then its *new* or *mutate*
prompt. The program is extracted from the answer and parsed; if it does not parse, the
parser's error goes back once with the *repair* prompt. Whatever the model answers (prose,
several blocks, no code, broken code) ends as a Proposal: a source, or a recorded failure.
"""
from __future__ import annotations

import asyncio

import numpy as np

from ..arena import ProgramError
from ..llm.client import ChatRequest, LLMClient
from ..llm.extract import extract_code
from .base import Mutator, Proposal


class LLMMutator(Mutator):
    name = "llm"

    def __init__(self, arena, *, model: str, repair: bool = True, client: LLMClient | None = None,
                 **client_options):
        self.arena, self.repair = arena, repair
        self.prompts = arena.prompts()
        self.client = client or LLMClient(model, **client_options)

    def attach_run(self, run_id: int) -> None:
        self.client.run_id = run_id

    def propose(self, asks, rng: np.random.Generator) -> list[Proposal]:
        # Seeds are drawn up front, a fixed number per ask, so rng use never depends on answers.
        seeds = [int(s) for s in rng.integers(0, 2**31 - 1, size=len(asks))]
        return self.client.run(self._propose_all(asks, seeds))

    async def _propose_all(self, asks, seeds) -> list[Proposal]:
        limit = asyncio.Semaphore(self.client.concurrency)

        async def one(ask, seed):
            async with limit:
                return await self._propose_one(ask, seed)
        return list(await asyncio.gather(*(one(a, s) for a, s in zip(asks, seeds))))

    def messages_for(self, ask) -> list[dict]:
        if ask.kind == "new":
            user = self.prompts.new.format()
        else:
            user = self.prompts.mutate.format(parent=ask.parent.program.source, feedback=ask.feedback or "")
        return [{"role": "system", "content": self.prompts.system}, {"role": "user", "content": user}]

    async def _propose_one(self, ask, seed: int) -> Proposal:
        origin = "new" if ask.kind == "new" else "mutate"
        messages = self.messages_for(ask)
        answer = await self.client.complete(ChatRequest(messages, seed, purpose=origin))
        if answer.text is None:
            return Proposal(None, origin, answer.call_id, answer.error or "empty answer", "request")
        source = extract_code(answer.text, self.prompts.code_fence)
        if source is None:
            return Proposal(None, origin, answer.call_id, "no program in the answer", "extract", answer.text)
        error = self._parse_error(source)
        if error is None or not self.repair:
            return Proposal(source, origin, answer.call_id, response=answer.text)
        return await self._repaired(messages, answer, source, error, seed, origin)

    async def _repaired(self, messages, answer, source, error, seed, origin) -> Proposal:
        """Send the parser's complaint back once; the repaired answer stands or falls on its own."""
        conversation = messages + [
            {"role": "assistant", "content": answer.text},
            {"role": "user", "content": self.prompts.repair.format(program=source, error=error)}]
        repaired = await self.client.complete(ChatRequest(conversation, seed + 1, purpose="repair"))
        if repaired.text is None:       # keep the broken first answer: the loop records its error
            return Proposal(source, origin, answer.call_id, response=answer.text)
        fixed = extract_code(repaired.text, self.prompts.code_fence)
        if fixed is None:
            return Proposal(None, origin, repaired.call_id, "no program in the repair answer", "extract",
                            repaired.text)
        return Proposal(fixed, origin, repaired.call_id, response=repaired.text)

    def _parse_error(self, source: str) -> str | None:
        try:
            self.arena.parse(source, origin="candidate")
        except ProgramError as error:
            return str(error)
        except Exception as error:      # a parser bug must not stop a run; the loop records it
            return f"the parser failed: {type(error).__name__}: {error}"
        return None

    def close(self) -> None:
        self.client.close()
