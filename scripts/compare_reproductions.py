#!/usr/bin/env python3
"""Compare reproductions (output folders of scripts/reproduce.py) at equal CPU time.

Reads each OUT/runs.db and OUT/config.json, plays every champion against the held-out set the
reproduction used (games its analysis stored are reused, so this is quick after reproduce.py),
and draws held-out generality against the cumulative CPU time of each run: one colour per
configuration, its runs as thin lines and their median as a thick one. Prints a table: per
configuration, CPU minutes at the end, the last round's mean generality, the best champion's
generality, and the median generality at the CPU time every run reached.

    python scripts/compare_reproductions.py repro-drq repro-strong --labels drq strong --out cpu.png
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("folders", nargs="+", metavar="OUT", help="output folders of scripts/reproduce.py")
    parser.add_argument("--labels", nargs="+", default=None, help="one name per folder [the folder names]")
    parser.add_argument("--out", required=True, help="the figure to write (PNG)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for held-out games not stored yet")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    if args.labels is not None and len(args.labels) != len(args.folders):
        parser.error(f"--labels: {len(args.labels)} given for {len(args.folders)} folders")
    args.labels = args.labels or [Path(f).name for f in args.folders]
    return args


def read_reproduction(folder: Path, args) -> dict:
    """A reproduction's runs: (runs, rounds) arrays of CPU minutes and generality, its held-out set."""
    import numpy as np

    from redqueen.analysis.compute import cumulative_cpu_minutes
    from redqueen.analysis.convergence import AnalysisOptions, heldout_champions
    from redqueen.db import Archive
    config_path, db = folder / "config.json", folder / "runs.db"
    if not config_path.is_file() or not db.is_file():
        raise SystemExit(f"{folder}: no config.json and runs.db here (not an output folder of scripts/reproduce.py)")
    config = json.loads(config_path.read_text())
    options = AnalysisOptions(against=config["against"], seeds=config["heldout_seeds"], seed=config["seed"],
                              jobs=args.jobs, progress=not args.quiet)
    archive = Archive(db)
    try:
        played = heldout_champions(archive, config["run_ids"], options)
        run_ids, rounds, generality = played.generality()
        cpu = cumulative_cpu_minutes(archive, run_ids, rounds)
    finally:
        archive.close()
    if np.isnan(cpu).all():
        raise SystemExit(f"{folder}: its rounds recorded no CPU time (played before rounds measured cpu_s)")
    return dict(cpu_minutes=cpu, generality=generality, heldout=played.heldout.source, seeds=played.seeds,
                arena=(played.name, played.arena_options))


def check_comparable(configurations: list[dict]) -> None:
    first = configurations[0]
    for other in configurations[1:]:
        for key, what in (("arena", "arena"), ("heldout", "held-out set"), ("seeds", "held-out seeds")):
            if other[key] != first[key]:
                raise SystemExit(f"{other['label']} and {first['label']} differ in their {what} "
                                 f"({other[key]} vs {first[key]}): their generality is not comparable")


def table(summaries, budget: float) -> str:
    header = ["configuration", "runs", "CPU min at end", "last-round generality (mean)", "best champion",
              f"median at {budget:.3g} CPU min"]
    rows = [header] + [s.row() for s in summaries]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows)


def main(argv=None) -> int:
    args = parse_arguments(argv)
    from redqueen.analysis.compute import common_budget, summarize
    from redqueen.analysis.plots import plot_compute_comparison
    from redqueen.analysis.runs import AnalysisError
    from redqueen.heldout import HeldoutError
    configurations = []
    for folder, label in zip(args.folders, args.labels):
        try:
            configurations.append(dict(label=label, **read_reproduction(Path(folder), args)))
        except (AnalysisError, HeldoutError) as error:
            raise SystemExit(f"{folder}: {error}") from None
    check_comparable(configurations)
    budget = common_budget([(c["cpu_minutes"], c["generality"]) for c in configurations])
    figure = plot_compute_comparison(configurations, args.out, heldout=configurations[0]["heldout"], budget=budget)
    print(table([summarize(c["label"], c["cpu_minutes"], c["generality"], budget) for c in configurations], budget))
    print(f"\nfigure: {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
