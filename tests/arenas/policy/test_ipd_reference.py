"""The reference tournament shipped for the default IPD settings (arenas/ipd/reference/): it is what
`redqueen eval` would play (settings, seeds, strategies), a sample of its pairs replayed directly
in Axelrod's engine gives the same payoffs, and the held-out cache serves it without playing."""
import importlib.util
import json

import numpy as np
import pytest

from arenas.ipd import heldout, reference
from arenas.ipd.arena import IPDArena
from redqueen.heldout import DEFAULT_SEEDS, default_seeds

SHIPPED = reference.load()
pytestmark = pytest.mark.skipif(SHIPPED is None, reason="no reference tournament is shipped in this checkout")
SAMPLE = 12


def test_the_shipped_tournament_has_the_default_settings_and_a_full_table():
    key = SHIPPED["key"]
    assert key["options"] == {"turns": IPDArena.options["turns"].default, "noise": IPDArena.options["noise"].default}
    assert key["seeds"] == default_seeds(DEFAULT_SEEDS, 0)[:heldout.REFERENCE_SEEDS]
    names, payoff = SHIPPED["names"], np.array(SHIPPED["payoff"])
    assert len(set(names)) == len(names) > 100 and "Tit For Tat" in names
    assert payoff.shape == (len(names), len(names)) and (np.diag(payoff) == 0).all()
    off_diagonal = payoff[~np.eye(len(names), dtype=bool)]
    assert ((off_diagonal >= 0) & (off_diagonal <= 5)).all()       # payoffs per turn: S=0 ... T=5


def test_the_cache_serves_the_shipped_pairs_without_a_cache_file(tmp_path, monkeypatch):
    if importlib.util.find_spec("axelrod") is None:
        pytest.skip("axelrod is not installed (pip install 'redqueen[policy]')")
    monkeypatch.setenv("REDQUEEN_CACHE", str(tmp_path))
    key = SHIPPED["key"]
    if heldout._axelrod_version() != key["axelrod"]:
        pytest.skip(f"the shipped tournament is Axelrod {key['axelrod']}'s, {heldout._axelrod_version()} is installed")
    cache = heldout._ReferenceCache(key["options"], key["seeds"])
    names, payoff = SHIPPED["names"], SHIPPED["payoff"]
    assert cache.get(names[3], names[7]) == (payoff[3][7], payoff[7][3])
    assert cache.get(names[7], names[3]) == (payoff[7][3], payoff[3][7])
    assert heldout._ReferenceCache(key["options"], key["seeds"], shipped=False).get(names[3], names[7]) is None
    other = heldout._ReferenceCache({**key["options"], "noise": 0.25}, key["seeds"])
    assert other.get(names[3], names[7]) is None and not list(tmp_path.iterdir())


@pytest.mark.slow
def test_a_sample_of_pairs_replayed_in_axelrods_engine_gives_the_shipped_payoffs():
    axl = pytest.importorskip("axelrod", reason="axelrod is not installed (pip install 'redqueen[policy]')")
    key = SHIPPED["key"]
    if axl.__version__ != key["axelrod"]:
        pytest.skip(f"the shipped tournament is Axelrod {key['axelrod']}'s, {axl.__version__} is installed")
    from arenas.ipd import axelrod_game
    axelrod_game.warm_up()
    names, payoff = SHIPPED["names"], SHIPPED["payoff"]
    assert names == axelrod_game.heldout_names()            # the strategies eval plays, in its order
    strategies = {s.name: s for s in axl.all_strategies}
    rng = np.random.default_rng(2024)
    pairs = {tuple(sorted(rng.choice(len(names), size=2, replace=False))) for _ in range(SAMPLE)}
    for i, j in sorted(pairs):
        games = []
        for seed in key["seeds"]:
            match = axl.Match((strategies[names[i]](), strategies[names[j]]()), turns=key["options"]["turns"],
                              noise=key["options"]["noise"], seed=seed)
            match.play()
            games.append(match.final_score_per_turn())
        expected = np.mean(games, axis=0)
        assert (payoff[i][j], payoff[j][i]) == pytest.approx(tuple(expected), abs=1e-12), (names[i], names[j])


def test_the_file_format_round_trips(tmp_path):
    path = tmp_path / "t.json.gz"
    reference.write(path, {"k": 1}, ["a", "b"], [[0.0, 1.5], [2.25, 0.0]])
    assert reference.load(path) == {"key": {"k": 1}, "names": ["a", "b"], "payoff": [[0.0, 1.5], [2.25, 0.0]]}
    assert json.dumps(reference.load(path))                 # plain JSON inside the gzip
    before = path.read_bytes()
    reference.write(path, {"k": 1}, ["a", "b"], [[0.0, 1.5], [2.25, 0.0]])
    assert path.read_bytes() == before                      # reproducible: no timestamp in the gzip
