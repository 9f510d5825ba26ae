"""Held-out and analysis tests use the tiny rock-paper-scissors arena of tests/redqueen/loop where a
game with answers known by hand is enough, and Core War end to end."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "loop"))
