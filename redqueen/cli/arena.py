"""`redqueen arena check` and `redqueen arena play`: one program, or two, in any arena.

Everything goes through `redqueen.registry` and the `Arena` interface: `parse` for checking,
`duel` for playing. Mistakes and rejected programs are one line and a non-zero exit status.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from .options import build_arena, checked_arena_options


def _load_arena(name: str, pairs):
    return build_arena(name, checked_arena_options(name, pairs))


def _parse(arena, path: str):
    """(program, None) or (None, one-line reason)."""
    from redqueen.arena import ProgramError
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as error:
        return None, f"{path}: cannot read: {error.strerror or error}"
    try:
        return arena.parse(text, origin=path), None
    except ProgramError as error:
        return None, str(error)
    except Exception as error:          # a program must never crash the command
        return None, f"{path}: {type(error).__name__}: {error}"


arena_option = click.option("--arena", "arena_name", required=True, metavar="ARENA",
                            help="Arena name (see `redqueen arena list`).")
options_option = click.option("--arena-option", "-A", "arena_option", multiple=True, metavar="KEY=VALUE",
                              help="Arena option, repeatable (IPD: turns=200, noise=0.05; Tron: size=20).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def arena():
    """Check or play single programs of any arena (Core War warriors, IPD or Tron policies)."""


@arena.command("list")
@click.option("--verbose", "-v", is_flag=True, help="Also each arena's fitness modes and options.")
def list_arenas(verbose):
    """The arenas this installation has (registered under the `redqueen.arenas` entry points)."""
    from redqueen.registry import arena_class, names
    for name in names():
        click.echo(name)
        if verbose:
            cls = arena_class(name)
            for mode, meaning in cls.fitness_modes.items():
                click.echo(f"  --fitness {mode}: {meaning}")
            for option_name, option in cls.options.items():
                default = "" if option.default is None else f" [default: {option.default}]"
                click.echo(f"  -A {option_name}=<{option.expectation()}>: {option.help}{default}")


@arena.command()
@arena_option
@options_option
@click.argument("file", type=click.Path(dir_okay=False))
def check(arena_name, arena_option, file):
    """Validate and compile FILE; print `ok`, or the reason it is rejected (exit status 1).

    \b
    Example:
      redqueen arena check --arena ipd arenas/ipd/programs/tit_for_tat.py
    """
    arena = _load_arena(arena_name, arena_option)
    program, reason = _parse(arena, file)
    if program is None:
        click.echo(reason)
        raise SystemExit(1)
    click.echo("ok")


@arena.command()
@arena_option
@options_option
@click.option("--seeds", type=click.IntRange(min=1), default=10, show_default=True,
              help="Games to play (seeds 0 .. N-1).")
@click.argument("file_a", type=click.Path(dir_okay=False))
@click.argument("file_b", type=click.Path(dir_okay=False))
def play(arena_name, arena_option, seeds, file_a, file_b):
    """Play FILE_A against FILE_B over N seeds; print each side's score and any disqualification.

    \b
    Example:
      redqueen arena play --arena tron --seeds 20 a.py b.py
    """
    arena = _load_arena(arena_name, arena_option)
    (a, reason_a), (b, reason_b) = _parse(arena, file_a), _parse(arena, file_b)
    for side, reason in (("A", reason_a), ("B", reason_b)):
        if reason:
            click.echo(f"{side} disqualified: {reason}")
    if a is None or b is None:
        raise SystemExit(1)
    results = arena.duel(a, [b], list(range(seeds)))
    games = int(results.wins[0] + results.ties[0] + results.losses[0])
    click.echo(f"A {a.name}: score {float(results.score_a[0]):.4f}  "
               f"(wins {int(results.wins[0])}, ties {int(results.ties[0])}, losses {int(results.losses[0])})")
    click.echo(f"B {b.name}: score {float(results.score_b[0]):.4f}")
    for line in _fault_lines(getattr(results, "details", {}) or {}, games):
        click.echo(line)


def _fault_lines(details: dict, games: int) -> list[str]:
    """One line per (side, reason): who was disqualified, in how many games, and why."""
    counts = Counter((fault.get("side", "?"), fault.get("reason", "?")) for fault in details.get("faults", []))
    label = {"a": "A", "b": "B"}
    return [f"{label.get(side, side)} disqualified in {count} of {games} games: {reason}"
            for (side, reason), count in counts.items()]
