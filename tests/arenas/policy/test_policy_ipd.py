"""The IPD arena: its rules against an independent pure-Python referee and against Axelrod's
engine, the held-out set and round-robin generality, descriptors, the built-in family, prompts."""
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from arenas.ipd import family as ipd_family
from arenas.ipd import heldout
from arenas.ipd.arena import IPDArena
from redqueen.arena import Arena
from redqueen.heldout import default_seeds

PROGRAMS = Path(__file__).resolve().parents[3] / "arenas" / "ipd" / "programs"
DETERMINISTIC = ["tit_for_tat", "grim_trigger", "win_stay_lose_shift", "always_defect",
                 "always_cooperate", "tit_for_two_tats", "alternator"]
# Our shipped policies and Axelrod's implementations of the same classic strategies.
AXELROD_NAMES = {"tit_for_tat": "Tit For Tat", "grim_trigger": "Grudger", "win_stay_lose_shift": "Win-Stay Lose-Shift",
                 "always_defect": "Defector", "always_cooperate": "Cooperator", "tit_for_two_tats": "Tit For 2 Tats",
                 "alternator": "Alternator"}
PAYOFF = {(0, 0): (3, 3), (0, 1): (0, 5), (1, 0): (5, 0), (1, 1): (1, 1)}


def load(arena, name):
    path = PROGRAMS / f"{name}.py"
    return arena.parse(path.read_text(), origin=str(path))


def python_policy(name):
    """A shipped policy as a plain Python function (it only uses numpy), for the referee."""
    namespace = {"np": np}
    exec((PROGRAMS / f"{name}.py").read_text(), namespace)
    return namespace["policy"]


def referee(policy_a, policy_b, turns=200):
    """Mean payoffs per turn of a noiseless match, by the rules, in plain Python."""
    moves_a, moves_b, total_a, total_b = [], [], 0, 0
    for turn in range(turns):
        a = int(policy_a(np.array(moves_a, np.int64), np.array(moves_b, np.int64), turn))
        b = int(policy_b(np.array(moves_b, np.int64), np.array(moves_a, np.int64), turn))
        pa, pb = PAYOFF[a, b]
        total_a, total_b = total_a + pa, total_b + pb
        moves_a.append(a)
        moves_b.append(b)
    return total_a / turns, total_b / turns


def test_is_a_complete_arena(ipd):
    assert isinstance(ipd, Arena) and ipd.program_suffix == ".py"
    assert set(ipd.default_descriptors) <= set(ipd.descriptors)
    assert [p.name for p in ipd.initial_programs()] == ["tit_for_tat"]


def test_noiseless_matches_agree_with_a_plain_python_referee(ipd):
    programs = {name: load(ipd, name) for name in DETERMINISTIC}
    for name_a, name_b in itertools.product(DETERMINISTIC, repeat=2):
        results = ipd.duel(programs[name_a], [programs[name_b]], [0, 1])
        expected = referee(python_policy(name_a), python_policy(name_b))
        assert (results.fitness_a[0], results.fitness_b[0]) == pytest.approx(expected), (name_a, name_b)


def test_payoffs_from_the_rules(ipd):
    cooperate, defect, tit_for_tat = (load(ipd, n) for n in ("always_cooperate", "always_defect", "tit_for_tat"))
    results = ipd.duel(cooperate, [defect, cooperate], [0])
    assert list(results.fitness_a) == [0.0, 3.0] and list(results.fitness_b) == [5.0, 3.0]
    assert list(results.losses) == [1, 0] and list(results.ties) == [0, 1]
    results = ipd.duel(tit_for_tat, [defect], [0])
    assert results.fitness_a[0] == pytest.approx(199 / 200)          # S once, then P
    assert results.fitness_b[0] == pytest.approx((5 + 199) / 200)    # T once, then P


