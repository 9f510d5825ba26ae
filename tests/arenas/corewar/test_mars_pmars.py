"""Differential tests: our MARS against pMARS 0.9.2, byte for byte on `pmars -b` output.

Warriors are loaded from pMARS's own listing (`pmars -r 0`), so these tests check the simulator
independently of our assembler. pMARS runs go to a two-thread pool; our side runs as batches."""
import importlib.resources
import re
from pathlib import Path

import numpy as np
import pytest

from arenas.corewar import placement
from arenas.corewar.battle import WarriorPool, batch_battle, battle, format_results
from arenas.corewar.mars import UNLIMITED
from arenas.corewar.settings import Settings
from corpora import PMARS_VALIDATE
from pmars_helpers import parse_listing, pmars_many, source_pin

pytestmark = pytest.mark.oracle

EXHAUST_DIR = importlib.resources.files("exhaust_ma") / "exhaust-ma"
# pMARS and exhaust-ma agree on these (wins of the first, ties, wins of the second).
EXHAUST_SUITE = {
    ("fixed", "fixed"): (277, 399, 324), ("jaguar", "fixed"): (248, 533, 219),
    ("jaguar", "jaguar"): (125, 732, 143), ("stalker", "fixed"): (300, 175, 525),
    ("stalker", "jaguar"): (366, 227, 407), ("stalker", "stalker"): (470, 72, 458),
    ("npaper2", "fixed"): (215, 612, 173), ("npaper2", "jaguar"): (142, 768, 90),
    ("npaper2", "stalker"): (401, 184, 415), ("npaper2", "npaper2"): (86, 820, 94)}


def _settings_of(options) -> Settings:
    """Settings from pMARS option strings (-s -c -p -l -d -S)."""
    values = dict(zip(options[::2], (int(v) for v in options[1::2])))
    length = values.get("-l", 100)
    return Settings(coresize=values.get("-s", 8000), maxcycles=values.get("-c", 80000),
                    maxprocesses=values.get("-p", 8000), maxlength=length,
                    mindistance=values.get("-d", length), pspacesize=values.get("-S", 0))


def _listings(pmars, groups, options=()):
    """Warriors of each group of files as pMARS assembles them together (None if it fails)."""
    coresize = _settings_of(list(options)).coresize
    outputs = pmars_many(pmars, [["-r", "0", *options, *files] for files in groups])
    loaded = []
    for files, out in zip(groups, outputs):
        warriors = parse_listing(out, coresize, pins=[source_pin(f) for f in files])
        loaded.append(warriors if len(warriors) == len(files) else None)
    return loaded


def _compare(pmars, groups, options, rounds, positions, koth=False, assembled=0.9, collect=None):
    """Run every group in pMARS and in our MARS; returns the mismatches (empty when exact).
    Groups that pMARS cannot assemble (a fraction `assembled` must succeed) are left out: many
    warriors assert the standard core size."""
    settings = _settings_of(list(options))
    loaded = _listings(pmars, groups, options)
    cases = [(files, warriors, position) for files, warriors, position in zip(groups, loaded, positions)
             if warriors is not None]
    assert len(cases) >= assembled * len(groups), "pMARS failed to assemble too many of the sample"
    flags = "-bk" if koth else "-b"
    expected = pmars_many(pmars, [[flags, "-r", rounds, "-F", position, *options, *files]
                                  for files, _, position in cases], timeout=120)
    # pMARS loops forever when a death on a round's last instruction leaves immortal warriors
    # (see mars.execute); such cases have no output to compare and are left out.
    finished = [i for i, text in enumerate(expected) if text is not None]
    assert len(finished) >= 0.95 * len(cases), "pMARS timed out on too many of the sample"
    cases, expected = [cases[i] for i in finished], [expected[i] for i in finished]
    mismatches = []
    for n in sorted({len(files) for files, _, _ in cases}):
        subset = [(i, case) for i, case in enumerate(cases) if len(case[0]) == n]
        pool_warriors = [w for _, (_, warriors, _) in subset for w in warriors]
        pool = WarriorPool(pool_warriors, settings)
        members = np.arange(len(pool_warriors)).reshape(len(subset), n)
        seeds = [placement.seed_for_position(position, settings.mindistance) for _, (_, _, position) in subset]
        result = batch_battle(pool, members, seeds, rounds=rounds, overrun_limit=UNLIMITED)
        for k, (i, (files, warriors, position)) in enumerate(subset):
            ours = format_results(warriors, result.score_table[k], koth=koth)
            if collect is not None:
                collect[tuple(files)] = ours
            if ours != expected[i]:
                mismatches.append((files, position, expected[i], ours))
    return mismatches


def _corpus(shared_warriors):
    return sorted(str(p) for p in Path(shared_warriors).glob("*/*.red"))


