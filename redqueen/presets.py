"""Named sets of `redqueen evolve` options. An option given on the command line always wins
over the preset's value; `redqueen evolve --help` and docs/loop.md list what each sets.

- `drq`: the Digital Red Queen study's configuration (the defaults): every champion an
  opponent, fixed operator choice, the round's best is crowned on the round's seeds.
- `strong`: the search this lab adds for finding strong programs offline: adaptive operator
  weights over the arena's operators, each round starting from the previous round's elites,
  champions confirmed on more seeds, opponents weighted by prioritised fictitious self-play.
"""
from __future__ import annotations

PRESETS: dict[str, dict] = {
    "drq": {},
    "strong": dict(operators="adaptive", carry_elites=True, confirm_seeds=20, opponents="pfsp", tune_champion=200),
}


def preset_values(name: str, arena=None) -> dict:
    """The option values preset `name` sets: the generic ones, then the arena's own for it
    (`Arena.preset_options`), e.g. a fitness mode that only that arena has."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r} (known: {', '.join(PRESETS)})")
    values = dict(PRESETS[name])
    if arena is not None:
        values.update(arena.preset_options(name))
    return values
