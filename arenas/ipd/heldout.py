"""The IPD's held-out opponents: the strategies of the Axelrod library, in Axelrod's engine.

`opponents()` lists them (minus those Axelrod classifies as cheating, i.e. inspecting or
manipulating source or state, and those it marks long-running) as built-in opponents that the
arena's `duel` plays in Axelrod's own match engine, our policy wrapped as an Axelrod player.

Generality here is a round robin's: a policy matches or exceeds a strategy when its mean payoff
against the field is at least that strategy's mean payoff in a tournament of all held-out
strategies plus the policy (self-play left out). The strategies' games among themselves do not
depend on the policy; they are played once per settings and kept in a cache file.
"""
from __future__ import annotations

import hashlib
import importlib.util
import itertools
import json
import sys
from typing import Sequence

import numpy as np

from redqueen.arena import exceeds
from redqueen.parsed_cache import cache_root

from arenas.policy.policy_arena import BuiltinOpponent

from .reference import shipped_pairs

INSTALL_HINT = "pip install 'redqueen[policy]' (installs axelrod)"
REFERENCE_SEEDS = 5


class HeldoutUnavailable(RuntimeError):
    """Axelrod is not installed: one line saying how to get it."""


def require_axelrod() -> None:
    if importlib.util.find_spec("axelrod") is None:
        raise HeldoutUnavailable(f"the IPD held-out opponents need the Axelrod library: {INSTALL_HINT}")


def opponents(arena) -> list[BuiltinOpponent]:
    """Axelrod's held-out strategies as built-in opponents (asked of a held-out worker, which has
    Axelrod imported, so the parent never pays for importing it)."""
    require_axelrod()
    answer = arena.pool(arena.builtin_game_module).query("heldout")
    return [_opponent(name, answer["version"]) for name in answer["names"]]


def _opponent(name: str, version: str) -> BuiltinOpponent:
    digest = hashlib.sha256(f"axelrod {version} {name}".encode()).hexdigest()
    return BuiltinOpponent(name=name, digest=digest, source=f"# Axelrod {version} strategy: {name}\n",
                           key=name)


# ---- round-robin generality ---------------------------------------------------------------------
def tournament_summary(arena, results, opponents: Sequence[BuiltinOpponent],
                       reference_seeds: Sequence[int]) -> dict:
    """Generality of a policy from its duel results against `opponents` (a DuelResults, opponent
    order as given) and the strategies' games among themselves (played or read from the cache)."""
    if len(opponents) == 0:
        raise ValueError("tournament generality needs at least one opponent")
    return _standings(results, opponents, reference_payoffs(arena, opponents, reference_seeds))


def heldout_summary(arena, results, field: Sequence, seeds: Sequence[int]) -> dict:
    """The IPD's `Arena.heldout_summary`: round-robin generality from the policy's duel results
    against the held-out `field`. Reference games use the first REFERENCE_SEEDS (5) of `seeds`;
    for Axelrod's strategies they are cached on disk, for policy files (a directory given as the
    held-out set: few, cheap, and their names are no safe cache key) they are played each time."""
    if len(field) == 0:
        raise ValueError("tournament generality needs at least one opponent")
    reference_seeds = list(seeds)[:REFERENCE_SEEDS]
    if all(isinstance(o, BuiltinOpponent) for o in field):
        reference = reference_payoffs(arena, field, reference_seeds)
    else:
        reference = played_payoffs(arena, field, reference_seeds)
    table = _standings(results, field, reference)
    return {"generality_rule": "round-robin", "opponents": len(field), "generality": table["generality"],
            "beaten": table["beaten"], "score_per_game": float(np.mean(results.score_a)),
            "policy_mean_payoff": table["policy_mean_payoff"], "rank": table["rank"],
            "players": table["players"], "reference_seeds": len(reference_seeds),
            "per_opponent": [{"tournament_mean_payoff": row["tournament_mean_payoff"], "matched": row["matched"]}
                             for row in table["per_opponent"]]}


def _standings(results, opponents: Sequence, reference: np.ndarray) -> dict:
    """The round robin's table from the policy's duels and the opponents' payoffs among themselves."""
    count = len(opponents)
    policy_mean = float(np.mean(results.fitness_a))
    others = reference.sum(axis=1)                       # diagonal is zero: no self-play
    opponent_means = (others + np.asarray(results.fitness_b, float)) / count
    matched = ~exceeds(opponent_means, policy_mean)
    return {
        "generality": float(matched.mean()),
        "beaten": float(exceeds(policy_mean, opponent_means).mean()),
        "policy_mean_payoff": policy_mean,
        "rank": int(1 + exceeds(opponent_means, policy_mean).sum()),
        "players": count + 1,
        "per_opponent": [{"opponent": o.name, "tournament_mean_payoff": float(m), "matched": bool(x),
                          "payoff": float(fa), "opponent_payoff": float(fb)}
                         for o, m, x, fa, fb in zip(opponents, opponent_means, matched,
                                                    results.fitness_a, results.fitness_b)],
    }


