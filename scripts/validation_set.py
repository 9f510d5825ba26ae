#!/usr/bin/env python3
"""A validation set for choosing search settings without touching the held-out set.

Settings such as a preset's fitness mode are chosen by the generality of the champions they
produce; measuring that on the held-out warriors would make them a tuning target. This script
builds a separate set from a public hill (default: the Koenigstuhl 94nop hill in ../shared),
dropping every warrior that is also in the held-out set (same assembled code at any start, or
the same file name), optionally sampling it, and writes a folder of links that `redqueen eval
--against` and `scripts/reproduce.py --against` take:

    python3 scripts/validation_set.py --sample 200 --out ~/.cache/redqueen/validation
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from arenas.corewar.assembler import RedcodeError, assemble_file  # noqa: E402
from arenas.corewar.settings import Settings  # noqa: E402

WARRIORS = REPO.parent / "shared" / "warriors"
SUFFIXES = (".red", ".rc", ".war", ".txt")


def warrior_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def code_key(path: Path, settings: Settings) -> bytes | None:
    """The assembled instructions (start excluded), or None when the file does not assemble or
    holds no instruction."""
    try:
        code = assemble_file(path, settings).code
    except (RedcodeError, UnicodeError, ValueError):
        return None
    return code.tobytes() if len(code) else None


def validation_files(pool: Path, heldout: Path, settings: Settings = Settings()) -> list[Path]:
    """The warriors of `pool` that assemble and share neither code nor file name with `heldout`."""
    held = [code_key(p, settings) for p in warrior_files(heldout)]
    held_codes = {key for key in held if key is not None}
    held_names = {p.name.lower() for p in warrior_files(heldout)}
    chosen = []
    for path in warrior_files(pool):
        key = code_key(path, settings)
        if key is not None and key not in held_codes and path.name.lower() not in held_names:
            chosen.append(path)
    return chosen


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", type=Path, default=WARRIORS / "koenigstuhl-94nop")
    parser.add_argument("--heldout", type=Path, default=WARRIORS / "drq-heldout")
    parser.add_argument("--sample", type=int, default=0, help="keep this many, drawn with --seed (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="folder of links to write (emptied first)")
    args = parser.parse_args(argv)
    for folder in (args.pool, args.heldout):
        if not folder.is_dir():
            print(f"validation_set.py: no folder {folder}", file=sys.stderr)
            return 2
    files = validation_files(args.pool, args.heldout)
    if args.sample and args.sample < len(files):
        keep = np.random.default_rng(args.seed).choice(len(files), args.sample, replace=False)
        files = [files[i] for i in sorted(keep)]
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.iterdir():
        if old.is_symlink():
            old.unlink()
    for path in files:
        (args.out / path.name).symlink_to(path.resolve())
    print(f"{len(files)} validation warriors in {args.out} (from {args.pool}, none of {args.heldout})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
