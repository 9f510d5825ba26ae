"""The maps of Gathering and Cleanup, built from their sizes (columns x rows, walls included).

Cell codes (also what a policy's `grid` holds):
  0 EMPTY    walkable ground
  1 WALL     blocks moves and beams
  2 APPLE    an apple (+1 to the agent that steps on it)
  3 WASTE    polluted river (Cleanup): walkable; the cleaning beam turns it back into RIVER
  4 RIVER    clean river water (Cleanup): walkable
  5 SPOT     a bare apple spot: an apple may grow here (Gathering: 25 steps after it was eaten;
             Cleanup: by chance, depending on the river's pollution)
Agents are not drawn on the grid: their positions are a separate array.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

EMPTY, WALL, APPLE, WASTE, RIVER, SPOT = range(6)

GATHERING_SIZES = {"small": (18, 10), "default": (25, 21), "large": (38, 16)}
CLEANUP_SIZE = (18, 25)


@dataclass(frozen=True)
class GameMap:
    grid: np.ndarray        # (rows, cols) int64: the starting cells
    spawns: np.ndarray      # (S, 2) int64: cells where agents start and come back

    def copy_grid(self) -> np.ndarray:
        return self.grid.copy()


def _walled(cols: int, rows: int) -> np.ndarray:
    grid = np.zeros((rows, cols), np.int64)
    grid[0, :] = grid[-1, :] = WALL
    grid[:, 0] = grid[:, -1] = WALL
    return grid


@cache
def gathering(name: str = "default") -> GameMap:
    """Apples in a diamond in the middle, agents starting in the two outer columns on each side."""
    cols, rows = GATHERING_SIZES[name]
    grid = _walled(cols, rows)
    centre_r, centre_c = rows // 2, cols // 2
    radius = max(2, min(rows, cols) // 3)
    for r in range(1, rows - 1):
        for c in range(3, cols - 3):
            if abs(r - centre_r) + abs(c - centre_c) <= radius:
                grid[r, c] = APPLE
    spawns = [(r, c) for c in (1, 2, cols - 3, cols - 2) for r in range(1, rows - 1)]
    return GameMap(grid, np.array(spawns, np.int64))


@cache
def cleanup() -> GameMap:
    """A river along the left (4 columns), an orchard along the right (4 columns), land between
    where agents start. Apples grow in the orchard only while the river is clean enough."""
    cols, rows = CLEANUP_SIZE
    grid = _walled(cols, rows)
    grid[1:-1, 1:5] = RIVER
    grid[1:-1, cols - 5:cols - 1] = SPOT
    spawns = [(r, c) for r in range(1, rows - 1) for c in range(6, cols - 6)]
    return GameMap(grid, np.array(spawns, np.int64))


def from_text(lines: list[str], spawn: str = "P") -> GameMap:
    """A map from text, one character per cell: '#' wall, ' ' or '.' ground, 'A' apple,
    'W' waste, '~' river, 's' bare apple spot, 'P' ground where agents spawn (for tests)."""
    codes = {"#": WALL, " ": EMPTY, ".": EMPTY, "A": APPLE, "W": WASTE, "~": RIVER, "s": SPOT, spawn: EMPTY}
    grid = np.array([[codes[ch] for ch in line] for line in lines], np.int64)
    spawns = [(r, c) for r, line in enumerate(lines) for c, ch in enumerate(line) if ch == spawn]
    return GameMap(grid, np.array(spawns, np.int64).reshape(-1, 2))
