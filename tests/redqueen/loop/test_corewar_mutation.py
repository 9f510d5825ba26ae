"""The builtin Redcode operators write programs that pMARS assembles to exactly the code meant."""
import numpy as np
import pytest

from arenas.corewar.mutation import OPERATORS, crossover_code, mutate_code, random_code, to_source
from loop_helpers import pmars_listing

CORESIZE, MAXLENGTH = 8000, 100


def programs(seed, count):
    rng = np.random.default_rng(seed)
    code, start = random_code(rng, CORESIZE, MAXLENGTH)
    for _ in range(count):
        other, _ = random_code(rng, CORESIZE, MAXLENGTH)
        if rng.random() < 0.2:
            code, start = crossover_code(code, start, other, rng, MAXLENGTH)
        else:
            code, start = mutate_code(code, start, rng, CORESIZE, MAXLENGTH)
        yield code, start


@pytest.mark.oracle
def test_pmars_assembles_written_programs_to_the_same_code(pmars, tmp_path):
    for index, (code, start) in enumerate(programs(seed=4, count=40)):
        path = tmp_path / f"p{index}.red"
        path.write_text(to_source(code, start, CORESIZE, f"p{index}", "test"))
        listed, listed_start = pmars_listing(pmars, path)
        assert np.array_equal(listed, code), path.read_text()
        assert listed_start == start


@pytest.mark.parametrize("operator", OPERATORS, ids=lambda op: op.__name__)
def test_every_operator_keeps_a_valid_program(operator):
    rng = np.random.default_rng(9)
    for length in (1, 2, 5, MAXLENGTH):
        code = np.stack([random_code(rng, CORESIZE, MAXLENGTH)[0][0] for _ in range(length)])
        start = int(rng.integers(length))
        new, new_start = operator(code, start, rng, CORESIZE, MAXLENGTH)
        assert 1 <= len(new) <= MAXLENGTH and 0 <= new_start < len(new)
        assert ((new[:, 3] >= 0) & (new[:, 3] < CORESIZE) & (new[:, 5] >= 0) & (new[:, 5] < CORESIZE)).all()


def test_line_edits_keep_the_start_on_its_instruction():
    from arenas.corewar.mutation import delete_line, duplicate_line, insert_line
    rng = np.random.default_rng(3)
    code = np.zeros((6, 6), dtype=np.int32)
    code[:, 3] = np.arange(100, 106)          # distinct A fields identify the lines
    for operator in (insert_line, delete_line, duplicate_line):
        for _ in range(50):
            new, new_start = operator(code, 3, rng, CORESIZE, MAXLENGTH)
            if 103 in new[:, 3]:                # unless the start line itself was deleted
                assert new[new_start, 3] == 103, operator.__name__
