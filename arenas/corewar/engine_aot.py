"""The MARS compiled ahead of time into a small extension module, for commands that start often.

`import numba` alone takes about a quarter of a second, and loading a cached JIT function
another share; a `redqueen battle` spends most of its life on that. The same `mars.play_battle`
(statistics off, as the pMARS-compatible commands play) is compiled once by Numba's AOT compiler
into a module that imports without Numba; later runs load it in milliseconds.

The first build also byte-compiles the Python modules a battle imports (`byte_compile`): where
Python does not write its own bytecode caches (PYTHONDONTWRITEBYTECODE, read-only trees) each
start would otherwise compile them from source again (about 15% of a warm start).

The module is named after a hash of the engine's sources, the Numba and Python versions and the
CPU, so an edited engine builds a new one. It is compiled for this CPU, as the JIT engine is
(a build for the generic x86-64 runs a fifth slower), where the CPU can be told cheaply
(Linux's /proc/cpuinfo); elsewhere for the architecture's generic CPU. It lives in __pycache__
beside this file (or the user cache directory when that is read-only). `load()` gives None when it
is not built (or cannot be, e.g. no C compiler): callers then use the JIT engine.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
import sysconfig
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
INPUTS = 16               # play_battle's arguments before `statistics`: pool, members, settings
# The modules whose code the engine compiles (mars.py imports from these).
SOURCES = ("mars.py", "placement.py", "instruction.py", "core_cells.py", "engine_aot.py")


@functools.cache
def _key() -> str:
    digest = hashlib.sha256()
    for path in [HERE / name for name in SOURCES] + [_numba_version_file()]:
        if path is not None and path.exists():
            digest.update(path.read_bytes())
    digest.update(f"{sys.version}|{sysconfig.get_platform()}|{_cpu()}".encode())
    return digest.hexdigest()[:16]


@functools.cache
def _cpu() -> str:
    """This CPU's vendor, model and features (the first processor's block of /proc/cpuinfo),
    or "" where that file is missing: the engine is then built for a generic CPU."""
    wanted = ("vendor_id", "cpu family", "model", "flags")
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            lines = []
            for line in info:
                if not line.strip():
                    break
                if line.split(":")[0].strip() in wanted:
                    lines.append(line.strip())
    except OSError:
        return ""
    return "\n".join(lines)


def _numba_version_file() -> Path | None:
    """Numba's version file, found without importing Numba (or importlib.metadata: both slow)."""
    spec = importlib.util.find_spec("numba")
    return Path(spec.origin).parent / "_version.py" if spec and spec.origin else None


def _directories() -> list[Path]:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "redqueen"
    return [HERE / "__pycache__", cache]


def _module_name() -> str:
    return f"_mars_aot_{_key()}"


_loaded: dict = {}


def load():
    """The compiled engine module, or None when it has not been built."""
    name = _module_name()
    if name in _loaded:
        return _loaded[name]
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    for directory in _directories():
        path = directory / f"{name}{suffix}"
        if path.exists():
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(module)
            except ImportError:
                continue
            _loaded[name] = module
            return module
    return None


def build():
    """Compile the engine module (tens of seconds) and load it; None if it cannot be built."""
    byte_compile()
    name = _module_name()
    for directory in _directories():
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=directory) as scratch:
                built = _compile(name, Path(scratch))
                os.replace(built, directory / built.name)       # atomic: concurrent builds are harmless
            _remove_stale(directory, built.name)
            return load()
        except Exception:  # noqa: BLE001 - no compiler, read-only directory...: try the next, then JIT
            continue
    return None


def byte_compile() -> None:
    """Bytecode caches (__pycache__/*.pyc) for this package and the `redqueen` package, which
    Python reads even where it writes none. Best effort: a read-only tree keeps compiling."""
    import compileall
    import redqueen
    for package in (HERE, Path(redqueen.__file__).resolve().parent):
        try:
            compileall.compile_dir(package, quiet=2, workers=1)
        except OSError:
            pass


def _remove_stale(directory: Path, keep: str) -> None:
    """Engines built from earlier sources (best effort: another process may hold one open)."""
    for path in directory.glob("_mars_aot_*"):
        if path.name != keep:
            try:
                path.unlink()
            except OSError:
                pass


def _compile(name: str, output: Path) -> Path:
    import numpy as np
    from numba import typeof, types
    from numba.pycc import CC

    from . import mars
    from .battle import _allocate_outputs
    compiler = CC(name)
    compiler.output_dir = str(output)
    compiler.verbose = False
    compiler.target_cpu = "host" if _cpu() else ""      # the key names the CPU it was built for
    outputs = _allocate_outputs((), 1, 2)                 # the engine's output arrays, however many
    wrapper = _battle_wrapper(len(outputs), mars.play_battle)
    for cell, label in ((np.uint16, "u16"), (np.int32, "i32")):
        inputs = (np.zeros(4, cell), *[np.zeros(2, np.int64)] * 5, 1, 1, 1, 1, 1, 1, 1, 1, True, 1)
        signature = types.int64(*[typeof(value) for value in (*inputs, *outputs)])
        compiler.export(f"play_battle_{label}", signature)(wrapper)
    compiler.compile()
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    return next(p for p in output.iterdir() if p.name == f"{name}{suffix}")


def _battle_wrapper(n_outputs: int, play_battle):
    """`play_battle` with statistics off (None), as a function of its other arguments; written
    out because an exported function takes a fixed list of them."""
    inputs = [f"a{i}" for i in range(INPUTS)]
    outputs = [f"o{i}" for i in range(n_outputs)]
    source = (f"def battle({', '.join(inputs + outputs)}):\n"
              f"    return play_battle({', '.join(inputs)}, None, {', '.join(outputs)})\n")
    namespace = {"play_battle": play_battle}
    exec(source, namespace)  # noqa: S102 - generated from two counts, no outside text
    return namespace["battle"]
