"""The on-disk cache of parsed held-out directories (`redqueen.parsed_cache`), with the real Core
War assembler on the project's own held-out warriors: a hit gives exactly what parsing the files
gives, a changed file, a different setting or an unreadable entry means parsing again, and an
arena that does not opt in is never cached."""
import os
import shutil
from pathlib import Path

import pytest
from tinygame import TinyArena

from arenas.corewar.arena import CoreWarArena
from arenas.corewar.settings import Settings
from redqueen.heldout import load_heldout
from redqueen.parsed_cache import entry_path

PROJECT_HELDOUT = Path(__file__).resolve().parents[3] / "archive" / "heldout"


class CountingArena(CoreWarArena):
    """The real Core War arena, counting the files it assembles."""

    def __init__(self, settings: Settings = Settings()):
        super().__init__(settings)
        self.parsed = 0

    def parse(self, source, origin="<program>"):
        self.parsed += 1
        return super().parse(source, origin)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("REDQUEEN_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def directory(tmp_path):
    folder = tmp_path / "heldout"
    folder.mkdir()
    for file in sorted(PROJECT_HELDOUT.glob("*.red"))[:6]:
        shutil.copy(file, folder / file.name)
    (folder / "broken.red").write_text(";redcode\nmov 0, 1\nfrobnicate 3\n")
    return folder


def _contents(heldout):
    return ([(p.digest, p.name, p.source) for p in heldout.programs], heldout.labels, heldout.skipped)


def test_a_hit_equals_parsing_the_files(cache, directory):
    first, second = CountingArena(), CountingArena()
    parsed = load_heldout(first, directory)
    cached = load_heldout(second, directory)
    assert first.parsed == 7 and second.parsed == 0          # six warriors and the broken file
    assert len(parsed) == 6 and len(parsed.skipped) == 1 and "broken.red" in parsed.skipped[0][0]
    assert _contents(cached) == _contents(parsed)
    assert _contents(cached) == _contents(load_heldout(CoreWarArena(), directory))   # a fresh parse
    assert entry_path(second, directory).is_file()


def test_a_changed_file_is_parsed_again_even_with_its_old_size_and_time(cache, directory):
    load_heldout(CountingArena(), directory)
    target = sorted(directory.glob("*.red"))[0]
    before = target.stat()
    text = target.read_text()
    changed = text.replace("dat", "DAT", 1) if "dat" in text else text.replace("DAT", "dat", 1)
    assert changed != text and len(changed) == len(text)
    target.write_text(changed)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    arena = CountingArena()
    heldout = load_heldout(arena, directory)
    assert arena.parsed == 7
    assert [p.source for p in heldout.programs].count(changed) == 1


def test_a_touched_file_with_the_same_text_still_hits(cache, directory):
    load_heldout(CountingArena(), directory)
    os.utime(sorted(directory.glob("*.red"))[0])
    arena = CountingArena()
    load_heldout(arena, directory)
    assert arena.parsed == 0


def test_added_and_removed_files_are_seen(cache, directory):
    load_heldout(CountingArena(), directory)
    sorted(directory.glob("*.red"))[0].unlink()
    assert len(load_heldout(CountingArena(), directory)) == 5
    shutil.copy(sorted(PROJECT_HELDOUT.glob("*.red"))[-1], directory / "late.red")
    assert len(load_heldout(CountingArena(), directory)) == 6


def test_other_settings_do_not_share_an_entry(cache, directory):
    (directory / "bomber.red").write_text(";redcode\n;name bomber\nadd #4, 3\nmov 2, @2\njmp -2\ndat #0, #0\n")
    small = Settings(coresize=800, maxcycles=8000)
    default = load_heldout(CountingArena(), directory)
    arena = CountingArena(small)
    heldout = load_heldout(arena, directory)     # the project's warriors assert an 8000-cell core
    assert arena.parsed == 8 and heldout.labels == ["bomber"]
    assert _contents(heldout) == _contents(load_heldout(CoreWarArena(small), directory))
    assert heldout.programs[0].digest != default.programs[default.labels.index("bomber")].digest


def test_an_unreadable_entry_is_one_line_and_rebuilt(cache, directory, capfd):
    expected = _contents(load_heldout(CoreWarArena(), directory))
    entry = entry_path(CoreWarArena(), directory)
    entry.write_bytes(b"\x80\x05not a pickle at all")
    arena = CountingArena()
    assert _contents(load_heldout(arena, directory)) == expected
    assert arena.parsed == 7
    message = capfd.readouterr().err.strip().splitlines()
    assert len(message) == 1 and str(entry) in message[0] and "parsing the files again" in message[0]
    again = CountingArena()
    assert _contents(load_heldout(again, directory)) == expected
    assert again.parsed == 0 and capfd.readouterr().err == ""


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path, monkeypatch, directory):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("REDQUEEN_CACHE", str(blocker))
    arena = CountingArena()
    assert len(load_heldout(arena, directory)) == 6 and arena.parsed == 7


def test_an_arena_without_a_fingerprint_is_never_cached(cache, tmp_path):
    folder = tmp_path / "hands"
    folder.mkdir()
    (folder / "rock.rps").write_text("R\n")
    assert TinyArena().parse_fingerprint() is None
    assert load_heldout(TinyArena(), folder).labels == ["hand-R"]
    assert not cache.exists()
