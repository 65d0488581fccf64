"""The runner's hypothesis bridge: registry properties run derandomised with their own number of examples
under the default profiles, and a profile asking for a thorough search reaches every registry check."""

import os
import re

from hypothesis import settings, strategies as st

from proofs_check.runner import property_outcome


def _examples(outcome) -> int:
    return int(re.search(r"largest of (\d+) examples", outcome.detail).group(1))


def _run():
    return property_outcome(st.integers(0, 10**9), lambda x: x / 10**9, 1.0, "probe", max_examples=30)


def test_a_check_runs_its_own_examples_under_the_default_profiles():
    """The test suite's ``ci`` profile (25 examples) and hypothesis' own default (``igeom verify``) leave a
    30-example check at 30, derandomised (two runs see the same figures)."""
    for profile in ("ci", "default"):
        settings.load_profile(profile)
        try:
            first, second = _run(), _run()
        finally:
            settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
        assert _examples(first) == _examples(second) == 30 and first == second


def test_the_thorough_profile_reaches_registry_checks():
    """HYPOTHESIS_PROFILE=thorough (400 examples, see tests/conftest.py) raises a 30-example check to 400."""
    settings.load_profile("thorough")
    try:
        assert _examples(_run()) == settings.get_profile("thorough").max_examples == 400
    finally:
        settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def test_a_thorough_profile_never_lowers_a_check():
    settings.register_profile("thorough-small", parent=settings.get_profile("thorough"), max_examples=150)
    settings.load_profile("thorough-small")
    try:
        outcome = property_outcome(st.integers(0, 10**9), lambda x: 0.0, 0.0, "probe", max_examples=300)
        assert _examples(outcome) == 300
    finally:
        settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
