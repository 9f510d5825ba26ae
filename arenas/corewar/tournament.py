"""Round robins as King-of-the-Hill tables: every pair of programs plays one multi-round battle
(`pmars -r R A B`, the earlier program loaded first), or every program plays each of a fixed
set of opponents; a program's score is the sum of its pMARS scores over its battles.

All battles are independent, so they are played as batches on the compiled MARS: on every core
here, or split into chunks of pairs over an executor's workers (`redqueen.executor`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np

from .battle import WarriorPool, batch_battle, pmars_scores
from .settings import Settings
from .warrior import Warrior

PAIRS_PER_TASK = 256          # battles per executor task: coarse, yet enough tasks for every worker


@dataclass
class Standing:
    """One program's line of the table."""
    rank: int
    file: str
    name: str
    author: str
    score: int             # sum of pMARS scores over its battles
    wins: int
    ties: int
    losses: int
    battles: int
    score_per_round: float  # score / rounds played

    def to_json(self) -> dict:
        return asdict(self)


def round_robin_pairs(players: int) -> np.ndarray:
    """(i, j) for i < j: every pair once, the earlier one first."""
    first, second = np.triu_indices(players, k=1)
    return np.stack([first, second], axis=1).astype(np.int64)


def against_pairs(players: int, opponents: int) -> np.ndarray:
    """(player, players + k): every player against each of the fixed opponents, player first."""
    first, second = np.meshgrid(np.arange(players), players + np.arange(opponents), indexing="ij")
    return np.stack([first.ravel(), second.ravel()], axis=1).astype(np.int64)


def play_pairs(warriors: Sequence[Warrior], settings: Settings, pairs: np.ndarray, seed: int, rounds: int,
               threads: int | None = None) -> np.ndarray:
    """pMARS score tables (pairs, 2, 3) of each pair's battle from the same round-1 seed (the
    seed `pmars -F POS` derives), played exactly as pMARS plays them."""
    from .mars import UNLIMITED
    pool = WarriorPool(warriors, settings)
    result = batch_battle(pool, pairs, seed, rounds=rounds, overrun_limit=UNLIMITED, threads=threads,
                          statistics=False)
    return result.score_table


def play_on(executor, warriors, settings, pairs, seed, rounds) -> np.ndarray:
    """`play_pairs` through an executor: chunks of pairs as tasks (all of them at once locally)."""
    if executor is None or executor.name == "local":
        return play_pairs(warriors, settings, pairs, seed, rounds)
    size = max(1, min(PAIRS_PER_TASK, -(-len(pairs) // (4 * executor.workers))))
    tasks = [(list(warriors), settings, pairs[i:i + size], seed, rounds) for i in range(0, len(pairs), size)]
    tables = executor.map(_pairs_task, tasks)
    return np.concatenate(tables) if tables else np.zeros((0, 2, 3), dtype=np.int64)


def _pairs_task(task) -> np.ndarray:
    warriors, settings, pairs, seed, rounds = task
    return play_pairs(warriors, settings, pairs, seed, rounds, threads=1)


def standings(warriors: Sequence[Warrior], files: Sequence[str], players: int, pairs: np.ndarray,
              tables: np.ndarray, rounds: int) -> list[Standing]:
    """The table of the first `players` warriors, best score first (ties: file order)."""
    scores = pmars_scores(tables)                                 # (pairs, 2)
    totals = np.zeros((len(warriors), 4), dtype=np.int64)        # score, wins, ties, battles
    for side in (0, 1):
        np.add.at(totals[:, 0], pairs[:, side], scores[:, side])
        np.add.at(totals[:, 1], pairs[:, side], tables[:, side, 0])
        np.add.at(totals[:, 2], pairs[:, side], tables[:, side, 1])
        np.add.at(totals[:, 3], pairs[:, side], 1)
    order = sorted(range(players), key=lambda i: (-totals[i, 0], i))
    table = []
    for rank, i in enumerate(order, start=1):
        score, wins, ties, battles = (int(v) for v in totals[i])
        played = battles * rounds
        table.append(Standing(rank, files[i], warriors[i].name, warriors[i].author, score, wins, ties,
                              played - wins - ties, battles, round(score / played, 4) if played else 0.0))
    return table
