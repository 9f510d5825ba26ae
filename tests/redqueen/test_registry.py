"""The arena registry: built-in arenas come from entry points, and a distribution installed
beside redqueen adds an arena (and a command) without any change to this repository."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from redqueen import registry
from redqueen.options import OptionError

REPO = Path(__file__).resolve().parents[2]
TINYGAME = REPO / "tests" / "redqueen" / "loop"          # tinygame.py: a small real Arena subclass


def test_builtin_arenas_and_commands_are_registered():
    assert {"corewar", "ipd", "tron"} <= set(registry.names())
    assert {"assemble", "battle"} <= set(registry.command_names())
    assert registry.program_suffix("corewar") == ".red" and registry.program_suffix("tron") == ".py"
    assert registry.command("battle").name == "battle" and registry.command("no-such-command") is None


def test_an_unknown_arena_is_one_line_listing_the_installed_ones():
    with pytest.raises(registry.UnknownArena) as error:
        registry.arena_class("chess")
    assert str(error.value) == f"unknown arena 'chess' (installed: {', '.join(registry.names())})"


def test_make_arena_converts_text_and_keeps_typed_values():
    arena = registry.make_arena("corewar", {"coresize": "800", "maxcycles": 2000})
    assert (arena.settings.coresize, arena.settings.maxcycles, arena.settings.maxlength) == (800, 2000, 100)
    with pytest.raises(OptionError, match="^arena corewar: coresize 800 is too small for two warriors 500 apart"):
        registry.make_arena("corewar", {"coresize": "800", "mindistance": "500"})


def test_a_checkout_that_is_not_installed_reads_its_own_pyproject():
    """The fallback for PYTHONPATH=. runs: the same entry points as the installed metadata."""
    assert registry._source_tree_entry_points(registry.ARENA_GROUP) == {
        "corewar": "arenas.corewar.arena:CoreWarArena", "ipd": "arenas.ipd.arena:IPDArena",
        "tron": "arenas.tron.arena:TronArena", "gathering": "arenas.gathering.arena:GatheringArena",
        "cleanup": "arenas.cleanup.arena:CleanupArena"}
    assert set(registry._source_tree_entry_points(registry.COMMAND_GROUP)) == {"assemble", "battle", "tournament"}


@pytest.fixture
def third_party(tmp_path):
    """A distribution 'tinygame' installed in a site directory: its metadata registers TinyArena
    (tests/redqueen/loop/tinygame.py) as arena `tiny` and a command `tiny-hello`."""
    site = tmp_path / "site"
    dist_info = site / "tinygame-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: tinygame\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(
        "[redqueen.arenas]\ntiny = tinygame:TinyArena\n\n"
        "[redqueen.commands]\ntiny-hello = tinygame_cli:hello\n")
    (site / "tinygame_cli.py").write_text(
        "import click\n\n@click.command('tiny-hello')\ndef hello():\n    click.echo('hello from tiny')\n")
    return os.pathsep.join([str(REPO), str(site), str(TINYGAME)])


def run(pythonpath, *args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI")}
    env["PYTHONPATH"] = pythonpath
    return subprocess.run([sys.executable, "-m", "redqueen", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def test_a_third_party_arena_and_command_plug_in(third_party, tmp_path):
    listed = run(third_party, "arena", "list", "-v", cwd=tmp_path)
    assert listed.returncode == 0 and "tiny" in listed.stdout.split() and "--fitness duel:" in listed.stdout
    assert run(third_party, "tiny-hello", cwd=tmp_path).stdout.strip() == "hello from tiny"
    (tmp_path / "hand.rps").write_text("R P S\n")
    checked = run(third_party, "arena", "check", "--arena", "tiny", tmp_path / "hand.rps", cwd=tmp_path)
    assert checked.returncode == 0 and checked.stdout.strip() == "ok"
    bad = run(third_party, "arena", "check", "--arena", "tiny", "-A", "speed=3", tmp_path / "hand.rps",
              cwd=tmp_path)
    assert bad.returncode != 0 and bad.stderr.strip() == "Error: unknown option speed for arena tiny (valid: none)"


def test_a_third_party_arena_evolves_through_the_cli(third_party, tmp_path):
    db = tmp_path / "tiny.db"
    result = run(third_party, "evolve", "--arena", "tiny", "--rounds", "2", "--iters", "8", "--seeds", "2",
                 "--mutator", "builtin", "--quiet", "--db", db, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [line.split()[1] for line in result.stdout.splitlines() if line.startswith("round")] == ["0", "1"]
    exported = run(third_party, "archive", "export", "latest", tmp_path / "out", "--db", db, cwd=tmp_path)
    assert exported.returncode == 0 and sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".rps"] * 2
