"""Error types shared by the suite.

:class:`InputError` (a ``ValueError``) means bad input found by validation (the CLI exits with status 2).
:class:`ComputationError` means a computation that was given valid input failed: a solver returned a non-optimal status, training
produced NaN/inf, a certificate check did not hold (the CLI exits with status 1).
"""


class ComputationError(RuntimeError):
    """A solver, certificate or training run failed on valid input; the message says which and why."""


class InputError(ValueError):
    """Invalid input, found by validation before any work starts (the CLI exits with status 2)."""
