"""numerics.lpm: the objective's gradient against central differences, and input validation."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.lpm import _objective, solve_lpm
from proofs_check.proof_objects.calculus import gradient_error, numeric_gradient
from theory.core.errors import InputError
from theory.core.tolerances import FINITE_DIFFERENCE


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_matches_central_differences(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = 3
    weights = rng.uniform(0.1, 1.0, k)
    weights /= weights.sum()
    v = rng.standard_normal(2 * k * k)
    numeric = numeric_gradient(lambda x: _objective(x, k, weights)[0], v)
    assert gradient_error(numeric, _objective(v, k, weights)[1]) <= FINITE_DIFFERENCE


@pytest.mark.parametrize("counts, constraints", [((3,), "per_item"), ((3, 0), "per_item"), ((3, np.nan), "overall"),
                                                 ((3, 3), "sample")])
def test_bad_input_is_refused(counts: tuple, constraints: str) -> None:
    with pytest.raises(InputError):
        solve_lpm(counts, 1.0, 1.0, constraints)
