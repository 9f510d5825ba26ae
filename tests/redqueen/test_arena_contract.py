"""The contract every registered arena keeps (as Axelrod's shared player tests do for strategies):
run over `redqueen.registry.names()`, so an arena installed by another distribution is held to
it too. Small settings keep it fast; an arena not listed in FAST runs with its defaults."""
import math

import numpy as np
import pytest

from redqueen import registry
from redqueen.arena import Arena, DuelResults, Evaluation, ProgramError, Prompts
from redqueen.options import Option, OptionError

FAST = {"corewar": {"maxcycles": "2000"}, "ipd": {"turns": "20", "workers": "1"},
        "tron": {"size": "8", "workers": "1"},
        "gathering": {"map": "small", "agents": "4", "steps": "40", "workers": "1"},
        "cleanup": {"agents": "4", "steps": "40", "workers": "1"}}
SEEDS = [11, 12]
VARIATIONS = 4          # programs made by each of random_program, mutate and crossover
NOT_A_PROGRAM = "@@@ ((( this is not a program }}}\n"


def one_line(text: str) -> bool:
    return bool(text.strip()) and "\n" not in text.strip()


@pytest.fixture(scope="module", params=registry.names())
def arena(request):
    built = registry.make_arena(request.param, FAST.get(request.param, {}))
    yield built
    built.close()


@pytest.fixture(scope="module")
def programs(arena):
    """The initial programs and a few random ones that parse (at least two programs in all)."""
    found = list(arena.initial_programs())
    rng = np.random.default_rng(0)
    for _ in range(8):
        if len(found) >= 3:
            break
        try:
            found.append(arena.parse(arena.random_program(rng), origin="random"))
        except ProgramError:
            pass
    assert len(found) >= 2, "the arena should produce parseable random programs"
    return found


def test_class_declarations(arena):
    cls = type(arena)
    assert issubclass(cls, Arena) and registry.arena_class(arena.name) is cls
    assert registry.program_suffix(arena.name) == cls.program_suffix and cls.program_suffix.startswith(".")
    assert cls.fitness_modes and all(one_line(meaning) for meaning in cls.fitness_modes.values())
    assert cls.default_fitness() in cls.fitness_modes
    assert len(cls.default_descriptors) == 2 and set(cls.default_descriptors) <= set(cls.descriptors)
    assert all(isinstance(option, Option) and one_line(option.help) for option in cls.options.values())


def test_parse_accepts_its_programs_and_rejects_junk_with_one_line(arena, programs):
    for program in arena.initial_programs():
        again = arena.parse(program.source, origin="again")
        assert again.digest == program.digest and program.name and isinstance(program.source, str)
        assert isinstance(arena.listing(program), str) and arena.label(program)
    for junk in (NOT_A_PROGRAM, ""):
        with pytest.raises(ProgramError) as error:
            arena.parse(junk, origin="junk.txt")
        assert one_line(str(error.value)) and "junk.txt" in str(error.value)


@pytest.mark.parametrize("mode_index", [0, 1])
def test_evaluate_in_every_fitness_mode(arena, programs, mode_index):
    modes = list(arena.fitness_modes)
    if mode_index >= len(modes):
        pytest.skip(f"{arena.name} has {len(modes)} fitness mode(s)")
    candidates, opponents = programs[1:], programs[:2]
    evaluations = arena.evaluate(candidates, opponents, SEEDS, fitness=modes[mode_index])
    assert len(evaluations) == len(candidates)
    for evaluation in evaluations:
        assert isinstance(evaluation, Evaluation) and math.isfinite(evaluation.fitness)
        assert set(arena.descriptors) <= set(evaluation.descriptors)
        assert all(math.isfinite(value) for value in evaluation.descriptors.values())
        assert all(0 <= index < len(opponents) for index in evaluation.beaten_by)


def test_an_unknown_fitness_mode_is_refused(arena, programs):
    with pytest.raises(ValueError, match="unknown fitness mode 'no-such-mode'"):
        arena.evaluate(programs[:1], programs[:1], SEEDS, fitness="no-such-mode")


def test_duel_has_one_entry_per_opponent_and_one_game_per_seed(arena, programs):
    results = arena.duel(programs[0], programs, SEEDS)
    assert isinstance(results, DuelResults)
    for name in ("fitness_a", "fitness_b", "wins", "ties", "losses", "score_a", "score_b"):
        values = np.asarray(getattr(results, name), dtype=float)
        assert values.shape == (len(programs),) and np.isfinite(values).all(), name
    assert (results.wins + results.ties + results.losses == len(SEEDS)).all()


