"""The Digital Red Queen loop: rounds of MAP-Elites, each evolving one champion against the
initial programs and the last K champions, which then joins the opponents of later rounds.

Every step's writes (programs, evaluations, elites, failures, the round's progress and rng
state) commit in one transaction, so a run killed at any moment resumes from its last step:
at most the in-flight step is redone, and with the same rng state and the same mutator
answers (the language-model cache replays them) it is redone identically.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from . import fidelity
from .arena import Arena, Evaluation, ProgramError
from .cputime import CpuMeter
from .db import Archive
from .map_elites import Ask, Elite, GridArchive, Scheduler
from .mutators.base import Proposal
from .novelty import NoveltyFilter
from .stops import RunStopped
from .opponents import OpponentSpec, apportion, grow_payoff, opponent_weights, parse_spec, select_opponents
from .exploit import find_exploiter
from .optimize import optimize_constants

CONFIRM_TOP = 5            # elites re-evaluated on fresh seeds when --confirm-seeds is on
EXPLOIT_MARGIN = 1e-6      # an exploiter's win rate against its champion must exceed 0.5 by more (not a tie)


@dataclass
class RunConfig:
    """Everything that defines a run; stored with it so `--resume` rebuilds the same run."""
    arena: str = "corewar"
    arena_options: dict = field(default_factory=dict)
    rounds: int = 20
    iters: int = 250
    history: int | None = None          # last K champions as opponents; None: all (alias of last:K)
    opponents: str = "all"              # opponent strategy: all, last:K, nash, pfsp (redqueen.opponents)
    carry_elites: bool = False          # a round starts from the previous round's elites, re-evaluated
    confirm_seeds: int = 0              # re-evaluate the top elites on this many more seeds before crowning
    tune_champion: int = 0              # constant-tune the round's best with this many evaluations (0: off)
    exploiters: int = 0                 # search this many programs for one that beats the champion (0: off)
    elite_opponents: int = 0            # the K fittest other elites of each earlier round are opponents too
    fresh_opponents: int = 0            # each round adds N programs drawn from the arena's spread to later opponents
    diverse_start: bool = False         # round-0 opponents also include the arena's diverse_programs()
    tune: int = 0                       # constant-tune every valid proposal with this many evaluations (0: off)
    novelty_threshold: float = 1.0      # reject proposals this similar to an elite unevaluated (1.0: off)
    novelty_embeddings: str | None = None   # embeddings model for that similarity (None: token shingles)
    max_cost: float | None = None       # stop (status `stopped`) once the run's calls cost this many USD
    pipeline: int = 1                   # batches whose requests are in flight at once (llm; 1: one at a time)
    preset: str = "drq"                 # the preset the options came from (redqueen.presets), for the record
    seeds: int = 20
    fitness: str = "battle"
    fitness_threshold: float | None = None
    n_init: int = 8
    p_new: float = 0.1
    batch: int = 8                      # candidates proposed and evaluated together
    descriptors: tuple[str, str] | None = None
    mutator: str = "builtin"
    mutator_options: dict = field(default_factory=dict)   # never holds secrets
    feedback: bool = False
    seed: int = 0
    initial: list[str] = field(default_factory=list)     # files; empty: the arena's own
    binning: str = "inclusive"          # see redqueen.fidelity: the DRQ study's rules as options
    seed_schedule: str = "per-round"
    threshold_rule: str = "at-least"

    def to_json(self) -> dict:
        data = asdict(self)
        data["descriptors"] = list(self.descriptors) if self.descriptors else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> "RunConfig":
        data = dict(data)
        if data.get("descriptors"):
            data["descriptors"] = tuple(data["descriptors"])
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


class ConfigError(ValueError):
    """A configuration the arena cannot run: one clear line."""


def opponent_spec(config: RunConfig) -> OpponentSpec:
    """The run's opponent strategy; `history` (from --history K and older archives) means last:K."""
    try:
        if config.history is not None and config.opponents == "all":
            return parse_spec(f"last:{config.history}")
        return parse_spec(config.opponents)
    except ValueError as error:
        raise ConfigError(str(error)) from None


def read_initial_files(paths) -> list[tuple[str, str]]:
    """(origin, source) of each initial program file; missing files are a ConfigError."""
    from pathlib import Path
    sources = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"{path}: no such file (given with --initial)")
        sources.append((str(path), path.read_text(errors="replace")))
    return sources


