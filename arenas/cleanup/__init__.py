"""Cleanup: the public-goods sequential social dilemma of cleaning a river so apples grow.

`arena.CleanupArena`, registered as `cleanup`; the game itself is `arenas.ssd`.
"""