def test_heldout_summary_has_the_documented_fields(arena, programs):
    results = arena.duel(programs[0], programs[1:], SEEDS)
    summary = arena.heldout_summary(results, programs[1:], SEEDS)
    assert summary["generality_rule"] and summary["opponents"] == len(programs) - 1
    assert 0.0 <= summary["beaten"] <= summary["generality"] <= 1.0
    assert math.isfinite(summary["score_per_game"])
    assert [type(row["matched"]) for row in summary["per_opponent"]] == [bool] * (len(programs) - 1)
    with pytest.raises(ValueError):
        arena.heldout_summary(arena.duel(programs[0], [], SEEDS), [], SEEDS)


@pytest.mark.slow       # the IPD's are Axelrod's strategies, checked one by one
def test_heldout_opponents_are_programs_or_none(arena):
    own = arena.heldout_opponents()
    assert own is None or (len(own) > 0 and all(p.digest and arena.label(p) for p in own))


def test_prompts_format_with_their_documented_fields(arena, programs):
    prompts = arena.prompts()
    assert isinstance(prompts, Prompts) and prompts.system.strip() and prompts.code_fence
    assert prompts.new.format()
    assert programs[0].source.strip() in prompts.mutate.format(parent=programs[0].source, feedback="")
    assert "the error" in prompts.repair.format(program=programs[0].source, error="the error")


@pytest.mark.slow       # a policy arena compiles every variation in its sandbox
def test_builtin_variation_mostly_parses(arena, programs):
    rng = np.random.default_rng(1)
    made = [arena.random_program(rng) for _ in range(VARIATIONS)]
    made += [arena.mutate(programs[i % len(programs)], rng) for i in range(VARIATIONS)]
    made += [arena.crossover(programs[i % len(programs)], programs[(i + 1) % len(programs)], rng)
             for i in range(VARIATIONS)]
    assert all(isinstance(source, str) for source in made)
    parsed = 0
    for source in made:
        try:
            arena.parse(source, origin="variation")
            parsed += 1
        except ProgramError:
            pass
    assert parsed >= len(made) // 2, f"only {parsed} of {len(made)} variations parse"


def test_drawn_programs_are_parsed_programs_repeatable_by_seed(arena):
    drawn = arena.draw_programs(np.random.default_rng(5), 3)
    assert len(drawn) in (0, 3)             # an arena draws none (the default) or what was asked
    for program in drawn:
        assert arena.parse(program.source, origin="again").digest == program.digest
    assert [p.digest for p in arena.draw_programs(np.random.default_rng(5), 3)] == [p.digest for p in drawn]


def test_load_directory_reports_rejected_files(arena, programs, tmp_path):
    (tmp_path / f"good{arena.program_suffix}").write_text(programs[0].source)
    (tmp_path / f"bad{arena.program_suffix}").write_text(NOT_A_PROGRAM)
    loaded, rejected = arena.load_directory(tmp_path)
    assert [p.digest for p in loaded] == [programs[0].digest]
    assert [file for file, _ in rejected] == [str(tmp_path / f"bad{arena.program_suffix}")]


@pytest.mark.parametrize("name", registry.names())
def test_every_declared_default_validates_and_bad_values_fail_in_one_line(name):
    cls = registry.arena_class(name)
    for option_name, option in cls.options.items():
        if option.default is not None:
            assert registry.check_options(name, {option_name: option.default}) == {option_name: option.default}
            assert registry.check_options(name, {option_name: str(option.default)}) == {option_name: option.default}
        if option.type in (int, float):
            with pytest.raises(OptionError) as error:
                registry.check_options(name, {option_name: "abc"})
            assert one_line(str(error.value)) and str(error.value).startswith(f"option {option_name}: expected")
            assert "'abc'" in str(error.value)
        if option.low is not None:
            with pytest.raises(OptionError, match=f"option {option_name}: expected"):
                registry.check_options(name, {option_name: str(option.low - 1)})
    with pytest.raises(OptionError, match=f"unknown option no_such_option for arena {name}"):
        registry.check_options(name, {"no_such_option": "1"})
