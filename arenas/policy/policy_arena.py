"""`PolicyArena`: the `redqueen.arena.Arena` of a two-player policy game, over the sandbox pool.

A concrete arena names its game module and signature, and says how a game's statistics become
scores and descriptors. Everything else (validation, compilation in the sandbox, evaluation,
duels, forfeits, fault reports) is shared here.
"""
from __future__ import annotations

import atexit
import re
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from redqueen.arena import TIE_TOLERANCE, Arena, DuelResults, Evaluation, Option, ProgramError, exceeds

from .sandbox import ENGINE, SIDE_A, SIDE_B, Limits
from .family import Family, perturb_constants
from .validate import Signature, ValidPolicy, validate

MAX_FAULTS_REPORTED = 20
_FAMILY_MARKER = re.compile(r"^# family ([\w-]+):", re.MULTILINE)


@dataclass(frozen=True, eq=False)
class Policy:
    """A validated, compiled policy: the loop's Program."""
    source: str
    digest: str
    name: str
    code: str
    origin: str = "<program>"

    @property
    def contestant(self) -> tuple[str, str, str]:
        return ("policy", self.digest, self.code)

    def __eq__(self, other):
        return isinstance(other, Policy) and other.digest == self.digest

    def __hash__(self):
        return hash(self.digest)


@dataclass(frozen=True, eq=False)
class BuiltinOpponent:
    """An opponent implemented by the game module itself (e.g. an Axelrod strategy), not a policy."""
    name: str
    digest: str
    source: str
    key: str

    @property
    def contestant(self) -> tuple[str, str, str]:
        return ("builtin", self.digest, self.key)

    def __eq__(self, other):
        return isinstance(other, BuiltinOpponent) and other.digest == self.digest

    def __hash__(self):
        return hash(self.digest)


@dataclass
class PairOutcome:
    """One pairing over the seeds, from A's side: scores per game, and the completed games' stats."""
    scores_a: np.ndarray
    scores_b: np.ndarray
    stats: list                  # stats tuples of completed games (A first)
    faults: list                 # [{"seed", "side", "reason"}]


_OPEN_ARENAS: "weakref.WeakSet[PolicyArena]" = weakref.WeakSet()


@atexit.register
def _close_all():
    for arena in list(_OPEN_ARENAS):
        arena.close()


