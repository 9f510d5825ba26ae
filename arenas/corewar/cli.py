"""`redqueen assemble` and `redqueen battle`: pMARS's command line on our assembler and MARS.

Options have pMARS 0.9.2's letters, ranges and defaults, and for the same options and seed the
output is byte-for-byte pMARS's. Only click is imported at start-up; the assembler and the
compiled simulator load inside the commands.
"""
import contextlib
import sys

import click

from .settings import MAX_CORESIZE

MAX_WARRIORS = 36
INT_MAX = 2**31 - 1
LONG_MAX = 2**63 - 1


class _UsageError(click.ClickException):
    exit_code = 2


class _Command(click.Command):
    """A command whose bad options or arguments get one line (no usage text), like every other
    error of these commands."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise _UsageError(error.format_message()) from None


def _range(low, high):
    return click.IntRange(low, high)


def _settings_options(command):
    """The options that change assembly (they set predefined constants) and battle alike."""
    for option in reversed([
        click.option("-s", "coresize", type=_range(1, MAX_CORESIZE), default=8000, show_default=True,
                     help="Size of core."),
        click.option("-c", "cycles", type=_range(1, LONG_MAX), default=80000, show_default=True,
                     help="Cycles until tie."),
        click.option("-p", "processes", type=_range(1, INT_MAX), default=8000, show_default=True,
                     help="Max. processes per warrior."),
        click.option("-l", "length", type=_range(1, 1000), default=100, show_default=True,
                     help="Max. warrior length."),
        click.option("-d", "distance", type=_range(1, MAX_CORESIZE // MAX_WARRIORS), default=None,
                     help="Min. warriors distance  [default: the max. length]"),
        click.option("-S", "pspace", type=_range(1, MAX_CORESIZE), default=None,
                     help="Size of P-space  [default: coresize/16, or the largest divisor]"),
    ]):
        command = option(command)
    return command


def _fail(message: str):
    click.echo(message, err=True)
    sys.exit(2)


def _settings(coresize, cycles, processes, length, distance, pspace, rounds, warriors):
    from .settings import Settings
    if distance is None:
        distance = length                     # pMARS: -d defaults to -l
    elif distance < length:
        _fail("Error: minimum distance (-d) must be at least the maximum length (-l)")
    settings = Settings(coresize=coresize, maxcycles=cycles, maxprocesses=processes, maxlength=length,
                        mindistance=distance, pspacesize=pspace or 0, rounds=rounds, warriors=warriors)
    if coresize < warriors * distance:
        _fail(f"Error: core size {coresize} is too small for {warriors} warriors {distance} apart")
    if settings.pspace > coresize:
        _fail("Error: P-space size (-S) cannot exceed the core size")
    return settings


def _assemble_all(files, settings):
    """Warriors of `files`, or every error (file:line: reason, one a line) and exit status 1."""
    from .assembler import RedcodeError, assemble_file
    warriors, failed = [], False
    for path in files:
        try:
            warriors.append(assemble_file(path, settings))
        except RedcodeError as error:
            failed = True
            for file, line, reason in error.errors:
                click.echo(f"{file}:{line}: {reason}" if line else f"{file}: {reason}", err=True)
        except OSError as error:
            failed = True
            click.echo(f"{path}: {error.strerror or error}", err=True)
    if failed:
        sys.exit(1)
    return warriors


@click.command("assemble", cls=_Command)
@click.argument("file", type=click.Path(dir_okay=False))
@_settings_options
def assemble(file, coresize, cycles, processes, length, distance, pspace):
    """Assemble a Redcode FILE and print its load file, as `pmars -r 0 FILE` does."""
    # As `pmars -r 0 FILE`: ROUNDS is 0 and WARRIORS 1 while assembling.
    settings = _settings(coresize, cycles, processes, length, distance, pspace, rounds=0, warriors=1)
    from .assembler import listing
    (warrior,) = _assemble_all([file], settings)
    _write(listing(warrior))


@click.command("battle", cls=_Command)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-r", "rounds", type=_range(0, INT_MAX), default=None,
              help="Rounds to play  [default: 1; with -P every combination]")
@_settings_options
@click.option("-b", "brief", is_flag=True, help="Brief mode (no source listings).")
@click.option("-k", "koth", is_flag=True, help="Output in KotH format.")
@click.option("-o", "sort", is_flag=True, help="Print results sorted by score.")
@click.option("-F", "position", type=_range(0, MAX_CORESIZE), default=0,
              help="Fixed position of the second warrior (round 1); seeds the placement.")
@click.option("-f", "fixed_series", is_flag=True, help="Fixed series: seed from the warriors' code.")
@click.option("-P", "permutate", is_flag=True, help="Play every position/first-mover combination.")
@click.option("-=", "formula", default="(W*W-1)/S", show_default=True, help="Score formula.")
def battle(files, rounds, coresize, cycles, processes, length, distance, pspace, brief, koth, sort,
           position, fixed_series, permutate, formula):
    """Battle the warriors in FILES, as `pmars` does with the same options.

    Without -F or -f the placement is seeded from the clock, as in pMARS."""
    n = len(files)
    if n > MAX_WARRIORS:
        _fail(f"Error: at most {MAX_WARRIORS} warriors")
    if fixed_series and position:
        _fail("Error: -f and -F are mutually exclusive")
    if permutate and n != 2:
        _fail("Error: -P needs exactly two warriors")
    separation = length if distance is None else distance
    if position and separation > position:
        _fail("Error: -F position must be at least the minimum distance (-d)")
    if rounds is None:
        rounds = 2 * coresize - 4 * separation + 2 if permutate else 1
    settings = _settings(coresize, cycles, processes, length, distance, pspace, rounds, n)
    from .score_formula import FormulaError, points
    try:
        points(formula, n)
    except FormulaError:
        _fail(f"Error: bad score formula {formula!r}")

    warriors = _assemble_all(files, settings)
    out = []
    if not brief:
        from .assembler import listing
        out.extend(listing(w) for w in warriors)
    if rounds:
        try:
            out.append(_play(warriors, settings, rounds, position, fixed_series, permutate, formula,
                             koth, sort))
        except MemoryError:
            _write("".join(out))
            click.echo("Error: out of memory for this core size and process limit", err=True)
            sys.exit(1)
    _write("".join(out))


def _write(text: str):
    """Text to stdout as the bytes it came from (names may hold bytes that are not UTF-8)."""
    sys.stdout.flush()
    stream = sys.stdout.buffer
    stream.write(text.encode("utf-8", "surrogateescape"))
    stream.flush()


def _play(warriors, settings, rounds, position, fixed_series, permutate, formula, koth, sort) -> str:
    from . import seeds as placement
    from .battle import UNLIMITED
    from .battle import battle as play
    _ensure_engine()
    if position:
        seed = placement.seed_for_position(position, settings.mindistance)
        if permutate:
            seed = placement.permutation_seed(seed, len(warriors))
    elif fixed_series:
        seed = placement.checksum_seed([w.code for w in warriors])
    else:
        seed = placement.clock_seed()
    with _numba_without_blas():
        result = play(warriors, settings, rounds=rounds, seed=seed, permutate=permutate,
                      formula=formula, overrun_limit=UNLIMITED, statistics=False)
    return result.pmars_output(koth=koth, sort=sort)


def _ensure_engine():
    """Build the ahead-of-time engine on the first run, saying so (it takes a while)."""
    from . import engine_aot
    if engine_aot.load() is None:
        click.echo("compiling the engine (first run only) ...", err=True)
        engine_aot.build()


@contextlib.contextmanager
def _numba_without_blas():
    """Numba's first compile or cache load imports scipy.linalg (over half a second) only to
    learn whether BLAS is there for np.dot. The MARS needs no BLAS: hide it meanwhile."""
    hidden = "scipy.linalg.cython_blas"
    added = hidden not in sys.modules
    if added:
        sys.modules[hidden] = None      # makes `import scipy.linalg.cython_blas` fail fast
    try:
        yield
    finally:
        if added and sys.modules.get(hidden, 0) is None:
            del sys.modules[hidden]


commands = [assemble, battle]
