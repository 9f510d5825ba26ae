"""Module operators: components inserted, replaced and swapped in marked and unmarked
programs keep them assembling (as pMARS does), within the length limit, with the rest's
references intact, and the inserted component runs."""
import numpy as np
import pytest

from arenas.corewar.archetypes import default_instance, random_archetype
from arenas.corewar.assembler import assemble, listing
from arenas.corewar.battle import battle
from arenas.corewar.instruction import DAT, OP, SEQ
from arenas.corewar.mars import Machine
from arenas.corewar.modules import (INSERTABLE, component_crossover, has_markers, insert_component, layout,
                                    replace_component)
from arenas.corewar.mutation import random_code, to_source
from arenas.corewar.settings import Settings
from assembler_oracle import normalised, pmars_outcomes

BIG = Settings()


def plain(text, settings=BIG):
    """The program as the built-in mutator writes it: numbers only, no labels, no markers."""
    warrior = assemble(text, settings)
    return to_source(np.array(warrior.code), warrior.start, settings.coresize, "plain")


def sitting_duck(settings=BIG):
    return assemble(";name duck\n" + "\n".join(["jmp 0"] + ["dat 7, 9"] * 11), settings)


def hosts(rng):
    out = [plain(default_instance("clear")), plain(default_instance("stone")), default_instance("two_phase")]
    out += [to_source(*random_code(rng, BIG.coresize, BIG.maxlength), BIG.coresize, f"r{i}") for i in range(6)]
    return out


def test_insertions_assemble_as_pmars_does_and_fit(pmars):
    rng = np.random.default_rng(5)
    texts = [insert_component(host, rng, BIG, kind) for host in hosts(rng) for kind in INSERTABLE]
    outcomes = pmars_outcomes(pmars, [(text.encode(), ()) for text in texts])
    for text, outcome in zip(texts, outcomes):
        assert outcome.accepted, text
        assert normalised(outcome.listing) == normalised(listing(assemble(text, BIG)))
        assert assemble(text, BIG).length <= BIG.maxlength


def test_an_insertion_that_would_not_fit_leaves_the_program_as_it_was():
    tight = Settings(maxlength=12, mindistance=12)
    host = plain(default_instance("clear", tight), tight)
    assert insert_component(host, np.random.default_rng(0), tight, "quickscan") == host


def test_insertion_keeps_the_rest_of_the_program_intact():
    host_text = plain(default_instance("stone"))
    host = assemble(host_text, BIG)
    for kind in INSERTABLE:
        text = insert_component(host_text, np.random.default_rng(1), BIG, kind)
        lay = layout(text, BIG)
        kinds = [k for k, _, _ in lay.spans]
        assert kind in kinds and "body" in kinds
        [(_, begin, end)] = [s for s in lay.spans if s[0] == "body"]
        # The host's cells, in order and unchanged: every internal reference is relative and the
        # host stayed in one piece, so a correct fix-up leaves all of them as they were.
        assert np.array_equal(lay.code[begin:end], host.code)


@pytest.mark.parametrize("kind", INSERTABLE)
def test_a_host_that_kills_a_duck_still_does_after_an_insertion(kind):
    host = plain(default_instance("clear"))
    before = battle([assemble(host, BIG), sitting_duck()], BIG, rounds=6, seed=3)
    assert before.wins[0] == 6
    text = insert_component(host, np.random.default_rng(2), BIG, kind)
    after = battle([assemble(text, BIG), sitting_duck()], BIG, rounds=6, seed=3)
    assert after.wins[0] == 6, text


def test_quickscan_prefix_falls_through_to_the_old_start():
    host = plain(default_instance("stone"))
    text = insert_component(host, np.random.default_rng(4), BIG, "quickscan")
    warrior, lay = assemble(text, BIG), layout(text, BIG)
    [(_, begin, end)] = [s for s in lay.spans if s[0] == "quickscan"]
    assert begin <= warrior.start < end and warrior.code[warrior.start][OP] == SEQ
    old_start = end + assemble(host, BIG).start       # the body follows the prefix
    m = Machine(BIG)
    m.load(0, warrior.code)
    m.spawn(0, warrior.start)
    seen = []
    for _ in range(40):
        m.step(1)
        seen += m.processes(0)
    assert old_start in seen                           # nothing found in an empty core: on to the body


