"""Strategy archetypes: they assemble as pMARS assembles them, do what their strategy says in
small constructed scenarios on the real MARS, and never reproduce a human warrior."""
from pathlib import Path

import numpy as np
import pytest

from arenas.corewar.archetypes import (ARCHETYPES, DEFAULT_PARAMETERS, default_instance, imp_step,
                                       random_archetype)
from arenas.corewar.assembler import RedcodeError, assemble, assemble_file, listing
from arenas.corewar.battle import battle
from arenas.corewar.instruction import A_FIELD, B_FIELD, DAT, JMP, MOV, OP, SEQ, SPL
from arenas.corewar.mars import Machine
from arenas.corewar.settings import Settings
from assembler_oracle import normalised, pmars_outcomes

BIG = Settings()
SMALL = Settings(coresize=800, maxlength=50, mindistance=50, maxcycles=8000)
LARGE = Settings(coresize=55440, maxlength=200, mindistance=200)
EMPTY = (DAT, 4, 1, 0, 1, 0)          # DAT.F $0, $0


def pmars_options(settings):
    return ("-s", str(settings.coresize), "-l", str(settings.maxlength), "-d", str(settings.mindistance))


def sources(settings, draws):
    out = [default_instance(kind, settings) for kind in ARCHETYPES]
    rng = np.random.default_rng(settings.coresize)
    out += [random_archetype(rng, settings, [kind]) for kind in ARCHETYPES for _ in range(draws)]
    return out


@pytest.mark.parametrize("settings", [BIG, SMALL, LARGE], ids=["8000", "800", "55440"])
def test_archetypes_assemble_as_pmars_does(settings, pmars):
    texts = sources(settings, draws=5)
    ours = [listing(assemble(text, settings)) for text in texts]
    theirs = pmars_outcomes(pmars, [(text.encode(), pmars_options(settings)) for text in texts])
    for text, mine, outcome in zip(texts, ours, theirs):
        assert outcome.accepted, f"pMARS rejects:\n{text}\n{outcome.detail}"
        assert normalised(outcome.listing) == normalised(mine), text


@pytest.mark.parametrize("settings", [BIG, SMALL, LARGE], ids=["8000", "800", "55440"])
def test_random_draws_fit_and_carry_markers(settings):
    rng = np.random.default_rng(1)
    for _ in range(60):
        text = random_archetype(rng, settings)
        warrior = assemble(text, settings)
        assert 0 < warrior.length <= settings.maxlength
        assert ";component " in text and ";strategy " in text and ";name " in text


def test_default_instances_are_deterministic():
    assert set(DEFAULT_PARAMETERS) == set(ARCHETYPES)
    for kind in ARCHETYPES:
        assert default_instance(kind) == default_instance(kind)


# ---- behaviour on the real MARS -----------------------------------------------------------------

def machine_with(text, settings=BIG, at=0, extra=()):
    warrior = assemble(text, settings)
    m = Machine(settings)
    m.load(at, warrior.code)
    for address, code in extra:
        m.load(address, code)
    m.spawn(0, at + warrior.start)
    return m, warrior


def test_stone_drops_bombs_along_its_step():
    text = ARCHETYPES["stone"](np.random.default_rng(3), BIG, clear=False, order="add-mov", decoy=False, bomb="dat")
    m, w = machine_with(text)
    ptr, add = w.code[0], w.code[1]                 # pointer cell, then ADD #step
    step, first = int(add[A_FIELD]), int(ptr[B_FIELD])
    bomb = tuple(int(x) for x in w.code[-1])
    m.step(3 * 50)                                   # 50 rounds of add, mov, jmp
    for k in range(1, 51):
        assert m.cell((first + k * step) % BIG.coresize) == bomb
    assert m.processes(0)                            # never bombed itself


def sitting_duck(settings, length=12):
    text = ";name duck\n" + "\n".join(["jmp 0"] + ["dat 7, 9"] * (length - 1))
    return assemble(text, settings)


@pytest.mark.parametrize("kind", ["stone", "cmp_scanner", "two_phase", "clear", "vampire", "quickscan", "paper"])
def test_default_instances_kill_a_sitting_duck(kind):
    for settings in (BIG, SMALL):
        result = battle([assemble(default_instance(kind, settings), settings), sitting_duck(settings)],
                        settings, rounds=6, seed=11)
        assert result.wins[0] >= 5, (kind, settings.coresize, result.wins, result.ties)


@pytest.mark.parametrize("kind", ["cmp_scanner", "b_scanner"])
def test_scanner_finds_a_decoy_and_attacks_it(kind):
    text = default_instance(kind)
    decoy = assemble("\n".join(["dat 5, 5"] * 16), BIG).code
    m, _ = machine_with(text, extra=[(4000, decoy)])
    original = tuple(int(x) for x in decoy[0])
    for _ in range(60):
        m.step(500)
        region = [m.cell(a) for a in range(4000, 4016)]
        if any(c != original for c in region):
            break
    assert any(c[OP] == SPL for c in region)         # its SPL bombs landed on the decoy first
    assert m.processes(0)


