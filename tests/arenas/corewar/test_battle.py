"""The battle API: rounds, placement seeds, P-space across rounds, scoring, statistics, batches.

Warriors are built from code rows, so these tests need neither pMARS nor the assembler."""
import numpy as np
import pytest

from arenas.corewar import placement
from arenas.corewar.battle import (WarriorPool, batch_battle, battle, format_results, pspace_map)
from arenas.corewar.settings import Settings
from arenas.corewar.warrior import Warrior
from test_mars_ops import row

SMALL = Settings(coresize=800, maxcycles=100, maxprocesses=64, maxlength=20, mindistance=20)


def warrior(*texts, name="W", start=0, pin=None, settings=SMALL):
    code = np.asarray([row(t, settings.coresize) for t in texts])
    return Warrior(code, start=start, name=name, author="Tester", pin=pin, coresize=settings.coresize)


IMP = warrior("MOV.I $0, $1", name="Imp")
SITTER = warrior("JMP.B $0, $0", name="Sitter")
SUICIDE = warrior("DAT.F $0, $0", name="Suicide")
SPLITTER = warrior("SPL.B $0, $0", name="Splitter")


# ---- the generator and placement ------------------------------------------------------------

def test_rng_is_the_minimal_standard_generator():
    sequence, seed = [], 1
    for _ in range(3):
        seed = placement.rng(seed)
        sequence.append(seed)
    assert sequence == [16807, 282475249, 1622650073]    # Park & Miller (1988)


def test_fixed_position_puts_warrior_two_there_in_round_one():
    positions = np.zeros(2, dtype=np.int64)
    seed = placement.seed_for_position(4000, 100)
    placement.place_round(positions, 2, seed, 8000, 100, np.zeros(0, np.int64), 0)
    assert positions.tolist() == [0, 4000]


def test_many_warriors_are_placed_apart():
    positions = np.zeros(6, dtype=np.int64)
    for seed in range(50):
        placement.place_round(positions, 6, seed, 8000, 100, np.zeros(0, np.int64), 0)
        ordered = np.sort(positions)
        assert positions[0] == 0 and (np.diff(ordered) >= 100).all() and ordered[-1] <= 7900


def test_crowded_core_falls_back_to_the_spread():
    # 8 x 100 in a core of 800: only exact spacing fits; the fallback must produce it.
    positions = np.zeros(8, dtype=np.int64)
    placement.place_round(positions, 8, 12345, 800, 100, np.zeros(0, np.int64), 0)
    assert sorted(positions.tolist()) == list(range(0, 800, 100))


def test_permutations_visit_every_combination_once():
    settings = Settings(coresize=80, maxlength=10, mindistance=10, maxcycles=10)
    span = 80 + 1 - 2 * 10
    table = np.zeros(2 * span, dtype=np.int64)
    positions, left, seen, seed = np.zeros(2, np.int64), 0, set(), 7
    for _ in range(2 * span):
        seed, starter, left = placement.place_round(positions, 2, seed, settings.coresize, 10, table, left)
        seen.add((int(positions[1]), int(starter)))
    assert seen == {(p, s) for p in range(10, 10 + span) for s in (0, 1)}


def test_pspace_map_follows_pins():
    index, count = pspace_map([None, 5, None, 5, 7])
    assert count == 4 and index[1] == index[3] and len({index[0], index[1], index[2], index[4]}) == 4
    # pMARS compares an unset PIN as 0: PIN 0 captures the later warriors without PIN.
    index, count = pspace_map([0, None, None])
    assert count == 1 and index.tolist() == [0, 0, 0]


def test_pspace_size_is_the_largest_divisor_up_to_16():
    assert Settings(coresize=8000).pspace == 500
    assert Settings(coresize=55440).pspace == 3465
    assert Settings(coresize=8001).pspace == 889          # 8001 = 9 * 889
    assert Settings(coresize=8000, pspacesize=7).pspace == 7


# ---- rounds, budget, scoring ----------------------------------------------------------------

def test_imps_tie_after_exactly_the_cycle_limit():
    result = battle([IMP, IMP], SMALL, rounds=3, seed=1)
    assert result.ties.tolist() == [3, 3] and result.wins.tolist() == [0, 0]
    assert (result.lifetime == 100).all()
    assert result.scores.tolist() == [3, 3]
    assert result.pmars_output() == "Imp by Tester scores 3\nImp by Tester scores 3\nResults: 0 0 3\n"
    assert result.pmars_output(koth=True) == "0 3\n0 3\n"


