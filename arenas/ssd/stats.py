"""What an episode reports, in a module without numba: the parent process (arena, replays,
reports) reads these names and never needs the compiled engine, which only workers load.
The engine's numba cache is keyed by engine.py alone: after changing this file, touch engine.py."""
MAX_AGENTS = 16
METRICS = ("efficiency", "equality", "sustainability", "peace")
STATS = ("focal_return", "background_return", *METRICS, "focal_tags", "focal_cleans", "focal_steps",
         "background_steps") + tuple(f"return_{i}" for i in range(MAX_AGENTS))
RETURNS_AT = 10          # STATS[RETURNS_AT + i] is agent i's return
