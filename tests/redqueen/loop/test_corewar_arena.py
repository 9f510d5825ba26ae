"""The Core War adapter: its batched evaluation agrees with the engine's single battles."""
import numpy as np
import pytest

from arenas.corewar.arena import RedcodeProgram, make_arena
from arenas.corewar.battle import battle
from arenas.corewar.instruction import (ADD, B_INDIRECT, DAT, DIRECT, IMMEDIATE, JMP, M_AB, M_B, M_F, M_I, MOV,
                                        SPL)
from arenas.corewar.mutation import random_code
from arenas.corewar.warrior import Warrior

OPTIONS = dict(maxcycles=3000)


def program(rows, start=0, name="w"):
    return RedcodeProgram(f"; {name}", Warrior(np.array(rows), start=start, name=name))


IMP = program([[MOV, M_I, DIRECT, 0, DIRECT, 1]], name="imp")
DWARF = program([[ADD, M_AB, IMMEDIATE, 4, DIRECT, 3], [MOV, M_AB, IMMEDIATE, 0, B_INDIRECT, 2],
                 [JMP, M_B, DIRECT, 7998, DIRECT, 0], [DAT, M_F, IMMEDIATE, 0, IMMEDIATE, 0]], name="dwarf")
SPLITTER = program([[SPL, M_B, DIRECT, 0, DIRECT, 0], [MOV, M_I, DIRECT, 0, DIRECT, 1]], name="splitter")


def randoms(count, seed):
    rng = np.random.default_rng(seed)
    return [program(*random_code(rng, 8000, 100), name=f"r{i}") for i in range(count)]


@pytest.fixture(scope="module")
def arena():
    return make_arena(**OPTIONS)


@pytest.fixture(scope="module")
def seeds():
    return [int(s) for s in np.random.default_rng(5).integers(1, 2**31 - 1, size=4)]


def test_battle_fitness_and_descriptors_match_single_battles(arena, seeds):
    candidates = [DWARF, SPLITTER, *randoms(3, 1)]
    opponents = [IMP, DWARF, *randoms(2, 2)]
    evaluations = arena.evaluate(candidates, opponents, seeds)
    for candidate, evaluation in zip(candidates, evaluations):
        singles = [battle([candidate.warrior] + [o.warrior for o in opponents], arena.settings, rounds=1, seed=s)
                   for s in seeds]
        assert evaluation.details["per_seed"] == pytest.approx([b.fitness[0, 0] for b in singles], abs=1e-6)
        assert evaluation.fitness == pytest.approx(np.mean([b.fitness[0, 0] for b in singles]))
        assert evaluation.descriptors["spawned"] == np.mean([b.spawned[0, 0] for b in singles])
        assert evaluation.descriptors["coverage"] == np.mean([b.coverage[0, 0] for b in singles])
        assert evaluation.descriptors["length"] == len(candidate.warrior.code)
        shares = np.mean([b.fitness[0] for b in singles], axis=0)
        assert evaluation.beaten_by == tuple(i for i in range(len(opponents)) if shares[i + 1] > shares[0])


def test_duel_fitness_is_the_mean_over_opponents_of_1v1_shares(arena, seeds):
    opponents = [IMP, DWARF, SPLITTER]
    [evaluation] = arena.evaluate([DWARF], opponents, seeds, fitness="duel")
    per_opponent = [np.mean([battle([DWARF.warrior, o.warrior], arena.settings, rounds=1, seed=s).fitness[0, 0]
                             for s in seeds]) for o in opponents]
    assert evaluation.fitness == pytest.approx(np.mean(per_opponent))
    results = arena.duel(DWARF, opponents, seeds)
    assert results.fitness_a == pytest.approx(per_opponent)
    assert (results.wins + results.ties + results.losses == len(seeds)).all()
    assert results.fitness_a + results.fitness_b == pytest.approx(np.full(3, 2.0))


