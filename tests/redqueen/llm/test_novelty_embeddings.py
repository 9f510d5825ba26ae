"""`--novelty-embeddings MODEL`: the novelty filter's similarity as the cosine of embeddings from a
real local /v1/embeddings endpoint, through the `openai` client, cached in the archive."""
import dataclasses
import hashlib
import re

import numpy as np
import pytest

from chatserver import ChatServer
from llm_cli import evolve_llm
from redqueen.db import Archive
from redqueen.llm.client import EndpointFailing
from redqueen.loop import ConfigError, RedQueen
from redqueen.mutators import build_mutator
from tiny_llm import hand, play, resume, start, tiny_config
from tinygame import TinyArena

MODEL = "hashed-embed"
REJECTED = re.compile(rf"near-duplicate of program (\d+) \(similarity ([\d.-]+) >= 0.8, embeddings {MODEL}\)")


def vector(text: str) -> np.ndarray:
    """Deterministic embedding: counts of the text's word trigrams hashed into 64 dimensions."""
    words = text.lower().split()
    grams = [tuple(words[i:i + 3]) for i in range(len(words) - 2)] or [tuple(words)]
    counts = np.zeros(64)
    for gram in grams:
        counts[int(hashlib.sha256(" ".join(gram).encode()).hexdigest(), 16) % 64] += 1
    return counts


def cosine(a: str, b: str) -> float:
    x, y = vector(a), vector(b)
    return float(x @ y / np.linalg.norm(x) / np.linalg.norm(y))


def embeddings(body, index):
    return ("ok", vector(body["input"]).tolist())


def near_or_new(body, index):
    """A mutation is the parent with one throw added or changed (a near-duplicate) for even seeds,
    a fresh sequence for odd ones; a new program is a fresh sequence."""
    seed = body.get("seed", 0)
    parent = re.search(r"```rps\n(.*?)```", body["messages"][-1]["content"], re.S)
    if parent is None or seed % 2:
        return ("ok", f"```rps\n{hand(seed)}\n```")
    throws = parent.group(1).split()
    throws = throws + ["R"] if len(throws) < 12 else throws[:-1] + ["PRS"["RPS".index(throws[-1].upper())]]
    return ("ok", "```rps\n" + " ".join(throws) + "\n```")


def config(server, **options):
    return tiny_config(None, rounds=2, iters=24, novelty_threshold=0.8, novelty_embeddings=MODEL,
                       llm=dict(base_url=server.base_url), **options)


def outcome(archive):
    return ([c["digest"] for c in archive.champions(1)],
            [(f["iteration"], f["error"]) for f in archive.failures(1) if f["stage"] == "novelty"])


def test_near_duplicates_by_embedding_are_rejected_and_different_ones_evaluated(tmp_path):
    archive = Archive(tmp_path / "embed.db")
    with ChatServer(near_or_new, embeddings=embeddings) as server:
        play(start(archive, config(server)))
    assert archive.run(1)["status"] == "finished"
    rejected = [f for f in archive.failures(1) if f["stage"] == "novelty"]
    assert rejected
    for failure in rejected:
        program_id, similarity = REJECTED.fullmatch(failure["error"]).groups()
        elite = archive.program(int(program_id))
        assert cosine(failure["source"], elite["source"]) == pytest.approx(float(similarity), abs=0.01)
        assert float(similarity) >= 0.8
    evaluated = archive.db.execute("SELECT count(*) FROM evaluations JOIN programs ON programs.id = program_id "
                                   "WHERE programs.origin = 'mutate'").fetchone()[0]
    assert evaluated > 0                                        # different mutations went on to be evaluated
    inputs = [body["input"] for body in server.embedding_requests[1:]]     # the first is the check request
    assert inputs and len(set(inputs)) == len(inputs)           # each normalised program asked for once
    assert all(body["model"] == MODEL for body in server.embedding_requests)
    stored = [c for c in archive.llm_calls(1) if c["purpose"] == "embedding"]
    assert sorted(c["messages"][0]["content"] for c in stored) == sorted(inputs)
    archive.close()


def test_a_resumed_run_reuses_stored_embeddings_and_ends_as_an_uninterrupted_one(tmp_path):
    def stop_mid_round(loop, state):
        if state.number == 1 and state.iterations >= 8:
            raise KeyboardInterrupt

    results, asked = [], []
    for name, on_step in (("whole", None), ("stopped", stop_mid_round)):
        archive = Archive(tmp_path / f"{name}.db")
        with ChatServer(near_or_new, embeddings=embeddings) as first, \
                ChatServer(near_or_new, embeddings=embeddings) as second:
            try:
                play(start(archive, config(first, pipeline=2), on_step))
            except KeyboardInterrupt:
                play(resume(archive, 1, config(second, pipeline=2)))
            asked.append([b["input"] for server in (first, second) for b in server.embedding_requests[1:]])
        results.append(outcome(archive))
        archive.close()
    assert results[0] == results[1] and results[0][1]
    assert sorted(asked[0]) == sorted(asked[1])        # the resumed run asked for nothing twice


def test_an_embeddings_endpoint_that_dies_stops_the_run_with_one_line_and_resume_finishes_it(tmp_path):
    dead = dict(after=None)

    def dying(body, index):
        if dead["after"] is not None and index >= dead["after"]:
            return ("status", 503, "embedding service down")
        return embeddings(body, index)

    archive = Archive(tmp_path / "dies.db")
    with ChatServer(near_or_new, embeddings=dying) as server:
        dead["after"] = 12
        with pytest.raises(EndpointFailing) as stop:
            play(start(archive, config(server)))
        assert "embeddings endpoint" in str(stop.value) and "embedding service down" in str(stop.value)
        assert "\n" not in str(stop.value)
        run = archive.run(1)
        assert run["status"] == "failed" and "embedding service down" in run["reason"]
        dead["after"] = None
        play(resume(archive, 1))
    assert archive.run(1)["status"] == "finished"
    with ChatServer(near_or_new, embeddings=embeddings) as server:
        whole = Archive(tmp_path / "whole.db")
        play(start(whole, config(server)))
    assert outcome(archive) == outcome(whole)
    archive.close()
    whole.close()


def test_an_endpoint_without_embeddings_is_one_line_before_any_run(tmp_path):
    with ChatServer(near_or_new) as server:          # answers chat, 404 on /v1/embeddings
        result = evolve_llm(tmp_path / "none.db", server, "--novelty-threshold", "0.9",
                            "--novelty-embeddings", "no-such-model")
    assert result.returncode == 1
    message = result.stderr.strip().splitlines()
    assert len(message) == 1 and "embeddings" in message[0] and "no embeddings here" in message[0]
    assert "no-such-model" in message[0]
    if (tmp_path / "none.db").exists():
        assert Archive(tmp_path / "none.db").runs() == []


@pytest.mark.parametrize("options, message", [
    (dict(mutator="builtin", mutator_options={}), "needs a mutator with an endpoint (llm), not builtin"),
    (dict(novelty_threshold=1.0), "needs --novelty-threshold below 1.0")])
def test_embeddings_need_an_llm_mutator_and_an_active_filter(tmp_path, options, message):
    archive = Archive(tmp_path / "refused.db")
    with ChatServer(near_or_new, embeddings=embeddings) as server:
        settings = dataclasses.replace(config(server), **options)
        mutator = build_mutator(settings, TinyArena(), archive, None, "test-key")
        with pytest.raises(ConfigError, match=re.escape(message)):
            RedQueen.start(archive, settings, TinyArena(), mutator, progress=False)
        mutator.close()
    assert archive.runs() == []
    archive.close()
