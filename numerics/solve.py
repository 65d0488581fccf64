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
from typing import Any, Iterator

from theory.core.errors import ComputationError

SOLVE_TIME_LIMIT_S = 600.0
"""Default wall-clock limit of one solve (seconds); the solver then stops and reports a non-optimal status."""


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


def solve_or_raise(problem: Any, what: str, solver: str = "CLARABEL", **options: Any) -> None:
    """Solve ``problem`` (a ``cvxpy.Problem``) with a time limit and quiet output; :class:`ComputationError`
    naming ``what`` when the solver fails or the status is not "optimal"."""
    import cvxpy as cp

    try:
        with quiet_solver():
            problem.solve(solver=solver, **{**time_limit_options(solver), **options})
    except cp.error.SolverError as exc:
        raise ComputationError(f"{what}: solver failed ({exc})") from None
    if problem.status != cp.OPTIMAL or any(v.value is None for v in problem.variables()):
        raise ComputationError(f"{what}: solver status {problem.status!r}")