class PolicyArena(Arena):
    """Shared implementation; subclasses set the class attributes and the scoring hooks."""
    signature: Signature
    game_module: str
    family: Family                            # the built-in mutator's policy family
    builtin_game_module: str | None = None    # plays BuiltinOpponent contestants, if any
    program_suffix = ".py"
    # Shared by every policy arena; a concrete arena adds its game's options to these.
    options = {"workers": Option(int, None, "sandbox worker processes [default: one per core]", 1, 256),
               "progress": Option(bool, True, "a progress bar for evaluations of 2000 games or more")}

    def __init__(self, workers: int | None = None, limits: Limits | None = None, progress: bool = True,
                 **game_options):
        self.workers, self.limits, self.progress = workers, limits or Limits(), progress
        self.game_options = self.game_settings(self.check_options(game_options))
        self._pools: dict[str, object] = {}
        self._checked: dict[str, tuple[str, int | None] | None] = {}
        _OPEN_ARENAS.add(self)

    # ---- the built-in mutator: a parametrised policy family ----------------------------------
    def random_program(self, rng: np.random.Generator) -> str:
        return self.family.source(self.family.random(rng))

    def mutate(self, program, rng: np.random.Generator) -> str:
        params = self.family.params_of(program.source)
        if params is not None:
            return self.family.source(self.family.mutate(params, rng))
        return perturb_constants(program.source, rng) or self.random_program(rng)

    def crossover(self, a, b, rng: np.random.Generator) -> str:
        pa, pb = self.family.params_of(a.source), self.family.params_of(b.source)
        if pa is not None and pb is not None:
            return self.family.source(self.family.mutate(self.family.crossover(pa, pb, rng), rng, rate=0.1))
        family_parent = a if pa is not None else b if pb is not None else a
        return self.mutate(family_parent, rng)

    # ---- hooks for the concrete arena ----------------------------------------------------------
    def game_settings(self, options: dict) -> dict:
        """What the game module receives: every declared game option (all but `workers`), from
        the checked `options` or its default. Arenas with derived settings override this."""
        return {name: options.get(name, option.default) for name, option in self.options.items()
                if name not in PolicyArena.options}

    def scores(self, stats: tuple) -> tuple[float, float]:
        """(score of A, score of B) of a completed game."""
        raise NotImplementedError

    def forfeit_scores(self, faulty: set[int]) -> tuple[float, float]:
        """Scores of a game in which the sides in `faulty` (1, 2; 0 = the engine) broke down."""
        raise NotImplementedError

    def descriptor_values(self, stats: list[tuple]) -> dict[str, float]:
        """Descriptor values of side A over its completed games (may be empty)."""
        raise NotImplementedError

    # ---- sandbox -------------------------------------------------------------------------------
    def pool(self, module: str | None = None):
        from .pool import WorkerPool
        module = module or self.game_module
        if module not in self._pools:
            self._pools[module] = WorkerPool(module, self.signature.name, self.workers, self.limits)
        return self._pools[module]

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()

    def trace(self, programs, seed: int | None = None, position: int | None = None) -> dict:
        """One game of two policies recorded in the sandbox by the game module's `trace`, for
        the arena's `replay_page`. A position is refused: policy games are set up by their seed."""
        if position is not None:
            raise ValueError(f"{self.name} games take --seed, not a position (-F)")
        if len(programs) != 2 or any(not isinstance(p, Policy) for p in programs):
            raise ValueError(f"a {self.name} replay needs exactly two policies")
        a, b = programs
        return self.pool().trace(a.contestant, b.contestant, seed or 0, self.game_options)

    # ---- Arena -----------------------------------------------------------------------------------
    def parse(self, source: str, origin: str = "<program>") -> Policy:
        valid = validate(source, self.signature, origin)
        if valid.digest not in self._checked:
            self._checked[valid.digest] = self.pool().check(
                ("policy", valid.digest, valid.code), self.game_options)
        return self._checked_policy(valid, origin)

    def parse_many(self, sources: Sequence[str], origin: str = "<program>") -> list:
        """`parse` of each source (a Policy or the exception), the new ones compiled and smoke
        tested on all workers at once; a result is the same as `parse` would give."""
        valid = self._check_all(sources, [origin] * len(sources))
        results = []
        for v in valid:
            try:
                results.append(v if isinstance(v, Exception) else self._checked_policy(v, origin))
            except ProgramError as error:
                results.append(error)
        return results

    def load_directory(self, path):
        """As `Arena.load_directory`, the files compiled and smoke tested on all workers at once."""
        files = sorted(Path(path).glob(f"*{self.program_suffix}"))
        self._check_all([file.read_text(errors="replace") for file in files], [str(file) for file in files])
        return super().load_directory(path)

    def _check_all(self, sources: Sequence[str], origins: Sequence[str]) -> list:
        """Each source validated (a ValidPolicy or the exception); the ones not checked before
        are compiled and smoke tested on all workers at once, their results remembered."""
        valid: list = []
        for source, origin in zip(sources, origins):
            try:
                valid.append(validate(source, self.signature, origin))
            except Exception as error:   # ProgramError; anything else is reported as parse would raise it
                valid.append(error)
        fresh = {v.digest: v for v in valid if not isinstance(v, Exception) and v.digest not in self._checked}
        if fresh:
            checked = self.pool().check_many([("policy", d, v.code) for d, v in fresh.items()], self.game_options)
            self._checked.update(zip(fresh, checked))
        return valid

    def _checked_policy(self, valid: ValidPolicy, origin: str) -> Policy:
        failure = self._checked[valid.digest]
        if failure is not None:
            reason, line = failure
            raise ProgramError(reason, origin, line)
        return Policy(source=valid.source, digest=valid.digest, name=_name_of(valid, origin),
                      code=valid.code, origin=origin)

    def evaluate(self, candidates: Sequence, opponents: Sequence, seeds: Sequence[int],
                 fitness: str = "battle") -> list[Evaluation]:
        """Two-player games: every fitness mode means 1v1 games against each opponent."""
        self.check_fitness(fitness)
        if not opponents:
            raise ValueError("evaluation needs at least one opponent")
        outcomes = self.play(candidates, opponents, seeds)
        return [self._evaluation(row) for row in outcomes]

    def duel(self, program, opponents: Sequence, seeds: Sequence[int]) -> DuelResults:
        row = self.play([program], opponents, seeds)[0]
        per = [(o.scores_a.mean(), o.scores_b.mean(), *self._win_tie_loss(o)) for o in row]
        fitness_a, fitness_b, wins, ties, losses = (np.array(column) for column in zip(*per)) if per else \
            (np.zeros(0),) * 5
        faults = _fault_report(row)
        return DuelResults(fitness_a=fitness_a.astype(float), fitness_b=fitness_b.astype(float),
                                 wins=wins.astype(int), ties=ties.astype(int), losses=losses.astype(int),
                                 score_a=fitness_a.astype(float), score_b=fitness_b.astype(float),
                                 details={"faults": faults} if faults else {})

    # ---- playing ---------------------------------------------------------------------------------
    def play(self, candidates: Sequence, opponents: Sequence, seeds: Sequence[int]) -> list[list[PairOutcome]]:
        """Every candidate (side A) against every opponent (side B) over the seeds."""
        pairings = [(c.contestant, o.contestant) for c in candidates for o in opponents]
        outcomes = self.play_pairings(pairings, seeds)
        width = len(opponents)
        return [outcomes[i * width:(i + 1) * width] for i in range(len(candidates))]

    def play_pairings(self, pairings: list, seeds: Sequence[int]) -> list[PairOutcome]:
        """Each (contestant A, contestant B) over the seeds."""
        seeds = [int(s) for s in seeds]
        if not seeds:
            raise ValueError("at least one seed is needed")
        return [self._outcome(results, seeds) for results in self._play_pairings(pairings, seeds)]

    def _play_pairings(self, pairings, seeds) -> list:
        """Policy-only pairings go to the game's pool, pairings with a built-in to the other."""
        by_module: dict[str, list[int]] = {}
        for index, (a, b) in enumerate(pairings):
            builtin = a[0] == "builtin" or b[0] == "builtin"
            if builtin and self.builtin_game_module is None:
                raise ValueError(f"{self.name} has no built-in opponents")
            module = self.builtin_game_module if builtin else self.game_module
            by_module.setdefault(module, []).append(index)
        results: list = [None] * len(pairings)
        total = len(pairings) * len(seeds)
        with _progress(total, self.progress and total >= 2000, self.name) as bar:
            for module, indices in by_module.items():
                played = self.pool(module).play([pairings[i] for i in indices], seeds,
                                                self.game_options, progress=bar)
                for index, games in zip(indices, played):
                    results[index] = games
        return results

    def _outcome(self, games: list, seeds: list[int]) -> PairOutcome:
        scores_a, scores_b, stats, faults = [], [], [], []
        for seed, (game_stats, game_faults) in zip(seeds, games):
            if game_faults:
                sides = {int(side) for side in game_faults}
                a, b = self.forfeit_scores(sides)
                faults += [{"seed": seed, "side": _SIDE_NAMES.get(int(side), "engine"), "reason": reason}
                           for side, reason in game_faults.items()]
            else:
                a, b = self.scores(game_stats)
                stats.append(game_stats)
            scores_a.append(a)
            scores_b.append(b)
        return PairOutcome(np.array(scores_a, float), np.array(scores_b, float), stats, faults)

    def _evaluation(self, row: list[PairOutcome]) -> Evaluation:
        per_opponent = [float(o.scores_a.mean()) for o in row]
        stats = [s for o in row for s in o.stats]
        beaten_by = tuple(j for j, o in enumerate(row) if exceeds(o.scores_b.mean(), o.scores_a.mean()))
        details = {"per_opponent": [round(x, 6) for x in per_opponent],
                   "games": int(sum(len(o.scores_a) for o in row))}
        faults = _fault_report(row)
        if faults:
            details["faults"] = faults
        return Evaluation(fitness=float(np.mean([o.scores_a.mean() for o in row])),
                          descriptors=self.descriptor_values(stats), details=details, beaten_by=beaten_by)

    def _win_tie_loss(self, outcome: PairOutcome) -> tuple[int, int, int]:
        difference = outcome.scores_a - outcome.scores_b
        return int((difference > TIE_TOLERANCE).sum()), int((abs(difference) <= TIE_TOLERANCE).sum()), \
            int((difference < -TIE_TOLERANCE).sum())


_SIDE_NAMES = {SIDE_A: "a", SIDE_B: "b", ENGINE: "engine"}


def _fault_report(row: list[PairOutcome]) -> list[dict]:
    """Faults per opponent index, at most MAX_FAULTS_REPORTED, the first of each pairing first."""
    report = [dict(fault, opponent=j) for j, o in enumerate(row) for fault in o.faults]
    return report[:MAX_FAULTS_REPORTED]


def _name_of(valid: ValidPolicy, origin: str) -> str:
    """The file's stem, the built-in family's name, or a name from the digest."""
    if origin.endswith(".py"):
        return Path(origin).stem
    family = _FAMILY_MARKER.search(valid.source)
    prefix = family.group(1) if family else "policy"
    return f"{prefix}-{valid.digest[:8]}"


class _progress:
    """A tqdm bar over games when there are many, else nothing."""

    def __init__(self, total: int, show: bool, name: str):
        self.total, self.show, self.name, self.bar = total, show, name, None

    def __enter__(self):
        if self.show:
            from tqdm.auto import tqdm
            self.bar = tqdm(total=self.total, unit="game", desc=f"{self.name} games", leave=False,
                            disable=None)        # None: no bar when stderr is not a terminal (logs)
        return self.bar

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
