"""The one interface between the Red Queen loop and a game.

The loop, the archive, held-out evaluation and convergence analysis see an arena only through
this class. An arena is a subclass registered under the `redqueen.arenas` entry-point group
(see `redqueen.registry`); nothing in `redqueen/` names one. Programs are opaque to the loop
except for the few attributes of `Program`.

What an arena declares as class attributes (readable without building it): `name`,
`program_suffix`, `descriptors`, `default_descriptors`, `fitness_modes` and `options`.
"""
from __future__ import annotations

import abc
import re
from dataclasses import dataclass, field
from typing import Protocol, Sequence

import numpy as np

from .options import Option, OptionError, check_options  # noqa: F401  (Option, OptionError: for arenas)

# Mean fitnesses or scores closer than this are a tie: they are averages of the same number of
# games, so a difference this small is floating-point noise, not an outcome. Every comparison
# of results (beaten-by lists, wins/ties/losses, generality) uses it.
TIE_TOLERANCE = 1e-9

# Words, numbers and single symbols: "MOV.I  $  0, $ 1" -> MOV.I $ 0 $ 1 (commas dropped).
_TOKEN = re.compile(r"[A-Za-z_][\w.]*|-?\d+|[^\s\w,]")


def exceeds(a, b, tolerance: float = TIE_TOLERANCE):
    """Whether `a` is higher than `b` by more than float noise (elementwise for arrays)."""
    return np.asarray(a, dtype=float) > np.asarray(b, dtype=float) + tolerance


class ProgramError(ValueError):
    """A program that cannot be used: one line saying where (origin:line) and why."""

    def __init__(self, reason: str, origin: str = "<program>", line: int | None = None):
        self.reason, self.origin, self.line = reason, origin, line
        where = f"{origin}:{line}" if line else origin
        super().__init__(f"{where}: {reason}")


class Program(Protocol):
    """What the loop needs of a parsed program; arenas return their own richer objects."""
    source: str      # the text as written (stored in the archive, exported)
    digest: str      # content hash of the *compiled* program, for deduplication
    name: str


@dataclass(frozen=True)
class Descriptor:
    """A behaviour descriptor: a named statistic and the upper edges of its bins (last is inf).
    `binning` "inclusive": a value equal to an edge stays in the lower bin (value <= edge);
    "study": it goes to the next (value < edge, the DRQ study's rule; see redqueen.fidelity)."""
    name: str
    edges: tuple[float, ...]
    help: str = ""
    binning: str = "inclusive"

    def bin(self, value: float) -> int:
        side = "right" if self.binning == "study" else "left"
        return min(int(np.searchsorted(np.asarray(self.edges), value, side=side)), len(self.edges) - 1)


@dataclass
class Evaluation:
    """A candidate against a set of opponents over seeds."""
    fitness: float
    descriptors: dict[str, float]
    details: dict = field(default_factory=dict)   # arena-specific, JSON-serialisable
    beaten_by: tuple[int, ...] = ()   # indices of opponents that did better than the candidate
                                      # (feeds the mutation prompt with --feedback; may stay empty)


@dataclass
class DuelResults:
    """1v1 results of one program (A) against several opponents (B), per opponent, over seeds.

    Arrays have one entry per opponent. `score_*` is the arena's tournament score per game played
    (pMARS points for Core War, mean payoff for IPD, win=1/draw=.5 for Tron). `details` holds
    arena-specific, JSON-serialisable notes, e.g. the faults of sandboxed games."""
    fitness_a: np.ndarray
    fitness_b: np.ndarray
    wins: np.ndarray
    ties: np.ndarray
    losses: np.ndarray
    score_a: np.ndarray
    score_b: np.ndarray
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Prompts:
    """Texts that teach a language model the arena. Templates use str.format fields:
    new: {}; mutate: {parent}, {feedback}; repair: {program}, {error}."""
    system: str
    new: str
    mutate: str
    repair: str
    code_fence: str        # the language tag models use for code blocks, e.g. "redcode", "python"


