"""Sequential social dilemmas (Gathering, Cleanup): N-player grid worlds for policy arenas.

Shared by `arenas.gathering` and `arenas.cleanup`: the maps (`maps`), the compiled game loop
(`engine`), the social metrics (`metrics`) and the arena class (`arena.SSDArena`) that puts a
candidate's focal agents among background agents played by opponents.
"""
