"""Step tables: moduli, evenness ranking, draws of a modulus."""
from math import gcd

import numpy as np
import pytest

from arenas.corewar.steps import draw_step, moduli, nearby_step, optima_steps, spread, steps_with_mod


def test_moduli_divide_the_core():
    assert moduli(8000) == [1, 2, 4, 5, 8, 10, 16]
    assert moduli(7919) == [1]                      # a prime core has coprime steps only


@pytest.mark.parametrize("coresize, mod", [(8000, 1), (8000, 4), (8000, 5), (800, 2), (55440, 7)])
def test_optima_have_the_modulus_and_rank_by_spread(coresize, mod):
    table = optima_steps(coresize, mod, count=10, min_step=coresize // 80)
    assert len(table) == 10 and all(gcd(s, coresize) == mod and s >= coresize // 80 for s in table)
    quality = spread(coresize, np.array(table))
    assert np.all(np.diff(quality) >= 0)
    # the best steps beat the median step of that modulus by a wide margin
    everyone = steps_with_mod(coresize, mod)
    assert quality[0] < 0.8 * np.median(spread(coresize, everyone))


def test_spread_of_a_unit_step_is_terrible_and_of_half_the_core_perfect():
    ones, half = spread(8000, np.array([1, 4000]))
    assert ones > 20 and half == pytest.approx(1.0)


def test_draws_keep_the_modulus_and_are_reproducible():
    rng = np.random.default_rng(7)
    draws = [draw_step(rng, 8000, mod=4, min_step=100) for _ in range(50)]
    assert all(gcd(s, 8000) == 4 for s in draws)
    assert draws == [draw_step(r, 8000, mod=4, min_step=100) for r in [np.random.default_rng(7)] for _ in range(50)]
    assert all(gcd(nearby_step(rng, 8000, s), 8000) == 4 for s in draws[:10])


def test_unknown_modulus_is_refused():
    with pytest.raises(ValueError, match="does not divide"):
        optima_steps(8000, 3)