class Arena(abc.ABC):
    name: str
    program_suffix: str            # file suffix for exported programs, e.g. ".red"
    descriptors: dict[str, Descriptor]
    default_descriptors: tuple[str, str]
    # Prompt styles `prompts(style)` accepts beyond the default (`redqueen evolve --prompts`).
    prompt_styles: tuple[str, ...] = ("default",)
    # Fitness mode name -> one line saying what the fitness is and its scale. The first is the default.
    fitness_modes: dict[str, str]
    # Options the arena is built with (`from_options`), each declared once with its default.
    options: dict[str, Option] = {}

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def from_options(cls, **options) -> "Arena":
        """The arena built from options already checked against `options` (not given: defaults).
        Arenas whose constructor takes something else (Core War's `Settings`) override this."""
        return cls(**options)

    @classmethod
    def check_options(cls, given: dict) -> dict:
        """`given` (text or typed values) converted and checked against `options`; OptionError
        (one line) on an unknown option or a bad value."""
        return check_options(cls.name, cls.options, given)

    @classmethod
    def default_fitness(cls) -> str:
        return next(iter(cls.fitness_modes))

    @classmethod
    def check_fitness(cls, mode: str) -> str:
        """`mode` if the arena has it, else ValueError naming the valid ones."""
        if mode not in cls.fitness_modes:
            raise ValueError(f"unknown fitness mode {mode!r} for arena {cls.name} "
                             f"(valid: {', '.join(cls.fitness_modes)})")
        return mode

    def close(self) -> None:
        """Release worker processes or other resources; the default holds none."""

    @abc.abstractmethod
    def parse(self, source: str, origin: str = "<program>") -> Program:
        """Parse/compile a program or raise ProgramError."""

    def parse_fingerprint(self) -> str | None:
        """What `parse` depends on besides the source and origin (e.g. the arena's settings), as
        text. Given one, held-out directories this arena parses are cached on disk
        (`redqueen.parsed_cache`); its programs must then pickle. None, the default: never
        cached (for programs that hold compiled code, or parsing with side effects)."""
        return None

    def parse_many(self, sources: Sequence[str], origin: str = "<program>") -> list:
        """`parse` of each source: the Program, or the exception `parse` raised. Arenas whose
        parsing compiles in worker processes override this to compile the sources in parallel."""
        results = []
        for source in sources:
            try:
                results.append(self.parse(source, origin=origin))
            except Exception as error:   # the caller decides how to report each kind
                results.append(error)
        return results

    @abc.abstractmethod
    def evaluate(self, candidates: Sequence[Program], opponents: Sequence[Program],
                 seeds: Sequence[int], fitness: str = "battle") -> list[Evaluation]:
        """Fitness and descriptor values of each candidate against the opponents over the seeds.
        `fitness` is one of the arena's `fitness_modes`; ValueError for another."""

    @abc.abstractmethod
    def duel(self, program: Program, opponents: Sequence[Program], seeds: Sequence[int]) -> DuelResults:
        """1v1 games of `program` against each opponent over the seeds."""

    @abc.abstractmethod
    def prompts(self) -> Prompts:
        """Prompts teaching a language model to write programs for this arena. An arena that
        lists more `prompt_styles` takes the style as an argument: `prompts(style)`."""

    @abc.abstractmethod
    def initial_programs(self) -> list[Program]:
        """The default round-0 opponents."""

    @abc.abstractmethod
    def random_program(self, rng: np.random.Generator) -> str:
        """Source of a new program, for the offline built-in mutator."""

    @abc.abstractmethod
    def mutate(self, program: Program, rng: np.random.Generator) -> str:
        """Source of a variation of `program`, for the offline built-in mutator."""

    @abc.abstractmethod
    def crossover(self, a: Program, b: Program, rng: np.random.Generator) -> str:
        """Source of a child of two programs, for the offline built-in mutator."""

    def heldout_opponents(self) -> list[Program] | None:
        """The arena's own held-out opponents, or None to use a directory of program files
        (`redqueen eval --against`, by default the project's archive/heldout)."""
        return None

    def feedback_notes(self, evaluation: Evaluation) -> str:
        """Arena-specific lines for the mutation prompt's feedback (`--feedback`) about a parent's
        evaluation, placed after its fitness; the default adds none."""
        return ""

    def label(self, program: Program) -> str:
        """How reports name a held-out opponent (and `--opponent` selects it)."""
        return program.name

    def tokens(self, program: Program) -> list[str]:
        """Normalised tokens of a program, for the genotype embedding of `redqueen analyze`: by
        default the words, numbers and symbols of its `listing`, so that formatting, comments
        and labels do not count."""
        return _TOKEN.findall(self.listing(program))

    def listing(self, program: Program) -> str:
        """The compiled form of a program as text (stored in the archive beside the source).
        Arenas whose programs compile to something else (Core War's load file) override this."""
        return program.source

    def heldout_summary(self, results: DuelResults, opponents: Sequence[Program],
                        seeds: Sequence[int]) -> dict:
        """How a program's 1v1 results against a held-out set become its generality.

        `results` holds the program's games against each of `opponents` (same order) over `seeds`,
        possibly read back from the archive (then `details` is empty). Returns a JSON-serialisable
        dict with at least:
          generality_rule  name of the rule ("head-to-head" here; arenas may define others)
          opponents        number of held-out opponents
          generality       fraction of opponents the program matches or exceeds under the rule
          beaten           fraction it exceeds outright
          score_per_game   its mean score per game (`score_a`) over all opponents
          per_opponent     one dict per opponent, in order, with at least `matched` (bool: counted
                           towards generality); rule-specific figures beside it
        and any further rule-specific figures. Raises ValueError without opponents.

        The default is the DRQ study's head-to-head rule: the program beats an opponent when its
        mean survival fitness against it is higher than the opponent's, ties when they are equal
        (within float noise), and its generality is the fraction it beats or ties. Arenas whose
        generality is defined otherwise (the IPD's round robin) override this.
        """
        from .analysis.generality import TIE, WIN, outcomes
        outcome = outcomes(results.fitness_a, results.fitness_b)
        if outcome.size == 0:
            raise ValueError("generality needs at least one opponent")
        names = {WIN: "win", TIE: "tie"}
        return {"generality_rule": "head-to-head", "opponents": int(outcome.size),
                "generality": float(np.mean(outcome >= TIE)), "beaten": float(np.mean(outcome == WIN)),
                "score_per_game": float(np.mean(results.score_a)),
                "per_opponent": [{"outcome": names.get(int(o), "loss"), "matched": bool(o >= TIE)}
                                 for o in outcome]}

    def load_directory(self, path) -> tuple[list[Program], list[tuple[str, str]]]:
        """Programs of every file with this arena's suffix in `path`, and (file, reason) for each
        file that does not parse. Held-out sets use this; rejected files are reported, not hidden."""
        from pathlib import Path
        programs, rejected = [], []
        for file in sorted(Path(path).glob(f"*{self.program_suffix}")):
            try:
                programs.append(self.parse(file.read_text(errors="replace"), origin=str(file)))
            except ProgramError as error:
                rejected.append((str(file), str(error)))
        return programs, rejected

    def operators(self) -> list:
        """Named variation operators for the built-in mutator's adaptive mode
        (`redqueen.operators.Operator`). The default offers the three abstract methods; arenas
        with richer operators (strategy templates, module insertion, constant tuning) add theirs."""
        from .operators import Operator
        return [Operator("random", "new", self.random_program),
                Operator("mutate", "mutate", self.mutate),
                Operator("crossover", "crossover", self.crossover, prior=0.25)]

    def diverse_programs(self) -> list[Program]:
        """Extra round-0 opponents for `--diverse-start`: a spread of the arena's strategies
        (written by the project, never held-out programs), so the first champions must already
        do well against many styles of play. The default offers none."""
        return []

    def draw_programs(self, rng, count: int) -> list[Program]:
        """`count` fresh programs drawn with `rng` from the same spread of strategies
        (`--fresh-opponents`: new opponents for every round, so later rounds meet styles the
        earlier ones did not). The default draws none."""
        return []

    def preset_options(self, preset: str) -> dict:
        """Options this arena adds to a named preset of `redqueen evolve` (`redqueen.presets`),
        as {option name: value}; the default adds none."""
        return {}

    def constants(self, program: Program) -> list:
        """The tunable numeric constants of `program`, as `redqueen.optimize.Constant`s, for
        constant optimisation (`redqueen optimize`, `redqueen.optimize.optimize_constants`).
        A constant shared by several places of the program (a named constant, fields meant to
        move together) is one entry. The order is stable for a given source. The default: none,
        the arena's programs are not tuned."""
        return []

    def with_constants(self, program: Program, values: Sequence[int]) -> str:
        """Source of `program` with its constants (in the order `constants(program)` gives them)
        set to `values`. Writing the values it has must give a program that compiles the same."""
        if list(values):
            raise NotImplementedError(f"the {self.name} arena has no tunable constants")
        return program.source
