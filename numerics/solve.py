"""Running a cvxpy problem so that a failure is an error, never a silent number.

Every solve has a time limit (:func:`time_limit_options`) and runs inside :func:`quiet_solver`: what a
solver's C code writes to standard output (SCS prints "Failure:interrupted" even with verbose off)
never reaches stdout, where it would corrupt ``--json`` output, and SCS's report of a Ctrl-C becomes
``KeyboardInterrupt`` (exit 130) instead of a solver failure.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from types import TracebackType
from typing import Any, Iterator

from theory.core.errors import ComputationError

SOLVE_TIME_LIMIT_S = 600.0
"""Default wall-clock limit of one solve (seconds); the solver then stops and reports a non-optimal status."""

#: Top-level packages of the conic solvers cvxpy calls. An exception raised inside one of them is a
#: failed computation, whatever its type: SCS reports "ScsWork allocation error!" on a problem too large
#: for memory as a ValueError, which would otherwise read as bad input.
SOLVER_PACKAGES = ("scs", "_scs_direct", "clarabel")


def time_limit_options(solver: str, seconds: float = SOLVE_TIME_LIMIT_S) -> dict[str, float]:
    """The solver option that bounds its run time: SCS ``time_limit_secs``, Clarabel ``time_limit``."""
    name = str(solver).upper()
    return {"time_limit_secs": float(seconds)} if name == "SCS" else {"time_limit": float(seconds)} \
        if name == "CLARABEL" else {}


@contextlib.contextmanager
def quiet_solver() -> Iterator[None]:
    """Send file descriptor 1 to a temporary file for the duration of the block (see module docstring);
    an exception raised after SCS reported an interrupt is replaced by ``KeyboardInterrupt``."""
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 1)
        try:
            yield
        except Exception:
            os.dup2(saved, 1)
            sink.seek(0)
            if b"interrupted" in sink.read():
                raise KeyboardInterrupt from None
            raise
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def _raised_in_solver(tb: TracebackType | None) -> bool:
    """True when the innermost Python frame of ``tb`` belongs to a module of :data:`SOLVER_PACKAGES`."""
    last = None
    while tb is not None:
        last, tb = tb, tb.tb_next
    return last is not None and str(last.tb_frame.f_globals.get("__name__", "")).split(".")[0] in SOLVER_PACKAGES


def solve_or_raise(problem: Any, what: str, solver: str = "CLARABEL", **options: Any) -> None:
    """Solve ``problem`` (a ``cvxpy.Problem``) with a time limit (:func:`time_limit_options`, which
    ``options`` may override) and quiet output (:func:`quiet_solver`); :class:`ComputationError` naming
    ``what`` when the solver fails (cvxpy's ``SolverError``, a ``MemoryError``, or any exception raised
    inside the solver's own package) or the status is not "optimal"."""
    import cvxpy as cp

    try:
        with quiet_solver():
            problem.solve(solver=solver, **{**time_limit_options(solver), **options})
    except (cp.error.SolverError, MemoryError) as exc:
        raise ComputationError(f"{what}: solver failed ({type(exc).__name__}: {exc})") from None
    except Exception as exc:
        if not _raised_in_solver(exc.__traceback__):
            raise
        raise ComputationError(f"{what}: solver failed ({type(exc).__name__}: {exc})") from None
    if problem.status != cp.OPTIMAL or any(v.value is None for v in problem.variables()):
        raise ComputationError(f"{what}: solver status {problem.status!r}")
