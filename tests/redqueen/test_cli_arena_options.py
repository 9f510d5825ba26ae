"""Bad arena names, arena options and fitness modes on the command line: one line on stderr
naming the option and what is valid, a non-zero exit, never a traceback."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IMP = REPO / "arenas" / "corewar" / "programs" / "imp.red"
TIT_FOR_TAT = REPO / "arenas" / "ipd" / "programs" / "tit_for_tat.py"


def redqueen(*args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI")}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run([sys.executable, "-m", "redqueen", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=300)


def assert_one_line(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize("args, fragments", [
    (["evolve", "-A", "coresize=abc"], ["option coresize: expected an integer from 2 to", "got 'abc'"]),
    (["evolve", "-A", "maxcycles=-5"], ["option maxcycles: expected an integer >= 1", "got '-5'"]),
    (["evolve", "--arena", "ipd", "-A", "noise=abc"], ["option noise: expected a number from 0 to 0.5"]),
    (["evolve", "--arena", "ipd", "-A", "noise=2"], ["option noise: expected a number from 0 to 0.5", "'2'"]),
    (["evolve", "--arena", "tron", "-A", "size=3"], ["option size: expected an integer from 4 to 200"]),
    (["evolve", "-A", "colour=red"], ["unknown option colour for arena corewar (valid: coresize,"]),
    (["evolve", "-A", "mindistance=5000"], ["arena corewar: coresize 8000 is too small"]),
    (["evolve", "--arena", "chess"], ["unknown arena 'chess' (installed: ", "corewar", "ipd", "tron"]),
    (["evolve", "--arena", "ipd", "--fitness", "points"],
     ["unknown fitness mode 'points' for arena ipd (valid: battle, duel)"]),
    (["evolve", "--feedback", "dense"], ["--feedback dense: arena corewar has no dense feedback"]),
    (["evolve", "--feedback", "loud"], ["'loud' is not one of 'off', 'sparse', 'dense'"]),
    (["evolve", "--opponents", "nashh"], ["opponent"]),
])
def test_evolve(tmp_path, args, fragments):
    assert_one_line(redqueen(*args, "--db", tmp_path / "x.db"), *fragments)


def test_eval(tmp_path):
    assert_one_line(redqueen("eval", "-A", "coresize=abc", IMP, "--db", tmp_path / "x.db"),
                    "option coresize: expected an integer")
    assert_one_line(redqueen("eval", "--arena", "chess", IMP, "--db", tmp_path / "x.db"), "unknown arena 'chess'")


@pytest.mark.parametrize("command", ["check", "play"])
def test_arena_commands(command):
    files = [TIT_FOR_TAT] * (2 if command == "play" else 1)
    assert_one_line(redqueen("arena", command, "--arena", "ipd", "-A", "noise=2", *files),
                    "option noise: expected a number from 0 to 0.5")
    assert_one_line(redqueen("arena", command, "--arena", "ipd", "-A", "turns=many", *files),
                    "option turns: expected an integer")


@pytest.mark.parametrize("args, fragment", [
    (["battle", "-s", "abc", IMP, IMP], "'abc' is not a valid integer"),
    (["battle", "-c", "-5", IMP, IMP], "-5 is not in the range"),
    (["battle", "-r", "x", IMP], "'x' is not a valid integer"),
    (["assemble", "-l", "0", IMP], "0 is not in the range"),
    (["assemble", "-s", "abc", IMP], "'abc' is not a valid integer"),
])
def test_pmars_style_commands(args, fragment):
    assert_one_line(redqueen(*args), fragment)


def test_arena_list_shows_modes_and_options():
    result = redqueen("arena", "list", "--verbose")
    assert result.returncode == 0
    assert "--fitness duel:" in result.stdout and "-A coresize=<an integer from 2 to" in result.stdout
    assert "-A noise=<a number from 0 to 0.5>" in result.stdout
