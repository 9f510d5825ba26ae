#!/usr/bin/env python3
"""Reproduce the DRQ convergence experiment offline, in one command.

Runs N independent Red Queen runs of one configuration with the builtin mutator (no language
model needed), evaluates every champion against a held-out directory, and writes the analysis
(report.json, report.txt) and the figures (generality.png, variance.png, map_elites_grid.png)
into the output folder, with the configuration in config.json.

The runs live in OUT/runs.db. Running the same command again resumes unfinished runs and
reuses stored held-out games, so an interrupted reproduction continues where it stopped.

    python scripts/reproduce.py --runs 3 --rounds 8 --iters 60 --out reproduction/
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DRQ_HELDOUT = REPO.parent / "shared" / "warriors" / "drq-heldout"


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="independent runs (seeds SEED, SEED+1, ...)")
    parser.add_argument("--rounds", type=int, default=None, help="Red Queen rounds per run [preset, else 8]")
    parser.add_argument("--iters", type=int, default=None, help="MAP-Elites iterations per round [preset, else 60]")
    parser.add_argument("--seeds", type=int, default=None,
                        help="battle seeds per evaluation inside the loop [preset, else 4]")
    parser.add_argument("--preset", choices=["drq", "strong"], default="drq",
                        help="named set of the search options below (given ones override it; see docs/loop.md)")
    parser.add_argument("--history", type=int, default=None, help="last K champions as opponents (default all)")
    parser.add_argument("--opponents", default=None, help="opponent strategy: all, last:K, nash, pfsp [preset]")
    parser.add_argument("--fitness", default=None, help="fitness mode of the arena [preset, else the arena's first]")
    parser.add_argument("--operators", choices=["fixed", "adaptive"], default=None, help="builtin operators [preset]")
    parser.add_argument("--carry-elites", action=argparse.BooleanOptionalAction, default=None,
                        help="start each round from the previous round's elites [preset]")
    parser.add_argument("--elite-opponents", type=int, default=None, metavar="K",
                        help="later rounds also play each earlier round's K fittest other elites [preset, else 0]")
    parser.add_argument("--fresh-opponents", type=int, default=None, metavar="N",
                        help="each round draws N programs of the arena's spread for later rounds [preset, else 0]")
    parser.add_argument("--exploiters", type=int, default=None,
                        help="programs searched per round for one that beats its champion [preset, else 0]")
    parser.add_argument("--confirm-seeds", type=int, default=None, help="champion confirmation seeds [preset]")
    parser.add_argument("--tune-champion", type=int, default=None, help="constant-tuning evaluations [preset]")
    parser.add_argument("--diverse-start", action=argparse.BooleanOptionalAction, default=None,
                        help="round 0 also plays the arena's spread of strategies [preset]")
    parser.add_argument("--batch", type=int, default=8, help="candidates evaluated together")
    parser.add_argument("--n-init", type=int, default=8, help="new programs at the start of each round")
    parser.add_argument("--arena", default="corewar")
    parser.add_argument("-A", "--arena-option", action="append", default=[], metavar="KEY=VALUE",
                        help="arena option, repeatable (Core War: maxcycles=2000, ...)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first run")
    parser.add_argument("--against", default=None,
                        help="held-out directory (default: ../shared/warriors/drq-heldout when present, "
                             "else the project's archive/heldout)")
    parser.add_argument("--heldout-seeds", type=int, default=20, help="games per held-out opponent")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for held-out games")
    parser.add_argument("--executor", choices=["local", "dask"], default="local",
                        help="where games run: this process, or Dask workers (the coordinator writes runs.db)")
    parser.add_argument("--parallel-runs", type=int, default=1,
                        help="runs evolved at the same time (threads of this process, each with its own "
                             "connection to runs.db); worth it when an executor has more workers than --batch")
    parser.add_argument("--scheduler", default=None,
                        help="Dask scheduler tcp://HOST:PORT (default $DASK_SCHEDULER_ADDRESS, else a local cluster)")
    parser.add_argument("--out", default="reproduction", help="output folder")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def _arena_options(name, pairs) -> dict:
    import click
    from redqueen.cli.options import parse_arena_options
    from redqueen.options import OptionError
    from redqueen.registry import UnknownArena, check_options
    try:
        return check_options(name, parse_arena_options(pairs))
    except click.BadParameter as error:
        raise SystemExit(f"--arena-option: {error.message}") from None
    except (UnknownArena, OptionError) as error:
        raise SystemExit(str(error)) from None


SEARCH = dict(rounds=8, iters=60, seeds=4, opponents="all", fitness=None, operators="fixed", carry_elites=False,
              confirm_seeds=0, tune_champion=0, diverse_start=False, exploiters=0,
              elite_opponents=0, fresh_opponents=0)


def search_options(args, arena) -> dict:
    """The search options: defaults, then the preset's, then those given (as `redqueen evolve`)."""
    from redqueen.presets import resolve_options
    given = {name: getattr(args, name) for name in SEARCH if getattr(args, name) is not None}
    values = resolve_options(args.preset, arena, SEARCH, given)
    if args.history is not None:
        values["opponents"] = f"last:{args.history}"
    values["fitness"] = arena.check_fitness(values["fitness"] or arena.default_fitness())
    if isinstance(values.get("descriptors"), str):
        values["descriptors"] = tuple(values["descriptors"].split(","))
    return values