def test_a_suicide_loses_every_round():
    result = battle([SUICIDE, SITTER], SMALL, rounds=4, seed=3)
    assert result.losses.tolist() == [4, 0] and result.wins.tolist() == [0, 4]
    assert result.scores.tolist() == [0, 12]
    assert result.pmars_output().endswith("Results: 0 4 0\n")


def test_first_mover_rotates():
    # Both die on their first instruction; the first mover dies first and the other is then
    # the last one standing, so the winner alternates with the first mover.
    result = battle([SUICIDE, warrior("DAT.F $0, $0", name="Other")], SMALL, rounds=4, seed=3)
    assert result.survived.tolist() == [[False, True], [True, False]] * 2


def test_lone_warrior_score_table_counts_every_round():
    result = battle([SUICIDE], SMALL, rounds=5, seed=0)
    assert result.score_table.tolist() == [[5]]         # pMARS counts deaths in the same cell
    assert result.pmars_output() == "Suicide by Tester scores 0\n"
    assert result.pmars_output(koth=True) == "0 5 0\n"


def test_multiwarrior_output_lists_results_per_warrior():
    result = battle([SITTER, IMP, SUICIDE], SMALL, rounds=2, seed=11)
    lines = result.pmars_output().splitlines()
    assert lines[0] == "Sitter by Tester scores 8"             # (3*3-1)/2 = 4 per shared survival
    assert lines[1] == "  Results: 0 2 0 0"                    # survivals by count, then deaths
    assert lines[5] == "  Results: 0 0 0 2"
    assert result.pmars_output(sort=True).splitlines()[-2] == "Suicide by Tester scores 0"


def test_score_formula_override():
    result = battle([SUICIDE, SITTER], SMALL, rounds=2, seed=3, formula="W*10+S")
    assert result.scores.tolist() == [0, 42]


def test_results_format_wraps_like_pmars_shorts():
    table = np.asarray([[40000, 0, 0], [0, 0, 40000]])
    text = format_results([SITTER, IMP], table)
    assert "scores -76608" in text and text.endswith("Results: -25536 0 0\n")


def test_death_on_the_last_cycle_with_three_alive_goes_into_overrun():
    # Warrior 3 dies on its 5th instruction, the budget's last with -c 5: pMARS's counter then
    # passes zero and the round continues; by default it stops after one more budget.
    settings = SMALL.with_(maxcycles=5)
    dies_late = warrior("NOP.F $0, $0", "NOP.F $0, $0", "NOP.F $0, $0", "NOP.F $0, $0", "DAT.F $0, $0")
    result = battle([SITTER, SITTER, dies_late], settings, rounds=1, seed=0)
    assert result.survived.tolist() == [[True, True, False]]
    assert result.lifetime.tolist() == [[5, 5, 5]]


# ---- P-space across rounds ------------------------------------------------------------------

COUNTER = warrior(
    "LDP.AB #1, $5",      # count <- P[1]
    "ADD.AB #1, $4",      # count + 1
    "STP.B $3, #1",       # P[1] <- count
    "SEQ.AB #3, $2",      # survive only in the round where the count reaches 3
    "DAT.F $0, $0",
    "JMP.B $0, $0",       # (also the count cell: its B field)
    name="Counter")


def test_pspace_persists_across_rounds():
    result = battle([COUNTER], SMALL, rounds=5, seed=0)
    assert result.survived[:, 0].tolist() == [False, False, True, False, False]


def test_last_result_cell_reports_the_previous_round():
    # Survives a round only if it died in the previous one (cell 0 == 0); round 1 reads -1.
    loser_then_winner = warrior("LDP.AB #0, $3", "SEQ.AB #0, $2", "DAT.F $0, $0", "JMP.B $0, $0")
    result = battle([loser_then_winner], SMALL, rounds=4, seed=0)
    assert result.survived[:, 0].tolist() == [False, True, False, True]


def test_each_battle_starts_with_fresh_pspace():
    first = battle([COUNTER], SMALL, rounds=3, seed=0)
    second = battle([COUNTER], SMALL, rounds=3, seed=0)
    assert first.survived.tolist() == second.survived.tolist() == [[False], [False], [True]]


