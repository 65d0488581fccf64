"""Running a cvxpy problem so that a failure is an error, never a silent number."""

from __future__ import annotations

from typing import Any

from theory.core.errors import ComputationError


def solve_or_raise(problem: Any, what: str, solver: str = "CLARABEL", **options: Any) -> None:
    """Solve ``problem`` (a ``cvxpy.Problem``); :class:`ComputationError` naming ``what`` when the solver
    fails or the status is not "optimal"."""
    import cvxpy as cp

    try:
        problem.solve(solver=solver, **options)
    except cp.error.SolverError as exc:
        raise ComputationError(f"{what}: solver failed ({exc})") from None
    if problem.status != cp.OPTIMAL or any(v.value is None for v in problem.variables()):
        raise ComputationError(f"{what}: solver status {problem.status!r}")
