"""Time and size of `redqueen replay` pages: record + render after start-up (imports and the
engine's compiled code loaded by a warm-up replay), for two-warrior battles that run the full
cycle limit. Usage: python3 scripts/bench_replay.py [WARRIOR_DIR]"""
import importlib.resources
import sys
import time
from pathlib import Path

from arenas.corewar.arena import CoreWarArena

PAIRS = [("imp.rc", "imp.rc", 4000), ("npaper2.rc", "jaguar.rc", 2500), ("spl.rc", "imp.rc", 3000)]


def main():
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else importlib.resources.files("exhaust_ma") / "exhaust-ma"
    arena = CoreWarArena()
    load = lambda name: arena.parse((directory / name).read_text(), origin=name)
    arena.replay_page([load(PAIRS[0][0]), load(PAIRS[0][1])], position=PAIRS[0][2])   # warm-up
    for a, b, position in PAIRS:
        programs = [load(a), load(b)]
        start = time.perf_counter()
        page = arena.replay_page(programs, position=position)
        seconds = time.perf_counter() - start
        cycles = page.split('"cycles": ')[1].split(",")[0]
        print(f"{a} vs {b} -F {position}: {cycles} cycles, {len(page) / 1e6:.2f} MB, {seconds:.2f} s")


if __name__ == "__main__":
    main()
