"""The ahead-of-time engine (what `redqueen battle` runs) against the JIT engine it is compiled
from, and the Numba-free seed arithmetic against the compiled one. pMARS itself is the oracle
of tests/arenas/corewar/test_cli.py, which runs the commands on this engine."""
import importlib.resources
import shutil

import numpy as np
import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from arenas.corewar import battle as battle_module, engine_aot, mars, placement, seeds
from arenas.corewar.assembler import assemble_file
from arenas.corewar.settings import Settings

EXHAUST_DIR = importlib.resources.files("exhaust_ma") / "exhaust-ma"


@pytest.fixture(scope="module")
def engine():
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler: the commands use the JIT engine")
    module = engine_aot.load() or engine_aot.build()
    assert module is not None, "the ahead-of-time engine did not build"
    return module


@pytest.mark.parametrize("names, coresize, permutate", [
    (("jaguar", "stalker"), 8000, False),
    (("npaper2", "fixed"), 8000, True),
    (("fixed", "jaguar", "npaper2"), 8000, False),
    (("stalker", "npaper2"), 80000, False),          # 32-bit core cells
])
def test_ahead_of_time_battles_equal_the_jit_engine(engine, names, coresize, permutate):
    settings = Settings(coresize=coresize, warriors=len(names))
    warriors = [assemble_file(EXHAUST_DIR / f"{name}.rc", settings) for name in names]
    pool = battle_module.WarriorPool(warriors, settings)
    n = len(warriors)
    pindex, n_pspaces = battle_module.pspace_map(pool.pins)
    args = (pool.core, pool.offset, pool.length, pool.entry, np.arange(n, dtype=np.int64), pindex, n_pspaces,
            4321, 12, coresize, settings.maxcycles, settings.maxprocesses, settings.mindistance, settings.pspace,
            permutate, battle_module.UNLIMITED)
    ahead = battle_module._allocate_outputs((), 12, n)
    jit = battle_module._allocate_outputs((), 12, n)
    compiled = engine.play_battle_u16 if pool.core.dtype == np.uint16 else engine.play_battle_i32
    executed = compiled(*args, *ahead)
    assert executed == mars.play_battle(*args, None, *jit) > 0
    for mine, theirs in zip(ahead, jit):
        np.testing.assert_array_equal(mine, theirs)
    assert ahead[0].sum() > 0


def test_unlimited_is_the_engines():
    assert battle_module.UNLIMITED == mars.UNLIMITED


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.integers(0, seeds.SEED_LIMIT - 1))
def test_plain_seed_steps_equal_the_compiled_generator(seed):
    assert seeds.rng(seed) == placement.rng(seed)


def test_byte_compile_leaves_bytecode_for_the_battle_command_modules():
    import importlib.util
    from pathlib import Path

    import redqueen
    engine_aot.byte_compile()
    sources = [Path(battle_module.__file__), Path(engine_aot.__file__),
               Path(redqueen.__file__).parent / "registry.py"]
    for source in sources:
        cached = Path(importlib.util.cache_from_source(str(source)))
        assert cached.exists(), f"no bytecode for {source}"
        assert cached.stat().st_mtime >= source.stat().st_mtime


def test_the_engine_is_keyed_by_this_cpus_features():
    from pathlib import Path
    info = Path("/proc/cpuinfo")
    if not info.exists():
        pytest.skip("no /proc/cpuinfo: the engine is built for a generic CPU")
    flags = next(line for line in info.read_text().splitlines() if line.startswith("flags"))
    assert flags.split(":", 1)[1].strip() in engine_aot._cpu()