# ---- statistics -----------------------------------------------------------------------------

def test_statistics_of_simple_warriors():
    result = battle([IMP, SITTER], SMALL, rounds=1, fixed_position=700)
    assert result.coverage.tolist() == [[100, 1]]        # the imp executes 100 addresses
    assert result.spawned.tolist() == [[0, 0]]
    assert result.fitness.tolist() == [[1.0, 1.0]]


def test_spawned_counts_processes_added():
    # SPL 0 queues the DAT after it first: turns alternate SPL (+1) and DAT (-1), 50 spawns.
    result = battle([SPLITTER, SITTER], SMALL, rounds=1, fixed_position=400)
    assert result.spawned[0, 0] == 50 and result.coverage[0, 0] == 2
    # SPL/JMP never loses a process: spawns stop at the limit of 8.
    looper = warrior("SPL.B $0, $0", "JMP.B $-1, $0")
    result = battle([looper, SITTER], SMALL.with_(maxprocesses=8), rounds=1, fixed_position=400)
    assert result.spawned[0, 0] == 7


def test_survival_fitness_shares():
    # The suicide is alive for its first cycle only: it shares that cycle; the sitter then
    # earns every remaining cycle alone. Shares are scaled by 2 warriors / 100 cycles.
    result = battle([SUICIDE, SITTER], SMALL, rounds=1, seed=5)
    assert result.lifetime.tolist() == [[1, 100]]
    assert result.fitness[0].tolist() == pytest.approx([0.5 * 2 / 100, (0.5 + 99) * 2 / 100])
    assert result.fitness.sum() == pytest.approx(2)


# ---- batches --------------------------------------------------------------------------------

@pytest.mark.parametrize("scheduler", ["threads", "prange"])
def test_batch_matches_single_battles(scheduler):
    warriors = [IMP, SITTER, SUICIDE, SPLITTER, COUNTER]
    pool = WarriorPool(warriors, SMALL)
    rng = np.random.default_rng(0)
    members = np.asarray([rng.choice(len(warriors), size=3, replace=False) for _ in range(24)])
    seeds = rng.integers(0, 10**6, size=len(members))
    batch = batch_battle(pool, members, seeds, rounds=4, threads=2, scheduler=scheduler)
    for b, (row_, seed) in enumerate(zip(members, seeds)):
        single = battle([warriors[i] for i in row_], SMALL, rounds=4, seed=int(seed))
        assert batch.score_table[b].tolist() == single.score_table.tolist()
        assert batch.fitness[b].tolist() == single.fitness.tolist()
        assert batch.coverage[b].tolist() == single.coverage.tolist()
        assert batch.spawned[b].tolist() == single.spawned.tolist()


def test_bad_requests_are_refused():
    with pytest.raises(ValueError, match="permutations"):
        battle([IMP, IMP, IMP], SMALL, permutate=True, seed=1)
    with pytest.raises(ValueError, match="seed"):
        battle([IMP, IMP], SMALL, seed=-1)
    with pytest.raises(ValueError, match="core size"):
        battle([IMP, IMP], Settings(), seed=1)                # assembled for 800
    with pytest.raises(ValueError, match="too small"):
        battle([IMP] * 3, SMALL.with_(coresize=50, mindistance=20), seed=1)


def test_start_outside_the_program_wraps_around_core():
    # ORG -1 (stored as coresize - 1) at position 780 starts at 779: an empty DAT, so it dies
    # at once (pMARS reads past its core array there; here the address wraps).
    behind = warrior("JMP.B $0, $0", start=SMALL.coresize - 1)
    result = battle([SITTER, behind], SMALL, rounds=1, fixed_position=780)
    assert result.survived.tolist() == [[True, False]] and result.lifetime[0, 1] == 1


def test_without_statistics_the_results_are_the_same():
    warriors = [SPLITTER, IMP, COUNTER]
    full = battle(warriors, SMALL, rounds=6, seed=99)
    bare = battle(warriors, SMALL, rounds=6, seed=99, statistics=False)
    assert bare.score_table.tolist() == full.score_table.tolist()
    assert bare.survived.tolist() == full.survived.tolist()
    assert bare.instructions == full.instructions
    assert not bare.coverage.any() and not bare.fitness.any() and full.coverage.all()
