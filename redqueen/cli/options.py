"""Options shared by the commands: the archive database, and the arena with its `-A` options."""
import click

from redqueen.db import DEFAULT_DB


def db_option(help: str = "Archive database."):
    """The `--db` option every command that reads or writes the archive takes."""
    return click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
                        help=help)


def parse_arena_options(pairs) -> dict[str, str]:
    """`-A KEY=VALUE` pairs as {key: text}; dashes in keys become underscores. The arena's
    declarations convert and check the values (`redqueen.registry.check_options`)."""
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--arena-option")
        options[key.replace("-", "_")] = value
    return options


def checked_arena_options(name: str, pairs) -> dict:
    """The `-A` pairs converted and checked against arena `name`'s declared options; a bad
    name, option or value is one line and a non-zero exit."""
    from redqueen.options import OptionError
    from redqueen.registry import UnknownArena, check_options
    try:
        return check_options(name, parse_arena_options(pairs))
    except (UnknownArena, OptionError) as error:
        raise click.ClickException(str(error)) from None


def build_arena(name: str, options: dict):
    """The arena `name` with `options` (see `redqueen.registry.make_arena`), errors as one line."""
    from redqueen.options import OptionError
    from redqueen.registry import UnknownArena, make_arena
    try:
        return make_arena(name, options)
    except (UnknownArena, OptionError) as error:
        raise click.ClickException(str(error)) from None
