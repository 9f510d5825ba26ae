"""Cleanup as a Red Queen arena."""
from __future__ import annotations

from redqueen.arena import Descriptor, Option, Prompts

from arenas.ssd import maps
from arenas.ssd import prompts as ssd_prompts
from arenas.ssd.arena import RATE_EDGES, SSDArena, rate


class CleanupArena(SSDArena):
    name = "cleanup"
    game = "cleanup"
    descriptors = {
        "tagging": Descriptor("tagging", RATE_EDGES,
                          "fraction of the focal agents' actions that fire the tagging beam"),
        "cleaning": Descriptor("cleaning", RATE_EDGES,
                               "fraction of the focal agents' actions that fire the cleaning beam"),
    }
    default_descriptors = ("cleaning", "tagging")
    options = {
        **SSDArena.options,
        "waste_prob": Option(float, 0.5, "probability that a waste cell appears per step (one at most)", 0.0, 1.0),
        "apple_prob": Option(float, 0.05, "apple growth probability per bare orchard spot per step at a clean river",
                             0.0, 1.0),
        "depletion": Option(float, 0.4, "waste fraction of the river at which apples stop growing", 0.01, 1.0),
    }

    def descriptor_values(self, stats: list) -> dict[str, float]:
        return {"tagging": rate(stats, "focal_tags"), "cleaning": rate(stats, "focal_cleans")}

    def prompts(self) -> Prompts:
        cols, rows = maps.CLEANUP_SIZE
        return ssd_prompts.prompts("Cleanup", dict(self.game_options, cols=cols, rows=rows))