def tournament_generality(arena, program, seeds: Sequence[int], opponents_: Sequence | None = None,
                          reference_seeds: Sequence[int] | None = None) -> dict:
    """Play `program` against the held-out strategies over `seeds`, then summarise as above.
    Reference games use `reference_seeds` (default: the first {REFERENCE_SEEDS} of `seeds`)."""
    field = list(opponents_) if opponents_ is not None else opponents(arena)
    results = arena.duel(program, field, seeds)
    reference_seeds = list(reference_seeds) if reference_seeds is not None else list(seeds)[:REFERENCE_SEEDS]
    summary = tournament_summary(arena, results, field, reference_seeds)
    if getattr(results, "details", None):
        summary["faults"] = results.details.get("faults", [])
    return summary


def reference_payoffs(arena, field: Sequence[BuiltinOpponent], seeds: Sequence[int],
                      shipped: bool = True) -> np.ndarray:
    """payoff[i, j]: mean payoff per turn of strategy i against strategy j (0 on the diagonal).
    Read from the cache, else from the tournament shipped with the package (`shipped`), else played."""
    seeds = [int(s) for s in seeds]
    cache = _ReferenceCache(arena.game_options, seeds, shipped)
    names = [o.name for o in field]
    missing = [(i, j) for i in range(len(field)) for j in range(i + 1, len(field))
               if cache.get(names[i], names[j]) is None]
    if missing:
        print(f"playing Axelrod's reference tournament: {len(missing)} pairs of held-out strategies x "
              f"{len(seeds)} seeds, once for these settings (kept in {cache.path})", file=sys.stderr, flush=True)
        for (i, j), payoffs in zip(missing, _play_pairs(arena, field, missing, seeds)):
            cache.put(names[i], names[j], *payoffs)
        cache.save()
    payoff = np.zeros((len(field), len(field)))
    for i in range(len(field)):
        for j in range(i + 1, len(field)):
            payoff[i, j], payoff[j, i] = cache.get(names[i], names[j])
    return payoff


def played_payoffs(arena, field: Sequence, seeds: Sequence[int]) -> np.ndarray:
    """The same as `reference_payoffs`, every game played now (no cache)."""
    pairs = list(itertools.combinations(range(len(field)), 2))
    payoff = np.zeros((len(field), len(field)))
    for (i, j), (payoff_i, payoff_j) in zip(pairs, _play_pairs(arena, field, pairs, [int(s) for s in seeds])):
        payoff[i, j], payoff[j, i] = payoff_i, payoff_j
    return payoff


def _play_pairs(arena, field: Sequence, pairs: list[tuple[int, int]], seeds: list[int]) -> list[tuple[float, float]]:
    """Mean payoffs per turn (i's, j's) of each pair (i, j) of the field over the seeds."""
    played = arena.play_pairings([(field[i].contestant, field[j].contestant) for i, j in pairs], seeds)
    return [(float(outcome.scores_a.mean()), float(outcome.scores_b.mean())) for outcome in played]


class _ReferenceCache:
    """Payoffs of Axelrod strategy pairs for one (turns, noise, seeds, axelrod version), in JSON."""

    def __init__(self, options: dict, seeds: list[int], shipped: bool = True):
        version = _axelrod_version()
        key = json.dumps({"options": options, "seeds": seeds, "axelrod": version}, sort_keys=True)
        self.path = cache_root() / f"ipd-axelrod-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"
        self.key = key
        self.pairs: dict[str, list[float]] = shipped_pairs(json.loads(key)) if shipped else {}
        if self.path.is_file():
            try:
                self.pairs.update(json.loads(self.path.read_text())["pairs"])
            except (ValueError, KeyError, OSError):
                pass

    def get(self, a: str, b: str):
        if f"{a}\t{b}" in self.pairs:
            return tuple(self.pairs[f"{a}\t{b}"])
        if f"{b}\t{a}" in self.pairs:
            pb, pa = self.pairs[f"{b}\t{a}"]
            return pa, pb
        return None

    def put(self, a: str, b: str, payoff_a: float, payoff_b: float) -> None:
        self.pairs[f"{a}\t{b}"] = [payoff_a, payoff_b]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"key": json.loads(self.key), "pairs": self.pairs}))
        temporary.replace(self.path)


def _axelrod_version() -> str:
    from importlib.metadata import version
    return version("axelrod")