def test_descriptors(ipd):
    cooperate, defect, tit_for_tat = (load(ipd, n) for n in ("always_cooperate", "always_defect", "tit_for_tat"))
    evaluations = ipd.evaluate([cooperate, defect, tit_for_tat], [defect], [0])
    assert evaluations[0].descriptors == {"cooperation": 1.0, "retaliation": 0.0}
    assert evaluations[1].descriptors == {"cooperation": 0.0, "retaliation": 1.0}
    assert evaluations[2].descriptors["cooperation"] == pytest.approx(1 / 200)   # only its first move
    assert evaluations[2].descriptors["retaliation"] == 1.0
    assert evaluations[0].beaten_by == (0,) and evaluations[1].beaten_by == ()


def test_noise_flips_moves_reproducibly(noisy_ipd):
    cooperate = load(noisy_ipd, "always_cooperate")
    first = noisy_ipd.duel(cooperate, [cooperate], list(range(5)))
    again = noisy_ipd.duel(cooperate, [cooperate], list(range(5)))
    assert np.array_equal(first.fitness_a, again.fitness_a)
    assert first.fitness_a[0] < 3.0             # with 10% noise, some moves became defections


def test_options_are_checked():
    with pytest.raises(ValueError, match="noise"):
        IPDArena(noise=2.0)
    with pytest.raises(ValueError, match="unknown option rounds for arena ipd"):
        IPDArena(rounds=3)


# ---- the built-in family -------------------------------------------------------------------------
def test_family_tit_for_tat_plays_like_the_shipped_one(noisy_ipd):
    shipped = load(noisy_ipd, "tit_for_tat")
    built = noisy_ipd.parse(ipd_family.FAMILY.source(ipd_family.TIT_FOR_TAT), origin="family")
    field = [load(noisy_ipd, name) for name in DETERMINISTIC + ["random_moves"]]
    seeds = list(range(4))
    assert np.array_equal(noisy_ipd.duel(shipped, field, seeds).fitness_a,
                          noisy_ipd.duel(built, field, seeds).fitness_a)


def test_family_programs_parse_mutate_and_cross(ipd):
    rng = np.random.default_rng(3)
    parents = [ipd.parse(ipd.random_program(rng), origin="new") for _ in range(4)]
    children = [ipd.mutate(parents[0], rng), ipd.crossover(parents[1], parents[2], rng)]
    for child in children:
        assert ipd_family.FAMILY.params_of(child) is not None
        ipd.parse(child, origin="child")
    other = ipd.mutate(load(ipd, "grim_trigger"), rng)     # not of the family: its literals move
    assert other != (PROGRAMS / "grim_trigger.py").read_text()


def test_prompts_format_with_their_fields(ipd):
    prompts = ipd.prompts()
    assert "def policy(my_moves, their_moves, turn)" in prompts.system and prompts.code_fence == "python"
    assert "200 turns" in prompts.system
    prompts.new.format()
    assert "PARENT" in prompts.mutate.format(parent="PARENT", feedback="")
    assert "ERR" in prompts.repair.format(program="CODE", error="ERR")


# ---- held out: Axelrod -----------------------------------------------------------------------------
def test_missing_axelrod_is_one_clear_line(monkeypatch):
    monkeypatch.setattr(heldout.importlib.util, "find_spec", lambda name: None)
    arena = IPDArena(workers=1, progress=False)
    with pytest.raises(heldout.HeldoutUnavailable) as caught:
        arena.heldout_opponents()
    assert "pip install" in str(caught.value) and "\n" not in str(caught.value)
    assert not arena._pools            # nothing was started


@pytest.mark.slow
def test_noiseless_matches_agree_with_axelrods_engine(ipd):
    axl = pytest.importorskip("axelrod", reason="axelrod is not installed (pip install 'redqueen[policy]')")
    programs = {name: load(ipd, name) for name in AXELROD_NAMES}
    strategies = {s.name: s for s in axl.all_strategies}
    for name_a, name_b in itertools.product(AXELROD_NAMES, repeat=2):
        ours = ipd.duel(programs[name_a], [programs[name_b]], [0])
        match = axl.Match((strategies[AXELROD_NAMES[name_a]](), strategies[AXELROD_NAMES[name_b]]()),
                          turns=200, seed=0)
        match.play()
        assert (ours.fitness_a[0], ours.fitness_b[0]) == pytest.approx(match.final_score_per_turn()), (name_a, name_b)