def _sample(files, rng, count, size):
    return [list(rng.choice(files, size=size, replace=False)) for _ in range(count)]


def _positions(rng, count, separation=100, coresize=8000):
    return [int(p) for p in rng.integers(separation, coresize - separation + 1, size=count)]


# ---- the exhaust-ma benchmark suite -----------------------------------------------------------

@pytest.mark.slow
def test_exhaust_suite_matches_pmars_and_the_published_results(pmars):
    pairs = list(EXHAUST_SUITE)
    groups = [[str(EXHAUST_DIR / f"{a}.rc"), str(EXHAUST_DIR / f"{b}.rc")] for a, b in pairs]
    results = {}
    assert _compare(pmars, groups, (), 1000, [4000] * len(groups), koth=True, collect=results) == []
    for (a, b), files in zip(pairs, groups):
        # KotH lines: "wins ties" of each warrior; ours equal pMARS's (checked above).
        (wins_a, ties), (wins_b, _) = (map(int, line.split()) for line in results[tuple(files)].splitlines())
        assert (wins_a, ties, wins_b) == EXHAUST_SUITE[(a, b)], (a, b)


# ---- pMARS's validation program ---------------------------------------------------------------

def test_validate_red_self_ties(pmars):
    if not PMARS_VALIDATE.exists():
        pytest.skip(f"{PMARS_VALIDATE} not installed (scripts/install_pmars.sh)")
    (warriors,) = _listings(pmars, [[str(PMARS_VALIDATE)] * 2])
    result = battle(warriors, rounds=1, fixed_position=4000)
    assert result.pmars_output().endswith("Results: 0 0 1\n")
    assert _compare(pmars, [[str(PMARS_VALIDATE)] * 2], (), 3, [4000]) == []


# ---- the corpora ------------------------------------------------------------------------------

def test_random_pairs_and_triples_of_the_corpora(pmars, shared_warriors):
    rng = np.random.default_rng(20240601)
    files = _corpus(shared_warriors)
    pairs = _sample(files, rng, 520, 2)
    triples = _sample(files, rng, 110, 3)
    groups = pairs + triples
    assert _compare(pmars, groups, (), 20, _positions(rng, len(groups))) == []


def test_koth_output_of_pairs_and_multiwarrior_battles(pmars, shared_warriors):
    rng = np.random.default_rng(7)
    files = _corpus(shared_warriors)
    groups = _sample(files, rng, 30, 2) + _sample(files, rng, 10, 4) + _sample(files, rng, 5, 6)
    assert _compare(pmars, groups, (), 10, _positions(rng, len(groups)), koth=True) == []


def test_pspace_warriors(pmars, shared_warriors):
    files = _corpus(shared_warriors)
    pspace_users = [f for f in files if re.search(r"\b(ldp|stp)\b", Path(f).read_text(errors="replace"), re.I)]
    assert pspace_users, "no P-space warriors found in the corpora"
    rng = np.random.default_rng(3)
    groups = [[f, str(rng.choice(files))] for f in pspace_users for _ in range(4)]
    groups += [[str(rng.choice(files)), f] for f in pspace_users for _ in range(4)]
    groups += [[f, g] for f in pspace_users for g in pspace_users]
    assert _compare(pmars, groups, (), 20, _positions(rng, len(groups))) == []


# Two programs: the writer stores 1 in P-space cell 5 at once; the reader looks at cell 5 on its
# third instruction and survives only if it sees 1, that is, only when they share P-space.
WRITER = """;redcode
;name Writer {pin}
;assert 1
{pin_line}
        stp.ab #1, #5
loop    jmp    loop
"""
READER = """;redcode
;name Reader {pin}
;assert 1
{pin_line}
        nop    0, 0
        nop    0, 0
        ldp.ab #5, seen
        jmn.b  loop, seen
        dat    0, 0
loop    jmp    loop
seen    dat    0, 0
"""


def test_pin_shared_pspace(pmars, tmp_path):
    def source(template, pin):
        path = tmp_path / f"{template[15:21].strip()}_{pin}.red"
        path.write_text(template.format(pin=pin, pin_line=f"        pin {pin}" if pin is not None else ""))
        return str(path)

    writer, reader = {p: source(WRITER, p) for p in (None, 0, 7)}, {p: source(READER, p) for p in (None, 0, 7, 8)}
    groups = [[writer[7], reader[7]],                 # shared: the reader survives
              [writer[7], reader[8]], [writer[7], reader[None]], [writer[None], reader[None]],
              [writer[0], reader[None]],              # PIN 0 captures a later warrior without PIN
              [reader[None], writer[0]],              # ... but not an earlier one
              [writer[0], writer[None], reader[None]], [reader[7], writer[None], writer[7]]]
    rng = np.random.default_rng(4)
    results = {}
    assert _compare(pmars, groups, (), 6, _positions(rng, len(groups)), koth=True, collect=results) == []
    shared = results[tuple(groups[0])].splitlines()
    assert shared[1].split()[1] == "6"                # the reader tied every round: it saw the write
    assert results[tuple(groups[1])].splitlines()[1].split()[1] == "0"


