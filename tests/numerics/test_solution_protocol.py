"""CSSVMProblem (validated once), the CSSVMResult protocol of both CS-SVM solvers, the comparison with the
theory (numerics.compare), and solve_or_raise's conversion of solver failures to ComputationError.

Tolerances: the certified convex solution (SCS, eps 1e-8) matches Z-hat to 1e-6 entrywise and the
objective to 1e-7 relative; the non-convex start (feasibility tolerance 1e-9) to 1e-5 and 1e-6. The same
bounds as tests/numerics/test_cs_svm.py and test_nonconvex.py use for these solvers.
"""

from __future__ import annotations

import numpy as np
import pytest

from numerics.compare import compare_with_theory
from numerics.cs_svm import solve_cs_svm
from numerics.nonconvex import solve_nonconvex
from numerics.solution import CSSVMResult
from numerics.solve import solve_or_raise
from theory.core.errors import ComputationError, InputError
from theory.core.imbalance import Imbalance
from theory.core.parameterization import Parameterization
from theory.seli.cs_svm_problem import CSSVMProblem
from theory.seli.step_setting import step_delta


def _problem(reduced: bool = False, d: int | None = None) -> CSSVMProblem:
    return CSSVMProblem(Imbalance.step(4, 2, 3, 1), Parameterization.ldt(step_delta(4, 2, 3**0.5)), reduced, d)


def test_problem_converts_counts_once() -> None:
    p = _problem()
    assert p.k == 4 and p.d == 4 and p.columns == 8
    np.testing.assert_array_equal(p.labels, [0, 0, 0, 1, 1, 1, 2, 3])
    assert p.counts.dtype == np.float64 and not p.counts.flags.writeable and np.all(p.weights == 1.0)
    q = CSSVMProblem([3.5, 3.5, 1.0, 1.0], p.param, reduced=True, d=3)  # class level: real counts
    np.testing.assert_allclose(q.weights, np.sqrt([3.5, 3.5, 1.0, 1.0]), rtol=0, atol=0)
    assert q.columns == 4 and q.d == 3


@pytest.mark.parametrize("kwargs, message", [
    ({"d": 2}, "d must be >= k - 1 = 3"),
    ({"d": True}, "d must be an integer"),
    ({"reduced": "no"}, "reduced must be True"),
    ({"counts": Imbalance([1, 2, 3])}, "counts has 3 classes"),
    ({"counts": [3, 3, 1, 1]}, "must be an Imbalance"),  # sample level: a list is refused, not converted
    ({"counts": [[3, 3], [1, 1]]}, "1-dimensional"),
    ({"param": np.ones((4, 4))}, "Parameterization"),
])
def test_problem_rejects_bad_input(kwargs, message) -> None:
    args = {"counts": Imbalance.step(4, 2, 3, 1), "param": Parameterization.ce(4), **kwargs}
    with pytest.raises(InputError, match=message):
        CSSVMProblem(**args)


@pytest.mark.parametrize("reduced", [False, True])
def test_both_solvers_follow_the_protocol_and_agree_with_the_theory(reduced) -> None:
    """behnia2023 Thm 2 through one library call for either solver: same problem object, same report."""
    problem = _problem(reduced, d=3)
    convex = solve_cs_svm(problem)
    local = solve_nonconvex(problem, starts=1, seed=3)[0]
    for sol, z_tol, obj_tol in ((convex, 1e-6, 1e-7), (local, 1e-5, 1e-6)):
        assert isinstance(sol, CSSVMResult) and sol.problem is problem
        assert sol.W.shape == (3, 4) and sol.H.shape == (3, problem.columns)
        np.testing.assert_allclose(sol.W.T @ sol.H, sol.Z, atol=1e-9)
        cmp = compare_with_theory(sol)
        assert cmp.max_abs_dev_Z <= z_tol
        assert abs(cmp.objective / cmp.predicted_objective - 1) <= obj_tol
        assert (cmp.collapse_error is None) == reduced
        if not reduced:
            assert cmp.collapse_error <= 1e-4
    assert convex.status == "optimal" and convex.certificate.holds
    assert local.status == "converged" and local.certificate is None


def test_comparison_detects_a_wrong_solution() -> None:
    """Negative control: the comparison is not vacuous; a point scaled by 1.01 is 1 % off in Z."""
    sol = solve_cs_svm(_problem())
    scaled = type(sol)(Z=1.01 * sol.Z, problem=sol.problem, certificate=sol.certificate, iterations=None,
                       seconds=0.0)
    assert compare_with_theory(scaled).max_abs_dev_Z >= 0.005 * np.max(np.abs(sol.Z))


def test_a_problem_is_not_combined_with_loose_arguments() -> None:
    problem = _problem()
    with pytest.raises(InputError, match="either a CSSVMProblem"):
        solve_cs_svm(problem, reduced=True)
    with pytest.raises(InputError, match="d belongs to the CSSVMProblem"):
        solve_nonconvex(problem, d=5)


def test_custom_matrix_has_no_theory_to_compare_with() -> None:
    sol = solve_cs_svm(Imbalance([2, 1, 3]), Parameterization.custom(np.random.default_rng(5).uniform(0.5, 2.0, (3, 3))))
    with pytest.raises(InputError, match="no closed-form"):
        compare_with_theory(sol)


# ------------------------------------------------------------------ solve_or_raise
def _tiny_problem():
    import cvxpy as cp

    x = cp.Variable()
    return cp.Problem(cp.Minimize(x), [x >= 1])


def test_an_error_raised_inside_the_solver_package_is_a_computation_error(monkeypatch) -> None:
    """SCS reports "ScsWork allocation error!" as a ValueError from its own package: a failed solve."""
    import scs

    namespace = {"__name__": "scs"}  # a function whose frame belongs to the scs package, as SCS's own code
    exec("def failing_solve(*args, **kwargs):\n    raise ValueError('ScsWork allocation error!')", namespace)
    monkeypatch.setattr(scs, "solve", namespace["failing_solve"])
    with pytest.raises(ComputationError, match="tiny LP: solver failed .*ScsWork allocation error"):
        solve_or_raise(_tiny_problem(), "tiny LP", solver="SCS")


def test_memory_error_is_a_computation_error(monkeypatch) -> None:
    import scs

    def out_of_memory(*args, **kwargs):
        raise MemoryError()

    monkeypatch.setattr(scs, "solve", out_of_memory)
    with pytest.raises(ComputationError, match="solver failed .*MemoryError"):
        solve_or_raise(_tiny_problem(), "tiny LP", solver="SCS")


def test_an_error_outside_the_solver_stays_what_it_is(monkeypatch) -> None:
    """A defect in our own code is not disguised as a solver failure (the CLI reports it as internal)."""
    import scs

    def defect(*args, **kwargs):
        raise ValueError("shape mismatch in our code")

    monkeypatch.setattr(scs, "solve", defect)
    with pytest.raises(ValueError, match="shape mismatch") as info:
        solve_or_raise(_tiny_problem(), "tiny LP", solver="SCS")
    assert not isinstance(info.value, ComputationError)
