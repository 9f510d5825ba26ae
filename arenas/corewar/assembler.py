"""The Redcode assembler: source text to `Warrior`, accepting exactly what pMARS 0.9.2 accepts.

    assemble(source, settings=Settings(), filename="<string>") -> Warrior
    assemble_file(path, settings=Settings()) -> Warrior
    listing(warrior) -> str          # what `pmars -r 0 FILE` prints for the warrior

A source pMARS rejects raises `RedcodeError` (a `redqueen.arena.ProgramError`) whose `.errors`
lists (filename, line, reason); pMARS's warnings do not reject and are kept in
`Warrior.warnings`. The work is done in passes, each in its own module: reading lines
(`asm_lines`), text expansion (`asm_expand`), encoding (`asm_encode`), with pMARS's tokens
(`asm_tokens`) and expression evaluator (`asm_expr`). See docs/assembler.md.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from redqueen.arena import ProgramError

from .asm_diag import Diagnostics, LineFailed
from .asm_encode import Encoder
from .asm_expand import Expander
from .asm_expr import Evaluator
from .asm_lines import read_source
from .instruction import N_COLUMNS, format_instruction
from .settings import Settings
from .warrior import Warrior

PMARS_VERSION = 92
MAX_INSTRUCTIONS = 1000         # pMARS's MAXINSTR: the largest -l


class RedcodeError(ProgramError):
    """A source that does not assemble. `errors` is a list of (filename, line, reason);
    `line` is None for errors about the whole warrior."""

    def __init__(self, errors: list[tuple[str, int | None, str]]):
        self.errors = list(errors)
        filename, line, reason = self.errors[0]
        super().__init__(reason, filename, line)

    def __str__(self) -> str:
        return "\n".join(f"{name}:{line}: {reason}" if line else f"{name}: {reason}"
                         for name, line, reason in self.errors)


def assemble(source: str, settings: Settings = Settings(), filename: str = "<string>") -> Warrior:
    """Assemble Redcode source text (str; it is read as its UTF-8 bytes, like a file)."""
    try:
        data = source.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        data = source.encode("utf-8", "surrogatepass")
    return _assemble(data.decode("latin-1"), settings, filename)


def assemble_file(path, settings: Settings = Settings()) -> Warrior:
    """Assemble a Redcode file; its bytes are read as pMARS reads them."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise RedcodeError([(str(path), None, f"Unable to open file: {error.strerror or error}")])
    return _assemble(data.decode("latin-1"), settings, str(path))


def listing(warrior: Warrior) -> str:
    """The load-file listing `pmars -r 0 FILE` prints on stdout for this warrior."""
    lines = [f'Program "{warrior.name}" (length {warrior.length}) by "{warrior.author}"', ""]
    if 0 <= warrior.start < warrior.length:
        lines.append(f"{'':6} {'ORG':>3}{'':3}  {'START':>6}")
    for index, row in enumerate(warrior.code):
        label = "START" if index == warrior.start else ""
        lines.append(f"{label:<6} {format_instruction(row, warrior.coresize)}     ")
    return "\n".join(lines) + "\n\n"


def predefined_constants(settings: Settings) -> dict[str, int]:
    """The names pMARS defines before reading a warrior, with their values for `settings`."""
    return {
        "CORESIZE": settings.coresize,
        "MAXPROCESSES": settings.maxprocesses,
        "MAXCYCLES": settings.maxcycles,
        "MAXLENGTH": settings.maxlength,
        "MINDISTANCE": settings.mindistance,
        "VERSION": PMARS_VERSION,
        "WARRIORS": settings.warriors,
        "ROUNDS": settings.rounds,
        "PSPACESIZE": settings.pspace,
    }


def _assemble(text: str, settings: Settings, filename: str) -> Warrior:
    source = read_source(text)
    diag = Diagnostics()
    encoder = _run_passes(source, settings, diag)
    if diag.errors:
        raise RedcodeError([(filename, line, reason) for line, reason in diag.errors])
    if source.unterminated_continuation:
        diag.warning("CONT", "the last line ends in a backslash (pMARS waits for more input)")
    code = np.asarray(encoder.rows, dtype=np.int32).reshape(-1, N_COLUMNS)
    return Warrior(code, start=encoder.start, name=_text(source.name), author=_text(source.author),
                   strategy="\n".join(_text(s) for s in source.strategy), pin=encoder.pin,
                   coresize=settings.coresize, filename=filename,
                   warnings=tuple(f"{filename}:{line}: {reason}" if line else f"{filename}: {reason}"
                                  for line, reason in diag.warnings))


def _run_passes(source, settings: Settings, diag: Diagnostics) -> Encoder:
    """Expansion then encoding; problems go to `diag`. Returns the encoder with the code."""
    # pMARS evaluates its score formula first, leaving registers W and S at the warrior count.
    evaluator = Evaluator({"W": settings.warriors, "S": settings.warriors})
    expander = Expander(source.lines, predefined_constants(settings), evaluator, diag,
                        min(settings.maxlength, MAX_INSTRUCTIONS), source.scratch)
    encoder = Encoder(expander.symbols, evaluator, diag, settings.coresize)
    try:
        lines = expander.run()
        if not expander.assert_seen:
            diag.warning("NASERR", "Missing ';assert'. Warrior may not work with the current setting")
        if expander.count == 0:
            diag.warning("ZLNERR", "No instructions")
            return encoder
        encoder.encode(lines)
        # A multi-line EQU inside an operand makes pMARS count an instruction it never writes;
        # its cell is whatever malloc returned, in practice zeros (MOV.A #0, #0).
        encoder.rows += [[0] * N_COLUMNS] * (expander.count - len(encoder.rows))
        if not diag.errors and not 0 <= encoder.start < expander.count:
            diag.warning("OFSERR", "Execution starts from outside of the program")
    except LineFailed:                      # Abandoned included: the errors are in diag
        pass
    except RecursionError:
        diag.errors.append((None, "substitutions or parentheses nested too deeply"))
    return encoder


def _text(latin1: str) -> str:
    """Metadata text back from bytes-as-Latin-1 to Unicode: UTF-8, with bytes that are not
    UTF-8 kept as lone surrogates, so `.encode("utf-8", "surrogateescape")` restores them."""
    return latin1.encode("latin-1").decode("utf-8", "surrogateescape")
