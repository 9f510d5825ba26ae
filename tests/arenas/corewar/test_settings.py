"""Settings derived values against pMARS."""
import subprocess

import pytest

from arenas.corewar.settings import Settings


@pytest.mark.oracle
@pytest.mark.parametrize("coresize", [8000, 8001, 800, 55440, 97, 4096])
def test_pspace_size_is_pmars_pspacesize_constant(pmars, tmp_path, coresize):
    source = tmp_path / "p.red"
    source.write_text(";redcode\n;assert 1\n dat 0, PSPACESIZE\n")
    out = subprocess.run([pmars, "-r", "0", "-s", str(coresize), "-d", "10", "-l", "10", str(source)],
                         capture_output=True, text=True).stdout
    field = int(out.strip().splitlines()[-1].split("$")[-1])
    assert Settings(coresize=coresize).pspace % coresize == field % coresize


def test_explicit_pspace_size_wins():
    assert Settings(coresize=8000, pspacesize=7).pspace == 7
