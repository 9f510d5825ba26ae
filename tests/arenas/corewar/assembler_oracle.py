"""Differential testing of the assembler against pMARS: run `pmars -r 0 [options] FILE` and
compare its load-file listing (or its rejection) with ours."""
from __future__ import annotations

import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from arenas.corewar.assembler import RedcodeError, assemble, listing
from arenas.corewar.settings import Settings

# pMARS options and the Settings fields they set.
OPTION_FIELDS = {"-s": "coresize", "-c": "maxcycles", "-p": "maxprocesses", "-l": "maxlength",
                 "-d": "mindistance", "-S": "pspacesize", "-r": "rounds"}


@dataclass(frozen=True)
class Outcome:
    """What an assembler made of a source: the listing, or None when it rejected it."""
    listing: str | None
    detail: str = ""            # pMARS's stderr, or our error message

    @property
    def accepted(self) -> bool:
        return self.listing is not None


def settings_for(options=()) -> Settings:
    """Settings equal to what pMARS uses with these options for `pmars -r 0 [options] FILE`:
    one warrior, no rounds, and -d defaulting to -l as pMARS does."""
    values = {"rounds": 0, "warriors": 1}
    options = list(options)
    for flag, value in zip(options[::2], options[1::2]):
        values[OPTION_FIELDS[flag]] = int(value)
    values.setdefault("mindistance", values.get("maxlength", 100))
    return Settings(**values)


def normalised(text: str | None) -> str | None:
    """A listing with trailing blanks removed from each line."""
    return None if text is None else "\n".join(line.rstrip() for line in text.splitlines())


def pmars_outcome(pmars: str, data: bytes, options=(), timeout: float = 20) -> Outcome:
    """pMARS's verdict on source bytes: its listing if it assembled them, else None."""
    fd, path = tempfile.mkstemp(suffix=".red")
    try:
        os.write(fd, data)
        os.close(fd)
        return pmars_file_outcome(pmars, path, options, timeout)
    finally:
        os.unlink(path)


def pmars_file_outcome(pmars: str, path, options=(), timeout: float = 20) -> Outcome:
    run = subprocess.run([pmars, "-r", "0", *options, str(path)], capture_output=True,
                         timeout=timeout)
    stdout = run.stdout.decode("utf-8", "surrogateescape")      # names are bytes
    accepted = run.returncode == 0 and stdout.startswith("Program")
    return Outcome(stdout if accepted else None, run.stderr.decode("utf-8", "replace"))


def pmars_outcomes(pmars: str, jobs, workers: int = 2) -> list[Outcome]:
    """pMARS's verdicts on (bytes, options) jobs, run on a small thread pool."""
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda job: pmars_outcome(pmars, job[0], job[1]), jobs))


def our_outcome(data: bytes, options=()) -> Outcome:
    try:
        warrior = assemble(data.decode("utf-8", "surrogateescape"), settings_for(options))
    except RedcodeError as error:
        return Outcome(None, str(error))
    return Outcome(listing(warrior))


def describe_mismatch(source: bytes, theirs: Outcome, ours: Outcome) -> str:
    return (f"source: {source[:400]!r}\n"
            f"pMARS {'accepts' if theirs.accepted else 'rejects'}: "
            f"{theirs.listing if theirs.accepted else theirs.detail}\n"
            f"ours {'accepts' if ours.accepted else 'rejects'}: "
            f"{ours.listing if ours.accepted else ours.detail}")
