"""behnia2023_appendix: the Remark 4 centring checks pass, and planted errors make them fail."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from proofs_check.claims import behnia2023_appendix as mod
from theory.core.vocabulary import Loss


def _run(description: str):
    return next(c for c in mod.CLAIMS[0].checks if c.description.startswith(description)).run()


def test_quick_checks_pass() -> None:
    for check in mod.CLAIMS[0].checks:
        if check.quick:
            out = check.run()
            assert out.passed, (check.description, out.detail)


def test_checks_fail_for_weights_three_percent_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: the centring weights of the minority classes 3 % off those of eq. (6)/(7)."""
    original = mod._setting

    def planted(loss, R, gamma, k=10, k_minor=5):
        counts, G, weights = original(loss, R, gamma, k, k_minor)
        return counts, G, weights * np.where(np.arange(k) < k - k_minor, 1.0, 1.03)
    monkeypatch.setattr(mod, "_setting", planted)
    assert not _run("edges").passed


def _sweep(centred_err: list[float], uncentred_err: list[float], zero: list[bool] | None = None):
    """A Measurements-like record of LDT runs whose M norm ratio misses the prediction (1.0) by the given errors."""
    n = len(centred_err)
    specs = [SimpleNamespace(loss=Loss.LDT, gamma=0.5, seed=i) for i in range(n)]
    block = lambda errs: {"M": {"norm_ratio": 1.0 + np.array([errs])}}  # noqa: E731 - (T = 1, B = n)
    return SimpleNamespace(specs=specs, zero_error=np.array(zero or [True] * n), centred=block(centred_err),
                           uncentred=block(uncentred_err), predicted={"M": {"norm_ratio": np.ones(n)}})


def test_centring_outcome_discriminates() -> None:
    """Remark 4's observation (issue 23): centred closer in every run passes; no systematic difference (or the
    raw means closer) fails; fewer than 3 separable LDT runs is inconclusive."""
    assert mod.centring_outcome(_sweep([0.01, 0.012, 0.008, 0.011], [0.03, 0.031, 0.029, 0.035])).passed
    assert not mod.centring_outcome(_sweep([0.01, 0.03, 0.02, 0.01], [0.02, 0.01, 0.01, 0.03])).passed
    assert not mod.centring_outcome(_sweep([0.03, 0.031, 0.029], [0.01, 0.012, 0.008])).passed
    out = mod.centring_outcome(_sweep([0.01, 0.01, 0.01], [0.02, 0.02, 0.02], [True, False, False]))
    assert not out.premise_met
