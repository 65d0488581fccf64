"""Hypothesis profiles: ``ci`` (default: derandomised, bounded, no deadline) and ``thorough``.

Select with ``pytest --hypothesis-profile=thorough`` or ``HYPOTHESIS_PROFILE=thorough``.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, max_examples=25, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=400, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# A test run started in the background of a non-interactive shell (``pytest &``, some CI runners) inherits
# SIGINT ignored, and every process it starts would too: the Ctrl-C tests would then wait for a signal that
# is never delivered. Restore the default so the children see the SIGINT a user's Ctrl-C would send (a
# Python-level handler is reset to the default in exec'd children; an ignored signal is not).
import signal  # noqa: E402

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _sigint_not_ignored():
    """Each test starts with SIGINT delivered (a test or the code under test may have left it ignored, and
    the processes a later test starts would inherit that)."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
