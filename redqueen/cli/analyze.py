"""`redqueen analyze`: convergence of independent runs: generality, variances, probe, cycles, plots."""
from __future__ import annotations

import json

import click

from .evaluate import table_lines
from .options import db_option
from .progress import bars_wanted

ROUND_COLUMNS = [("round", "round"), ("runs", "runs"), ("generality_mean", "generality"),
                 ("generality_min", "min"), ("generality_max", "max"),
                 ("phenotype_variance", "pheno var"), ("genotype_variance", "geno var"),
                 ("phenotype_change", "pheno change")]


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("runs", nargs=-1, required=True)
@click.option("--against", type=click.Path(file_okay=False), default=None,
              help="Held-out directory for the phenotypes [default: the arena's own held-out set].")
@click.option("--seeds", type=click.IntRange(min=1), default=20, show_default=True,
              help="Games per held-out opponent (and per pair of champions for the cycles).")
@click.option("--seed", type=int, default=0, show_default=True, help="Base of the game seeds and of the embedding.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes for the held-out games (arenas already run each batch in parallel).")
@click.option("--dimensions", type=click.IntRange(min=1), default=32, show_default=True,
              help="Size of the offline genotype embedding (TF-IDF over tokens, truncated SVD).")
@click.option("--embeddings-model", default=None,
              help="Embed code with this model through an OpenAI-compatible endpoint instead (needs OPENAI_API_KEY).")
@click.option("--base-url", default=None, help="Endpoint of --embeddings-model [default: $OPENAI_BASE_URL or OpenAI].")
@click.option("--no-cycles", is_flag=True, help="Skip the duels among each run's champions.")
@click.option("--grid-round", type=int, default=None,
              help="Round whose MAP-Elites grid is drawn (first run) [default: its last].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write the PNG figures and report.json into this directory.")
@db_option("Archive database (held-out results are stored in it too).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def analyze(runs, against, seeds, seed, jobs, dimensions, embeddings_model, base_url, no_cycles, grid_round,
            out_dir, db, as_json, quiet):
    """Measure convergence across independent runs of one configuration.

    For every champion of every RUN (ids or `latest`): its phenotype (fitness against each
    held-out opponent, played and stored as by `redqueen eval`) and its generality; its genotype
    (an embedding of its code). Per round: mean and spread of generality, variance across runs of
    phenotypes and of genotypes, and the within-run rate of change of the phenotype. Then a
    cross-validated linear probe from genotype to generality (R²), intransitive 3-cycles among
    each run's champions, linear and logarithmic trend fits, and with --out the figures:
    generality.png, variance.png, map_elites_grid.png.

    \b
    Example:
      redqueen analyze 1 2 3 --against ../shared/warriors/drq-heldout --out analysis/
    """
    import os
    from pathlib import Path

    from redqueen.analysis.convergence import AnalysisOptions, analyze as run_analysis, write_plots
    from redqueen.analysis.runs import AnalysisError
    from redqueen.arena import ProgramError
    from redqueen.cli.archive_file import open_archive
    from redqueen.db import ArchiveError
    from redqueen.heldout import HeldoutError
    if not Path(db).is_file():
        raise click.ClickException(f"{db}: no archive here (runs create it; see `redqueen evolve --help`)")
    options = AnalysisOptions(against=against, seeds=seeds, seed=seed, jobs=jobs,
                              dimensions=dimensions, embeddings_model=embeddings_model,
                              base_url=base_url or os.environ.get("OPENAI_BASE_URL"), cycles=not no_cycles,
                              grid_round=grid_round, progress=bars_wanted(quiet))
    archive = open_archive(db)
    try:
        analysis = run_analysis(archive, runs, options)
    except (ArchiveError, AnalysisError, HeldoutError, ProgramError) as error:
        raise click.ClickException(str(error)) from None
    except KeyError as error:
        raise click.ClickException(error.args[0] if error.args else str(error)) from None
    finally:
        archive.close()
    report = analysis.report
    if out_dir:
        report["figures"] = [str(p) for p in write_plots(analysis, out_dir)]
        (Path(out_dir) / "report.json").write_text(json.dumps(report, indent=2))
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        print_report(report)


