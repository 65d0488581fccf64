"""Running a cvxpy problem so that a failure is an error, never a silent number.

Every solve has a time limit (:func:`time_limit_options`) and runs inside :func:`quiet_solver`: what a
solver's C code writes to standard output (SCS prints "Failure:interrupted" even with verbose off)
never reaches stdout, where it would corrupt ``--json`` output, and SCS's report of a Ctrl-C becomes
``KeyboardInterrupt`` (exit 130) instead of a solver failure.

SCS installs its own SIGINT handler for the duration of a solve and only looks at it between
iterations, so a Ctrl-C that arrived late in a short solve was lost and the program ran on (about one
interrupt in eight, measured on repeated 0.2 s solves). :func:`interrupt_guard` makes every Ctrl-C count:
during the solve SIGINT is blocked in the main thread and taken by a watcher thread, which records it
and forwards it to the solver's handler (so a long solve still stops at its next iteration); the solve
then ends in ``KeyboardInterrupt`` whatever the solver returned. A process-directed SIGINT may also land
in any other thread that does not block it, where SCS's handler would take it unseen: the worker
threads that numpy's and scipy's BLAS start when imported are therefore started with SIGINT blocked
(:func:`start_blas_threads`, called by ``igeom`` before a command runs). With both, 18 of 18 Ctrl-Cs
at random moments of repeated short SCS solves stopped the program; with the guard alone 16 of 18
(tests/numerics/test_interrupts.py). Threads that torch starts later are not covered.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import threading
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


@contextlib.contextmanager
def interrupt_guard() -> Iterator[None]:
    """Raise ``KeyboardInterrupt`` after the block when SIGINT arrived during it (module docstring).

    Only the main thread of a POSIX process is guarded (elsewhere Python never receives SIGINT)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    received, done = threading.Event(), threading.Event()

    def watch() -> None:
        while not done.is_set():
            if signal.sigtimedwait({signal.SIGINT}, 0.02) is not None:
                received.set()
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
                signal.pthread_kill(threading.get_ident(), signal.SIGINT)  # to the handler now installed
                return

    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    watcher = threading.Thread(target=watch, name="sigint-watcher", daemon=True)  # inherits the blocked mask
    watcher.start()
    error: BaseException | None = None
    try:
        yield
    except BaseException as exc:  # noqa: BLE001 - re-raised below, or replaced by the interrupt it hid
        error = exc
    finally:
        done.set()
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        watcher.join()
    if received.is_set():
        raise KeyboardInterrupt from None
    if error is not None:
        raise error


def start_blas_threads() -> None:
    """Import numpy and scipy's linear algebra (which start their BLAS worker threads) with SIGINT blocked,
    so that those threads never receive a Ctrl-C meant for the main thread (module docstring)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        import numpy  # noqa: F401
        import scipy.linalg  # noqa: F401
        import scipy.sparse  # noqa: F401
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _raised_in_solver(tb: TracebackType | None) -> bool:
    """True when the innermost Python frame of ``tb`` belongs to a module of :data:`SOLVER_PACKAGES`."""
    last = None
    while tb is not None:
        last, tb = tb, tb.tb_next
    return last is not None and str(last.tb_frame.f_globals.get("__name__", "")).split(".")[0] in SOLVER_PACKAGES


def solve_or_raise(problem: Any, what: str, solver: str = "CLARABEL", **options: Any) -> None:
    """Solve ``problem`` (a ``cvxpy.Problem``) with a time limit (:func:`time_limit_options`, which
    ``options`` may override), quiet output (:func:`quiet_solver`) and every Ctrl-C honoured
    (:func:`interrupt_guard`); :class:`ComputationError` naming
    ``what`` when the solver fails (cvxpy's ``SolverError``, a ``MemoryError``, or any exception raised
    inside the solver's own package) or the status is not "optimal"."""
    import cvxpy as cp

    with interrupt_guard():
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
