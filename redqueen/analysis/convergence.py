"""Convergence analysis of independent runs: held-out generality per round (by the arena's rule,
`Arena.heldout_summary`), phenotype and genotype variance across runs, a linear probe from code
to generality, intransitive cycles among each run's champions, trend fits, and the figures.

`analyze(archive, run_ids, ...)` gathers everything into one JSON-serialisable report;
`write_plots(report_data, directory)` draws it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from .cycles import beats_matrix, count_three_cycles, list_three_cycles
from .embedding import model_embeddings, program_tokens, tfidf_svd
from .probe import linear_probe
from .runs import AnalysisError, Champion, champions, common_arena
from .trends import fit_trends
from .variance import mean_rate_of_change, rate_of_change, variance_across_runs


@dataclass
class AnalysisOptions:
    against: str | None = None             # held-out directory; None: the arena's default set
    seeds: int = 20
    seed: int = 0
    jobs: int = 1
    dimensions: int = 32                   # TF-IDF + SVD embedding size
    embeddings_model: str | None = None    # an OpenAI-compatible embeddings model instead
    base_url: str | None = None
    cycles: bool = True
    grid_round: int | None = None          # MAP-Elites grid to draw; None: the first run's last round
    progress: bool = True
    executor: object = None                # where held-out games run (redqueen.executor); None: jobs


@dataclass
class Analysis:
    """Arrays behind the report, kept for plotting: runs x rounds (x dims)."""
    run_ids: list[int]
    rounds: list[int]
    generality: np.ndarray                 # (runs, rounds)
    phenotypes: np.ndarray                 # (runs, rounds, opponents)
    genotypes: np.ndarray                  # (runs, rounds, dims)
    report: dict = field(default_factory=dict)
    grid: dict | None = None               # values, axis names and edges of the drawn MAP-Elites grid
    cpu_minutes: np.ndarray | None = None  # (runs, rounds): the run's CPU minutes by the round's end


@dataclass
class HeldoutChampions:
    """Every champion of the runs against the held-out set (`heldout_champions`)."""
    runs: list[dict]
    name: str
    arena_options: dict
    arena: object
    champions: list[list[Champion]]        # per run, in round order
    heldout: object
    seeds: list[int]
    results: list                          # ProgramResult of each champion, runs flattened

    @property
    def flat(self) -> list[Champion]:
        return [c for run_champions in self.champions for c in run_champions]

    def generality(self) -> tuple[list[int], list[int], np.ndarray]:
        """(run ids, rounds, generality of shape (runs, rounds), NaN where a run has no champion)."""
        run_ids = [run["id"] for run in self.runs]
        rounds = sorted({c.round for c in self.flat})
        values = np.full((len(run_ids), len(rounds)), np.nan)
        for champion, result in zip(self.flat, self.results):
            values[run_ids.index(champion.run), rounds.index(champion.round)] = result.summary["generality"]
        return run_ids, rounds, values


def heldout_champions(archive, run_ids: Sequence, options: AnalysisOptions | None = None,
                      arena=None) -> HeldoutChampions:
    """The champions of runs of one arena, each played against the held-out set (games already
    in the archive's store are reused, new ones stored). `arena`: as in `analyze`."""
    from ..heldout import ArenaSpec, HeldoutStore, arena_key, default_seeds, evaluate_heldout, load_heldout
    options = options or AnalysisOptions()
    given = arena
    runs, name, arena_options, arena = common_arena(archive, list(run_ids), arena)
    champs = [champions(archive, arena, run["id"]) for run in runs]
    flat = [c for run_champions in champs for c in run_champions]
    if not flat:
        raise AnalysisError("the runs have no finished round yet: nothing to analyse")
    heldout = load_heldout(arena, options.against)
    seeds = default_seeds(options.seeds, options.seed)
    results = evaluate_heldout(
        arena, [c.program for c in flat], heldout, seeds, labels=[c.label for c in flat],
        store=HeldoutStore(archive), key=arena_key(name, arena_options), jobs=options.jobs,
        spec=None if given is not None else ArenaSpec(name, arena_options, options.against),
        program_ids=[c.program_id for c in flat],
        progress=options.progress, executor=options.executor)
    return HeldoutChampions(runs, name, arena_options, arena, champs, heldout, seeds, results)


def analyze(archive, run_ids: Sequence, options: AnalysisOptions | None = None, arena=None) -> Analysis:
    """Analyse runs of one arena. `arena` is an arena object to use instead of loading the runs'
    arena from the registry (one not installed, as in tests); worker processes are then not used."""
    from .compute import cpu_report, cumulative_cpu_minutes
    options = options or AnalysisOptions()
    played = heldout_champions(archive, run_ids, options, arena)
    runs, name, arena_options, arena = played.runs, played.name, played.arena_options, played.arena
    champs, flat, results = played.champions, played.flat, played.results
    heldout, seeds = played.heldout, played.seeds
    embeddings = _embed(arena, flat, options)

    run_ids = [run["id"] for run in runs]
    rounds = sorted({c.round for c in flat})
    position = {(c.run, c.round): (run_ids.index(c.run), rounds.index(c.round)) for c in flat}
    shape = (len(run_ids), len(rounds))
    generality = np.full(shape, np.nan)
    phenotypes = np.full(shape + (len(heldout),), np.nan)
    genotypes = np.full(shape + (embeddings.shape[1],), np.nan)
    for champion, result, vector in zip(flat, results, embeddings):
        r, t = position[(champion.run, champion.round)]
        generality[r, t] = result.summary["generality"]
        phenotypes[r, t] = result.results.fitness_a
        genotypes[r, t] = vector

    analysis = Analysis(run_ids, rounds, generality, phenotypes, genotypes,
                        cpu_minutes=cumulative_cpu_minutes(archive, run_ids, rounds))
    analysis.report = _report(analysis, flat, results, embeddings, heldout, seeds, name, arena_options, options)
    analysis.report["cpu_minutes"] = cpu_report(analysis.run_ids, analysis.cpu_minutes)
    if options.cycles:
        analysis.report["cycles"] = [_cycles(arena, run["id"], run_champions, seeds, archive)
                                     for run, run_champions in zip(runs, champs)]
    analysis.grid = _grid(archive, arena, runs[0], options.grid_round)
    if analysis.grid:
        analysis.report["grid"] = {k: v for k, v in analysis.grid.items() if k != "values"}
    return analysis


def _embed(arena, flat: list[Champion], options: AnalysisOptions) -> np.ndarray:
    """Genotype embeddings of all champions of all runs, in one shared space."""
    if options.embeddings_model:
        return model_embeddings([c.program.source for c in flat], options.embeddings_model, options.base_url)
    return tfidf_svd([program_tokens(arena, c.program) for c in flat], options.dimensions, seed=options.seed)


def _report(analysis: Analysis, flat, results, embeddings, heldout, seeds, name, arena_options, options) -> dict:
    rounds = np.asarray(analysis.rounds)
    per_round = _per_round(analysis)
    trend_x = rounds + 1                   # rounds count from 0; the log fit needs them from 1
    trends = {series: _fits(trend_x, [row[series] for row in per_round])
              for series in ("generality_mean", "phenotype_variance", "genotype_variance")}
    best_index = int(np.argmax([r.summary["generality"] for r in results]))
    best = results[best_index]
    return dict(
        arena=name, arena_options=arena_options, runs=analysis.run_ids, heldout=heldout.source,
        opponents=len(heldout), seeds=len(seeds), generality_rule=best.summary["generality_rule"],
        skipped=[dict(file=f, reason=r) for f, r in heldout.skipped],
        genotype_embedding=(f"model {options.embeddings_model}" if options.embeddings_model
                            else f"tfidf+svd ({embeddings.shape[1]} dimensions)"),
        per_round=per_round, trends=trends, run_trends=_run_trends(analysis, trend_x),
        probe=linear_probe(embeddings, [r.summary["generality"] for r in results], seed=options.seed).as_dict(),
        phenotype_change_per_run={str(run): _nan_to_none(rate_of_change(analysis.phenotypes[i]))
                                  for i, run in enumerate(analysis.run_ids)},
        champions=[dict(run=c.run, round=c.round, program_id=c.program_id, name=c.program.name,
                        **r.summary_fields()) for c, r in zip(flat, results)],
        warnings=_length_warnings(analysis),
        best=dict(run=flat[best_index].run, round=flat[best_index].round, program_id=flat[best_index].program_id,
                  name=flat[best_index].program.name, **best.summary_fields()),
    )


def _fits(x, values) -> dict[str, dict]:
    return {kind: fit.as_dict() for kind, fit in fit_trends(x, values).items()}


def _run_trends(analysis: Analysis, trend_x) -> dict[str, dict]:
    """Each run's generality against the round, fitted as the per-round mean is: whether every
    run climbs, which the mean can hide (one run rising steeply, the others falling)."""
    return {str(run): _fits(trend_x, analysis.generality[i]) for i, run in enumerate(analysis.run_ids)}


def _length_warnings(analysis: Analysis) -> list[str]:
    """One line when the runs reached different numbers of rounds: later rounds then average
    fewer runs (the per-round table's `runs` column and the generality figure say how many)."""
    reached = (~np.isnan(analysis.generality)).sum(axis=1)
    if len(set(reached.tolist())) <= 1:
        return []
    lengths = ", ".join(f"run {r}: {n}" for r, n in zip(analysis.run_ids, reached.tolist()))
    return [f"runs of different lengths are mixed ({lengths} rounds); rounds beyond the shortest "
            f"average fewer runs"]


def _per_round(analysis: Analysis) -> list[dict]:
    phenotype_variance = variance_across_runs(analysis.phenotypes)
    genotype_variance = variance_across_runs(analysis.genotypes)
    change = np.concatenate([[np.nan], mean_rate_of_change(analysis.phenotypes)])
    rows = []
    for index, number in enumerate(analysis.rounds):
        values = analysis.generality[:, index]
        present = values[~np.isnan(values)]
        rows.append(dict(
            round=int(number), runs=int(present.size),
            generality_mean=_float(present.mean()) if present.size else None,
            generality_min=_float(present.min()) if present.size else None,
            generality_max=_float(present.max()) if present.size else None,
            phenotype_variance=_float(phenotype_variance[index]),
            genotype_variance=_float(genotype_variance[index]),
            phenotype_change=_float(change[index])))
    return rows


def _cycles(arena, run_id: int, run_champions: list[Champion], seeds, archive=None) -> dict:
    """Cross-play among a run's distinct champions (in round order), its 3-cycles, and the Red
    Queen diagnostics (`red_queen.diagnostics`). The matrix the run stored for its opponents
    (`--opponents nash|pfsp`) is reused when it covers every pair; otherwise the arena's duel
    plays each pair over `seeds`."""
    from .red_queen import diagnostics
    distinct: dict[str, Champion] = {}
    for champion in run_champions:
        distinct.setdefault(champion.program.digest, champion)
    members = list(distinct.values())
    n = len(members)
    fitness, source = _stored_cross_play(archive, run_id, members), "stored by the run"
    if fitness is None:
        fitness, source = np.zeros((n, n)), "played"
        for i in range(n - 1):
            duel = arena.duel(members[i].program, [m.program for m in members[i + 1:]], seeds)
            fitness[i, i + 1:] = duel.fitness_a
            fitness[i + 1:, i] = duel.fitness_b
    beats = beats_matrix(fitness)
    examples = [[members[k].round for k in cycle] for cycle in list_three_cycles(beats, limit=5)]
    return dict(run=run_id, champions=n, pairs=n * (n - 1) // 2, decided_pairs=int(beats.sum()),
                three_cycles=count_three_cycles(beats), triads=n * (n - 1) * (n - 2) // 6,
                examples_by_round=examples, rounds=[m.round for m in members], cross_play_source=source,
                cross_play=fitness.round(6).tolist(), red_queen=diagnostics(fitness) if n else None)


def _stored_cross_play(archive, run_id, members) -> np.ndarray | None:
    if archive is None or not members:
        return None
    ids, payoff = archive.cross_play(run_id)
    index = {program: i for i, program in enumerate(ids)}
    if any(m.program_id not in index for m in members):
        return None
    rows = [index[m.program_id] for m in members]
    chosen = payoff[np.ix_(rows, rows)]
    return None if np.isnan(chosen).any() else chosen


def _grid(archive, arena, run: dict, round_number: int | None) -> dict | None:
    """The MAP-Elites grid of one round of a run: elite fitness per cell (NaN when empty)."""
    rounds = [r for r in archive.rounds(run["id"]) if r["status"] == "finished"]
    if not rounds:
        return None
    chosen = rounds[-1] if round_number is None else next((r for r in rounds if r["number"] == round_number), None)
    if chosen is None:
        raise AnalysisError(f"run {run['id']} has no finished round {round_number}")
    names = run["config"].get("descriptors") or list(arena.default_descriptors)
    descriptors = [arena.descriptors[n] for n in names]
    values = np.full([len(d.edges) for d in descriptors], np.nan)
    champion_cell = None
    for elite in archive.elites(chosen["id"]):
        values[tuple(elite["cell"])] = elite["fitness"]
        if elite["program_id"] == chosen["champion_id"]:
            champion_cell = list(elite["cell"])
    return dict(run=run["id"], round=chosen["number"], values=values, axes=list(names), champion_cell=champion_cell,
                edges=[[_float(e) for e in d.edges] for d in descriptors],
                filled=int(np.sum(~np.isnan(values))), cells=int(values.size))


def write_plots(analysis: Analysis, directory) -> list[Path]:
    """The figures of an analysis as PNG files in `directory`; returns their paths."""
    from .plots import plot_generality, plot_grid, plot_variances
    directory = Path(directory)
    rounds = analysis.rounds
    rows = analysis.report["per_round"]
    paths = [
        plot_generality(rounds, analysis.generality, directory / "generality.png",
                        run_labels=[f"run {r}" for r in analysis.run_ids], heldout=analysis.report["heldout"]),
        plot_variances(rounds, {"phenotype (fitness vs held-out)": [_nan(r["phenotype_variance"]) for r in rows],
                                "genotype (code embedding)": [_nan(r["genotype_variance"]) for r in rows]},
                       directory / "variance.png"),
    ]
    if analysis.cpu_minutes is not None and not np.isnan(analysis.cpu_minutes).all():
        from .plots import plot_generality_vs_cpu
        paths.append(plot_generality_vs_cpu(analysis.cpu_minutes, analysis.generality,
                                            directory / "generality_vs_cpu.png",
                                            run_labels=[f"run {r}" for r in analysis.run_ids],
                                            heldout=analysis.report["heldout"]))
    from .plots import plot_cross_play, plot_red_queen
    for cycles in analysis.report.get("cycles", []):
        if cycles["champions"] > 1:
            paths.append(plot_cross_play(cycles, directory / f"cross_play_run{cycles['run']}.png"))
    if any(c["champions"] > 1 for c in analysis.report.get("cycles", [])):
        paths.append(plot_red_queen(analysis.report["cycles"], directory / "red_queen.png"))
    if analysis.grid:
        grid = analysis.grid
        paths.append(plot_grid(grid["values"], directory / "map_elites_grid.png", grid["axes"][0], grid["axes"][1],
                               x_edges=[_nan(e) if e is not None else np.inf for e in grid["edges"][0]],
                               y_edges=[_nan(e) if e is not None else np.inf for e in grid["edges"][1]],
                               title=f"MAP-Elites grid, run {grid['run']} round {grid['round']}",
                               marked=tuple(grid["champion_cell"]) if grid.get("champion_cell") else None))
    return paths


def _float(value) -> float | None:
    """A float for JSON: NaN and infinity become None."""
    value = float(value)
    return value if np.isfinite(value) else None


def _nan(value) -> float:
    return float("nan") if value is None else float(value)


def _nan_to_none(values) -> list:
    return [_float(v) for v in values]
