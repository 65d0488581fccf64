"""Projected gradient descent on the UFM+ (training.ufm_plus_gd): feasibility, stationarity, failures."""

import numpy as np
import pytest

from numerics.ufm_plus_solver import UFMPlusProblem
from theory.core.errors import ComputationError, InputError
from training.ufm_plus_gd import train_ufm_plus
from theory.core.imbalance import Imbalance


def test_iterates_stay_feasible_and_reach_a_kkt_point() -> None:
    run = train_ufm_plus(Imbalance([4, 4, 1]), 0.1, 0.1, d=4, seeds=2, tol=1e-9)
    assert run.H.min() >= 0.0
    problem = UFMPlusProblem(Imbalance([4, 4, 1]), 0.1, 0.1, 4)
    # the residual reported is the independent KKT residual of numerics.ufm_plus_solver at the returned point
    for s in range(2):
        assert problem.kkt_residual(run.W[s], run.H[s]) == pytest.approx(run.residual[s], abs=1e-15)
        assert run.residual[s] <= 1e-9


def test_a_too_large_step_is_a_computation_error() -> None:
    with pytest.raises(ComputationError, match="diverged|non-finite"):
        train_ufm_plus(Imbalance([5, 5]), 1e-3, 1e-3, d=3, lr=1e6, max_epochs=400)


@pytest.mark.parametrize("kwargs", [dict(d=1), dict(seeds=0), dict(lr=-1.0), dict(lambda_w=0.0),
                                    dict(max_epochs=True)])
def test_bad_input(kwargs) -> None:
    args = dict(counts=[3, 2], lambda_w=0.1, lambda_h=0.1, d=3)
    args.update(kwargs)
    with pytest.raises(InputError):
        train_ufm_plus(**args)
