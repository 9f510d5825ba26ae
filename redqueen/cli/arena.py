"""`redqueen arena check` and `redqueen arena play`: one program, or two, in any arena.

Everything goes through `redqueen.registry` and the `Arena` interface: `parse` for checking,
`duel` for playing. Mistakes and rejected programs are one line and a non-zero exit status.
"""
from __future__ import annotations

import json
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
@click.option("--json", "as_json", is_flag=True, help="Print the results as one JSON object.")
@click.argument("file_a", type=click.Path(dir_okay=False))
@click.argument("files_b", nargs=-1, type=click.Path(dir_okay=False))
def play(arena_name, arena_option, seeds, as_json, file_a, files_b):
    """Play FILE_A against each FILE_B (against itself when none is given) over N seeds; print
    each side's score and any disqualification (with --json: scores and the arena's details, e.g.
    the social metrics of Gathering and Cleanup).

    \b
    Example:
      redqueen arena play --arena tron --seeds 20 a.py b.py
      redqueen arena play --arena cleanup --json a.py b.py c.py
    """
    arena = _load_arena(arena_name, arena_option)
    files = [file_a, *(files_b or [file_a])]
    parsed = [_parse(arena, file) for file in files]
    labels = ["A"] + (["B"] if len(files) == 2 else [f"B{i}" for i in range(1, len(files))])
    for side, (_, reason) in zip(labels, parsed):
        if reason:
            click.echo(f"{side} disqualified: {reason}")
    if any(program is None for program, _ in parsed):
        raise SystemExit(1)
    a, others = parsed[0][0], [program for program, _ in parsed[1:]]
    results = arena.duel(a, others, list(range(seeds)))
    if as_json:
        click.echo(json.dumps(_play_json(arena.name, a, others, results, seeds), default=float))
        return
    for index, b in enumerate(others):
        games = int(results.wins[index] + results.ties[index] + results.losses[index])
        click.echo(f"A {a.name}: score {float(results.score_a[index]):.4f}  (wins {int(results.wins[index])}, "
                   f"ties {int(results.ties[index])}, losses {int(results.losses[index])})")
        click.echo(f"{labels[index + 1]} {b.name}: score {float(results.score_b[index]):.4f}")
    games = seeds * len(others)
    for line in _fault_lines(getattr(results, "details", {}) or {}, games):
        click.echo(line)


def _play_json(arena_name: str, a, others, results, seeds: int) -> dict:
    return {"arena": arena_name, "seeds": seeds, "a": a.name,
            "opponents": [{"name": b.name, "score_a": float(results.score_a[i]),
                           "score_b": float(results.score_b[i]), "wins": int(results.wins[i]),
                           "ties": int(results.ties[i]), "losses": int(results.losses[i])}
                          for i, b in enumerate(others)],
            "details": getattr(results, "details", {}) or {}}


def _fault_lines(details: dict, games: int) -> list[str]:
    """One line per (side, reason): who was disqualified, in how many games, and why."""
    counts = Counter((fault.get("side", "?"), fault.get("reason", "?")) for fault in details.get("faults", []))
    label = {"a": "A", "b": "B"}
    return [f"{label.get(side, side)} disqualified in {count} of {games} games: {reason}"
            for (side, reason), count in counts.items()]
