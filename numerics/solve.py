"""Running a cvxpy problem so that a failure is an error, never a silent number."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from theory.core.errors import ComputationError

#: Top-level packages of the conic solvers cvxpy calls. An exception raised inside one of them is a
#: failed computation, whatever its type: SCS reports "ScsWork allocation error!" on a problem too large
#: for memory as a ValueError, which would otherwise read as bad input.
SOLVER_PACKAGES = ("scs", "_scs_direct", "clarabel")


def _raised_in_solver(tb: TracebackType | None) -> bool:
    """True when the innermost Python frame of ``tb`` belongs to a module of :data:`SOLVER_PACKAGES`."""
    last = None
    while tb is not None:
        last, tb = tb, tb.tb_next
    return last is not None and str(last.tb_frame.f_globals.get("__name__", "")).split(".")[0] in SOLVER_PACKAGES


def solve_or_raise(problem: Any, what: str, solver: str = "CLARABEL", **options: Any) -> None:
    """Solve ``problem`` (a ``cvxpy.Problem``); :class:`ComputationError` naming ``what`` when the solver
    fails (cvxpy's ``SolverError``, a ``MemoryError``, or any exception raised inside the solver's own
    package) or the status is not "optimal"."""
    import cvxpy as cp

    try:
        problem.solve(solver=solver, **options)
    except (cp.error.SolverError, MemoryError) as exc:
        raise ComputationError(f"{what}: solver failed ({type(exc).__name__}: {exc})") from None
    except Exception as exc:
        if not _raised_in_solver(exc.__traceback__):
            raise
        raise ComputationError(f"{what}: solver failed ({type(exc).__name__}: {exc})") from None
    if problem.status != cp.OPTIMAL or any(v.value is None for v in problem.variables()):
        raise ComputationError(f"{what}: solver status {problem.status!r}")
