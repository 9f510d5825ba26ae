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


def executor_options(command):
    """`--executor` and `--scheduler`: where the games of a command run (redqueen.executor)."""
    command = click.option("--scheduler", default=None, metavar="ADDRESS",
                           help="Dask scheduler, tcp://HOST:PORT [default: $DASK_SCHEDULER_ADDRESS, "
                                "else a local cluster of one worker process per core].")(command)
    return click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                        help="Where games run: this process (on every core), or Dask workers.")(command)


def open_executor(name: str, scheduler: str | None):
    """The executor the options name; one line and a non-zero exit when it cannot start."""
    from redqueen.executor import ExecutorError, make_executor
    try:
        return make_executor(name, scheduler)
    except ExecutorError as error:
        raise click.ClickException(str(error)) from None
