"""behnia2023_appendix: the Remark 4 centring checks pass, and planted errors make them fail."""

from __future__ import annotations

import numpy as np
import pytest

from proofs_check.claims import behnia2023_appendix as mod


def _run(description: str):
    return next(c for c in mod.CLAIMS[0].checks if c.description.startswith(description)).run()


def test_checks_pass() -> None:
    for check in mod.CLAIMS[0].checks:
        out = check.run()
        assert out.passed, (check.description, out.detail)


def test_recovery_fails_with_the_sample_mean(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: the 'Remark 4' centring done with the class counts (the sample mean) instead of (6)/(7)."""
    original = mod._setting

    def planted(loss, R, gamma, k=10, k_minor=5):
        counts, G, _ = original(loss, R, gamma, k, k_minor)
        return counts, G, counts
    monkeypatch.setattr(mod, "_setting", planted)
    assert not _run("Remark 4 centring").passed


def test_checks_fail_for_weights_three_percent_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: the centring weights of the minority classes 3 % off those of eq. (6)/(7)."""
    original = mod._setting

    def planted(loss, R, gamma, k=10, k_minor=5):
        counts, G, weights = original(loss, R, gamma, k, k_minor)
        return counts, G, weights * np.where(np.arange(k) < k - k_minor, 1.0, 1.03)
    monkeypatch.setattr(mod, "_setting", planted)
    assert not _run("Remark 4 centring").passed
    assert not _run("edges").passed
