"""Is each round's champion the most general program its round found? Plays every elite of
every round of a run against a held-out (or validation) set and compares, round by round, the
champion with the other elites.

    python3 scripts/elites_generality.py runs.db [--run N] --against DIR [--seeds 4] [--jobs 2] [--json]

Prints per round: the number of elites, the champion's generality, the best generality among
the round's elites, the best among the elites other than the champion, the champion's rank by
generality (1: the most general), and the Spearman
correlation between the elites' round fitness and their generality. Tells whether a search
needs a better champion *choice* (another elite was more general) or better *programs* (the
champion was already the best its round found). Results are saved in the archive's held-out
store, so a second call replays them.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def parse_arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", help="the archive (SQLite file) holding the run")
    parser.add_argument("--run", type=int, default=None, help="run id (default: the archive's last run)")
    parser.add_argument("--against", required=True, help="directory of held-out or validation programs")
    parser.add_argument("--seeds", type=int, default=4, help="seeds per pair")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--json", action="store_true", help="one JSON object per round")
    return parser.parse_args(argv)


def round_rows(archive, run: dict, against: str, seeds: int, jobs: int) -> list[dict]:
    from scipy.stats import spearmanr

    from redqueen.report import heldout_report
    champions = {row["round"]: row["program_id"] for row in archive.champions(run["id"])}
    elites = {row["number"]: archive.elites(row["id"]) for row in archive.rounds(run["id"])}
    ids = sorted({e["program_id"] for rows in elites.values() for e in rows} | set(champions.values()))
    report = heldout_report(archive, [str(pid) for pid in ids], against=against, seeds=seeds, jobs=jobs,
                            progress=sys.stderr.isatty())
    generality = {entry["program_id"]: entry["generality"] for entry in report["programs"]}
    rows = []
    for number, round_elites in sorted(elites.items()):
        if number not in champions:
            continue
        champion = champions[number]
        values = sorted({generality[e["program_id"]] for e in round_elites} | {generality[champion]}, reverse=True)
        fitness = [e["fitness"] for e in round_elites]
        found = [generality[e["program_id"]] for e in round_elites]
        correlation = spearmanr(fitness, found).correlation if len(round_elites) > 2 else None
        others = [generality[e["program_id"]] for e in round_elites if e["program_id"] != champion]
        rows.append(dict(round=number, elites=len(round_elites), champion=champion,
                         champion_generality=generality[champion], best_generality=values[0],
                         best_other_generality=max(others, default=None),
                         champion_rank=values.index(generality[champion]) + 1,
                         fitness_spearman=None if correlation is None or math.isnan(correlation) else correlation))
    return rows


def main(argv=None) -> int:
    args = parse_arguments(argv)
    from redqueen.db import Archive
    from redqueen.schema import ArchiveError
    if not Path(args.db).is_file():
        print(f"elites_generality: no archive at {args.db}", file=sys.stderr)
        return 2
    try:
        archive = Archive(args.db)
        runs = archive.runs()
        run = next((r for r in runs if r["id"] == args.run), None) if args.run else (runs[-1] if runs else None)
        if run is None:
            print(f"elites_generality: {args.db} has no run {args.run or ''}".rstrip(), file=sys.stderr)
            return 2
        rows = round_rows(archive, run, args.against, args.seeds, args.jobs)
    except (ArchiveError, ValueError) as error:    # AnalysisError, HeldoutError, ProgramError: ValueErrors
        print(f"elites_generality: {error}", file=sys.stderr)
        return 2
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return 0
    print("round  elites  champion  generality  best elite  best other  rank  spearman(fitness, generality)")
    for row in rows:
        rho = "-" if row["fitness_spearman"] is None else f"{row['fitness_spearman']:+.2f}"
        other = "-" if row["best_other_generality"] is None else f"{row['best_other_generality']:.4f}"
        print(f"{row['round']:<6} {row['elites']:<7} {row['champion']:<9} {row['champion_generality']:<11.4f} "
              f"{row['best_generality']:<11.4f} {other:<11} {row['champion_rank']:<5} {rho}")
    first = sum(row["champion_rank"] == 1 for row in rows)
    print(f"the champion was the most general of its round's programs in {first} of {len(rows)} rounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
