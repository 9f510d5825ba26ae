"""Genotype embeddings: a vector per program from its code.

Offline default: TF-IDF over normalised instruction tokens (and adjacent token pairs, so that
instruction order counts a little), reduced with truncated SVD. All programs compared together
must be embedded together, in one fit, so that they share one space. Optionally, an embeddings
model behind an OpenAI-compatible endpoint.
"""
from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np


def program_tokens(arena, program) -> list[str]:
    """The arena's normalised tokens of a program (`Arena.tokens`: by default the words,
    numbers and symbols of its compiled listing)."""
    return list(arena.tokens(program))


def _terms(tokens: Sequence[str]) -> list[str]:
    return list(tokens) + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def tfidf_svd(documents: Sequence[Sequence[str]], dimensions: int = 32, seed: int = 0) -> np.ndarray:
    """Embeddings (n_documents, d) of token lists: TF-IDF, then truncated SVD to at most
    `dimensions` components (fewer when the vocabulary or the number of documents is smaller)."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not documents:
        return np.empty((0, 0))
    vectorizer = TfidfVectorizer(analyzer=_terms, lowercase=False)
    matrix = vectorizer.fit_transform(documents)
    components = min(dimensions, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if components < 1:
        return matrix.toarray()
    with warnings.catch_warnings():     # identical documents: the explained-variance ratio is 0/0
        warnings.simplefilter("ignore", RuntimeWarning)
        return TruncatedSVD(n_components=components, random_state=seed).fit_transform(matrix)


def model_embeddings(texts: Sequence[str], model: str, base_url: str | None = None,
                     api_key: str | None = None, batch: int = 64) -> np.ndarray:
    """Embeddings from a model behind an OpenAI-compatible `/embeddings` endpoint."""
    import os

    from openai import OpenAI

    client = OpenAI(base_url=base_url, api_key=api_key or os.environ.get("OPENAI_API_KEY") or "none")
    vectors = []
    for start in range(0, len(texts), batch):
        response = client.embeddings.create(model=model, input=list(texts[start:start + batch]))
        vectors.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
    return np.asarray(vectors, dtype=float)
