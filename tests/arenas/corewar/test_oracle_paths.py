"""The oracle's path bug, shown: pMARS 0.9.2 misreads a warrior whose file path is exactly 96
characters long. The test suite therefore calls pMARS through scripts/pmars_oracle.sh."""
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from arenas.corewar.assembler import assemble_file, listing

WARRIOR = ";redcode-94\n;name plain\n;assert CORESIZE == 8000\n        JMP.B  $0, $0\n        END\n"


def _file_with_path_length(root, length):
    folder = root / ("d" * (length - len(str(root)) - len("/w.red") - 1))
    folder.mkdir()
    path = folder / "w.red"
    path.write_text(WARRIOR)
    assert len(str(path)) == length
    return path


@pytest.mark.oracle
def test_pmars_misreads_96_character_paths_and_the_wrapper_does_not(pmars, tmp_path):
    short = tmp_path / "w.red"
    short.write_text(WARRIOR)
    # A short root leaves room to pad the path to 96 characters whatever TMPDIR is.
    root = Path(tempfile.mkdtemp(prefix="rq", dir="/tmp"))
    try:
        at_96 = _file_with_path_length(root, 96)
        _check(pmars, short, at_96)
    finally:
        shutil.rmtree(root)


def _check(pmars, short, at_96):
    raw = shutil.which("pmars")
    run = lambda binary, path: subprocess.run([binary, "-r", "0", str(path)], capture_output=True, text=True)
    expected = run(raw, short)
    assert expected.returncode == 0 and "Error" not in expected.stderr
    assert run(raw, at_96).returncode != 0                     # the oracle's bug
    through_wrapper = run(pmars, at_96)                        # conftest's pmars is the wrapper
    assert through_wrapper.returncode == 0 and through_wrapper.stdout == expected.stdout
    assert listing(assemble_file(at_96)) == expected.stdout    # and we agree with the correct answer
