"""What `redqueen evolve` prints while it runs: bars on a terminal, one plain line per round always.

Bars (tqdm) redraw themselves with escape codes, which only a terminal understands; in a log
they are noise. So bars are shown only when stderr (where they go) is a terminal, and each
finished round prints one line to stdout whatever it is connected to.
"""
from __future__ import annotations

import sys
import threading
import time

import click

def bars_wanted(quiet: bool) -> bool:
    """Progress bars only for a person watching a terminal."""
    return not quiet and sys.stderr.isatty()


def fitness_meaning(arena, mode: str) -> str:
    """What a fitness number means in this arena and mode, in the arena's words."""
    return arena.fitness_modes[mode]


def echo_line(text: str, err: bool = False) -> None:
    """Print a whole line without tearing a progress bar that may be on screen."""
    from tqdm.auto import tqdm
    tqdm.write(text, file=sys.stderr if err else sys.stdout)
    (sys.stderr if err else sys.stdout).flush()


class RoundReporter:
    """The loop's `on_round` hook: one line per finished round, e.g.

    round 2 (3/5)  champion 37 imp_x  fitness 1.8679 (battle, 3 opponents)  cells 14/36  invalid 3%  elapsed 4.2 s
    """

    def __init__(self, rounds: int, fitness_mode: str):
        self.rounds, self.fitness_mode = rounds, fitness_mode
        self.started = time.monotonic()

    def __call__(self, loop, state, champion) -> None:
        rows, cols = state.grid.shape
        echo_line(round_line(state.number, self.rounds, champion.key, champion.program.name, champion.fitness,
                             self.fitness_mode, len(state.opponent_ids), len(state.grid), rows * cols,
                             _invalid_rate(state.stats), time.monotonic() - self.started))


def round_line(number: int, rounds: int, program_id, name, fitness: float, mode: str, opponents: int,
               cells: int | None, cells_total: int | None, invalid: float | None, elapsed: float | None) -> str:
    parts = [f"round {number} ({number + 1}/{rounds})", f"champion {program_id} {name or '-'}",
             f"fitness {fitness:.4f} ({mode}, {opponents} opponent{'s' if opponents != 1 else ''})"]
    if cells is not None:
        parts.append(f"cells {cells}/{cells_total}")
    if invalid is not None:
        parts.append(f"invalid {invalid:.0%}")
    if elapsed is not None:
        parts.append(f"elapsed {elapsed:.1f} s")
    return "  ".join(parts)


def earlier_rounds(archive, run_id, rounds: int, mode: str) -> None:
    """On resume: the rounds finished before, in the same format (without live figures)."""
    for champion in archive.champions(run_id):
        echo_line(round_line(champion["round"], rounds, champion["program_id"], champion["name"],
                             champion["fitness"], mode, len(champion.get("opponents") or []),
                             None, None, None, None))


class Preparing:
    """While the arena is built and first used (Numba compiles engines then): if that takes more
    than a moment, say so, and when it ends, how long it took. Mistakes found at once (a bad
    option, a missing file) thus still print only their one line."""

    def __init__(self, after: float = 1.0):
        self.started, self.said = time.monotonic(), False
        self.lock = threading.Lock()
        self.timer = threading.Timer(after, self._say)
        self.timer.daemon = True
        self.timer.start()

    def _say(self) -> None:
        with self.lock:
            if not self.said:
                self.said = True
                click.echo("preparing the arena (the first use compiles the engine with Numba: "
                           "10-60 s on an idle machine)...", err=True)

    def done(self) -> None:
        self.timer.cancel()
        with self.lock:
            if self.said:
                click.echo(f"arena ready in {time.monotonic() - self.started:.1f} s", err=True)
            self.said = True                 # a late timer stays silent

    def cancel(self) -> None:
        """Stop without a word (on a mistake, whose one line says enough)."""
        self.timer.cancel()
        with self.lock:
            self.said = True


def _invalid_rate(stats: dict) -> float:
    return stats.get("failures", 0) / stats["candidates"] if stats.get("candidates") else 0.0
