"""The iterated prisoner's dilemma as a Red Queen arena."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from redqueen.arena import Descriptor, Option, Prompts

from arenas.policy.policy_arena import PolicyArena
from arenas.policy.validate import Signature

from . import prompts as ipd_prompts
from .family import FAMILY

PROGRAMS = Path(__file__).resolve().parent / "programs"
TEMPTATION = 5.0          # T: what the other side earns per turn when a policy forfeits

_RATE_EDGES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, float("inf"))


class IPDArena(PolicyArena):
    name = "ipd"
    signature = Signature("policy", ("my_moves", "their_moves", "turn"))
    game_module = "arenas.ipd.game"
    builtin_game_module = "arenas.ipd.axelrod_game"
    descriptors = {
        "cooperation": Descriptor("cooperation", _RATE_EDGES,
                                  "fraction of the policy's own (intended) moves that cooperate"),
        "retaliation": Descriptor("retaliation", _RATE_EDGES,
                                  "fraction of turns after an opponent defection on which the policy defects"),
    }
    default_descriptors = ("cooperation", "retaliation")
    fitness_modes = {
        "battle": "mean payoff per turn over 1v1 matches with each opponent, 0 to 5 "
                  "(3 = mutual cooperation, 1 = mutual defection)",
        "duel": "the same as battle (IPD matches are always 1v1)",
    }
    options = {
        **PolicyArena.options,
        "turns": Option(int, 200, "turns per match", 1, 100_000),
        "noise": Option(float, 0.0, "probability that a move is flipped", 0.0, 0.5),
    }
    family = FAMILY

    _heldout: list | None = None

    # ---- scoring -------------------------------------------------------------------------------
    def scores(self, stats: tuple) -> tuple[float, float]:
        return stats[0], stats[1]

    def forfeit_scores(self, faulty: set[int]) -> tuple[float, float]:
        """A policy that breaks down earns nothing; its opponent earns the temptation payoff."""
        if 1 in faulty and 2 not in faulty:
            return 0.0, TEMPTATION
        if 2 in faulty and 1 not in faulty:
            return TEMPTATION, 0.0
        return 0.0, 0.0

    def descriptor_values(self, stats: list[tuple]) -> dict[str, float]:
        if not stats:
            return {"cooperation": 0.0, "retaliation": 0.0}
        table = np.asarray(stats, dtype=float)
        turns = table[:, 8].sum()
        provocations = table[:, 4].sum()
        return {"cooperation": float(table[:, 2].sum() / turns) if turns else 0.0,
                "retaliation": float(table[:, 3].sum() / provocations) if provocations else 0.0}

    # ---- teaching and varying --------------------------------------------------------------------
    def prompts(self) -> Prompts:
        return ipd_prompts.prompts(self.game_options["turns"], self.game_options["noise"])

    def initial_programs(self):
        path = PROGRAMS / "tit_for_tat.py"
        return [self.parse(path.read_text(), origin=str(path))]

    # ---- replays -------------------------------------------------------------------------------
    replay_options = ("seed",)      # what `redqueen serve` offers to set for a replay

    def replay_page(self, programs, seed: int | None = None, position: int | None = None) -> str:
        """A self-contained HTML page of one match of two policies (from `seed`, default 0):
        the moves turn by turn and the running payoffs, recorded in the sandbox."""
        from .replay import replay_html
        return replay_html(self.trace(programs, seed, position), [p.name for p in programs])

    # ---- held-out: Axelrod's strategies ----------------------------------------------------------
    def heldout_opponents(self) -> list:
        """Axelrod's strategies, minus cheaters and long-running ones, as built-in opponents
        (`duel` plays them in Axelrod's engine). Raises HeldoutUnavailable without Axelrod."""
        from . import heldout
        if self._heldout is None:
            self._heldout = heldout.opponents(self)
        return list(self._heldout)

    def tournament_generality(self, program, seeds: Sequence[int], opponents: Sequence | None = None,
                              reference_seeds: Sequence[int] | None = None) -> dict:
        """Generality in a round robin: the fraction of held-out strategies whose mean payoff in a
        tournament of them all plus `program` the program's mean payoff matches or exceeds."""
        from . import heldout
        return heldout.tournament_generality(self, program, seeds, opponents, reference_seeds)

    def heldout_summary(self, results, opponents: Sequence, seeds: Sequence[int]) -> dict:
        """Round-robin generality (rule "round-robin"): `tournament_summary` in the form of
        `Arena.heldout_summary`, reference games over the first 5 seeds, cached for Axelrod's
        strategies. "beaten": the fraction of strategies whose tournament mean payoff the policy's
        exceeds; per opponent: its tournament mean payoff and whether it is matched."""
        from . import heldout
        return heldout.heldout_summary(self, results, opponents, seeds)

    def tournament_summary(self, results, opponents: Sequence, reference_seeds: Sequence[int]) -> dict:
        """The same from duel results already played (e.g. read from an archive)."""
        from . import heldout
        return heldout.tournament_summary(self, results, opponents, reference_seeds)
