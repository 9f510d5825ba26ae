"""Sparse against dense feedback in real Red Queen runs of Gathering, with the LLM mutator talking
to the local chat server: only dense mutation prompts carry the parent's social metrics, and each
run's configuration records which feedback it had."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "redqueen" / "llm"))

from chatserver import ChatServer  # noqa: E402

from redqueen.db import Archive  # noqa: E402
from redqueen.llm.client import LLMClient  # noqa: E402
from redqueen.loop import RedQueen, RunConfig  # noqa: E402
from redqueen.mutators.llm import LLMMutator  # noqa: E402

from arenas.gathering.arena import GatheringArena  # noqa: E402

POLICY = '''```python
def policy(grid, positions, orientations, timeouts, me, step):
    row = positions[me, 0]
    col = positions[me, 1]
    if (step + me) % {k} == 0:
        return 7
    for r in range(grid.shape[0]):
        for c in range(grid.shape[1]):
            if grid[r, c] == 2:
                if r < row:
                    return 0
                if r > row:
                    return 2
                if c > col:
                    return 1
                return 3
    return 4
```'''


def answer(body, index):
    """A valid policy, different for every request (so no candidate is a duplicate)."""
    return ("ok", POLICY.format(k=3 + index))


@pytest.mark.slow
def test_dense_prompts_carry_the_metrics_and_sparse_ones_do_not(tmp_path):
    prompts, options = {}, {}
    for kind in ("sparse", "dense"):
        archive = Archive(tmp_path / f"{kind}.db")
        settings = {"map": "small", "agents": 4, "steps": 40, "workers": 1, "feedback": kind}
        arena = GatheringArena(progress=False, **settings)
        config = RunConfig(arena="gathering", arena_options=settings, rounds=2, iters=4, seeds=2, n_init=2,
                           batch=2, p_new=0.0, mutator="llm", feedback=True, fitness="focal")
        with ChatServer(answer) as server:
            client = LLMClient("test-model", api_key="k", base_url=server.base_url, store=archive, backoff=0.01,
                               max_backoff=0.02, max_retries=1, timeout=10.0)
            mutator = LLMMutator(arena, model="test-model", client=client)
            loop = RedQueen.start(archive, config, arena, mutator, progress=False)
            mutator.client.run_id = loop.run_id
            try:
                run_id = loop.run()
            finally:
                mutator.close()
                arena.close()
        prompts[kind] = [r["messages"][-1]["content"] for r in server.requests
                         if "Here is an existing policy" in r["messages"][-1]["content"]]
        options[kind] = archive.run(run_id)["config"]["arena_options"]["feedback"]
        archive.close()
    assert prompts["sparse"] and prompts["dense"]
    assert all("scored fitness" in p and "Social metrics" not in p for p in prompts["sparse"])
    assert all("Social metrics" in p and "efficiency" in p and "peace" in p for p in prompts["dense"])
    assert options == {"sparse": "sparse", "dense": "dense"}
