"""Parsed held-out directories kept on disk, so that `eval`, `analyze` and every worker process
do not assemble the same few hundred files again (about 0.2 s for the 316 DRQ warriors; a cache
hit takes about 10 ms, most of it hashing the files).

One entry per (directory as given, arena's `parse_fingerprint()`, file suffix), a pickle in
$REDQUEEN_CACHE/parsed (default ~/.cache/redqueen/parsed). It is used only when it matches the
directory's files by name and content hash (a touched file with the same text still matches)
and the code that parses (the sources of the packages of the arena's class and of the arena
classes it derives from, `redqueen` included); anything else, an unreadable entry included,
means the directory is parsed again and the entry rewritten. What a hit returns equals what
`arena.load_directory` returns: the same programs and skipped files.

Arenas opt in through `Arena.parse_fingerprint()` (None: never cached), since their programs must
pickle and a parse must depend on nothing but the source, the origin and that fingerprint.
"""
from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

FORMAT = 1
KEEP_ENTRIES = 64          # the least recently used beyond these are deleted


def cache_root() -> Path:
    """$REDQUEEN_CACHE, default ~/.cache/redqueen (shared with the project's other caches)."""
    return Path(os.environ.get("REDQUEEN_CACHE") or Path.home() / ".cache" / "redqueen")


def load_directory_cached(arena, directory) -> tuple[list, list[tuple[str, str]]]:
    """`arena.load_directory(directory)`, from the cache when it is current."""
    fingerprint = arena.parse_fingerprint()
    if fingerprint is None:
        return arena.load_directory(directory)
    files = [(file.name, hashlib.sha256(file.read_bytes()).hexdigest())
             for file in sorted(Path(directory).glob(f"*{arena.program_suffix}"))]
    stamp = (FORMAT, _code_version(type(arena)), fingerprint, files)
    path = entry_path(arena, directory)
    cached = _read(path, stamp)
    if cached is not None:
        return cached
    programs, skipped = arena.load_directory(directory)
    _write(path, {"stamp": stamp, "programs": programs, "skipped": skipped})
    return programs, skipped


def entry_path(arena, directory) -> Path:
    """Where the entry of `directory` parsed by `arena` lives."""
    key = repr((str(directory), arena.name, arena.parse_fingerprint(), arena.program_suffix))
    return cache_root() / "parsed" / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.pickle"


def _read(path: Path, stamp):
    """The (programs, skipped) of a current entry; None when missing, stale or unreadable."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    try:
        entry = pickle.loads(blob)
        if entry["stamp"] != stamp:
            return None
        programs, skipped = list(entry["programs"]), list(entry["skipped"])
    except Exception as error:   # a truncated or foreign file: any unpickling error
        print(f"redqueen: parsed-program cache {path} is unreadable ({type(error).__name__}: "
              f"{str(error)[:120]}); parsing the files again", file=sys.stderr)
        return None
    _touch(path)
    return programs, skipped


def _write(path: Path, entry: dict) -> None:
    """Write atomically (concurrent workers may write the same entry); a cache that cannot be
    written (read-only, full, programs that do not pickle) is only a slower next start."""
    temporary = None
    try:
        blob = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            file.write(blob)
        os.replace(temporary, path)
    except Exception:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        return
    _prune(path.parent)


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    """Keep the KEEP_ENTRIES most recently used entries (tests and one-off directories add many),
    and no temporary file of a writer killed an hour ago or more."""
    try:
        entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        abandoned = [p for p in folder.glob("*.tmp") if p.stat().st_mtime < time.time() - 3600]
        for stale in entries[KEEP_ENTRIES:] + abandoned:
            stale.unlink(missing_ok=True)
    except OSError:
        pass


@functools.cache
def _code_version(arena_class) -> str:
    """Hash of the code that parses: the package (or module) of the arena's class and of each
    arena class it derives from, and this module, with the Python and numpy versions (whose
    objects the pickles hold)."""
    import numpy

    from .arena import Arena
    files = set()
    for klass in arena_class.__mro__:
        if issubclass(klass, Arena):
            files.update(_source_files(sys.modules[klass.__module__]))
    digest = hashlib.sha256(f"{sys.version} numpy {numpy.__version__}".encode())
    for file in [*sorted(files), Path(__file__)]:
        digest.update(f"{file.parent.name}/{file.name}".encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def _source_files(module) -> list[Path]:
    """The .py files of a module's package, or the module's own file when it has no package."""
    package = sys.modules.get(module.__package__ or "")
    folders = list(getattr(package, "__path__", []))
    return [f for folder in folders for f in Path(folder).glob("*.py")] or [Path(module.__file__)]
