"""A tiny real game for testing the loop's mechanics without Core War: cyclic rock-paper-scissors.

A program is a sequence of throws (R, P, S, one per whitespace-separated token; `#` starts a
comment). In a game every player cycles through its throws, each starting at an offset drawn
from the seed; on each of 24 turns a player scores one point per other player its throw beats.
A player's fitness is its share of all points scored (0 when nobody scores). Deterministic.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from redqueen.arena import Arena, Descriptor, DuelResults, Evaluation, ProgramError, Prompts

THROWS = "RPS"
BEATS = {"R": "S", "P": "R", "S": "P"}
TURNS = 24
MAX_LENGTH = 12


@dataclass(frozen=True)
class Hand:
    source: str
    throws: str
    name: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.throws.encode()).hexdigest()


def play(hands: Sequence[Hand], seed: int) -> np.ndarray:
    """Points of each player over one game."""
    rng = np.random.default_rng(seed)
    offsets = rng.integers(0, 1000, size=len(hands))
    points = np.zeros(len(hands))
    for turn in range(TURNS):
        throws = [h.throws[(o + turn) % len(h.throws)] for h, o in zip(hands, offsets)]
        for i, mine in enumerate(throws):
            points[i] += sum(BEATS[mine] == other for j, other in enumerate(throws) if j != i)
    return points


def share(points: np.ndarray, index: int) -> float:
    total = points.sum()
    return float(points[index] / total) if total else 0.0


class TinyArena(Arena):
    name = "tiny"
    program_suffix = ".rps"
    descriptors = {
        "length": Descriptor("length", (1, 2, 4, 8, float("inf")), "number of throws"),
        "variety": Descriptor("variety", (1, 2, float("inf")), "distinct throws"),
    }
    default_descriptors = ("length", "variety")
    fitness_modes = {"battle": "share of all points in one game with every opponent, 0 to 1",
                     "duel": "mean share of the points in 1v1 games, 0 to 1 (0.5 = even)"}

    def parse(self, source: str, origin: str = "<program>") -> Hand:
        throws = []
        for number, line in enumerate(source.splitlines(), 1):
            for token in line.split("#")[0].split():
                if token.upper() not in THROWS:
                    raise ProgramError(f"unknown throw {token!r}", origin, number)
                throws.append(token.upper())
        if not throws:
            raise ProgramError("no throws", origin)
        if len(throws) > MAX_LENGTH:
            raise ProgramError(f"{len(throws)} throws, more than {MAX_LENGTH}", origin)
        return Hand(source, "".join(throws), "hand-" + "".join(throws))

    def evaluate(self, candidates, opponents, seeds, fitness="battle"):
        return [self._evaluate_one(c, opponents, seeds, fitness) for c in candidates]

    def _evaluate_one(self, candidate, opponents, seeds, fitness) -> Evaluation:
        if fitness == "battle":
            games = [play([candidate, *opponents], s) for s in seeds]
            value = float(np.mean([share(g, 0) for g in games]))
            mean_points = np.mean(games, axis=0)
            beaten_by = tuple(i for i in range(len(opponents)) if mean_points[i + 1] > mean_points[0])
        else:
            per_opponent = [np.mean([share(play([candidate, o], s), 0) for s in seeds]) for o in opponents]
            value = float(np.mean(per_opponent))
            beaten_by = tuple(i for i, v in enumerate(per_opponent) if v < 0.5)
        return Evaluation(value, {"length": len(candidate.throws), "variety": len(set(candidate.throws))},
                          {"turns": TURNS}, beaten_by)

    def duel(self, program, opponents, seeds) -> DuelResults:
        a = np.array([[share(play([program, o], s), 0) for s in seeds] for o in opponents])
        b = np.array([[share(play([program, o], s), 1) for s in seeds] for o in opponents])
        wins, losses = (a > b).sum(axis=1), (a < b).sum(axis=1)
        return DuelResults(a.mean(axis=1), b.mean(axis=1), wins, len(seeds) - wins - losses, losses,
                           a.mean(axis=1), b.mean(axis=1))

    def prompts(self) -> Prompts:
        return Prompts(system="You write rock-paper-scissors throw sequences (R, P, S).",
                       new="Write a new sequence of at most 12 throws in a ```rps block.",
                       mutate="Improve this sequence:\n```rps\n{parent}```\n{feedback}",
                       repair="This sequence is invalid:\n{program}\nError: {error}\nFix it.",
                       code_fence="rps")

    def initial_programs(self):
        return [self.parse("R", origin="rock")]

    def random_program(self, rng):
        return " ".join(rng.choice(list(THROWS), size=int(rng.integers(1, 9))))

    def draw_programs(self, rng, count):
        return [self.parse(self.random_program(rng), origin="drawn") for _ in range(count)]

    def mutate(self, program, rng):
        throws = list(program.throws)
        action = int(rng.integers(3))
        position = int(rng.integers(len(throws)))
        if action == 0:
            throws[position] = THROWS[int(rng.integers(3))]
        elif action == 1 and len(throws) < MAX_LENGTH:
            throws.insert(position, THROWS[int(rng.integers(3))])
        elif len(throws) > 1:
            del throws[position]
        return " ".join(throws)

    def crossover(self, a, b, rng):
        cut_a, cut_b = int(rng.integers(len(a.throws) + 1)), int(rng.integers(len(b.throws) + 1))
        child = (a.throws[:cut_a] + b.throws[cut_b:])[:MAX_LENGTH] or a.throws
        return " ".join(child)


def run_tiny(archive, **options) -> int:
    """Start and finish a run of the tiny arena with the builtin mutator; `options` are RunConfig
    fields over small defaults. Returns the run's id."""
    from redqueen.loop import RedQueen, RunConfig
    from redqueen.mutators import make_mutator
    arena = TinyArena()
    settings = {**dict(arena="tiny", rounds=4, iters=30, seeds=4, n_init=4, batch=5, seed=11), **options}
    loop = RedQueen.start(archive, RunConfig(**settings), arena, make_mutator("builtin", arena), progress=False)
    return loop.run()
