"""The LLM tests use the tiny rock-paper-scissors arena of tests/redqueen/loop and the local chat server."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "loop"))
