"""Axelrod's reference tournament for the default IPD settings, shipped with the package.

Round-robin generality (arenas.ipd.heldout) needs every held-out strategy's mean payoff against
every other: some 25,000 pairs x 5 seeds in Axelrod's engine, minutes of play. They do not depend
on the policy measured, so scripts/ipd_reference.py plays them once for the default settings
(200 turns, no noise, the default held-out seeds) and the Axelrod release named in the file, and
the package ships the result. Other settings and releases are played on first use and cached.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent / "reference" / "axelrod-tournament.json.gz"


def load(path: Path = SHIPPED) -> dict | None:
    """{"key": {options, seeds, axelrod}, "names": [...], "payoff": [[...]]}, or None if absent."""
    if not path.is_file():
        return None
    with gzip.open(path, "rt") as file:
        return json.load(file)


def shipped_pairs(key: dict) -> dict[str, list[float]]:
    """The shipped payoffs as the cache stores them ("A\\tB" -> [A's, B's]) when the shipped
    tournament was played with exactly `key` (options, seeds, Axelrod release), else nothing."""
    data = load()
    if data is None or data["key"] != key:
        return {}
    names, payoff = data["names"], data["payoff"]
    return {f"{names[i]}\t{names[j]}": [payoff[i][j], payoff[j][i]]
            for i in range(len(names)) for j in range(i + 1, len(names))}


def write(path: Path, key: dict, names: list[str], payoff) -> None:
    """Write a tournament (payoff[i][j]: i's mean payoff per turn against j) reproducibly."""
    text = json.dumps({"key": key, "names": list(names), "payoff": [[float(x) for x in row] for row in payoff]},
                      separators=(",", ":"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(path, "wb", mtime=0) as file:
        file.write(text.encode())
