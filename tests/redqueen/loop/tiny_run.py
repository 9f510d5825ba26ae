"""Run or resume a tiny-arena run in its own process (the resume tests kill it with SIGKILL).

usage: python tiny_run.py DB start|resume [RUN]; each committed step then sleeps a little, so
a killer has many moments to strike. REDQUEEN_TINY_CONFIG=strong runs with carried elites,
champion confirmation, adaptive operator weights, exploiters, elite and fresh opponents
and Nash-weighted opponents.
"""
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from redqueen.db import Archive  # noqa: E402
from dataclasses import replace  # noqa: E402

from redqueen.loop import RedQueen, RunConfig  # noqa: E402
from redqueen.mutators import make_mutator  # noqa: E402
from tinygame import TinyArena  # noqa: E402

CONFIGS = {"drq": RunConfig(arena="tiny", rounds=5, iters=40, seeds=4, n_init=4, batch=3, seed=21, history=2)}
CONFIGS["strong"] = replace(CONFIGS["drq"], history=None, opponents="nash", carry_elites=True, confirm_seeds=3,
                            exploiters=24, elite_opponents=2, fresh_opponents=2,
                            mutator_options={"adaptive": True})
CONFIG = CONFIGS[os.environ.get("REDQUEEN_TINY_CONFIG", "drq")]


def main(db, action, run_id=None, pause=0.02):
    archive, arena = Archive(db), TinyArena()
    mutator = make_mutator("builtin", arena, **CONFIG.mutator_options)
    on_step = lambda loop, state: time.sleep(pause)
    if action == "start":
        loop = RedQueen.start(archive, CONFIG, arena, mutator, progress=False, on_step=on_step)
    else:
        loop = RedQueen.resume(archive, run_id, arena, mutator, progress=False, on_step=on_step)
    print(loop.run_id, flush=True)
    loop.run()
    archive.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(sys.argv[3:4]))