@pytest.mark.slow
def test_heldout_set_is_axelrods_honest_short_strategies(axelrod_ipd):
    axl = pytest.importorskip("axelrod")
    opponents = axelrod_ipd.heldout_opponents()
    names = {o.name for o in opponents}
    classifiers = axl.Classifiers
    honest = {s.name for s in axl.all_strategies
              if not any(classifiers[c](s()) for c in heldout_classifiers())}
    assert names == honest
    assert "Tit For Tat" in names and "Geller" not in names and "Mind Reader" not in names
    assert len({o.digest for o in opponents}) == len(opponents)


def heldout_classifiers():
    return ("manipulates_source", "manipulates_state", "inspects_source", "long_run_time")


FIELD = ["Tit For Tat", "Grudger", "Random", "Alternator", "Win-Stay Lose-Shift", "Defector"]


@pytest.mark.slow
def test_our_policy_in_axelrods_engine_plays_exactly_like_axelrods_own(axelrod_ipd):
    """Same seeds, same noise: our wrapped tit for tat and Axelrod's Tit For Tat get identical games."""
    axl = pytest.importorskip("axelrod")
    field = [o for o in axelrod_ipd.heldout_opponents() if o.name in FIELD]
    seeds = [0, 1, 2]
    ours = axelrod_ipd.duel(load(axelrod_ipd, "tit_for_tat"), field, seeds)
    _assert_tit_for_tat_games_are_axelrods(axl, ours, field, seeds, 0.05)


def _assert_tit_for_tat_games_are_axelrods(axl, ours, field, seeds, noise):
    """`ours` (our tit for tat's duel against `field`) equals Axelrod's Tit For Tat's own matches."""
    strategies = {s.name: s for s in axl.all_strategies}
    for index, opponent in enumerate(field):
        theirs = [_axelrod_payoffs(axl, axl.TitForTat, strategies[opponent.name], seed, noise) for seed in seeds]
        assert ours.fitness_a[index] == pytest.approx(np.mean([t[0] for t in theirs])), opponent.name
        assert ours.fitness_b[index] == pytest.approx(np.mean([t[1] for t in theirs])), opponent.name


def _axelrod_payoffs(axl, first, second, seed, noise):
    match = axl.Match((first(), second()), turns=200, noise=noise, seed=seed)
    match.play()
    return match.final_score_per_turn()


@pytest.mark.slow
def test_noiseless_held_out_games_are_axelrods_own_seed_by_seed():
    """Without noise a match of two deterministic players is played once for all seeds: the
    results must still be Axelrod's own for every seed, and chance must still vary by seed."""
    axl = pytest.importorskip("axelrod", reason="axelrod is not installed (pip install 'redqueen[policy]')")
    arena = IPDArena(workers=1, progress=False)
    try:
        field = [o for o in arena.heldout_opponents() if o.name in FIELD]
        seeds = [0, 1, 2, 3]
        ours = arena.duel(load(arena, "tit_for_tat"), field, seeds)
        _assert_tit_for_tat_games_are_axelrods(axl, ours, field, seeds, 0.0)
        steady = [o for o in field if o.name == "Tit For Tat"]
        coin = load(arena, "random_moves")           # a stochastic policy facing a deterministic strategy
        one_seed = [arena.duel(coin, steady, [seed]).fitness_a[0] for seed in seeds]
        assert len(set(one_seed)) > 1
        assert arena.duel(coin, steady, seeds).fitness_a[0] == pytest.approx(np.mean(one_seed))
    finally:
        arena.close()


