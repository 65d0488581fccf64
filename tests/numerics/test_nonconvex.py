"""The non-convex CS-SVM solved over (W, H) from random starts reaches the certified convex optimum.

Tolerances (compare_to_convex defaults): relative objective gap 1e-6 above the certified lower bound
and normalised Gram distance 1e-3. Measured on the default cases: gaps 2e-10..4e-9 and distances
3e-10..5e-8; the augmented Lagrangian stops at violation 1e-9, so the gap is limited by that, not by
the landscape.
"""

from __future__ import annotations

import numpy as np
import pytest

from numerics.cs_svm import solve_cs_svm
from numerics.nonconvex import compare_to_convex, solve_nonconvex
from theory.core.errors import ComputationError
from theory.core.imbalance import Imbalance
from theory.core.parameterization import Parameterization
from theory.seli.step_setting import step_delta

CASES = [("CE", 0.0, False), ("CDT", 0.5, False), ("LDT", 1.0, False), ("CDT", -1.0, True), ("LDT", 0.5, True)]


@pytest.mark.parametrize("loss, gamma, reduced", CASES)
@pytest.mark.parametrize("extra_dims", [0, 3])
def test_every_start_reaches_the_convex_optimum(loss, gamma, reduced, extra_dims):
    """behnia2023 Thm 2 by the non-convex route: with d = k - 1 (the theorem's least dimension) and
    d = k + 2, every random start ends at the global optimum; no start is filtered."""
    k, k_minor, R = 4, 2, 3
    imb = Imbalance.step(k, k_minor, R, 1)
    param = Parameterization.from_name(loss, step_delta(k, k_minor, R**gamma))
    runs = solve_nonconvex(imb, param, reduced=reduced, d=k - 1 + extra_dims, starts=3, seed=11)
    reports, elsewhere = compare_to_convex(runs, solve_cs_svm(imb, param, reduced=reduced))
    assert len(reports) == 3
    assert elsewhere == 0, reports
    if not reduced:
        assert all(run.collapse_error() <= 1e-4 for run in runs)


def test_custom_scaling_matrix():
    """Any positive A (no closed form): the non-convex and convex routes agree."""
    A = np.random.default_rng(5).uniform(0.5, 2.0, (3, 3))
    param = Parameterization.custom(A)
    counts = Imbalance([2, 1, 3])
    reports, elsewhere = compare_to_convex(solve_nonconvex(counts, param, d=3, starts=2), solve_cs_svm(counts, param))
    assert elsewhere == 0, reports


def test_an_unconverged_start_is_reported_not_hidden():
    """One outer iteration cannot meet the tolerances: the start is returned, flagged, and counted."""
    imb = Imbalance.step(3, 1, 2, 1)
    param = Parameterization.ce(3)
    runs = solve_nonconvex(imb, param, starts=2, max_outer=1)
    assert len(runs) == 2 and not any(run.converged for run in runs)
    _, elsewhere = compare_to_convex(runs, solve_cs_svm(imb, param))
    assert elsewhere == 2


def test_compare_rejects_a_different_program():
    imb = Imbalance.step(3, 1, 2, 1)
    param = Parameterization.ce(3)
    runs = solve_nonconvex(imb, param, starts=1)
    with pytest.raises(ValueError, match="different programs"):
        compare_to_convex(runs, solve_cs_svm(imb, param, reduced=True))


def test_a_point_below_the_certified_bound_is_an_error():
    """compare_to_convex cross-checks the two solvers: a 'feasible' objective below the convex lower
    bound would contradict weak duality."""
    imb = Imbalance.step(3, 1, 2, 1)
    param = Parameterization.ce(3)
    run = solve_nonconvex(imb, param, starts=1)[0]
    shrunk = type(run)(**{**run.__dict__, "objective": 0.5 * run.objective})
    with pytest.raises(ComputationError, match="lower bound"):
        compare_to_convex([shrunk], solve_cs_svm(imb, param))


@pytest.mark.parametrize("kwargs, message", [({"d": 1}, "k - 1"), ({"starts": 0}, "starts"), ({"tol": -1.0}, "tol"),
                                             ({"seed": -2}, "seed")])
def test_bad_input_is_a_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        solve_nonconvex(Imbalance.step(3, 1, 2, 1), Parameterization.ce(3), **kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("loss, gamma", [("CE", 0.0), ("CDT", 0.5), ("LDT", 0.5), ("LDT", -0.5)])
def test_paper_size_random_starts(loss, gamma):
    """behnia2023 App. A.1 size (k = 10, n = 275, d = 20): five random starts, all at the optimum."""
    imb = Imbalance.step(10, 5, 10, 5)
    param = Parameterization.from_name(loss, step_delta(10, 5, 10**gamma))
    reports, elsewhere = compare_to_convex(solve_nonconvex(imb, param, d=20, starts=5), solve_cs_svm(imb, param))
    assert elsewhere == 0, reports
