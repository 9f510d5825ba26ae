"""Core War as a Red Queen arena: the adapter between the loop and the assembler and MARS.

Fitness follows the Digital Red Queen study: a candidate plays one battle (one round) with all
of the round's opponents, itself loaded first, per seed; its fitness is its survival share (a
lone survivor of a full battle earns the number of warriors, everyone surviving earns 1 each),
averaged over the seeds. Behaviour descriptors are the candidate's spawned processes and
memory coverage (distinct addresses executed; `coverage_enqueued`: distinct addresses queued,
the study's count), averaged over the same battles, or static properties of its code (length,
distinct opcodes). All battles of one `evaluate` call go to
the engine's parallel batch call at once.

Two 1v1 modes play one round per (opponent, seed) instead, candidate loaded first (at address 0,
moving first): "duel" averages the survival share, "hill" scores each round as a pMARS hill does
(`pmars -b` with two warriors: 3 points for a win, 1 for a tie, 0 for a loss), so a candidate's
fitness is its mean points per round over seeds, then over opponents (0..3; 1.5 is an even match).
A battle seed is pMARS's seed for round 1: seed s puts the opponent at
mindistance + s % (coresize + 1 - 2 * mindistance), as `pmars -r 1 -F` that position does.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from redqueen.arena import (TIE_TOLERANCE, Arena, Descriptor, DuelResults, Evaluation, Option, ProgramError,
                            Prompts, exceeds)

from .instruction import OP
from .settings import MAX_CORESIZE, Settings
from .warrior import Warrior

PROGRAMS = Path(__file__).resolve().parent / "programs"
INF = float("inf")
DIVERSE_DRAWS = 2           # --diverse-start: random-parameter instances per archetype beside its default
DIVERSE_SEED = 7
ARCHETYPE_SHARE = 0.8       # new random programs drawn from strategy archetypes (else random code)

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


_SETTING = Settings()
# The Settings fields a run may change (rounds and warriors follow from the loop), with pMARS's
# defaults and limits.
OPTIONS = {
    "coresize": Option(int, _SETTING.coresize, "core size (pMARS -s)", 2, MAX_CORESIZE),
    "maxcycles": Option(int, _SETTING.maxcycles, "cycles until a tie (pMARS -c)", 1),
    "maxprocesses": Option(int, _SETTING.maxprocesses, "processes per warrior (pMARS -p)", 1, 2**31 - 1),
    "maxlength": Option(int, _SETTING.maxlength, "instructions per warrior (pMARS -l)", 1, 1000),
    "mindistance": Option(int, _SETTING.mindistance, "minimum distance between warriors (pMARS -d)",
                          1, MAX_CORESIZE),
    "pspacesize": Option(int, _SETTING.pspacesize, "P-space size (pMARS -S); 0: pMARS's choice", 0,
                         MAX_CORESIZE),
    "threads": Option(int, None, "threads for battles [default: all cores]", 1, 4096),
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
    prompt_styles = ("default", "drq")
    fitness_modes = {
        "battle": "survival share in one battle with all opponents (candidate first), x N warriors: "
                  "1.0 = an even share, N = sole survivor, 0 = dead",
        "duel": "mean survival share in 1v1 battles against each opponent, x 2: "
                "1.0 = even, 2.0 = sole survivor, 0 = dead",
        "matched": "fraction of opponents beaten or tied 1v1 (mean survival share >= 1, the held-out "
                   "rule), plus the mean share's margin as a tie-breaker worth under half an opponent: "
                   "about 0 to 1",
        "hill": "mean pMARS points per 1v1 round against each opponent: win 3, tie 1, loss 0 "
                "(1.0 = all ties, 1.5 = wins and losses even, 3 = wins every round)",
    }
    options = OPTIONS

    def __init__(self, settings: Settings = Settings(), threads: int | None = None):
        if settings.mindistance < settings.maxlength:
            raise ValueError(f"mindistance {settings.mindistance} is below maxlength {settings.maxlength}")
        if settings.coresize < 2 * settings.mindistance:
            raise ValueError(f"coresize {settings.coresize} is too small for two warriors "
                             f"{settings.mindistance} apart (mindistance)")
        if settings.pspace > settings.coresize:
            raise ValueError(f"pspacesize {settings.pspace} exceeds coresize {settings.coresize}")
        self.settings = settings
        self.threads = threads

    @classmethod
    def from_options(cls, threads: int | None = None, **settings) -> "CoreWarArena":
        return cls(Settings(**settings), threads=threads)

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

    def parse_fingerprint(self) -> str:
        return repr(self.settings)            # assembly depends on the settings only

    def listing(self, program: RedcodeProgram) -> str:
        """The assembled warrior as `pmars -r 0` lists it."""
        from .assembler import listing
        return listing(program.warrior)

    def initial_programs(self) -> list[RedcodeProgram]:
        path = PROGRAMS / "imp.red"
        return [self.parse(path.read_text(), origin=str(path))]

    def diverse_programs(self) -> list[RedcodeProgram]:
        """The default instance of every strategy archetype (`archetypes.DEFAULT_PARAMETERS`) and
        DIVERSE_DRAWS more of each with parameters drawn from a fixed seed."""
        from .archetypes import ARCHETYPES, default_instance, random_archetype
        programs = [self.parse(default_instance(kind, self.settings), origin=f"archetype {kind}")
                    for kind in ARCHETYPES]
        rng = np.random.default_rng(DIVERSE_SEED)
        for kind in ARCHETYPES:
            for draw in range(DIVERSE_DRAWS):
                programs.append(self.parse(random_archetype(rng, self.settings, [kind]),
                                           origin=f"archetype {kind} draw {draw + 1}"))
        unique = {p.digest: p for p in reversed(programs)}
        return [p for p in programs if unique[p.digest] is p]

    def draw_programs(self, rng, count: int) -> list[RedcodeProgram]:
        """`count` strategy archetypes of random kinds with parameters drawn from `rng`."""
        from .archetypes import random_archetype
        return [self.parse(random_archetype(rng, self.settings), origin="archetype draw") for _ in range(count)]

    def prompts(self, style: str = "default") -> Prompts:
        """The project's prompts (with the battle settings), or the DRQ study's content (`drq`)."""
        if style == "drq":
            from .prompts_drq import drq_prompts
            return drq_prompts()
        from .prompts import core_war_prompts
        return core_war_prompts(self.settings)

    # ---- battles -----------------------------------------------------------------------------
    def evaluate(self, candidates: Sequence[RedcodeProgram], opponents: Sequence[RedcodeProgram],
                 seeds: Sequence[int], fitness: str = "battle") -> list[Evaluation]:
        if self.check_fitness(fitness) == "battle":
            return self._evaluate_battle(candidates, opponents, seeds)
        mode = self.check_fitness(fitness)
        if mode == "hill":
            return self._evaluate_hill(candidates, opponents, seeds)
        return self._evaluate_duel(candidates, opponents, seeds, matched=mode == "matched")

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
            beaten_by = tuple(int(i) for i in np.flatnonzero(exceeds(mean_share[1:], mean_share[0])))
            details = dict(per_seed=share[c, :, 0].round(6).tolist(),
                           survived=int(result.survived[c * n_s:(c + 1) * n_s, 0, 0].sum()),
                           mean_lifetime=float(result.lifetime[c * n_s:(c + 1) * n_s, 0, 0].mean()),
                           opponent_shares=mean_share[1:].round(6).tolist())
            evaluations.append(Evaluation(float(share[c, :, 0].mean()),
                                          self._descriptors(program, spawned[c], coverage[c], enqueued[c]),
                                          details, beaten_by))
        return evaluations

    def _one_on_one(self, candidates, opponents, seeds):
        """One 1v1 round per (candidate, opponent, seed), in that order, with the candidate's
        spawned processes, coverage and queued addresses as (candidates, opponents * seeds) arrays."""
        n_c, n_o, n_s = len(candidates), len(opponents), len(seeds)
        rows = [[c, n_c + o] for c in range(n_c) for o in range(n_o) for _ in range(n_s)]
        result = self._battles(list(candidates) + list(opponents), rows, np.tile(seeds, n_c * n_o))
        per_candidate = lambda array: array[:, 0, 0].reshape(n_c, n_o * n_s)
        return result, per_candidate(result.spawned), per_candidate(result.coverage), per_candidate(result.enqueued)

    def _evaluate_duel(self, candidates, opponents, seeds, matched: bool = False) -> list[Evaluation]:
        """Fitness is the mean over opponents of the 1v1 survival share; `matched`: the fraction
        of opponents matched (mean share at least 1, the held-out rule's beat-or-tie), with the
        mean share as a tie-breaker worth less than one opponent."""
        if not candidates:
            return []
        result, spawned, coverage, enqueued = self._one_on_one(candidates, opponents, seeds)
        share = result.fitness[:, 0, 0].reshape(len(candidates), len(opponents), len(seeds))
        evaluations = []
        for c, program in enumerate(candidates):
            per_opponent = share[c].mean(axis=1)
            # 1v1 shares sum to 2: the opponent did better when the candidate's is below 1
            beaten_by = tuple(int(i) for i in np.flatnonzero(per_opponent < 1.0 - TIE_TOLERANCE))
            value = float(per_opponent.mean())
            if matched:     # shares lie in [0, 2]: the tie-breaker stays within (-0.5, 0.5] / opponents
                value = (len(opponents) - len(beaten_by) + (value - 1) / 2) / len(opponents)
            evaluations.append(Evaluation(value,
                                          self._descriptors(program, spawned[c], coverage[c], enqueued[c]),
                                          dict(per_opponent=per_opponent.round(6).tolist()), beaten_by))
        return evaluations

    def _evaluate_hill(self, candidates, opponents, seeds) -> list[Evaluation]:
        """Fitness is the mean over opponents of the candidate's pMARS points per round."""
        if not candidates:
            return []
        result, spawned, coverage, enqueued = self._one_on_one(candidates, opponents, seeds)
        points = result.scores.reshape(len(candidates), len(opponents), len(seeds), 2).mean(axis=2)
        evaluations = []
        for c, program in enumerate(candidates):
            ours, theirs = points[c, :, 0], points[c, :, 1]
            beaten_by = tuple(int(i) for i in np.flatnonzero(theirs > ours))
            details = dict(per_opponent=ours.round(6).tolist(), opponent_points=theirs.round(6).tolist())
            evaluations.append(Evaluation(float(ours.mean()),
                                          self._descriptors(program, spawned[c], coverage[c], enqueued[c]),
                                          details, beaten_by))
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

    # ---- replays ------------------------------------------------------------------------------
    replay_options = ("position", "seed", "round")   # what `redqueen serve` offers to set for a replay

    def replay_page(self, programs: Sequence[RedcodeProgram], seed: int | None = None,
                    position: int | None = None, round_number: int = 1) -> str:
        """A self-contained HTML page playing back round `round_number` of the battle of `programs`
        (in load order) from pMARS seed `seed`, or with the second warrior at `position` (pMARS -F)."""
        from .recording import record_round
        from .replay import replay_html
        if seed is None and position is None:
            position = self.settings.mindistance
        recording = record_round([p.warrior for p in programs], self.settings, seed=seed,
                                 fixed_position=position, round_number=round_number)
        return replay_html(recording, [p.warrior.name for p in programs])

    # ---- offline variation -------------------------------------------------------------------
    def random_program(self, rng: np.random.Generator) -> str:
        if rng.random() < ARCHETYPE_SHARE:
            from .archetypes import random_archetype
            return random_archetype(rng, self.settings)
        return self._random_code(rng)

    def _random_code(self, rng: np.random.Generator) -> str:
        from .mutation import random_code
        code, start = random_code(rng, self.settings.coresize, self.settings.maxlength)
        return self._source(code, start, "random program")

    def mutate(self, program: RedcodeProgram, rng: np.random.Generator) -> str:
        from .mutation import mutate_code
        code, start = mutate_code(program.warrior.code, program.warrior.start, rng,
                                  self.settings.coresize, self.settings.maxlength)
        return self._source(code, start, f"mutant of {program.name}")

    def crossover(self, a: RedcodeProgram, b: RedcodeProgram, rng: np.random.Generator) -> str:
        from .modules import component_crossover, has_markers
        if has_markers(a.source) and has_markers(b.source):
            return component_crossover(a.source, b.source, rng, self.settings)
        return self._block_crossover(a, b, rng)

    def _block_crossover(self, a: RedcodeProgram, b: RedcodeProgram, rng: np.random.Generator) -> str:
        from .mutation import crossover_code
        code, start = crossover_code(a.warrior.code, a.warrior.start, b.warrior.code, rng,
                                     self.settings.maxlength)
        return self._source(code, start, f"cross of {a.name} and {b.name}")

    # ---- constant optimisation (redqueen.optimize) ---------------------------------------------
    def constants(self, program: RedcodeProgram) -> list:
        """EQU numbers and operand numbers, grouped as `constants.py` describes."""
        from .constants import find_constants
        return find_constants(program.source, self.settings)

    def with_constants(self, program: RedcodeProgram, values) -> str:
        from .constants import with_values
        return with_values(program.source, values, self.settings)

    def operators(self) -> list:
        """The built-in mutator's operators in adaptive mode: new programs from the strategy
        archetypes or random code; point mutations, constant tuning (one shared constant moved,
        steps from the optima tables), inserting or replacing a whole component; block and
        component-respecting crossover."""
        from redqueen.operators import Operator
        from .archetypes import random_archetype
        from .constants import tune_constants
        from .modules import component_crossover, insert_component, replace_component
        settings = self.settings
        return [
            Operator("archetype", "new", lambda rng: random_archetype(rng, settings), prior=4.0),
            Operator("random", "new", self._random_code),
            Operator("mutate", "mutate", self.mutate),
            Operator("tune", "mutate", lambda program, rng: tune_constants(program.source, rng, settings)),
            Operator("insert", "mutate", lambda program, rng: insert_component(program.source, rng, settings),
                     prior=0.5),
            Operator("replace", "mutate", lambda program, rng: replace_component(program.source, rng, settings),
                     prior=0.5),
            Operator("crossover", "crossover", self._block_crossover, prior=0.25),
            Operator("component_crossover", "crossover",
                     lambda a, b, rng: component_crossover(a.source, b.source, rng, settings), prior=0.25)]

    def preset_options(self, preset: str) -> dict:
        """`--preset drq` describes behaviour by memory coverage as the study counts it (addresses
        enqueued); `--preset strong` plays `matched` fitness, the held-out rule's beat-or-tie count."""
        return {"drq": {"descriptors": "spawned,coverage_enqueued"}, "strong": {"fitness": "matched"}}.get(preset, {})

    def _source(self, code, start, strategy) -> str:
        from .mutation import to_source
        tag = hashlib.sha256(np.ascontiguousarray(code, dtype=np.int32).tobytes() + bytes([start % 256])).hexdigest()
        return to_source(code, start, self.settings.coresize, f"rq-{tag[:8]}", strategy)


def make_arena(**options) -> CoreWarArena:
    """The Core War arena from `OPTIONS` (Settings fields with pMARS's defaults, and `threads`),
    checked as the registry checks them."""
    return CoreWarArena.from_options(**CoreWarArena.check_options(options))
