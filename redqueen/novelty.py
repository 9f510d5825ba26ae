"""Near-duplicate proposals: token-shingle Jaccard similarity of normalised code.

A program's compiled listing (`Arena.listing`; the source for arenas without one) is lowercased
and cut into tokens (words, numbers, single punctuation marks); its shingles are the runs of
`SHINGLE` consecutive tokens. Two programs' similarity is the Jaccard index of their shingle
sets (1.0 = the same token stream up to whitespace and case). A proposal at least `threshold`
similar to one of the round's current elites is rejected before evaluation; 1.0 turns the
filter off (identical programs are already evaluated only once per round).

With an `Embedder` (`redqueen.llm.embeddings`, `--novelty-embeddings MODEL`) the similarity is
instead the cosine of the embeddings of the normalised code (its tokens joined by single spaces),
fetched for every program of a step at once (`prepare`) and kept per digest.
"""
from __future__ import annotations

import re

import numpy as np

SHINGLE = 3
_TOKEN = re.compile(r"\w+|[^\w\s]")


def shingles(text: str, size: int = SHINGLE) -> frozenset:
    tokens = _TOKEN.findall(text.lower())
    if len(tokens) < size:
        return frozenset([tuple(tokens)])
    return frozenset(tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1))


def normalised(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower()))


def jaccard(a: frozenset, b: frozenset) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 1.0


class NoveltyFilter:
    """Compares candidates with a set of reference programs (the round's elites), caching each
    program's shingles (or unit-length embedding) by digest."""

    def __init__(self, arena, threshold: float, embedder=None):
        self.arena, self.threshold, self.embedder = arena, threshold, embedder
        self._cache: dict[str, frozenset] = {}
        self._vectors: dict[str, np.ndarray] = {}

    @property
    def active(self) -> bool:
        return self.threshold < 1.0

    @property
    def measure(self) -> str:
        return f"embeddings {self.embedder.model}" if self.embedder else "token shingles"

    def shingles_of(self, program) -> frozenset:
        if program.digest not in self._cache:
            self._cache[program.digest] = shingles(self.arena.listing(program))
        return self._cache[program.digest]

    def prepare(self, programs) -> None:
        """Fetch the embeddings of the programs not embedded yet, in one burst of requests."""
        if not self.embedder:
            return
        missing = list({p.digest: p for p in programs if p.digest not in self._vectors}.values())
        vectors = self.embedder.embed([normalised(self.arena.listing(p)) for p in missing]) if missing else []
        for program, vector in zip(missing, vectors):
            norm = np.linalg.norm(vector)
            self._vectors[program.digest] = vector / norm if norm else vector

    def similarity(self, a, b) -> float:
        if self.embedder:
            self.prepare([a, b])
            return float(self._vectors[a.digest] @ self._vectors[b.digest])
        return jaccard(self.shingles_of(a), self.shingles_of(b))

    def nearest(self, program, references) -> tuple[object, float]:
        """(reference key, similarity) of the most similar reference (an Elite-like object with
        `.key` and `.program`), or (None, 0.0) when there is none. An identical program (same
        digest) is not a near-duplicate: the loop's deduplication handles it."""
        best = (None, 0.0)
        for reference in references:
            if reference.program.digest == program.digest:
                continue
            similarity = self.similarity(program, reference.program)
            if similarity > best[1]:
                best = (reference.key, similarity)
        return best

    def is_near_duplicate(self, program, references) -> tuple[bool, object, float]:
        key, similarity = self.nearest(program, references)
        return self.active and similarity >= self.threshold, key, similarity