@pytest.mark.parametrize("options", [
    ("-s", "2000", "-c", "5000", "-p", "64", "-d", "250"),
    ("-s", "800", "-c", "8000", "-p", "8", "-l", "100"),
    ("-s", "8000", "-c", "20000", "-p", "100", "-S", "7"),
    ("-s", "55440", "-c", "50000", "-p", "10000", "-l", "200", "-d", "300")])
def test_non_default_settings(pmars, shared_warriors, options):
    rng = np.random.default_rng(11)
    files = _corpus(shared_warriors)
    settings = _settings_of(list(options))
    groups = _sample(files, rng, 40, 2) + _sample(files, rng, 8, 3)
    positions = _positions(rng, len(groups), settings.mindistance, settings.coresize)
    assert _compare(pmars, groups, options, 8, positions, assembled=0.25) == []


def test_permutations(pmars, shared_warriors):
    rng = np.random.default_rng(5)
    files = _corpus(shared_warriors)
    options = ("-s", "800")
    groups = _sample(files, rng, 12, 2)
    loaded = _listings(pmars, groups, options)
    cases = [(g, w) for g, w in zip(groups, loaded) if w is not None]
    positions = _positions(rng, len(cases), 100, 800)
    expected = pmars_many(pmars, [["-b", "-P", "-r", "150", "-F", p, *options, *g]
                                  for (g, _), p in zip(cases, positions)])
    settings = _settings_of(list(options))
    for ((group, warriors), position, text) in zip(cases, positions, expected):
        result = battle(warriors, settings, rounds=150, fixed_position=position, permutate=True)
        assert result.pmars_output() == text, (group, position)
    # Without -r, -P plays every (position, first mover) combination: one of each.
    (group, warriors), = cases[:1]
    text = pmars_many(pmars, [["-b", "-P", "-F", "300", *options, *group]])[0]
    assert battle(warriors, settings, fixed_position=300, permutate=True).pmars_output() == text


def test_checksum_seed_matches_pmars_fixed_series(pmars, shared_warriors):
    rng = np.random.default_rng(9)
    files = _corpus(shared_warriors)
    groups = _sample(files, rng, 10, 2) + _sample(files, rng, 4, 3)
    loaded = _listings(pmars, groups)
    cases = [(g, w) for g, w in zip(groups, loaded) if w is not None]
    expected = pmars_many(pmars, [["-b", "-f", "-r", "10", *g] for g, _ in cases])
    for (group, warriors), text in zip(cases, expected):
        seed = placement.checksum_seed([w.code for w in warriors])
        result = battle(warriors, rounds=10, seed=seed, overrun_limit=UNLIMITED)
        assert result.pmars_output() == text, group


def test_budget_overrun_quirk(pmars, tmp_path):
    """A death on the budget's last instruction with three alive: pMARS plays on until one is
    left. Here the counter dies 4 turns later, so pMARS finishes; ours must follow it."""
    sources = {"sitter": "jmp 0\n", "counter": "djn 0, #8\ndat 0, 0\n", "late": "nop 0\n" * 4 + "dat 0, 0\n"}
    files = []
    for name, code in sources.items():
        path = tmp_path / f"{name}.red"
        path.write_text(f";redcode\n;name {name}\n{code}")
        files.append(str(path))
    (warriors,) = _listings(pmars, [files])
    expected = pmars_many(pmars, [["-b", "-c", "5", "-r", "3", "-F", "200", *files]])[0]
    assert "  Results: 1 2 0 0" in expected          # the sitter won round 1 alone: the quirk
    settings = Settings(maxcycles=5)
    for limit in (UNLIMITED, None):
        result = battle(warriors, settings, rounds=3, fixed_position=200, overrun_limit=limit)
        assert result.pmars_output() == expected


def test_crowded_multiwarrior_placement(pmars, shared_warriors):
    """Many warriors in little room: pMARS's sampler gives up and spreads them (npos)."""
    rng = np.random.default_rng(12)
    files = _corpus(shared_warriors)
    groups = _sample(files, rng, 4, 12) + _sample(files, rng, 2, 36)
    options = ("-d", "200", "-c", "20000")
    positions = [int(p) for p in rng.integers(200, 7801, size=len(groups))]
    assert _compare(pmars, groups, options, 3, positions, assembled=0.5) == []