def test_hill_fitness_is_the_mean_over_opponents_of_pmars_points_per_round(arena, seeds):
    opponents = [IMP, DWARF, SPLITTER]
    [evaluation] = arena.evaluate([DWARF], opponents, seeds, fitness="hill")
    singles = [[battle([DWARF.warrior, o.warrior], arena.settings, rounds=1, seed=s) for s in seeds]
               for o in opponents]
    # pMARS scores two warriors 3 for surviving alone, 1 each for both surviving, 0 for dying.
    points = np.array([[[3 * b.wins[k] + b.ties[k] for k in (0, 1)] for b in row] for row in singles]).mean(axis=1)
    assert evaluation.details["per_opponent"] == pytest.approx(points[:, 0])
    assert evaluation.details["opponent_points"] == pytest.approx(points[:, 1])
    assert evaluation.fitness == pytest.approx(points[:, 0].mean())
    assert evaluation.beaten_by == tuple(i for i in range(3) if points[i, 1] > points[i, 0])
    assert 0 <= evaluation.fitness <= 3


def test_a_lone_survivor_earns_the_number_of_warriors(arena, seeds):
    dead = program([[DAT, M_F, IMMEDIATE, 0, IMMEDIATE, 0]], name="dead")
    [evaluation] = arena.evaluate([IMP], [dead, dead], seeds)
    # The dead share the first cycle (they die executing their DAT), then the imp is alone.
    assert evaluation.fitness == pytest.approx(3.0, abs=3 / OPTIONS["maxcycles"]) and evaluation.beaten_by == ()
    [evaluation] = arena.evaluate([dead], [IMP], seeds)
    assert evaluation.fitness <= 1 / OPTIONS["maxcycles"] and evaluation.beaten_by == (0,)


def test_builtin_variation_writes_programs_of_the_arena(arena):
    rng = np.random.default_rng(0)
    for source in [arena.random_program(rng), arena.mutate(DWARF, rng), arena.crossover(DWARF, SPLITTER, rng)]:
        assert source.startswith(";redcode-94") and "END" in source


def test_diverse_start_adds_every_archetype_at_default_and_drawn_parameters():
    from arenas.corewar.archetypes import ARCHETYPES, default_instance
    from arenas.corewar.arena import DIVERSE_DRAWS
    from redqueen.loop import RedQueen, RunConfig
    arena = make_arena(**OPTIONS)
    plain = RedQueen._initial_programs(RunConfig(), arena)
    diverse = RedQueen._initial_programs(RunConfig(diverse_start=True), arena)
    assert [p.digest for p in diverse[:len(plain)]] == [p.digest for p in plain]
    extra = diverse[len(plain):]
    defaults = [arena.parse(default_instance(kind, arena.settings)).digest for kind in ARCHETYPES]
    assert [p.digest for p in extra[:len(ARCHETYPES)]] == defaults
    assert len({p.digest for p in extra}) == len(extra)               # no program twice
    assert len(ARCHETYPES) < len(extra) <= len(ARCHETYPES) * (1 + DIVERSE_DRAWS)
    assert all(";strategy" in p.source for p in extra)
    again = RedQueen._initial_programs(RunConfig(diverse_start=True), arena)
    assert [p.digest for p in again] == [p.digest for p in diverse]   # the same for every run


def test_adaptive_operators_all_produce_programs_that_mostly_assemble():
    from redqueen.arena import ProgramError
    arena = make_arena(**OPTIONS)
    rng = np.random.default_rng(5)
    parents = [arena.parse(p.source) for p in arena.diverse_programs()]
    for operator in arena.operators():
        made = 0
        for i in range(12):
            a, b = parents[i % len(parents)], parents[(i + 3) % len(parents)]
            args = {"new": (rng,), "mutate": (a, rng), "crossover": (a, b, rng)}[operator.kind]
            try:
                arena.parse(operator.apply(*args))
                made += 1
            except ProgramError:
                pass
        assert made >= 9, operator.name