def run_configs(args):
    from redqueen.loop import RunConfig
    from redqueen.registry import make_arena
    arena_options = _arena_options(args.arena, args.arena_option)
    search = search_options(args, make_arena(args.arena, arena_options))
    adaptive = {"adaptive": True} if search.pop("operators") == "adaptive" else {}
    return [RunConfig(arena=args.arena, arena_options=arena_options, n_init=args.n_init, batch=args.batch,
                      preset=args.preset,
                      mutator="builtin", mutator_options=dict(adaptive), seed=args.seed + index, **search)
            for index in range(args.runs)]


def find_run(archive, config) -> dict | None:
    """A run of the archive with exactly this configuration, if one was started before."""
    wanted = config.to_json()
    for run in archive.runs():
        if run["config"] == json.loads(json.dumps(wanted)):
            return run
    return None


def evolve(archive, config, quiet: bool, executor=None) -> int:
    """Start the run, or resume it if an earlier invocation began it; returns its id."""
    from redqueen.loop import RedQueen
    from redqueen.mutators import make_mutator
    from redqueen.registry import make_arena
    arena = make_arena(config.arena, config.arena_options)
    mutator = make_mutator("builtin", arena, **config.mutator_options)
    existing = find_run(archive, config)
    if existing and existing["status"] == "finished":
        return existing["id"]
    if existing:
        loop = RedQueen.resume(archive, existing["id"], arena, mutator, progress=not quiet, executor=executor)
    else:
        loop = RedQueen.start(archive, config, arena, mutator, progress=not quiet, executor=executor)
    loop.warm_up()          # the engine's one-off preparation is not charged to the run's CPU time
    return loop.run()


def evolve_all(archive, configs, args, executor) -> list[int]:
    """Every run, one after another, or --parallel-runs at a time: runs are created here in order
    (so run ids follow the seeds), then each thread evolves one run through its own connection."""
    if args.parallel_runs <= 1 or len(configs) <= 1:
        return [evolve(archive, config, args.quiet, executor) for config in configs]
    from concurrent.futures import ThreadPoolExecutor

    from redqueen.db import Archive
    from redqueen.loop import RedQueen
    from redqueen.mutators import make_mutator
    from redqueen.registry import make_arena
    for config in configs:
        if find_run(archive, config) is None:
            arena = make_arena(config.arena, config.arena_options)
            RedQueen.start(archive, config, arena, make_mutator("builtin", arena, **config.mutator_options))

    def one(config):
        own = Archive(archive.path)
        try:
            return evolve(own, config, True, executor)
        finally:
            own.close()

    with ThreadPoolExecutor(args.parallel_runs) as pool:
        return list(pool.map(one, configs))


def main(argv=None) -> int:
    args = parse_arguments(argv)
    from redqueen.analysis.convergence import AnalysisOptions, analyze, write_plots
    from redqueen.cli.analyze import report_lines
    from redqueen.db import Archive
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    against = args.against or (str(DRQ_HELDOUT) if DRQ_HELDOUT.is_dir() else str(REPO / "archive" / "heldout"))
    from redqueen.executor import ExecutorError, make_executor
    try:
        executor = make_executor(args.executor, args.scheduler)
    except ExecutorError as error:
        raise SystemExit(str(error)) from None
    archive = Archive(out / "runs.db")
    timings = {}
    try:
        started = time.perf_counter()
        run_ids = evolve_all(archive, run_configs(args), args, executor)
        timings["evolve_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        options = AnalysisOptions(against=against, seeds=args.heldout_seeds, seed=args.seed, jobs=args.jobs,
                                  progress=not args.quiet, executor=executor)
        analysis = analyze(archive, run_ids, options)
        timings["analyze_s"] = round(time.perf_counter() - started, 1)
    finally:
        archive.close()
        executor.close()
    report = analysis.report
    report["figures"] = [str(p) for p in write_plots(analysis, out)]
    report["timings"] = timings
    config = dict(vars(args), against=against, run_ids=run_ids, cpu_count=os.cpu_count(),
                  command=" ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]))
    (out / "config.json").write_text(json.dumps(config, indent=2))
    (out / "report.json").write_text(json.dumps(report, indent=2))
    text = "\n".join(report_lines(report)) + f"\n\ntimings: {timings}\n"
    (out / "report.txt").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