def test_two_phase_hands_the_find_to_a_clear():
    decoy = assemble("\n".join(["dat 5, 5"] * 16), BIG).code
    m, _ = machine_with(default_instance("two_phase"), extra=[(4000, decoy)])
    m.step(40000)
    assert all(m.cell(a) != tuple(int(x) for x in decoy[0]) for a in range(4000, 4016))
    assert m.processes(0)


def test_clear_wipes_the_core_around_it_and_survives():
    m, w = machine_with(default_instance("clear"), at=100)
    m.step(4 * BIG.coresize)                         # two passes of mov, jmp
    own = set(range(100, 100 + w.length))
    gate = 99                                        # decremented by the loop: an imp gate
    bombs = {tuple(int(x) for x in row) for row in w.code[-2:]}
    outside = [m.cell(a) for a in range(BIG.coresize) if a not in own and a != gate]
    assert all(c in bombs for c in outside)
    assert all(c[OP] == DAT for c in outside)        # the second pass is DAT
    assert m.cell(gate)[OP] == DAT
    assert m.processes(0) == [101] or len(m.processes(0)) == 1


@pytest.mark.parametrize("settings", [BIG, SMALL], ids=["8000", "800"])
def test_imp_spiral_keeps_running(settings):
    text = ARCHETYPES["imp"](np.random.default_rng(0), settings, with_stone=False, points=3, imp_fan=2)
    m, _ = machine_with(text, settings)
    m.step(20 * settings.coresize)
    processes = m.processes(0)
    assert len(processes) == 4                       # every process of the fan still alive
    step = imp_step(settings.coresize, 3)
    assert (3 * step) % settings.coresize == 1
    assert any(m.cell(p)[OP] == MOV for p in processes)


def test_paper_copies_itself():
    m, w = machine_with(default_instance("paper"), at=0)
    body = [tuple(int(x) for x in row) for row in w.code]
    m.step(4000)
    assert len(m.processes(0)) > 8                   # more than the fan made
    copies = [a for a in range(w.length, BIG.coresize)
              if m.cell(a)[OP] == SPL and m.cell((a + 1) % BIG.coresize)[OP] == MOV]
    assert len(copies) >= 3
    assert body[0][OP] == SPL


def test_vampire_fangs_point_at_its_pit():
    m, w = machine_with(default_instance("vampire"), at=0)
    pit = next(i for i, row in enumerate(w.code) if row[OP] == SPL)
    m.step(3 * 40)
    fangs = [a for a in range(w.length, BIG.coresize) if m.cell(a)[OP] == JMP]
    assert len(fangs) >= 30
    assert all((a + m.cell(a)[A_FIELD]) % BIG.coresize == pit for a in fangs)


def test_quickscan_attacks_a_find_then_runs_its_body():
    text = default_instance("quickscan")
    w = assemble(text, BIG)
    first_probe = w.code[w.start]                   # SEQ.I far, far + gap
    target = (w.start + int(first_probe[A_FIELD])) % BIG.coresize
    decoy = assemble("\n".join(["dat 5, 5"] * 4), BIG).code
    m, _ = machine_with(text, extra=[(target, decoy)])
    m.step(60)
    nearby = [m.cell(a)[OP] for a in range(target - 4, target + 8)]
    assert SPL in nearby                             # bombed around the find
    m.step(3000)
    assert m.processes(0)


# ---- no human warrior is reproduced -----------------------------------------------------------

def corpus_keys(folder: Path, settings):
    keys = set()
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in (".red", ".rc", ".war", ".txt") or not path.is_file():
            continue
        try:
            warrior = assemble_file(path, settings)
        except (RedcodeError, UnicodeError, ValueError):
            continue
        keys.add(warrior.code.tobytes())
    return keys


def test_no_archetype_reproduces_a_corpus_warrior(shared_warriors):
    keys = corpus_keys(shared_warriors, BIG)
    assert len(keys) > 300
    rng = np.random.default_rng(2024)
    texts = [default_instance(kind) for kind in ARCHETYPES]
    texts += [random_archetype(rng, BIG) for _ in range(400)]
    for text in texts:
        warrior = assemble(text, BIG)
        assert warrior.code.tobytes() not in keys, text     # not even with another start


@pytest.mark.parametrize("settings", [BIG, SMALL], ids=["8000", "800"])
def test_quickscan_probes_never_look_at_the_warrior_itself(settings):
    rng = np.random.default_rng(6)
    for _ in range(40):
        warrior = assemble(random_archetype(rng, settings, ["quickscan"]), settings)
        for index, row in enumerate(warrior.code):
            if row[OP] != SEQ:
                continue
            for field in (A_FIELD, B_FIELD):
                offset = (index + int(row[field])) % settings.coresize
                assert warrior.length <= offset <= settings.coresize - warrior.length


def test_the_imp_gate_stops_imps_an_ungated_clear_cannot_catch():
    imp = assemble(";name imp\nmov.i 0, 1\n", BIG)
    wins = {}
    for gate in (True, False):
        text = ARCHETYPES["clear"](np.random.default_rng(0), BIG, gate=gate, spl_pass=True, advance=">",
                                   decoy=False)
        wins[gate] = battle([assemble(text, BIG), imp], BIG, rounds=10, seed=9).wins[0]
    assert wins[False] == 0                          # an imp outruns a forward clear
    assert wins[True] >= 2
