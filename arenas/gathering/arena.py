"""Gathering as a Red Queen arena."""
from __future__ import annotations

from redqueen.arena import Descriptor, Option, OptionError, Prompts

from arenas.ssd import maps
from arenas.ssd import prompts as ssd_prompts
from arenas.ssd.arena import RATE_EDGES, SHARE_EDGES, SSDArena, focal_share, rate


class GatheringArena(SSDArena):
    name = "gathering"
    game = "gathering"
    descriptors = {
        "tagging": Descriptor("tagging", RATE_EDGES,
                          "fraction of the focal agents' actions that fire the tagging beam"),
        "share": Descriptor("share", SHARE_EDGES, "the focal agents' share of all apples eaten"),
    }
    default_descriptors = ("tagging", "share")
    options = {
        **SSDArena.options,
        "map": Option(str, "default", "map: small (18x10), default (25x21) or large (38x16), columns x rows"),
        "respawn": Option(int, 25, "steps after which an eaten apple grows back", 1, 100_000),
    }

    def game_settings(self, options: dict) -> dict:
        settings = super().game_settings(options)
        if settings["map"] not in maps.GATHERING_SIZES:
            raise OptionError(f"option map: expected one of {', '.join(maps.GATHERING_SIZES)}, "
                              f"got {settings['map']!r}")
        return settings

    def descriptor_values(self, stats: list) -> dict[str, float]:
        return {"tagging": rate(stats, "focal_tags"), "share": focal_share(stats)}

    def prompts(self) -> Prompts:
        cols, rows = maps.GATHERING_SIZES[self.game_options["map"]]
        return ssd_prompts.prompts("Gathering", dict(self.game_options, cols=cols, rows=rows))
