"""`SSDArena`: a sequential social dilemma (Gathering, Cleanup) as a Red Queen arena.

The candidate controls a focal group (agents 0 .. focal-1) among background agents played by an
opponent; each opponent in turn over every seed is one episode. Fitness modes:
  focal     the focal group's per-capita return (default)
  selfplay  every agent plays the candidate; its per-capita return (opponents are not played)
  welfare   the collective return of all agents, focal and background
Every evaluation's details hold the population's social metrics (see `metrics`), averaged over
its completed episodes, so `--feedback` can put them into the mutation prompt (arena option
`feedback=dense`) or leave them out (`feedback=sparse`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from redqueen.arena import TIE_TOLERANCE, DuelResults, Evaluation, Option, OptionError, exceeds

from arenas.policy.policy_arena import PolicyArena
from arenas.policy.sandbox import SIDE_A, Limits
from arenas.policy.validate import Signature

from .stats import MAX_AGENTS, METRICS, STATS
from .family import FAMILY

HERE = Path(__file__).resolve().parent
PROGRAMS, HELDOUT = HERE / "programs", HERE / "heldout"
_COLUMN = {name: index for index, name in enumerate(STATS)}
RATE_EDGES = (0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6, float("inf"))
SHARE_EDGES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, float("inf"))
# Rules with the published values, fixed: beam reach, removal, hits, cleaning beam length.
FIXED_RULES = {"beam_length": 20, "removal_steps": 25, "hits_to_remove": 2, "clean_length": 5}
# Per-episode limits: 1,000 steps of up to 16 policy calls each.
SSD_LIMITS = Limits(game_cpu=20.0, game_wall=30.0)


class SSDArena(PolicyArena):
    """Shared by Gathering and Cleanup; subclasses set `name`, `game`, options and descriptors."""
    game: str
    signature = Signature("policy", ("grid", "positions", "orientations", "timeouts", "me", "step"))
    game_module = "arenas.ssd.game"
    family = FAMILY
    fitness_modes = {
        "focal": "per-capita return (apples per agent per episode) of the candidate's focal agents "
                 "among background agents played by each opponent",
        "selfplay": "per-capita return when every agent plays the candidate (opponents are not played)",
        "welfare": "collective return (apples of all agents per episode), the candidate's focal agents "
                   "among each opponent's background agents",
    }
    options = {
        **PolicyArena.options,
        "agents": Option(int, 10, "agents in an episode", 2, MAX_AGENTS),
        "focal": Option(int, None, "agents the candidate plays [default: half the agents]", 1, MAX_AGENTS - 1),
        "steps": Option(int, 1000, "steps per episode", 1, 100_000),
        "feedback": Option(str, "sparse", "what --feedback tells the model: sparse (reward) or dense "
                                          "(reward and the social metrics)"),
    }
    game_rules: dict = {}           # the game's rule options (besides agents, focal, steps)

    def __init__(self, workers=None, limits=None, progress=True, **options):
        super().__init__(workers=workers, limits=limits or SSD_LIMITS, progress=progress, **options)
        self._residents: dict[tuple, float] = {}

    def game_settings(self, options: dict) -> dict:
        given = {name: options.get(name, option.default) for name, option in self.options.items()
                 if name not in PolicyArena.options}
        self.feedback_kind = given.pop("feedback")
        if self.feedback_kind not in ("sparse", "dense"):
            raise OptionError(f"option feedback: expected sparse or dense, got {self.feedback_kind!r}")
        agents = given["agents"]
        focal = given["focal"] if given["focal"] is not None else max(1, agents // 2)
        if focal >= agents:
            raise OptionError(f"option focal: expected fewer than the {agents} agents, got {focal}")
        settings = {"game": self.game, "map": "default", "cleanup": int(self.game == "cleanup"),
                    "respawn": 25, "waste_prob": 0.5, "apple_prob": 0.05, "depletion": 0.4,
                    **FIXED_RULES, **given, "focal": focal}
        return settings

    @property
    def focal(self) -> int:
        return self.game_options["focal"]

    @property
    def agents(self) -> int:
        return self.game_options["agents"]

    # ---- episodes --------------------------------------------------------------------------------
    def episodes(self, pairings: list, seeds: Sequence[int], selfplay: bool = False) -> list[list]:
        """Per pairing (focal contestant, background contestant), per seed: (stats or None, faults)."""
        seeds = [int(s) for s in seeds]
        if not seeds:
            raise ValueError("at least one seed is needed")
        settings = dict(self.game_options, focal=self.agents) if selfplay else self.game_options
        return self.pool().play(pairings, seeds, settings) if pairings else []

    def _group_returns(self, games: list, selfplay: bool = False) -> tuple[np.ndarray, np.ndarray, list, list]:
        """(focal per-capita, background per-capita, completed stats, faults) of one pairing."""
        focal = self.agents if selfplay else self.focal
        background = max(1, self.agents - focal)
        mine, theirs, stats, faults = [], [], [], []
        for seed_index, (row, game_faults) in enumerate(games):
            if game_faults:        # the faulty group's episode ends: nobody scores
                mine.append(0.0)
                theirs.append(0.0)
                faults += [{"seed_index": seed_index, "side": "a" if side == SIDE_A else "b", "reason": reason}
                           for side, reason in game_faults.items()]
                continue
            stats.append(row)
            mine.append(row[_COLUMN["focal_return"]] / focal)
            theirs.append(row[_COLUMN["background_return"]] / background)
        return np.array(mine), np.array(theirs), stats, faults

    # ---- replays -------------------------------------------------------------------------------
    replay_options = ("seed",)      # what `redqueen serve` offers to set for a replay

    def replay_page(self, programs, seed: int | None = None, position: int | None = None) -> str:
        """A self-contained HTML page playing back one episode (from `seed`, default 0): the first
        program plays the focal agents, the second the background ones, recorded in the sandbox."""
        from .replay import replay_html
        return replay_html(self.trace(programs, seed, position), [p.name for p in programs])

    # ---- Arena -----------------------------------------------------------------------------------
    def evaluate(self, candidates: Sequence, opponents: Sequence, seeds: Sequence[int],
                 fitness: str = "focal") -> list[Evaluation]:
        self.check_fitness(fitness)
        if fitness == "selfplay":
            played = self.episodes([(c.contestant, c.contestant) for c in candidates], seeds, selfplay=True)
            return [self._evaluation([games], fitness, selfplay=True) for games in played]
        if not opponents:
            raise ValueError("evaluation needs at least one opponent")
        played = self.episodes([(c.contestant, o.contestant) for c in candidates for o in opponents], seeds)
        width = len(opponents)
        return [self._evaluation(played[i * width:(i + 1) * width], fitness) for i in range(len(candidates))]

    def _evaluation(self, row: list, fitness: str, selfplay: bool = False) -> Evaluation:
        per_opponent, beaten_by, all_stats, all_faults = [], [], [], []
        for j, games in enumerate(row):
            mine, theirs, stats, faults = self._group_returns(games, selfplay)
            if fitness == "welfare":
                total = [(s[_COLUMN["focal_return"]] + s[_COLUMN["background_return"]]) for s in stats]
                per_opponent.append(float(np.sum(total) / len(games)))
            else:
                per_opponent.append(float(mine.mean()))
            if not selfplay and exceeds(theirs.mean(), mine.mean()):
                beaten_by.append(j)
            all_stats += stats
            all_faults += [dict(fault, opponent=j) for fault in faults]
        details = {"per_opponent": [round(x, 6) for x in per_opponent],
                   "games": int(sum(len(games) for games in row)),
                   "metrics": self.metrics(all_stats)}
        if all_faults:
            details["faults"] = all_faults[:20]
        return Evaluation(fitness=float(np.mean(per_opponent)), descriptors=self.descriptor_values(all_stats),
                          details=details, beaten_by=tuple(beaten_by))

    @staticmethod
    def metrics(stats: list) -> dict[str, float]:
        """The social metrics averaged over completed episodes (zeros when there are none)."""
        if not stats:
            return {name: 0.0 for name in METRICS}
        table = np.asarray(stats, float)
        return {name: round(float(table[:, _COLUMN[name]].mean()), 6) for name in METRICS}

    def duel(self, program, opponents: Sequence, seeds: Sequence[int]) -> DuelResults:
        """`program`'s focal agents among each opponent's background agents: fitness_a is the focal
        per-capita return, fitness_b the background's; a seed is a win when focal exceeds background."""
        played = self.episodes([(program.contestant, o.contestant) for o in opponents], seeds)
        fitness_a, fitness_b, wins, ties, losses, faults, metrics, returns = [], [], [], [], [], [], [], []
        for j, games in enumerate(played):
            mine, theirs, stats, game_faults = self._group_returns(games)
            difference = mine - theirs
            fitness_a.append(mine.mean())
            fitness_b.append(theirs.mean())
            wins.append(int((difference > TIE_TOLERANCE).sum()))
            ties.append(int((abs(difference) <= TIE_TOLERANCE).sum()))
            losses.append(int((difference < -TIE_TOLERANCE).sum()))
            faults += [dict(fault, opponent=j) for fault in game_faults]
            metrics.append(self.metrics(stats))
            returns.append([round(float(x), 6) for x in
                            np.mean([s[10:10 + self.agents] for s in stats], axis=0)] if stats else [])
        details = {"metrics": metrics, "mean_returns": returns, "focal": self.focal, "agents": self.agents}
        if faults:
            details["faults"] = faults[:20]
        arrays = {name: np.array(values, float) for name, values in
                  (("a", fitness_a), ("b", fitness_b))}
        return DuelResults(fitness_a=arrays["a"], fitness_b=arrays["b"], wins=np.array(wins, int),
                           ties=np.array(ties, int), losses=np.array(losses, int), score_a=arrays["a"],
                           score_b=arrays["b"], details=details)

    # ---- held-out: background populations written by the project --------------------------------
    def heldout_opponents(self) -> list:
        """The background populations in arenas/ssd/heldout (cooperative harvester, greedy
        harvester, aggressive tagger, dedicated cleaner, free-rider, random)."""
        programs, rejected = self.load_directory(HELDOUT)
        if rejected:
            raise RuntimeError(f"a held-out {self.name} population does not load: {rejected[0][1]}")
        return programs

    def heldout_summary(self, results: DuelResults, opponents: Sequence, seeds: Sequence[int]) -> dict:
        """Rule "focal-vs-resident": in a scenario (the focal group among one background population)
        the program is matched when its focal per-capita return is at least what the background
        policy itself earns per capita in those focal slots (the same seeds, every agent playing the
        background policy), beaten when it earns more. Generality: the fraction of scenarios matched."""
        if len(opponents) == 0:
            raise ValueError("generality needs at least one opponent")
        residents = self.resident_returns(opponents, seeds)
        per_opponent, matched, beaten = [], [], []
        for j, resident in enumerate(residents):
            focal = float(results.fitness_a[j])
            matched.append(bool(not exceeds(resident, focal)))
            beaten.append(bool(exceeds(focal, resident)))
            per_opponent.append({"matched": matched[-1], "focal_per_capita": round(focal, 6),
                                 "resident_per_capita": round(resident, 6)})
        return {"generality_rule": "focal-vs-resident", "opponents": len(opponents),
                "generality": float(np.mean(matched)), "beaten": float(np.mean(beaten)),
                "score_per_game": float(np.mean(results.score_a)), "per_opponent": per_opponent}

    def resident_returns(self, opponents: Sequence, seeds: Sequence[int]) -> list[float]:
        """Per opponent: its per-capita return in the focal slots when it plays every agent
        (remembered per opponent and seeds, as held-out sets are evaluated again and again)."""
        key = tuple(int(s) for s in seeds)
        missing = [o for o in opponents if (o.digest, key) not in self._residents]
        played = self.episodes([(o.contestant, o.contestant) for o in missing], seeds)
        for opponent, games in zip(missing, played):
            self._residents[(opponent.digest, key)] = float(self._group_returns(games)[0].mean())
        return [self._residents[(o.digest, key)] for o in opponents]

    # ---- teaching --------------------------------------------------------------------------------
    def feedback_notes(self, evaluation: Evaluation) -> str:
        """With feedback=dense, the parent's social metrics for the mutation prompt; else nothing."""
        metrics = (evaluation.details or {}).get("metrics")
        if self.feedback_kind != "dense" or not metrics:
            return ""
        return ("Social metrics of the whole population in its episodes (means): "
                + ", ".join(f"{name} {metrics[name]:.3f}" for name in METRICS if name in metrics)
                + f" (efficiency: apples per step; equality: 1 - Gini of returns; sustainability: mean "
                  f"step of rewards; peace: agents not removed per step, of {self.agents}).")

    def initial_programs(self):
        programs, rejected = self.load_directory(PROGRAMS)
        if rejected:
            raise RuntimeError(f"an initial {self.name} policy does not load: {rejected[0][1]}")
        return programs

    # ---- PolicyArena hooks (the two-player paths are not used) -----------------------------------
    def descriptor_values(self, stats: list) -> dict[str, float]:
        raise NotImplementedError

    def scores(self, stats: tuple) -> tuple[float, float]:
        return stats[_COLUMN["focal_return"]] / self.focal, \
            stats[_COLUMN["background_return"]] / max(1, self.agents - self.focal)

    def forfeit_scores(self, faulty: set[int]) -> tuple[float, float]:
        return 0.0, 0.0


def rate(stats: list, count: str, steps: str = "focal_steps") -> float:
    """A per-step rate of the focal group over completed episodes."""
    if not stats:
        return 0.0
    table = np.asarray(stats, float)
    total = table[:, _COLUMN[steps]].sum()
    return float(table[:, _COLUMN[count]].sum() / total) if total else 0.0


def focal_share(stats: list) -> float:
    """The focal group's share of all apples eaten."""
    if not stats:
        return 0.0
    table = np.asarray(stats, float)
    total = table[:, _COLUMN["focal_return"]].sum() + table[:, _COLUMN["background_return"]].sum()
    return float(table[:, _COLUMN["focal_return"]].sum() / total) if total else 0.0
