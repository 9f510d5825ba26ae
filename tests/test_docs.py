"""Every command of the `redqueen` command line, and every option of every command, is named in
README.md or docs/*.md (the command tree is walked, so a new command or option needs its docs)."""
import re
from pathlib import Path

import click
import pytest

from redqueen.cli import main

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def docs_text() -> str:
    return "\n".join(path.read_text() for path in DOCS)


def walk(command: click.Command, path: tuple[str, ...] = ()):
    """(path of names, command) for the command and everything under it."""
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=path[-1] if path else "redqueen")
        for name in command.list_commands(ctx):
            yield from walk(command.get_command(ctx, name), path + (name,))


COMMANDS = list(walk(main))
OPTIONS = [(path, option) for path, command in COMMANDS for param in command.params
           if isinstance(param, click.Option)
           for option in [max(param.opts, key=len)] if option not in ("--help", "-h")]


def mentioned(word: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def test_the_walk_finds_the_commands():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"evolve", "archive", "archive runs", "eval", "analyze", "arena"} <= names


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS if path], ids=" ".join)
def test_every_command_is_documented(path):
    """A command is named as `redqueen NAME`; a subcommand on a line naming its group."""
    text = docs_text()
    if len(path) == 1:
        assert f"redqueen {path[0]}" in text, f"`redqueen {path[0]}` is not in README.md or docs/*.md"
    else:
        group = f"redqueen {' '.join(path[:-1])}"
        lines = [line for line in text.splitlines() if group in line and mentioned(path[-1], line)]
        assert lines, f"`{group} {path[-1]}` is not in README.md or docs/*.md"


@pytest.mark.parametrize("path, option", OPTIONS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_every_option_is_documented(path, option):
    assert mentioned(option, docs_text()), \
        f"option {option} of `redqueen {' '.join(path)}` is not in README.md or docs/*.md"
