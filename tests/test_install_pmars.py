"""scripts/install_pmars.sh fetches pMARS's source through a private deb-src list derived from the
machine's sources, and leaves apt's own files as they were (read here from copies, via APT_ETC)."""
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "install_pmars.sh"

SOURCES_LIST = """\
deb http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian bookworm main
# deb http://example.org/commented bookworm main
  deb [signed-by=/usr/share/keyrings/x.gpg] http://example.org/x bookworm main contrib
deb http://deb.debian.org/debian bookworm main
"""
EXTRA_LIST = "deb http://example.org/extra stable main\n"
DEBIAN_SOURCES = """\
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# a comment inside a stanza
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main

Types: deb-src
URIs: http://example.org/source-only
Suites: stable
Components: main

Types: deb
Enabled: no
URIs: http://example.org/disabled
Suites: stable
Components: main
"""


@pytest.fixture
def apt_etc(tmp_path):
    if shutil.which("bash") is None or shutil.which("awk") is None:
        pytest.skip("needs bash and awk")
    etc = tmp_path / "apt"
    (etc / "sources.list.d").mkdir(parents=True)
    (etc / "sources.list").write_text(SOURCES_LIST)
    (etc / "sources.list.d" / "extra.list").write_text(EXTRA_LIST)
    (etc / "sources.list.d" / "debian.sources").write_text(DEBIAN_SOURCES)
    (etc / "sources.list.d" / "old.list.disabled").write_text("deb http://example.org/ignored x main\n")
    return etc


def fingerprint(directory: Path) -> dict:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def print_sources(etc: Path) -> str:
    result = subprocess.run(["bash", str(SCRIPT), "--print-sources"], capture_output=True, text=True,
                            env={"APT_ETC": str(etc), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_enabled_deb_entry_gets_one_deb_src_twin_and_nothing_else(apt_etc):
    text = print_sources(apt_etc)
    one_line = [line for line in text.splitlines() if line.startswith("deb")]
    assert one_line == [
        "deb-src http://deb.debian.org/debian bookworm main",
        "deb-src [signed-by=/usr/share/keyrings/x.gpg] http://example.org/x bookworm main contrib",
        "deb-src http://example.org/extra stable main",
    ]
    stanzas = [s for s in text.split("\n\n") if "Types:" in s]
    uris = [line.split()[1] for s in stanzas for line in s.splitlines() if line.startswith("URIs:")]
    assert uris == ["http://deb.debian.org/debian", "http://deb.debian.org/debian-security"]
    assert all(line == "Types: deb-src" for s in stanzas for line in s.splitlines() if line.startswith("Types:"))
    assert "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" in stanzas[0]
    assert "commented" not in text and "disabled" not in text and "ignored" not in text


def test_reading_the_sources_changes_no_file(apt_etc):
    before = fingerprint(apt_etc)
    print_sources(apt_etc)
    assert fingerprint(apt_etc) == before


def test_a_machine_without_sources_gives_an_empty_list(tmp_path):
    assert print_sources(tmp_path / "nothing-here") == ""
