"""Option parsing shared by the commands that build an arena."""
import json

import click


def parse_arena_options(pairs) -> dict:
    """`-A KEY=VALUE` pairs as keyword arguments for `arenas.load`: values read as JSON when they
    can be (numbers, true/false), else as text; dashes in keys become underscores."""
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--arena-option")
        try:
            options[key.replace("-", "_")] = json.loads(value)
        except json.JSONDecodeError:
            options[key.replace("-", "_")] = value
    return options
