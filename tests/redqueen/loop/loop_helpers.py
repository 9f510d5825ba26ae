"""Helpers shared by the loop tests: running the CLI, reading pMARS's listing of a file."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

from arenas.corewar.instruction import MODES, MODIFIERS, OPCODES

REPO = Path(__file__).resolve().parents[3]
LISTED = re.compile(r"^(START)?\s+(\w+)\.(\w+)\s+([#$@<>*{}])\s*(-?\d+),\s*([#$@<>*{}])\s*(-?\d+)\s*$")


def cli_env(**extra) -> dict:
    """The environment without any OPENAI_* variable, with the checkout importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI")}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def redqueen(*args, env_extra=None):
    return subprocess.run([sys.executable, "-m", "redqueen", *map(str, args)], capture_output=True, text=True,
                          env=cli_env(**(env_extra or {})), cwd=REPO, timeout=600)


def pmars_listing(pmars, path, coresize=8000):
    """(code rows, start) as pMARS assembles the file (`pmars -r 0`)."""
    out = subprocess.run([pmars, "-r", "0", str(path)], capture_output=True, text=True, timeout=30)
    assert "Error" not in out.stdout + out.stderr, out.stdout + out.stderr
    rows, start = [], 0
    for line in out.stdout.splitlines():
        match = LISTED.match(line)
        if match:
            if match[1]:
                start = len(rows)
            rows.append([OPCODES.index(match[2]), MODIFIERS.index(match[3]), MODES.index(match[4]),
                         int(match[5]) % coresize, MODES.index(match[6]), int(match[7]) % coresize])
    return np.array(rows), start
