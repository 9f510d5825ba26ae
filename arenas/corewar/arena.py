"""Core War as a Red Queen arena: the adapter between the loop and the assembler and MARS.

Fitness follows the Digital Red Queen study: a candidate plays one battle (one round) with all
of the round's opponents, itself loaded first, per seed; its fitness is its survival share (a
lone survivor of a full battle earns the number of warriors, everyone surviving earns 1 each),
averaged over the seeds. Behaviour descriptors are the candidate's spawned processes and
memory coverage (distinct addresses executed; `coverage_enqueued`: distinct addresses queued,
the study's count), averaged over the same battles, or static properties of its code (length,
distinct opcodes). All battles of one `evaluate` call go to
the engine's parallel batch call at once.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from redqueen.arena import Arena, Descriptor, DuelResults, Evaluation, ProgramError, Prompts

from .instruction import OP
from .settings import Settings
from .warrior import Warrior

PROGRAMS = Path(__file__).resolve().parent / "programs"
INF = float("inf")

DESCRIPTORS = {
    "spawned": Descriptor("spawned", (1, 10, 100, 1000, 10000, INF),
                          "processes spawned by SPL during the battle (mean over seeds)"),
    "coverage": Descriptor("coverage", (10, 100, 500, 1000, 4000, INF),
                           "distinct core addresses the warrior executed (mean over seeds)"),
    "opcodes": Descriptor("opcodes", (1, 2, 3, 4, 6, INF), "distinct opcodes in the code"),
    "length": Descriptor("length", (1, 2, 4, 8, 16, INF), "instructions in the code"),
    # The DRQ study's definitions, for runs that follow it (docs/loop.md, "Fidelity").
    "coverage_enqueued": Descriptor("coverage_enqueued", (10, 100, 500, 1000, 4000, INF),
                                    "distinct core addresses the warrior queued a process at "
                                    "(the DRQ study's memory coverage; mean over seeds)"),
    "opcodes_drq": Descriptor("opcodes_drq", (4, 6, 8, 10, 14, INF),
                              "distinct opcodes in the code, with the DRQ study's bin edges"),
    "length_drq": Descriptor("length_drq", (5, 12, 20, 35, 60, INF),
                             "instructions in the code, with the DRQ study's bin edges"),
}


@dataclass(frozen=True, eq=False)
class RedcodeProgram:
    """A warrior with the text it was assembled from (the loop's `Program`)."""
    source: str
    warrior: Warrior

    @property
    def digest(self) -> str:
        return self.warrior.digest

    @property
    def name(self) -> str:
        return self.warrior.name


class CoreWarArena(Arena):
    name = "corewar"
    program_suffix = ".red"
    descriptors = DESCRIPTORS
    default_descriptors = ("spawned", "coverage")

    def __init__(self, settings: Settings, threads: int | None = None):
        self.settings = settings
        self.threads = threads

    # ---- programs ----------------------------------------------------------------------------
    def parse(self, source: str, origin: str = "<program>") -> RedcodeProgram:
        from .assembler import assemble
        warrior = assemble(source, self.settings, origin)     # RedcodeError is a ProgramError
        if warrior.length == 0:
            raise ProgramError("the warrior has no instructions", origin)
        if warrior.length > self.settings.maxlength:
            raise ProgramError(f"{warrior.length} instructions, more than the limit of "
                               f"{self.settings.maxlength}", origin)
        return RedcodeProgram(source, warrior)

    def listing(self, program: RedcodeProgram) -> str:
        """The assembled warrior as `pmars -r 0` lists it."""
        from .assembler import listing
        return listing(program.warrior)

    def initial_programs(self) -> list[RedcodeProgram]:
        path = PROGRAMS / "imp.red"
        return [self.parse(path.read_text(), origin=str(path))]

    def prompts(self) -> Prompts:
        from .prompts import core_war_prompts
        return core_war_prompts(self.settings)

    # ---- battles -----------------------------------------------------------------------------
    def evaluate(self, candidates: Sequence[RedcodeProgram], opponents: Sequence[RedcodeProgram],
                 seeds: Sequence[int], fitness: str = "battle") -> list[Evaluation]:
        if fitness == "battle":
            return self._evaluate_battle(candidates, opponents, seeds)
        if fitness == "duel":
            return self._evaluate_duel(candidates, opponents, seeds)
        raise ValueError(f"unknown fitness mode {fitness!r} (battle or duel)")

    def _evaluate_battle(self, candidates, opponents, seeds) -> list[Evaluation]:
        """One battle per (candidate, seed): candidate first, then every opponent."""
        if not candidates:
            return []
        n_c, n_o, n_s = len(candidates), len(opponents), len(seeds)
        rows = [[c, *range(n_c, n_c + n_o)] for c in range(n_c) for _ in range(n_s)]
        result = self._battles(list(candidates) + list(opponents), rows, np.tile(seeds, n_c))
        share = result.fitness[:, 0, :].reshape(n_c, n_s, n_o + 1)
        spawned = result.spawned[:, 0, 0].reshape(n_c, n_s)
        coverage = result.coverage[:, 0, 0].reshape(n_c, n_s)
        enqueued = result.enqueued[:, 0, 0].reshape(n_c, n_s)
        evaluations = []
        for c, program in enumerate(candidates):
            mean_share = share[c].mean(axis=0)
            beaten_by = tuple(int(i) for i in np.flatnonzero(mean_share[1:] > mean_share[0]))
            details = dict(per_seed=share[c, :, 0].round(6).tolist(),
                           survived=int(result.survived[c * n_s:(c + 1) * n_s, 0, 0].sum()),
                           mean_lifetime=float(result.lifetime[c * n_s:(c + 1) * n_s, 0, 0].mean()),
                           opponent_shares=mean_share[1:].round(6).tolist())
            evaluations.append(Evaluation(float(share[c, :, 0].mean()),
                                          self._descriptors(program, spawned[c], coverage[c], enqueued[c]),
                                          details, beaten_by))
        return evaluations

    def _evaluate_duel(self, candidates, opponents, seeds) -> list[Evaluation]:
        """One 1v1 battle per (candidate, opponent, seed); fitness is the mean over opponents."""
        if not candidates:
            return []
        n_c, n_o, n_s = len(candidates), len(opponents), len(seeds)
        rows = [[c, n_c + o] for c in range(n_c) for o in range(n_o) for _ in range(n_s)]
        result = self._battles(list(candidates) + list(opponents), rows, np.tile(seeds, n_c * n_o))
        share = result.fitness[:, 0, 0].reshape(n_c, n_o, n_s)
        spawned = result.spawned[:, 0, 0].reshape(n_c, n_o * n_s)
        coverage = result.coverage[:, 0, 0].reshape(n_c, n_o * n_s)
        enqueued = result.enqueued[:, 0, 0].reshape(n_c, n_o * n_s)
        evaluations = []
        for c, program in enumerate(candidates):
            per_opponent = share[c].mean(axis=1)
            beaten_by = tuple(int(i) for i in np.flatnonzero(per_opponent < 1.0))   # shares sum to 2
            evaluations.append(Evaluation(float(per_opponent.mean()),
                                          self._descriptors(program, spawned[c], coverage[c], enqueued[c]),
                                          dict(per_opponent=per_opponent.round(6).tolist()), beaten_by))
        return evaluations

    def duel(self, program: RedcodeProgram, opponents: Sequence[RedcodeProgram],
             seeds: Sequence[int]) -> DuelResults:
        n_o, n_s = len(opponents), len(seeds)
        rows = [[0, 1 + o] for o in range(n_o) for _ in range(n_s)]
        result = self._battles([program, *opponents], rows, np.tile(seeds, n_o))
        fitness = result.fitness[:, 0, :].reshape(n_o, n_s, 2)
        per_game = lambda array: array.reshape(n_o, n_s)
        scores = result.scores.reshape(n_o, n_s, 2)
        return DuelResults(
            fitness_a=fitness[..., 0].mean(axis=1), fitness_b=fitness[..., 1].mean(axis=1),
            wins=per_game(result.wins[:, 0]).sum(axis=1), ties=per_game(result.ties[:, 0]).sum(axis=1),
            losses=per_game(result.losses[:, 0]).sum(axis=1),
            score_a=scores[..., 0].mean(axis=1), score_b=scores[..., 1].mean(axis=1))

    def _battles(self, programs, rows, seeds):
        from .battle import WarriorPool, batch_battle
        pool = WarriorPool([p.warrior for p in programs], self.settings)
        return batch_battle(pool, np.asarray(rows, dtype=np.int64), np.asarray(seeds, dtype=np.int64),
                            rounds=1, threads=self.threads)

    @staticmethod
    def _descriptors(program, spawned, coverage, enqueued) -> dict[str, float]:
        code = program.warrior.code
        opcodes, length = float(len(np.unique(code[:, OP]))), float(len(code))
        return dict(spawned=float(np.mean(spawned)), coverage=float(np.mean(coverage)),
                    opcodes=opcodes, length=length, coverage_enqueued=float(np.mean(enqueued)),
                    opcodes_drq=opcodes, length_drq=length)

    # ---- offline variation -------------------------------------------------------------------
    def random_program(self, rng: np.random.Generator) -> str:
        from .mutation import random_code
        code, start = random_code(rng, self.settings.coresize, self.settings.maxlength)
        return self._source(code, start, "random program")

    def mutate(self, program: RedcodeProgram, rng: np.random.Generator) -> str:
        from .mutation import mutate_code
        code, start = mutate_code(program.warrior.code, program.warrior.start, rng,
                                  self.settings.coresize, self.settings.maxlength)
        return self._source(code, start, f"mutant of {program.name}")

    def crossover(self, a: RedcodeProgram, b: RedcodeProgram, rng: np.random.Generator) -> str:
        from .mutation import crossover_code
        code, start = crossover_code(a.warrior.code, a.warrior.start, b.warrior.code, rng,
                                     self.settings.maxlength)
        return self._source(code, start, f"cross of {a.name} and {b.name}")

    def _source(self, code, start, strategy) -> str:
        from .mutation import to_source
        tag = hashlib.sha256(np.ascontiguousarray(code, dtype=np.int32).tobytes() + bytes([start % 256])).hexdigest()
        return to_source(code, start, self.settings.coresize, f"rq-{tag[:8]}", strategy)


def make_arena(threads: int | None = None, **settings) -> CoreWarArena:
    """The Core War arena. Options are `Settings` fields (coresize, maxcycles, maxprocesses,
    maxlength, mindistance, pspacesize) with pMARS's defaults, and `threads` for battles."""
    unknown = sorted(set(settings) - set(Settings.__dataclass_fields__))
    if unknown:
        raise KeyError(f"unknown Core War option(s) {', '.join(unknown)} "
                       f"(known: {', '.join(Settings.__dataclass_fields__)}, threads)")
    return CoreWarArena(Settings(**settings), threads=threads)