def grid_descriptors(config: RunConfig, arena: Arena) -> list:
    """The two descriptors of the behaviour grid, checked against the arena's."""
    names = config.descriptors or arena.default_descriptors
    if len(names) != 2 or any(n not in arena.descriptors for n in names):
        raise ConfigError(f"descriptors must be two of {', '.join(arena.descriptors)}; got {', '.join(names)}")
    return fidelity.with_binning([arena.descriptors[n] for n in names], config.binning)


@dataclass
class RoundState:
    """What a round carries between steps."""
    round_id: int
    number: int
    opponent_ids: list[int]
    seeds: list[int]
    rng: np.random.Generator
    grid: GridArchive
    iterations: int
    initialised: bool
    stats: dict


class RedQueen:
    """One run of the loop over an archive. Start with `RedQueen.start`, continue with
    `RedQueen.resume`, then call `run()`."""

    def __init__(self, archive: Archive, run_id: int, config: RunConfig, arena: Arena, mutator,
                 progress: bool = True, on_step: Callable | None = None, on_round: Callable | None = None,
                 executor=None):
        self.archive, self.run_id, self.config = archive, run_id, config
        self.arena, self.mutator, self.progress = arena, mutator, progress
        self.on_step = on_step                 # called after each committed step (tests, tools)
        self.on_round = on_round               # called with (loop, state, champion) after each round
        self._programs: dict[int, object] = {}  # program id -> parsed program
        self.descriptors = grid_descriptors(config, arena)
        self.opponent_spec = opponent_spec(config)
        # Candidate evaluations go through the executor (redqueen.executor): here, or on a cluster.
        self.evaluate = (executor.evaluator(arena, config.arena, config.arena_options) if executor
                         else arena.evaluate)
        self.novelty = NoveltyFilter(arena, config.novelty_threshold, embedder=_embedder(config, mutator))
        self.cpu = CpuMeter()                   # CPU since the last commit, charged to the round's stats
        if config.pipeline > 1 and not getattr(mutator, "pipelined", False):
            raise ConfigError(f"--pipeline {config.pipeline} needs a mutator that sends requests (llm), "
                              f"not {config.mutator}")

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def start(cls, archive: Archive, config: RunConfig, arena: Arena, mutator, **options) -> "RedQueen":
        """Create the run and store its initial programs (both in one transaction)."""
        grid_descriptors(config, arena)
        opponent_spec(config)
        if fidelity.config_problem(config):
            raise ConfigError(fidelity.config_problem(config))
        _embedder(config, mutator)
        try:
            arena.check_fitness(config.fitness)
        except ValueError as error:
            raise ConfigError(str(error)) from None
        initial = cls._initial_programs(config, arena)
        with archive.transaction():
            run_id = archive.create_run(config.arena, config.to_json(), config.seed, config.rounds)
            for program in initial:
                archive.add_program(run_id, digest=program.digest, source=program.source, name=program.name,
                                    listing=arena.listing(program), origin="initial")
        return cls(archive, run_id, config, arena, mutator, **options)

    @classmethod
    def resume(cls, archive: Archive, run_id, arena: Arena, mutator, **options) -> "RedQueen":
        run = archive.run(run_id)
        config = RunConfig.from_json(run["config"])
        return cls(archive, run["id"], config, arena, mutator, **options)

    @staticmethod
    def _initial_programs(config: RunConfig, arena: Arena) -> list:
        programs = [] if config.initial else arena.initial_programs()
        for origin, source in read_initial_files(config.initial):
            programs.append(arena.parse(source, origin=origin))   # ProgramError: the caller reports it
        if config.diverse_start:
            programs += arena.diverse_programs()
        return programs

    # ---- the run -----------------------------------------------------------------------------
    def run(self) -> int:
        """Play every round not yet finished; returns the run id."""
        from tqdm.auto import tqdm
        self.archive.set_run_status(self.run_id, "running")
        if self.config.pipeline > 1:
            self.mutator.start_background(self.archive.path)
        started = time.monotonic()
        self.cpu = CpuMeter()                   # what ran before (start-up, warm-up) is not the run's
        done = sum(1 for r in self.archive.rounds(self.run_id) if r["status"] == "finished")
        bar = tqdm(total=self.config.rounds, initial=done, desc=f"run {self.run_id} rounds", unit="round",
                   disable=not self.progress, position=0)
        try:
            for number in range(done, self.config.rounds):
                champion = self.play_round(number)
                bar.update(1)
                bar.set_postfix(champion=f"{champion.fitness:.3f}")
        except RunStopped as stop:
            self.archive.set_run_status(self.run_id, stop.status, error=f"{type(stop).__name__}: {stop}",
                                        reason=stop.reason, add_elapsed=time.monotonic() - started)
            raise
        except BaseException as error:
            status = "interrupted" if isinstance(error, (KeyboardInterrupt, SystemExit)) else "failed"
            self.archive.set_run_status(self.run_id, status, error=f"{type(error).__name__}: {error}",
                                        add_elapsed=time.monotonic() - started)
            raise
        finally:
            bar.close()
        self.archive.set_run_status(self.run_id, "finished", add_elapsed=time.monotonic() - started)
        return self.run_id

    def play_round(self, number: int) -> Elite:
        """Evolve (or finish evolving) round `number`'s champion and freeze it."""
        state = self._open_round(number)
        from tqdm.auto import tqdm
        bar = tqdm(total=self.config.iters, initial=state.iterations, desc=f"round {number}", unit="it",
                   leave=False, disable=not self.progress, position=1)
        try:
            if not state.initialised:
                self._check_cost()
                self._initialise(state)
            if self.config.pipeline > 1:
                self._play_pipelined(state, bar)
            while state.iterations < self.config.iters and not self._threshold_reached(state):
                self._check_cost()
                before = state.iterations
                count = min(self.config.batch, self.config.iters - state.iterations)
                self._step(state, Scheduler(state.grid, self.config.p_new).ask(count, state.rng), count)
                bar.update(state.iterations - before)
                bar.set_postfix(best=f"{state.grid.best().fitness:.3f}", cells=len(state.grid),
                                invalid=f"{_invalid_rate(state.stats):.0%}",
                                usd=f"{state.stats.get('cost_usd', 0):.4f}")
        finally:
            bar.close()
        champion = self._finish_round(state)
        if self.on_round:
            self.on_round(self, state, champion)
        return champion

    def warm_up(self) -> None:
        """Play the first initial program against itself once, so that whatever the arena
        prepares on first use (e.g. compiling its engine) happens before the first round."""
        first = self.archive.db.execute("SELECT id FROM programs WHERE run_id = ? AND origin = 'initial' "
                                        "ORDER BY id LIMIT 1", [self.run_id]).fetchone()
        if first is not None:
            program = self._program(first[0])
            self.arena.evaluate([program], [program], [1], fitness=self.config.fitness)

    def _play_pipelined(self, state: RoundState, bar) -> None:
        """Up to `pipeline` batches in flight: when batch k is taken to be evaluated, batch
        k + pipeline is asked for (from the grid as it is before batch k is stored), so requests
        run while answers are evaluated. The batches in flight are committed with every step
        (`stats["pending"]`: asks, seeds, models), so a resumed round re-sends exactly them (the
        answers already received come back from the cache) and goes on identically."""
        from collections import deque
        pending = deque(self._restored_pending(state))

        def refill(in_hand=0):           # in_hand: iterations taken out to evaluate, not yet stored
            planned = state.iterations + in_hand + sum(batch["count"] for batch in pending)
            while len(pending) < self.config.pipeline and planned < self.config.iters:
                count = min(self.config.batch, self.config.iters - planned)
                asks = Scheduler(state.grid, self.config.p_new).ask(count, state.rng)
                for ask in asks:
                    if ask.kind == "mutate" and self.config.feedback:
                        ask.feedback = self._feedback(ask.parent, state)
                drawn = self.mutator.draw(asks, state.rng)
                pending.append(dict(count=count, asks=asks, drawn=drawn, future=self.mutator.submit(asks, drawn)))
                planned += count

        refill()
        while pending and not self._threshold_reached(state):
            self._check_cost()
            batch = pending.popleft()
            proposals = self.mutator.collect(batch["future"])
            refill(batch["count"])
            before = state.iterations
            self._step(state, batch["asks"], batch["count"], proposals=proposals,
                       pending=[_pending_json(b) for b in pending])
            bar.update(state.iterations - before)

    def _restored_pending(self, state: RoundState) -> list[dict]:
        """The batches that were in flight at the round's last committed step, sent again."""
        restored = []
        for batch in state.stats.get("pending", []):
            elite = lambda pid: Elite(pid, self._program(pid), None, ()) if pid is not None else None
            asks = [Ask(a["kind"], elite(a["parent"]), elite(a["mate"]), a["feedback"]) for a in batch["asks"]]
            restored.append(dict(count=batch["count"], asks=asks, drawn=batch["drawn"],
                                 future=self.mutator.submit(asks, batch["drawn"])))
        return restored

    def _check_cost(self) -> None:
        """Stop the run (status `stopped`) before a step once its calls cost `max_cost` or more."""
        if self.config.max_cost is None:
            return
        spent = self.archive.run_cost(self.run_id)
        if spent >= self.config.max_cost:
            raise RunStopped(f"cost cap: US${spent:.4f} spent, cap US${self.config.max_cost:g}", "stopped")

    # ---- rounds ------------------------------------------------------------------------------
    def _opponents(self, number: int) -> tuple[list[int], list[float] | None]:
        """The round's opponent ids, each listed as often as its weight earns it, and the weight
        of each listed entry (its program's weight shared among its entries; None when the
        strategy does not weigh opponents)."""
        spec = self.opponent_spec
        initial = self.archive.initial_program_ids(self.run_id)
        earlier = [row for row in self.archive.champions(self.run_id) if row["round"] < number]
        league = self.config.elite_opponents
        elites = [self._elites_by_fitness(row["round"]) for row in earlier] if league else ()
        pool = select_opponents(spec, initial, [row["program_id"] for row in earlier],
                                [row["exploiter_id"] for row in earlier], elites, league)
        for drawn in range(number if self.config.fresh_opponents else 0):
            pool += [pid for pid in dict.fromkeys(self._fresh_opponents(drawn)) if pid not in pool]
        if not spec.needs_payoff:
            return pool, None
        distinct = list(dict.fromkeys(pool))
        weights = opponent_weights(spec, distinct, self._cross_play(distinct))
        counts = apportion(weights, len(pool))
        listed = [(pid, w / count) for pid, w, count in zip(distinct, weights, counts) for _ in range(count)]
        return [pid for pid, _ in listed], [round(float(w), 6) for _, w in listed]

    def _fresh_opponents(self, number: int) -> list[int]:
        """The ids of the programs round `number` draws for later rounds (`--fresh-opponents`),
        stored on first use (origin `fresh`); the same run seed and round draw the same programs,
        so a resumed run finds them stored."""
        rng = np.random.default_rng([self.config.seed, 2**21, number])
        ids = []
        for program in self.arena.draw_programs(rng, self.config.fresh_opponents):
            pid, _ = self.archive.add_program(self.run_id, digest=program.digest, source=program.source,
                                              name=program.name, listing=self.arena.listing(program),
                                              origin="fresh", round=number)
            ids.append(pid)
        return ids

    def _elites_by_fitness(self, number: int) -> list[int]:
        """Round `number`'s elites, fittest first (ties by program id, so a resume lists the same)."""
        elites = self.archive.elites(self.archive.round_row(self.run_id, number)["id"])
        return [e["program_id"] for e in sorted(elites, key=lambda e: (-e["fitness"], e["program_id"]))]

    def _cross_play(self, population: list[int]) -> np.ndarray:
        """The 1v1 payoff matrix among `population` (program ids, in order), from the archive;
        programs not yet in it are played against everyone before them (and themselves) on the
        run's cross-play seeds, and recorded, so the matrix grows by one row and column per
        champion and a resumed run reads what was already played."""
        rng = np.random.default_rng([self.config.seed, 2**20])
        seeds = [int(s) for s in rng.integers(1, 2**31 - 1, size=self.config.seeds)]
        known, matrix = self.archive.cross_play(self.run_id)
        played = [pid for pid in known if pid in population]
        kept = [known.index(pid) for pid in played]
        payoff = matrix[np.ix_(kept, kept)]
        for newcomer in (pid for pid in population if pid not in played):
            payoff = grow_payoff(payoff, self._program(newcomer), [self._program(p) for p in played],
                                 self.arena.duel, seeds)
            played.append(newcomer)
            with self.archive.transaction():
                for j, other in enumerate(played):
                    self.archive.record_cross_play(self.run_id, newcomer, other, payoff[-1, j], seeds)
                    if other != newcomer:
                        self.archive.record_cross_play(self.run_id, other, newcomer, payoff[j, -1], seeds)
        order = [played.index(pid) for pid in population]
        return payoff[np.ix_(order, order)]

    def _open_round(self, number: int) -> RoundState:
        row = self.archive.round_row(self.run_id, number)
        grid = GridArchive(self.descriptors)
        if row is None:
            rng = np.random.default_rng([self.config.seed, number])
            seeds = [int(s) for s in rng.integers(1, 2**31 - 1, size=self.config.seeds)]
            if self.config.seed_schedule == "fixed":    # drawn above all the same: same rng stream
                seeds = fidelity.fixed_seeds(self.config.seeds)
            opponents, weights = self._opponents(number)
            round_id = self.archive.start_round(self.run_id, number, opponents, seeds, rng.bit_generator.state,
                                                opponent_weights=weights)
            learned = self._previous_stats(number).get("operators")
            self.mutator.restore(learned)
            stats = _empty_stats() if learned is None else {**_empty_stats(), "operators": learned}
            return RoundState(round_id, number, opponents, seeds, rng, grid, 0, False, stats)
        rng = np.random.default_rng()
        rng.bit_generator.state = row["rng_state"]
        state = RoundState(row["id"], number, row["opponents"], row["seeds"], rng, grid, row["iterations"],
                           bool(row["initialised"]), {**_empty_stats(), **row["stats"]})
        self.mutator.restore(state.stats.get("operators"))
        self._restore_elites(state)
        return state

    def _previous_stats(self, number: int) -> dict:
        previous = self.archive.round_row(self.run_id, number - 1) if number else None
        return previous["stats"] if previous else {}

    def _restore_elites(self, state: RoundState) -> None:
        for elite in self.archive.elites(state.round_id):
            stored = self.archive.evaluation(state.round_id, elite["program_id"])
            evaluation = Evaluation(stored["fitness"], stored["descriptors"], stored["details"],
                                    tuple(stored["beaten_by"]))
            state.grid.restore(Elite(elite["program_id"], self._program(elite["program_id"]), evaluation,
                                     tuple(elite["cell"])))

    def _initialise(self, state: RoundState) -> None:
        """Seed the grid with the round's opponents (initial programs and past champions) and
        n_init new programs, all evaluated as one batch."""
        ids = list(dict.fromkeys(state.opponent_ids))
        if self.config.carry_elites and state.number > 0:
            previous = self.archive.round_row(self.run_id, state.number - 1)
            ids += [e["program_id"] for e in self.archive.elites(previous["id"]) if e["program_id"] not in ids]
        seeded = [(pid, self._program(pid)) for pid in ids]
        asks = Scheduler.ask_new(self.config.n_init)
        self._step(state, asks, 0, seeded=seeded)

    def _threshold_reached(self, state: RoundState) -> bool:
        threshold, best = self.config.fitness_threshold, state.grid.best()
        return threshold is not None and best is not None and \
            fidelity.threshold_reached(best.fitness, threshold, self.config.threshold_rule)

    def _finish_round(self, state: RoundState) -> Elite:
        champion = state.grid.best()
        if champion is None:
            raise RuntimeError(f"round {state.number} ended with an empty grid: every candidate failed")
        if self.config.tune_champion and "tuned" not in state.stats:
            self._tune_best(state)
            champion = state.grid.best()
        fitness = champion.fitness
        if self.config.confirm_seeds:
            champion, fitness, state.stats["confirmation"] = self._confirm(state)
        evaluation = self.archive.evaluation(state.round_id, champion.key)
        exploiter = self._exploiter(state, champion) if self.config.exploiters else None
        state.stats = self._charge_cpu(state.stats)
        with self.archive.transaction():
            self.archive.save_stats(state.round_id, state.stats)
            weights = self.mutator.operator_weights()
            if weights is not None:
                self.archive.set_round_weights(state.round_id, operator_weights=weights)
            exploiter_id = self._store_exploiter(state, exploiter) if exploiter is not None else None
            self.archive.finish_round(state.round_id, self.run_id, state.number, champion_id=champion.key,
                                      evaluation_id=evaluation["id"], fitness=fitness, exploiter_id=exploiter_id)
        return champion

    def _exploiter(self, state: RoundState, champion: Elite):
        """The program found to beat the champion best (`redqueen.exploit`: a hill climb from the
        round's elites, in program-id order, against the champion alone on the round's seeds),
        or None when none beats it. Its search and win rate go to the round's statistics."""
        starts = [e.program for e in sorted(state.grid.elites(), key=lambda e: e.key)]
        rng = np.random.default_rng([self.config.seed, state.number, 3])
        found = find_exploiter(self.arena, champion.program, starts, state.seeds, rng, self.config.exploiters)
        if found is None:
            return None
        state.stats["exploiter"] = dict(win_rate=round(found.win_rate, 6), evaluations=found.evaluations,
                                        digest=found.program.digest)
        return found.program if found.win_rate > 0.5 + EXPLOIT_MARGIN else None

    def _store_exploiter(self, state: RoundState, program) -> int:
        pid, _ = self.archive.add_program(self.run_id, digest=program.digest, source=program.source,
                                          name=program.name, listing=self.arena.listing(program),
                                          origin="exploiter", mutator="exploiter", round=state.number)
        self._programs.setdefault(pid, program)
        return pid

    def _tune_best(self, state: RoundState) -> None:
        """Constant-tune the round's best elite against the round's opponents, searching on the
        round's seeds (`redqueen.optimize`), and offer the result to the grid like any candidate.
        Committed with a mark in the round's statistics, so a resumed round does not tune twice."""
        best = state.grid.best()
        rng = np.random.default_rng([self.config.seed, state.number, 2])
        opponents = [self._program(pid) for pid in state.opponent_ids]
        result = optimize_constants(self.arena, best.program, opponents, rng, seeds=state.seeds,
                                    confirm_seeds=self.config.seeds, evaluations=self.config.tune_champion,
                                    fitness=self.config.fitness)
        stats = dict(state.stats, tuned=dict(before=round(result.before, 6), after=round(result.after, 6),
                                             changes=[str(c) for c in result.changes]))
        candidates = [(result.program, Ask("mutate", parent=best), Proposal(result.source, "tune"))] \
            if result.improved else []
        evaluations = self._evaluate_new(state, [c[0] for c in candidates])
        with self.archive.transaction():
            for (program, ask, proposal), evaluation in zip(candidates, evaluations):
                self._place(state, stats, state.iterations, None, program, ask, proposal, evaluation)
            stats = self._charge_cpu(stats)
            self.archive.save_step(state.round_id, iterations=state.iterations,
                                   rng_state=state.rng.bit_generator.state, stats=stats)
        state.stats = stats

    def _confirm(self, state: RoundState) -> tuple[Elite, float, dict]:
        """Re-evaluate the round's top elites on `confirm_seeds` fresh seeds and crown the best
        mean over all its seeds, so a champion is not one that got lucky on the round's seeds."""
        top = sorted(state.grid.elites(), key=lambda e: -e.fitness)[:CONFIRM_TOP]
        rng = np.random.default_rng([self.config.seed, state.number, 1])
        seeds = [int(s) for s in rng.integers(1, 2**31 - 1, size=self.config.confirm_seeds)]
        opponents = [self._program(pid) for pid in state.opponent_ids]
        fresh = self.evaluate([e.program for e in top], opponents, seeds, fitness=self.config.fitness)
        n_old, n_new = len(state.seeds), len(seeds)
        means = [(e.fitness * n_old + f.fitness * n_new) / (n_old + n_new) for e, f in zip(top, fresh)]
        best = int(np.argmax(means))                     # ties: the one fitter on the round's seeds
        return top[best], float(means[best]), {str(e.key): round(m, 6) for e, m in zip(top, means)}

    # ---- one step: propose, parse, evaluate, commit ------------------------------------------
    def _step(self, state: RoundState, asks: list[Ask], iterations: int, seeded=(), proposals=None,
              pending: list | None = None) -> None:
        """One batch: propose (unless `proposals` came from a pipelined request), parse, evaluate,
        commit; `pending` are the batches still in flight, committed with it."""
        started = time.monotonic()
        iteration = state.iterations + iterations if iterations else 0
        spent = self.mutator.cost()
        if proposals is None:
            for ask in asks:
                if ask.kind == "mutate" and self.config.feedback:
                    ask.feedback = self._feedback(ask.parent, state)
            proposals = self.mutator.propose(asks, state.rng)
        candidates, failures = self._parse(asks, proposals)
        candidates, rejected = self._novel(state, candidates)
        candidates, tuned_from = self._tune_proposals(state, candidates, iteration)
        candidates = [(pid, program, "seed", None) for pid, program in seeded] + candidates
        evaluations = self._evaluate_new(state, [c[1] for c in candidates])
        stats = dict(state.stats)
        stats["candidates"] += len(asks)
        stats["failures"] += len(failures)
        stats["cost_usd"] = round(stats.get("cost_usd", 0.0) + self.mutator.cost() - spent, 8)
        if pending is not None:
            stats["pending"] = pending
        with self.archive.transaction():
            for failure in failures + rejected:      # novelty rejections: stage "novelty", not invalid
                stats[f"failed_{failure['stage']}"] = stats.get(f"failed_{failure['stage']}", 0) + 1
                self.archive.record_failure(self.run_id, state.round_id, iteration, **failure)
            entered = set()
            for (pid, program, ask, proposal), evaluation in zip(candidates, evaluations):
                raw = tuned_from.get(id(proposal))     # (raw proposal, its program) of a tuned child
                if raw is not None:                    # the raw one was stored just before: its parent
                    ask = Ask("mutate", parent=Elite(self.archive.program_id(self.run_id, raw[1].digest),
                                                     raw[1], None, ()))
                if self._place(state, stats, iteration, pid, program, ask, proposal, evaluation):
                    entered.add(id(raw[0]) if raw is not None else id(proposal))
            self.mutator.tell([(p.operator, id(p) in entered) for p in proposals])
            learned = self.mutator.state()
            if learned is not None:
                stats["operators"] = learned
            usage = self.mutator.usage()
            if usage:
                self.archive.save_model_usage(self.run_id, usage)
            stats = self._charge_cpu(stats)
            self.archive.save_step(state.round_id, iterations=state.iterations + iterations,
                                   rng_state=state.rng.bit_generator.state, stats=stats,
                                   elapsed=time.monotonic() - started)
        state.iterations += iterations
        state.initialised, state.stats = True, stats
        if self.on_step:
            self.on_step(self, state)

    def _charge_cpu(self, stats: dict) -> dict:
        """The round's stats with the CPU seconds spent since the last commit added to `cpu_s`
        (`redqueen.cputime`); committed with the step, so a killed run loses only what it had
        not committed. The one measured, not replayed, statistic: it differs between runs."""
        return dict(stats, cpu_s=round(stats.get("cpu_s", 0.0) + self.cpu.take(), 6))

    def _parse(self, asks, proposals):
        """Parsed candidates as (None, program, ask, proposal), and failure records."""
        candidates, failures = [], []
        sources = [proposal.source for proposal in proposals if proposal.source is not None]
        parsed = iter(self.arena.parse_many(sources, origin="candidate"))   # compiled in parallel
        for ask, proposal in zip(asks, proposals):
            if proposal.source is None:
                failures.append(dict(stage=proposal.stage or "request", error=proposal.error or "no program",
                                     response=proposal.response, llm_call_id=proposal.llm_call_id))
                continue
            program = next(parsed)
            if isinstance(program, Exception):   # junk of any kind is a counted failure, never a crash
                error = program
                reason = str(error) if isinstance(error, ProgramError) else \
                    f"the parser failed: {type(error).__name__}: {error}"
                failures.append(dict(stage="parse", error=reason, source=proposal.source,
                                     response=proposal.response, llm_call_id=proposal.llm_call_id))
                continue
            candidates.append((None, program, ask, proposal))
        return candidates, failures

    def _novel(self, state: RoundState, candidates):
        """Candidates not near-duplicates of the round's elites, and failure records (stage
        "novelty") of those that are (`redqueen.novelty`; off at threshold 1.0)."""
        if not self.novelty.active:
            return candidates, []
        kept, rejected = [], []
        measure = f", {self.novelty.measure}" if self.novelty.embedder else ""
        self.novelty.prepare([c[1] for c in candidates] + [e.program for e in state.grid.elites()])
        for candidate in candidates:
            program, proposal = candidate[1], candidate[3]
            duplicate, key, similarity = self.novelty.is_near_duplicate(program, state.grid.elites())
            if duplicate:
                rejected.append(dict(stage="novelty", error=f"near-duplicate of program {key} (similarity "
                                     f"{similarity:.2f} >= {self.config.novelty_threshold:g}{measure})",
                                     source=proposal.source, response=proposal.response,
                                     llm_call_id=proposal.llm_call_id))
            else:
                kept.append(candidate)
        return kept, rejected

    def _tune_proposals(self, state: RoundState, candidates, iteration: int):
        """With `tune`: each candidate's constants tuned against the round's opponents on the
        round's seeds (`redqueen.optimize`); an improved program follows its raw proposal as a
        candidate of origin "tune". Returns the candidates and {id(tuned proposal): (raw
        proposal, raw program)}."""
        if not self.config.tune:
            return candidates, {}
        opponents = [self._program(pid) for pid in state.opponent_ids]
        result, links = [], {}
        for index, (pid, program, ask, proposal) in enumerate(candidates):
            result.append((pid, program, ask, proposal))
            rng = np.random.default_rng([self.config.seed, state.number, iteration, 3, index])
            tuned = optimize_constants(self.arena, program, opponents, rng, seeds=state.seeds,
                                       confirm_seeds=len(state.seeds), evaluations=self.config.tune,
                                       fitness=self.config.fitness)
            if tuned.improved and tuned.program.digest != program.digest:
                child = Proposal(tuned.source, "tune", proposal.llm_call_id, operator=proposal.operator)
                links[id(child)] = (proposal, program)
                result.append((None, tuned.program, ask, child))
        return result, links

    def _evaluate_new(self, state: RoundState, programs: list) -> list[Evaluation | None]:
        """Evaluations of programs not yet evaluated this round (None for the others), in one
        batch call; a program appearing twice is evaluated once."""
        known = self.archive.evaluated_digests(state.round_id)
        todo, order = {}, []
        for program in programs:
            if program.digest not in known and program.digest not in todo:
                todo[program.digest] = program
                order.append(program.digest)
        opponents = [self._program(pid) for pid in state.opponent_ids]
        results = self.evaluate([todo[d] for d in order], opponents, state.seeds,
                                      fitness=self.config.fitness) if order else []
        by_digest = dict(zip(order, results))
        first_seen = set()
        evaluations = []
        for program in programs:
            fresh = program.digest in by_digest and program.digest not in first_seen
            first_seen.add(program.digest)
            evaluations.append(by_digest[program.digest] if fresh else None)
        return evaluations

    def _place(self, state, stats, iteration, pid, program, ask, proposal, evaluation) -> bool:
        """Store a candidate and, if it was evaluated, offer it to the grid; True if it entered."""
        if pid is None:
            origin = proposal.origin
            pid, _ = self.archive.add_program(
                self.run_id, digest=program.digest, source=program.source, name=program.name,
                listing=self.arena.listing(program), origin=origin, mutator=self.mutator.name,
                parent_id=ask.parent.key if ask.parent else None,
                mate_id=ask.mate.key if origin == "crossover" and ask.mate else None,
                llm_call_id=proposal.llm_call_id, round=state.number)
        self._programs.setdefault(pid, program)
        if evaluation is None:
            stats["duplicates"] += 1
            return False
        stats["evaluated"] += 1
        outcome, cell = state.grid.add(pid, program, evaluation)
        stats[outcome] += 1
        evaluation_id = self.archive.record_evaluation(
            self.run_id, state.round_id, pid, iteration=iteration, fitness=evaluation.fitness,
            descriptors=evaluation.descriptors, cell=cell, outcome=outcome, opponents=state.opponent_ids,
            seeds=state.seeds, fitness_mode=self.config.fitness, beaten_by=evaluation.beaten_by,
            details=evaluation.details)
        if outcome != GridArchive.NOT_ADDED:
            self.archive.set_elite(state.round_id, cell, pid, evaluation_id, evaluation.fitness)
        return outcome != GridArchive.NOT_ADDED

    def _program(self, program_id: int):
        """The parsed program of an archived id (parsed once per run)."""
        if program_id not in self._programs:
            row = self.archive.program(program_id)
            self._programs[program_id] = self.arena.parse(row["source"], origin=f"program {program_id}")
        return self._programs[program_id]

    def _feedback(self, parent: Elite, state: RoundState) -> str:
        """Beyond DRQ: tell the model how the parent fared and whom it loses to."""
        lines = [f"The program above scored fitness {parent.fitness:.3f} against this round's "
                 f"{len(state.opponent_ids)} opponents."]
        beaten_by = [state.opponent_ids[i] for i in parent.evaluation.beaten_by if i < len(state.opponent_ids)]
        if beaten_by:
            lines.append("It does worse than these opponents:")
            for pid in beaten_by[:3]:
                opponent = self._program(pid)
                lines.append(f"--- {opponent.name} ---\n{opponent.source.strip()}")
            if len(beaten_by) > 3:
                lines.append(f"(and {len(beaten_by) - 3} more)")
        notes = self.arena.feedback_notes(parent.evaluation)
        if notes:
            lines.insert(1, notes)
        return "\n".join(lines)


def _embedder(config: RunConfig, mutator):
    """The embeddings source of `--novelty-embeddings` (from the mutator's endpoint), or None."""
    if not config.novelty_embeddings:
        return None
    if not hasattr(mutator, "embedder"):
        raise ConfigError(f"--novelty-embeddings needs a mutator with an endpoint (llm), not {config.mutator}")
    if config.novelty_threshold >= 1.0:
        raise ConfigError("--novelty-embeddings needs --novelty-threshold below 1.0 (1.0 turns the filter off)")
    return mutator.embedder(config.novelty_embeddings)


def _pending_json(batch: dict) -> dict:
    """A batch in flight as committed: its asks (parent and mate ids, feedback) and draws."""
    asks = [dict(kind=a.kind, parent=a.parent.key if a.parent else None, mate=a.mate.key if a.mate else None,
                 feedback=a.feedback) for a in batch["asks"]]
    return dict(count=batch["count"], asks=asks, drawn=batch["drawn"])


def _empty_stats() -> dict:
    return dict(candidates=0, failures=0, evaluated=0, duplicates=0,
                new_cell=0, improved=0, not_added=0)


def _invalid_rate(stats: dict) -> float:
    return stats["failures"] / stats["candidates"] if stats["candidates"] else 0.0

