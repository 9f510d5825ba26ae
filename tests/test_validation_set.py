"""scripts/validation_set.py: a public hill minus every held-out warrior, as links."""
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLASSIC = REPO / "archive" / "heldout"


def test_held_out_warriors_are_removed_by_code_and_by_name(tmp_path):
    pool, heldout, out = tmp_path / "hill", tmp_path / "heldout", tmp_path / "validation"
    pool.mkdir()
    heldout.mkdir()
    files = sorted(CLASSIC.glob("*.red"))
    for path in files:
        shutil.copy(path, pool / path.name)
    shutil.copy(files[0], heldout / files[0].name)                   # same name and code
    renamed = pool / files[1].name
    shutil.copy(files[1], heldout / ("renamed-" + files[1].name))    # same code, another name
    (heldout / files[2].name).write_text(";redcode\n;name other\nDAT.F #0, #0\n")   # same name only
    (pool / "broken.red").write_text(";redcode\nMOV.Q $0, $1\n")                  # does not assemble
    (pool / "empty.red").write_text(";redcode\n;name nothing\n")                     # no instruction
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "validation_set.py"), "--pool", str(pool),
                             "--heldout", str(heldout), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    kept = sorted(p.name for p in out.iterdir())
    assert kept == sorted(p.name for p in files[3:])
    assert renamed.name not in kept and "broken.red" not in kept and "empty.red" not in kept
    assert all((out / name).resolve() == (pool / name).resolve() for name in kept)
