"""Gathering: the sequential social dilemma of harvesting apples and tagging rivals (N agents).

`arena.GatheringArena`, registered as `gathering`; the game itself is `arenas.ssd`.
"""