@pytest.mark.slow
def test_tournament_generality_matches_a_round_robin_computed_directly(axelrod_ipd, tmp_path, monkeypatch):
    axl = pytest.importorskip("axelrod")
    monkeypatch.setenv("REDQUEEN_CACHE", str(tmp_path))
    field = [o for o in axelrod_ipd.heldout_opponents() if o.name in FIELD]
    seeds = [0, 1, 2]
    summary = axelrod_ipd.tournament_generality(load(axelrod_ipd, "tit_for_tat"), seeds, field, reference_seeds=seeds)
    # The same tournament, straight from Axelrod: Tit For Tat stands in for our (identical) policy.
    strategies = {s.name: s for s in axl.all_strategies}
    players = [axl.TitForTat] + [strategies[o.name] for o in field]
    totals = np.zeros(len(players))
    for i, j in itertools.combinations(range(len(players)), 2):
        pairs = [_axelrod_payoffs(axl, players[i], players[j], seed, 0.05) for seed in seeds]
        totals[i] += np.mean([p[0] for p in pairs])
        totals[j] += np.mean([p[1] for p in pairs])
    means = totals / (len(players) - 1)
    assert summary["policy_mean_payoff"] == pytest.approx(means[0])
    expected = [means[0] >= m - 1e-9 for m in means[1:]]
    assert [row["matched"] for row in summary["per_opponent"]] == expected
    assert summary["generality"] == pytest.approx(np.mean(expected))
    assert any(tmp_path.glob("ipd-axelrod-*.json"))          # the reference games are cached...
    again = axelrod_ipd.tournament_generality(load(axelrod_ipd, "tit_for_tat"), seeds, field, reference_seeds=seeds)
    assert again["generality"] == summary["generality"]       # ...and read back


# ---- held-out generality as `redqueen eval` reports it: the round robin ------------------------------
def _round_robin_means(payoff) -> np.ndarray:
    """Mean payoff per turn of each player against all the others, from payoff[i][j] (i against j)."""
    payoff = np.asarray(payoff, float)
    return payoff.sum(axis=1) / (len(payoff) - 1)


def test_heldout_summary_of_policy_files_is_a_round_robin(ipd, tmp_path, monkeypatch):
    """A directory of policies as the held-out set: the summary is the round robin of them all plus
    the program, computed here with the plain-Python referee (noiseless, deterministic)."""
    monkeypatch.setenv("REDQUEEN_CACHE", str(tmp_path))
    names = ["grim_trigger", "win_stay_lose_shift", "always_cooperate", "tit_for_two_tats", "alternator"]
    field = [load(ipd, name) for name in names]
    for program in ("tit_for_tat", "always_defect"):
        players = [program] + names
        payoff = np.zeros((len(players), len(players)))
        for i, j in itertools.combinations(range(len(players)), 2):
            payoff[i, j], payoff[j, i] = referee(python_policy(players[i]), python_policy(players[j]))
        means = _round_robin_means(payoff)
        summary = ipd.heldout_summary(ipd.duel(load(ipd, program), field, [0]), field, [0])
        assert summary["generality_rule"] == "round-robin" and summary["opponents"] == len(names)
        assert summary["score_per_game"] == pytest.approx(means[0])
        assert [row["matched"] for row in summary["per_opponent"]] == [means[0] >= m - 1e-9 for m in means[1:]]
        assert summary["generality"] == pytest.approx(np.mean(means[0] >= means[1:] - 1e-9))
        assert summary["beaten"] == pytest.approx(np.mean(means[0] > means[1:] + 1e-9))
        assert summary["rank"] == 1 + int(np.sum(means[1:] > means[0] + 1e-9))
    # policy files' reference games are not cached by name (the compiled policies may be, in policies/)
    assert not list(tmp_path.glob("ipd-axelrod-*.json"))
    assert {path.name for path in tmp_path.iterdir()} <= {"policies"}


# A small field of Axelrod strategies in which reciprocity pays, as in Axelrod's tournaments.
SMALL_FIELD = ["Tit For Tat", "Grudger", "Tit For 2 Tats", "Win-Stay Lose-Shift", "Defector"]


