"""Parallel checks (`parse_many`) and the on-disk cache of compiled policies change nothing:
the same programs are accepted, the same ones rejected with the same reasons, and the games
give the same evaluations as sequential parsing with nothing cached."""
from pathlib import Path

import numpy as np

from arenas.ipd.arena import IPDArena
from arenas.policy.sandbox import Limits
from arenas.tron.arena import TronArena
from policy_helpers import ipd_source
from redqueen.arena import ProgramError

REPO = Path(__file__).resolve().parents[3]
NO_DISK_CACHE = Limits(disk_cache=False)


def _ipd_sources() -> list[str]:
    classics = [(REPO / "arenas" / "ipd" / "programs" / f"{name}.py").read_text()
                for name in ("tit_for_tat", "grim_trigger", "random_moves", "win_stay_lose_shift")]
    rng = np.random.default_rng(7)
    family = [IPDArena.family.source(IPDArena.family.random(rng)) for _ in range(3)]
    broken = [ipd_source("return their_moves[turn - 1]"),     # fails the smoke game
              ipd_source("return 2"),                          # an invalid move in the smoke game
              ipd_source("x = 0\nx = my_moves\nreturn x"),     # does not compile
              ipd_source("import os\nreturn 0")]               # refused by the whitelist
    return classics + family + broken + classics[:1]           # a duplicate too


def _outcome(result):
    if isinstance(result, ProgramError):
        return ("error", str(result), result.line)
    return ("policy", result.digest, result.name)


def _sequential(arena, sources):
    results = []
    for source in sources:
        try:
            results.append(arena.parse(source, origin="candidate"))
        except ProgramError as error:
            results.append(error)
    return results


def _evaluations(arena, programs, seeds):
    return [(e.fitness, e.descriptors, e.details, e.beaten_by)
            for e in arena.evaluate(programs, programs, seeds)]


def test_parallel_cached_checks_match_sequential_uncached_ones(tmp_path, monkeypatch):
    monkeypatch.setenv("REDQUEEN_CACHE", str(tmp_path))
    sources = _ipd_sources()
    reference = IPDArena(workers=1, noise=0.05, progress=False, limits=NO_DISK_CACHE)
    try:
        expected = _sequential(reference, sources)
        good = [p for p in expected if not isinstance(p, ProgramError)]
        expected_games = _evaluations(reference, good, [1, 2])
    finally:
        reference.close()
    for attempt in ("compiling", "loading from the disk cache"):
        arena = IPDArena(workers=2, noise=0.05, progress=False)
        try:
            parsed = arena.parse_many(sources, origin="candidate")
            assert [_outcome(p) for p in parsed] == [_outcome(p) for p in expected], attempt
            assert _evaluations(arena, [p for p in parsed if not isinstance(p, ProgramError)], [1, 2]) \
                == expected_games, attempt
        finally:
            arena.close()
    rejected = [str(p) for p in expected if isinstance(p, ProgramError)]
    assert any("in a smoke game: raised IndexError" in r for r in rejected)
    assert any("returned 2" in r for r in rejected)
    assert any("nopython" in r for r in rejected)
    assert any("import" in r for r in rejected)
    assert list((tmp_path / "policies" / "__pycache__").glob("*.nbi")), "nothing was cached on disk"


def test_tron_policies_loaded_from_the_disk_cache_play_the_same_games(tmp_path, monkeypatch):
    monkeypatch.setenv("REDQUEEN_CACHE", str(tmp_path))
    rng = np.random.default_rng(3)
    sources = [TronArena.family.source(TronArena.family.random(rng)),
               (REPO / "arenas" / "tron" / "heldout" / "wall_hugger.py").read_text()]
    results = []
    for limits in (NO_DISK_CACHE, Limits(), Limits()):     # uncached; compiled and stored; loaded
        arena = TronArena(workers=2, size=12, progress=False, limits=limits)
        try:
            programs = arena.parse_many(sources)
            results.append(_evaluations(arena, programs, [0, 1, 2]))
        finally:
            arena.close()
    assert results[0] == results[1] == results[2]
    assert len(list((tmp_path / "policies").glob("p*.py"))) >= len(sources)
