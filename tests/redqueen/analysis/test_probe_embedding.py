"""The linear probe and the genotype embedding on constructed data."""
import numpy as np

from redqueen.analysis.embedding import program_tokens, tfidf_svd
from redqueen.analysis.probe import linear_probe


def test_probe_recovers_a_linear_relation():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 4))
    y = X @ np.array([0.5, -0.2, 0.0, 0.1]) + 0.3
    result = linear_probe(X, y)
    assert result.r2 > 0.99
    assert result.samples == 60 and result.features == 4 and result.folds == 5


def test_probe_finds_nothing_in_noise():
    rng = np.random.default_rng(2)
    result = linear_probe(rng.normal(size=(80, 6)), rng.normal(size=80))
    assert result.r2 < 0.2


def test_probe_of_constant_target_is_undefined():
    assert np.isnan(linear_probe(np.eye(4), np.ones(4)).r2)


def test_identical_code_embeds_identically_and_different_code_differently():
    documents = [["MOV.I", "$0", "$1"], ["MOV.I", "$0", "$1"], ["SPL", "#0", "DAT", "#1"],
                 ["ADD.AB", "#4", "$3", "JMP", "$-2"]]
    vectors = tfidf_svd(documents, dimensions=8)
    assert vectors.shape[0] == 4 and 1 <= vectors.shape[1] <= 3
    assert np.allclose(vectors[0], vectors[1])
    assert not np.allclose(vectors[0], vectors[2])


def test_tokens_come_from_the_arena_when_it_offers_them():
    from tinygame import TinyArena

    class Program:
        source = "mov 0, 1 ; an imp\n"

    class CompilingArena(TinyArena):
        def listing(self, program):
            return "MOV.I  $     0, $     1\n"

    class TokenArena(TinyArena):
        def tokens(self, program):
            return ["MOV.I", "$0", "$1"]

    assert program_tokens(TinyArena(), Program()) == ["mov", "0", "1", ";", "an", "imp"]
    assert program_tokens(CompilingArena(), Program()) == ["MOV.I", "$", "0", "$", "1"]
    assert program_tokens(TokenArena(), Program()) == ["MOV.I", "$0", "$1"]