def test_replace_component_redraws_a_marked_one():
    text = default_instance("stone")                   # bomber + clear
    rng = np.random.default_rng(8)
    out = replace_component(text, rng, BIG, "clear")
    before, after = layout(text, BIG), layout(out, BIG)
    assert [k for k, _, _ in before.spans] == [k for k, _, _ in after.spans]
    [(_, b0, e0)] = [s for s in before.spans if s[0] == "bomber"]
    [(_, b1, e1)] = [s for s in after.spans if s[0] == "bomber"]
    assert after.code.shape[0] <= BIG.maxlength
    # The bomber's own references survive the swap of what follows it (its hand-over to the
    # clear is re-aimed, the rest is identical).
    same = (before.code[b0:e0] == after.code[b1:e1]).all(axis=1)
    assert same.sum() >= len(same) - 1


def test_component_crossover_swaps_one_component_by_marker():
    rng = np.random.default_rng(9)
    for _ in range(20):
        a = random_archetype(rng, BIG, ["stone", "cmp_scanner", "two_phase", "vampire"])
        b = random_archetype(rng, BIG, ["clear", "b_scanner", "stone"])
        child = component_crossover(a, b, rng, BIG)
        warrior = assemble(child, BIG)
        assert warrior.length <= BIG.maxlength and has_markers(child)
        la, lb, lc = layout(a, BIG), layout(b, BIG), layout(child, BIG)
        if not {k for k, _, _ in la.spans} & {k for k, _, _ in lb.spans}:
            continue                                    # the block-crossover fallback
        assert [k for k, _, _ in lc.spans] == [k for k, _, _ in la.spans]
        swapped = [k for (k, s, e), (_, s2, e2) in zip(la.spans, lc.spans)
                   if not np.array_equal(la.code[s:e], lc.code[s2:e2])]
        from_b = {lb.code[s:e].tobytes() for _, s, e in lb.spans}
        changed = [lc.code[s:e] for (k, s, e) in lc.spans if k in swapped]
        # Exactly the swapped kind differs, and (but for re-aimed hand-overs) it is b's block.
        assert len(set(swapped)) <= 2
        assert any(block.tobytes() in from_b for block in changed) or not changed


def test_crossover_without_common_components_falls_back_to_block_crossover():
    rng = np.random.default_rng(10)
    a = plain(default_instance("stone"))
    b = plain(default_instance("clear"))
    child = component_crossover(a, b, rng, BIG)
    assert 0 < assemble(child, BIG).length <= BIG.maxlength


def test_arena_draws_archetypes_and_crosses_components():
    from arenas.corewar.arena import make_arena
    arena = make_arena()
    rng = np.random.default_rng(11)
    drawn = [arena.random_program(rng) for _ in range(40)]
    assert sum(has_markers(text) for text in drawn) >= 20
    parents = [arena.parse(text) for text in drawn if has_markers(text)][:2]
    child = arena.parse(arena.crossover(parents[0], parents[1], rng))
    assert child.warrior.length <= arena.settings.maxlength


def run_alone(text, steps):
    warrior = assemble(text, BIG)
    m = Machine(BIG)
    m.load(0, warrior.code)
    m.spawn(0, warrior.start)
    m.step(steps)
    return m, warrior


def test_an_inserted_imp_launcher_starts_a_spiral_beside_the_host():
    host = plain(default_instance("stone"))
    text = insert_component(host, np.random.default_rng(12), BIG, "imp")
    lay = layout(text, BIG)
    [(_, begin, _)] = [s for s in lay.spans if s[0] == "imp"]
    m, warrior = run_alone(text, 6000)
    processes = m.processes(0)
    assert len(processes) >= 4                         # the ring's processes and the host's
    assert any(p >= warrior.length for p in processes)  # the ring has crawled out of the program
    assert any(p < begin for p in processes)           # the host still runs its own loop


def test_an_inserted_clear_takes_over_where_the_host_runs_off_its_end():
    host = plain(";name runs off\nnop.f $0, $0\nnop.f $0, $0\n")
    text = insert_component(host, np.random.default_rng(13), BIG, "clear")
    m, warrior = run_alone(text, 4 * BIG.coresize)
    assert m.processes(0)
    outside = [m.cell(a)[OP] for a in range(warrior.length + 1, BIG.coresize - 1)]
    assert set(outside) <= {DAT}
    assert sum(m.cell(a) != (DAT, 4, 1, 0, 1, 0) for a in range(warrior.length, BIG.coresize)) > BIG.coresize // 2