def print_report(report: dict) -> None:
    for item in report["skipped"]:
        click.echo(f"skipped {item['file']}: {item['reason']}", err=True)
    for warning in report.get("warnings", []):
        click.echo(f"warning: {warning}", err=True)
    click.echo("\n".join(report_lines(report)))


def _fit_table(fits_by_name: dict, first_column: tuple[str, str]) -> list[str]:
    """Trend fits ({name: {kind: fit}}) as a table, one row per name and fit kind."""
    key = first_column[0]
    rows = [{key: name, "kind": kind, "slope": fit["slope"], "r2": fit["r2"], "points": fit["points"]}
            for name, fits in fits_by_name.items() for kind, fit in fits.items()]
    return table_lines(rows, [first_column, ("kind", "fit"), ("slope", "slope"), ("r2", "R²"), ("points", "n")])


def report_lines(report: dict) -> list[str]:
    """The analysis report as text: per-round table, trend fits, probe, cycles, best champion."""
    lines = [f"{report['arena']}: runs {', '.join(map(str, report['runs']))}; {report['opponents']} held-out "
             f"opponents ({report['heldout']}) x {report['seeds']} seeds; genotype: {report['genotype_embedding']}",
             ""]
    lines += table_lines(report["per_round"], ROUND_COLUMNS)
    lines += ["", "trends (x = round + 1)"]
    lines += _fit_table(report["trends"], ("series", "series"))
    if any(report["run_trends"].values()):          # runs of fewer than three rounds have no fit
        lines += ["", "generality per run (x = round + 1)"]
        lines += _fit_table(report["run_trends"], ("run", "run"))
    probe = report["probe"]
    lines += ["", f"linear probe genotype -> generality: R² = {_number(probe['r2'])} "
                  f"({probe['folds']}-fold, {probe['samples']} champions, {probe['features']} features)"]
    for cycles in report.get("cycles", []):
        lines.append(f"run {cycles['run']}: {cycles['three_cycles']} intransitive 3-cycles among "
                     f"{cycles['champions']} distinct champions ({cycles['triads']} triads; "
                     f"{cycles['decided_pairs']} of {cycles['pairs']} pairs have a winner)"
                     + (f", e.g. rounds {cycles['examples_by_round'][0]}" if cycles["examples_by_round"] else ""))
    lines += red_queen_lines(report.get("cycles", []))
    best = report["best"]
    lines.append(f"best champion: run {best['run']} round {best['round']} (program {best['program_id']}, "
                 f"{best['name']}): generality {best['generality']:.4f}, beats {best['beaten']:.4f}, "
                 f"score/game {best['score_per_game']:.3f} ({best['generality_rule']} generality)")
    lines += [f"wrote {figure}" for figure in report.get("figures", [])]
    return lines


def red_queen_lines(per_run: list[dict]) -> list[str]:
    """Per run and newest champion: beats all earlier, 3-cycles, Nash support and weight, α-Rank."""
    lines = []
    for cycles in per_run:
        diagnostics = cycles.get("red_queen")
        if not diagnostics or not diagnostics["per_step"]:
            continue
        lines += ["", f"run {cycles['run']}: progress or cycling (cross-play {cycles['cross_play_source']})"]
        rows = [dict(round=cycles["rounds"][s["newest"]], beats="yes" if s["beats_all_earlier"] else "no",
                     cycles=s["three_cycles"], support=s["nash_support"], weight=s["nash_weight_newest"],
                     alpha=diagnostics["alpha_rank"][s["newest"]]) for s in diagnostics["per_step"]]
        lines += table_lines(rows, [("round", "round"), ("beats", "beats all earlier"), ("cycles", "3-cycles"),
                                    ("support", "Nash support"), ("weight", "Nash weight newest"),
                                    ("alpha", "α-Rank")])
    return lines


def _number(value) -> str:
    return "n/a" if value is None or value != value else f"{value:.4f}"
