"""Named sets of `redqueen evolve` options. An option given on the command line always wins
over the preset's value; `redqueen evolve --help` and docs/loop.md list what each sets.

- `drq` (the default): the Digital Red Queen study's loop with the study's definitions where
  they differ from this lab's defaults: descriptor values on a bin edge go to the next bin, one
  fixed list of battle seeds for every round and run, a round stops when its best *exceeds*
  the threshold; arenas add theirs (Core War: memory coverage counts addresses enqueued).
- `strong`: the search this lab adds for finding strong programs offline, at a size of its own
  (10 rounds x 300 iterations x 8 seeds): round 0 also plays
  the arena's spread of strategies, adaptive operator weights over the arena's operators, each
  round starting from the previous round's elites, each round's best constant-tuned and the
  champion confirmed on more seeds; arenas add theirs (Core War: `matched` fitness, the
  held-out rule's beat-or-tie count against the round's opponents).
"""
from __future__ import annotations

PRESETS: dict[str, dict] = {
    "drq": dict(binning="study", seed_schedule="fixed", threshold_rule="exceeds"),
    # At this size a Core War run takes about 8 minutes of wall time on a 2-core machine (README);
    # 300 iterations a round rather than 150 let the carried search keep climbing (docs/loop.md).
    "strong": dict(rounds=10, iters=300, seeds=8, diverse_start=True, operators="adaptive", carry_elites=True,
                   confirm_seeds=20, tune_champion=200),
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


def resolve_options(name: str, arena, defaults: dict, given: dict) -> dict:
    """Option values as `redqueen evolve` and scripts/reproduce.py settle them: `defaults`, then
    what preset `name` sets (`preset_values`), then `given`, the options the user named, which
    always win."""
    return {**defaults, **preset_values(name, arena), **given}
