"""Generality of each strategy archetype at its default parameters on a held-out set: the
prior's baseline that evolution has to climb above.

    python3 scripts/archetype_baseline.py [--against ../shared/warriors/drq-heldout] [--seeds 20]

Writes the default instances to a temporary directory and runs `redqueen eval` on them
(1v1 against every held-out warrior, the DRQ generality rule), with its own archive file so
the project archive is untouched. Prints a Markdown table (archetype, generality).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from arenas.corewar.archetypes import ARCHETYPES, default_instance  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", default=str(REPO.parent / "shared" / "warriors" / "drq-heldout"))
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    if not Path(args.against).is_dir():
        print(f"archetype_baseline: held-out directory {args.against} not found", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for kind in ARCHETYPES:
            path = Path(tmp) / f"{kind}.red"
            path.write_text(default_instance(kind))
            files.append(str(path))
        run = subprocess.run([sys.executable, "-m", "redqueen", "eval", *files, "--against", args.against,
                              "--seeds", str(args.seeds), "--json", "-q", "--db", str(Path(tmp) / "eval.db")],
                             cwd=REPO, capture_output=True, text=True, check=False)
        if run.returncode:
            print(run.stderr, file=sys.stderr)
            return run.returncode
        report = json.loads(run.stdout)
    rows = _rows(report)
    print("| archetype | generality |\n|---|---|")
    for kind, value in rows:
        print(f"| {kind} | {value:.3f} |")
    return 0


def _rows(report) -> list[tuple[str, float]]:
    return [(entry["program"], float(entry["generality"])) for entry in report["programs"]]


if __name__ == "__main__":
    sys.exit(main())
