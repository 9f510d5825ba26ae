"""In-process runs of the loop on the tiny rock-paper-scissors arena with language-model mutators
built as the command line builds them (`build_mutator`), against local chat servers."""
import hashlib

from redqueen.loop import RedQueen, RunConfig
from redqueen.mutators import build_mutator
from tinygame import TinyArena


def hand(seed: int) -> str:
    """A valid throw sequence that follows the request's seed."""
    digest = hashlib.sha256(str(seed).encode()).hexdigest()
    return " ".join("RPS"[int(c, 16) % 3] for c in digest[:1 + seed % 9])


def good(body, index):
    return ("ok", f"```rps\n{hand(body.get('seed', 0))}\n```")


def tiny_config(server_url, rounds=2, iters=12, **options) -> RunConfig:
    llm = dict(model="gpt-4.1-mini", base_url=server_url, max_retries=0, timeout=5.0, concurrency=4)
    llm.update(options.pop("llm", {}))
    return RunConfig(arena="tiny", rounds=rounds, iters=iters, seeds=3, n_init=4, batch=4, seed=7,
                     mutator="llm", mutator_options=llm, **options)


def start(archive, config, on_step=None):
    mutator = build_mutator(config, TinyArena(), archive, None, "test-key", preflight=True)
    loop = RedQueen.start(archive, config, TinyArena(), mutator, progress=False, on_step=on_step)
    for client in mutator.clients:
        client.run_id = loop.run_id
    return loop


def resume(archive, run_id, config=None):
    """Resume `run_id`, with `config` (changed options) stored first as the command line does."""
    if config is None:
        config = RunConfig.from_json(archive.run(run_id)["config"])
    else:
        archive.update_run_config(run_id, config.to_json(), config.rounds)
    mutator = build_mutator(config, TinyArena(), archive, run_id, "test-key", preflight=True)
    return RedQueen.resume(archive, run_id, TinyArena(), mutator, progress=False)


def play(loop):
    try:
        return loop.run()
    finally:
        loop.mutator.close()