@pytest.mark.slow
def test_eval_ranks_tit_for_tat_above_always_defect_as_a_round_robin_does(axelrod_ipd, tmp_path):
    """`redqueen eval --arena ipd` on a small Axelrod field gives each policy the generality of a
    round robin computed directly with Axelrod's engine (our tit for tat and always defect stand
    for Axelrod's own), and ranks tit for tat above always defect; head-to-head would not."""
    axl = pytest.importorskip("axelrod")
    repo = PROGRAMS.parents[2]
    env = dict(os.environ, REDQUEEN_CACHE=str(tmp_path / "cache"),
               PYTHONPATH=str(repo) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    only = [argument for name in SMALL_FIELD for argument in ("--opponent", name)]
    command = [sys.executable, "-m", "redqueen", "eval", "--arena", "ipd", "-A", "noise=0.05", "--seeds", "3",
               *only, str(PROGRAMS / "tit_for_tat.py"), str(PROGRAMS / "always_defect.py"),
               "--json", "-q", "--db", str(tmp_path / "eval.db")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=repo, env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["generality_rule"] == "round-robin" and report["opponents"] == len(SMALL_FIELD)
    programs = {p["program"]: p for p in report["programs"]}

    seeds = default_seeds(3)                     # what --seeds 3 plays; reference games: the same three
    strategies = {s.name: s for s in axl.all_strategies}
    order = [row["opponent"] for row in programs["tit_for_tat"]["per_opponent"]]
    field = [strategies[name] for name in order]
    for program, stand_in in (("tit_for_tat", axl.TitForTat), ("always_defect", axl.Defector)):
        players = [stand_in] + field
        payoff = np.zeros((len(players), len(players)))
        for i, j in itertools.combinations(range(len(players)), 2):
            games = [_axelrod_payoffs(axl, players[i], players[j], seed, 0.05) for seed in seeds]
            payoff[i, j], payoff[j, i] = np.mean([g[0] for g in games]), np.mean([g[1] for g in games])
        means = _round_robin_means(payoff)
        reported = programs[program]
        assert reported["policy_mean_payoff"] == pytest.approx(means[0]), program
        assert [row["matched"] for row in reported["per_opponent"]] == [means[0] >= m - 1e-9 for m in means[1:]]
        assert reported["generality"] == pytest.approx(np.mean(means[0] >= means[1:] - 1e-9)), program
    assert programs["tit_for_tat"]["generality"] > programs["always_defect"]["generality"]
    head_to_head = {name: np.mean([r["fitness_a"] >= r["fitness_b"] - 1e-9 for r in p["per_opponent"]])
                    for name, p in programs.items()}
    assert head_to_head["always_defect"] > head_to_head["tit_for_tat"]    # the rule is what ranks them


@pytest.mark.slow
def test_heldout_summary_is_the_tournament_summary_and_survives_the_archive(axelrod_ipd, tmp_path, monkeypatch):
    """Through the held-out API with a real archive: the round-robin summary equals the arena's
    tournament generality, and a second evaluation replays nothing yet reports the same."""
    from redqueen.db import Archive
    from redqueen.heldout import HeldoutSet, HeldoutStore, evaluate_heldout
    monkeypatch.setenv("REDQUEEN_CACHE", str(tmp_path))
    field = [o for o in axelrod_ipd.heldout_opponents() if o.name in FIELD]
    heldout = HeldoutSet("<ipd>", field, [o.name for o in field])
    seeds = [0, 1, 2]
    program = load(axelrod_ipd, "tit_for_tat")
    store = HeldoutStore(Archive(tmp_path / "runs.db"))
    first = evaluate_heldout(axelrod_ipd, [program], heldout, seeds, store=store, progress=False)[0]
    direct = axelrod_ipd.tournament_generality(program, seeds, field, reference_seeds=seeds)
    assert first.summary["generality_rule"] == "round-robin"
    for key in ("generality", "policy_mean_payoff", "rank", "players"):
        assert first.summary[key] == pytest.approx(direct[key]), key
    matched = [row["matched"] for row in direct["per_opponent"]]
    assert [row["matched"] for row in first.summary["per_opponent"]] == matched
    again = evaluate_heldout(axelrod_ipd, [program], heldout, seeds, store=store, progress=False)[0]
    assert again.played == 0 and again.summary == first.summary
