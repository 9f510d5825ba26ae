"""The `redqueen` command line. Commands load lazily: a command imports only what it needs."""
import importlib
import importlib.util
import sys

import click

from .. import __version__

# Arena-agnostic commands: name -> "module:attribute", imported on first use.
LAZY_COMMANDS = {
    "evolve": "redqueen.cli.evolve:evolve",
    "archive": "redqueen.cli.archive:archive",
    "eval": "redqueen.cli.evaluate:evaluate",
    "analyze": "redqueen.cli.analyze:analyze",
    "arena": "redqueen.cli.arena:arena",
    "optimize": "redqueen.cli.optimize:optimize",
    "replay": "redqueen.cli.replay:replay",
    "serve": "redqueen.cli.serve:serve",
}


class LazyGroup(click.Group):
    """A group whose commands are imported when invoked or listed, not at start-up: the core's
    own, and those installed arenas register under the `redqueen.commands` entry points."""

    def list_commands(self, ctx):
        from redqueen.registry import command_names
        return sorted(set(super().list_commands(ctx)) | self._available_lazy() | set(command_names()))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None and name in self._available_lazy():
            module, attribute = LAZY_COMMANDS[name].split(":")
            command = getattr(importlib.import_module(module), attribute)
        if command is None:
            from redqueen.registry import command as registered
            command = registered(name)
        return command

    def main(self, args=None, prog_name=None, standalone_mode=True, **extra):
        """As click's, but a usage mistake (bad option value, unknown option) is one line too,
        like every other error: `Error: <what>; see `redqueen CMD --help``, exit status 2."""
        if not standalone_mode:
            return super().main(args, prog_name, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.UsageError as error:
            where = f"; see `{error.ctx.command_path} --help`" if error.ctx else ""
            click.echo(f"Error: {error.format_message().rstrip('.')}{where}", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    @staticmethod
    def _available_lazy():
        return {name for name, target in LAZY_COMMANDS.items()
                if importlib.util.find_spec(target.split(":")[0]) is not None}


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="redqueen")
def main():
    """redqueen: evolve programs that must beat every earlier champion, and measure what emerges.

    Arenas: Core War (Redcode warriors, a pMARS-exact MARS) and programmatic policy games.
    Run `redqueen COMMAND --help` for each command.
    """
