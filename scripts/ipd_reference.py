"""Play Axelrod's reference tournament for the default IPD settings and write the file the package
ships (arenas/ipd/reference/axelrod-tournament.json.gz), so that the first `redqueen eval` of an
IPD program need not play it (see arenas/ipd/reference.py).

It plays every pair of held-out strategies over the first 5 default held-out seeds, exactly as
`redqueen eval` would on first use (minutes; pairs already in the user cache, $REDQUEEN_CACHE or
~/.cache/redqueen, are reused, and the shipped file itself is never read). Run it again after
an Axelrod upgrade; tests/arenas/policy/test_ipd_reference.py replays a sample with Axelrod to check it.

usage: python3 scripts/ipd_reference.py [--out PATH]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import arenas  # noqa: E402
from arenas.ipd import heldout, reference  # noqa: E402
from redqueen.heldout import DEFAULT_SEEDS, default_seeds  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=reference.SHIPPED, help="where to write [%(default)s]")
    args = parser.parse_args()
    arena = arenas.load("ipd")
    try:
        field = heldout.opponents(arena)
        seeds = default_seeds(DEFAULT_SEEDS, 0)[:heldout.REFERENCE_SEEDS]
        payoff = heldout.reference_payoffs(arena, field, seeds, shipped=False)
    finally:
        arena.close()
    key = {"options": arena.game_options, "seeds": seeds, "axelrod": heldout._axelrod_version()}
    reference.write(args.out, key, [o.name for o in field], payoff)
    print(f"{args.out}: {len(field)} strategies, {len(field) * (len(field) - 1) // 2} pairs, "
          f"{len(seeds)} seeds, Axelrod {key['axelrod']}")


if __name__ == "__main__":
    main()
