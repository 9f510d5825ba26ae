"""Tron light cycles as a Red Queen arena."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from redqueen.arena import Descriptor, Option, Prompts

from arenas.policy.policy_arena import PolicyArena
from arenas.policy.validate import Signature

from . import prompts as tron_prompts
from .family import FAMILY

HERE = Path(__file__).resolve().parent
PROGRAMS, HELDOUT = HERE / "programs", HERE / "heldout"


class TronArena(PolicyArena):
    name = "tron"
    signature = Signature("policy", ("grid", "me_row", "me_col", "opp_row", "opp_col", "turn"))
    game_module = "arenas.tron.game"
    descriptors = {
        "area": Descriptor("area", (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, float("inf")),
                           "mean share of the board closer to the policy's head than to the opponent's"),
        "aggression": Descriptor("aggression", (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, float("inf")),
                                 "fraction of moves that bring the policy closer to the opponent's head"),
    }
    default_descriptors = ("area", "aggression")
    fitness_modes = {
        "battle": "mean score over 1v1 games with each opponent: win 1, draw 0.5, loss 0 (0.5 = even)",
        "duel": "the same as battle (Tron games are always 1v1)",
    }
    options = {
        **PolicyArena.options,
        "size": Option(int, 20, "rows and columns of the board", 4, 200),
        "rows": Option(int, None, "rows of the board [default: size]", 4, 200),
        "cols": Option(int, None, "columns of the board [default: size]", 4, 200),
    }
    family = FAMILY

    def game_settings(self, options: dict) -> dict:
        size = options.get("size", self.options["size"].default)
        return {"rows": options.get("rows", size), "cols": options.get("cols", size)}

    # ---- scoring -------------------------------------------------------------------------------
    def scores(self, stats: tuple) -> tuple[float, float]:
        return stats[0], stats[1]

    def forfeit_scores(self, faulty: set[int]) -> tuple[float, float]:
        """A policy that breaks down loses; if both do (or the engine does), neither scores."""
        if 1 in faulty and 2 not in faulty:
            return 0.0, 1.0
        if 2 in faulty and 1 not in faulty:
            return 1.0, 0.0
        return 0.0, 0.0

    def descriptor_values(self, stats: list[tuple]) -> dict[str, float]:
        if not stats:
            return {"area": 0.0, "aggression": 0.0}
        table = np.asarray(stats, dtype=float)
        return {"area": float(table[:, 2].mean()), "aggression": float(table[:, 4].mean())}

    # ---- teaching and varying --------------------------------------------------------------------
    def prompts(self) -> Prompts:
        return tron_prompts.prompts(self.game_options["rows"], self.game_options["cols"])

    def initial_programs(self):
        path = PROGRAMS / "first_safe.py"
        return [self.parse(path.read_text(), origin=str(path))]

    # ---- replays -------------------------------------------------------------------------------
    replay_options = ("seed",)      # what `redqueen serve` offers to set for a replay

    def replay_page(self, programs, seed: int | None = None, position: int | None = None) -> str:
        """A self-contained HTML page playing back one game of two policies (from `seed`,
        default 0), recorded in the sandbox."""
        from .replay import replay_html
        return replay_html(self.trace(programs, seed, position), [p.name for p in programs])

    # ---- held-out: the project's heuristic bots --------------------------------------------------
    def heldout_opponents(self) -> list:
        """The bots in arenas/tron/heldout (random-safe, wall hugger, space maximiser, ...)."""
        programs, rejected = self.load_directory(HELDOUT)
        if rejected:
            raise RuntimeError(f"a held-out Tron bot does not load: {rejected[0][1]}")
        return programs
