"""Every Ctrl-C during a solve ends the solve in KeyboardInterrupt (numerics.solve.interrupt_guard).

SCS swallows a SIGINT that arrives after its last interrupt check; these tests model that with a solver
whose own handler ignores the signal, and run the real SCS in a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from numerics.solve import interrupt_guard

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signals")


SWALLOWING = textwrap.dedent("""
    import os, signal, sys, time
    from numerics.solve import solve_or_raise, start_blas_threads
    start_blas_threads()  # as igeom does before a command


    class SwallowingProblem:
        \"\"\"A cvxpy-like problem whose solve installs a handler that drops SIGINT (as SCS does when the
        solve ends before it looks), receives one, and reports an optimal status.\"\"\"

        status = "optimal"

        def variables(self):
            return []

        def solve(self, **options):
            previous = signal.signal(signal.SIGINT, lambda *_: None)
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.2)
            finally:
                signal.signal(signal.SIGINT, previous)


    try:
        SwallowingProblem().solve() if sys.argv[1] == "bare" else solve_or_raise(SwallowingProblem(), "swallowing")
    except KeyboardInterrupt:
        sys.exit(130)
""")


def _swallowing(mode: str) -> int:
    return subprocess.run([sys.executable, "-c", SWALLOWING, mode], cwd=ROOT, timeout=120).returncode


def test_a_swallowed_interrupt_still_stops_the_program() -> None:
    assert _swallowing("guarded") == 130


def test_the_control_without_the_guard_loses_the_interrupt() -> None:
    """Negative control: the same solve outside the guard returns normally (the bug the guard fixes)."""
    assert _swallowing("bare") == 0


def test_the_guard_is_transparent_without_a_signal_and_restores_the_mask() -> None:
    before = signal.pthread_sigmask(signal.SIG_BLOCK, set())
    with interrupt_guard():
        assert signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, set())
    assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == before
    with pytest.raises(ZeroDivisionError):
        with interrupt_guard():
            1 / 0
    assert signal.pthread_sigmask(signal.SIG_BLOCK, set()) == before


SCRIPT = textwrap.dedent("""
    import sys
    from numerics.solve import solve_or_raise, start_blas_threads
    start_blas_threads()  # as igeom does before a command
    import numpy as np, cvxpy as cp
    n = int(sys.argv[1])
    A = np.random.default_rng(0).standard_normal((n, n))
    X = cp.Variable((n, n), PSD=True)
    prob = cp.Problem(cp.Minimize(cp.normNuc(X - A @ A.T) + cp.trace(X)))
    print("start", flush=True)
    try:
        for _ in range(int(sys.argv[2])):
            solve_or_raise(prob, "repeat", solver="SCS", eps=float(sys.argv[3]), max_iters=10**7)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(0)
""")


def _interrupt(args: list[str], delay: float) -> int:
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, *args], stdout=subprocess.PIPE, text=True,
                            cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "start"
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        return proc.wait(timeout=120)
    finally:
        proc.kill()


def test_ctrl_c_during_repeated_short_scs_solves_always_stops() -> None:
    """Short real SCS solves in a loop, interrupted at several moments: every run exits 130 (before the
    guard, about one in eight ran to the end and exited 0; with the guard but BLAS threads that do not
    block SIGINT, 2 in 18)."""
    codes = [_interrupt(["40", "400", "1e-6"], delay) for delay in (0.05, 0.1, 0.2, 0.35, 0.5, 0.8)]
    assert codes == [130] * len(codes)


def test_ctrl_c_stops_a_long_scs_solve_at_its_next_iteration() -> None:
    """The signal reaches SCS's own handler too: a solve that would run for minutes stops (exit 130)."""
    assert _interrupt(["100", "1", "1e-14"], 1.0) == 130
