"""Write tests/redqueen/fixtures/archive-v1.db: an archive exactly as the first release writes it.

Run this on commit 79affe5 (the first release, archive schema 1), never on later code:
the point of the file is to hold what that release stored, so that the migration tests
open a real old archive. From a checkout of that commit:

    git worktree add /tmp/redqueen-v1 79affe5
    cd /tmp/redqueen-v1 && python3 scripts/make_archive_fixture.py OUT.db

The archive holds one Core War run with the builtin mutator: rounds 0 and 1 finished, round 2
stopped after a few steps (status `interrupted`, resumable), and one held-out result set:
round 0's champion against two of the project's own warriors in archive/heldout.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import arenas  # noqa: E402
from redqueen.db import Archive  # noqa: E402
from redqueen.heldout import (  # noqa: E402
    HeldoutStore,
    arena_key,
    default_seeds,
    evaluate_heldout,
    load_heldout,
)
from redqueen.loop import RedQueen, RunConfig  # noqa: E402
from redqueen.mutators import make_mutator  # noqa: E402

ARENA_OPTIONS = {"maxcycles": 2000}
CONFIG = RunConfig(arena="corewar", arena_options=ARENA_OPTIONS, rounds=3, iters=8, seeds=2, n_init=4,
                   batch=4, seed=11)
STEPS_BEFORE_INTERRUPT = 2            # committed steps of round 2 before the run is stopped
HELDOUT = ("Blizzard", "Pebble")      # labels (warrior names) in archive/heldout
HELDOUT_SEEDS = 2


class StopHere(KeyboardInterrupt):
    """Stops the run the way Ctrl-C does: the loop marks it interrupted."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(REPO / "tests" / "redqueen" / "fixtures" / "archive-v1.db"))
    out = Path(parser.parse_args().out)
    if out.exists():
        sys.exit(f"{out}: already exists; remove it first")
    arena = arenas.load("corewar", **ARENA_OPTIONS)
    archive = Archive(out)
    steps = {"round 2": 0}

    def stop_in_round_2(loop, state):
        if state.number == 2:
            steps["round 2"] += 1
            if steps["round 2"] >= STEPS_BEFORE_INTERRUPT:
                raise StopHere("stopped to make the fixture")

    loop = RedQueen.start(archive, CONFIG, arena, make_mutator("builtin", arena), progress=False,
                          on_step=stop_in_round_2)
    try:
        loop.run()
    except StopHere:
        pass
    champion = archive.champions(loop.run_id)[0]
    program = arena.parse(champion["source"], origin="fixture")
    heldout = load_heldout(arena, REPO / "archive" / "heldout", HELDOUT)
    evaluate_heldout(arena, [program], heldout, default_seeds(HELDOUT_SEEDS), store=HeldoutStore(archive),
                     key=arena_key("corewar", ARENA_OPTIONS), program_ids=[champion["program_id"]],
                     progress=False)
    archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.db.execute("VACUUM")
    run = archive.run(loop.run_id)
    archive.close()
    print(f"{out}: run {run['id']} {run['status']}, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
