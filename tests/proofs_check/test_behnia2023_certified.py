"""behnia2023 Sec. 4 closed forms against the certified convex CS-SVM (issue 11): the check passes on the
quick settings, and a 3 % error planted in one closed-form quantity makes it fail."""

from __future__ import annotations

import pytest

import proofs_check.claims.behnia2023 as claims
from theory.core.tolerances import CERTIFIED_GAP_SCALE


def test_quick_settings_have_rho_other_than_one_half() -> None:
    assert {km for _, _, km, _, _ in claims._CERTIFIED_QUICK} == {2, 3}        # rho = 2/5, 3/5 with k = 5


def test_closed_forms_agree_with_the_certified_program() -> None:
    out = claims._closed_form_vs_certified(claims._CERTIFIED_QUICK[:4])
    assert out.passed and out.figure <= CERTIFIED_GAP_SCALE, out.detail


@pytest.mark.parametrize("quantity", ["W.norm_ratio", "M.cos_maj_min", "WM.cos_min"])
def test_planted_closed_form_error_fails(monkeypatch: pytest.MonkeyPatch, quantity: str) -> None:
    original = claims.evaluate

    def planted(*args, **kwargs):
        out = dict(original(*args, **kwargs))
        out[quantity] *= 1.03
        return out

    monkeypatch.setattr(claims, "evaluate", planted)
    assert not claims._closed_form_vs_certified(claims._CERTIFIED_QUICK[2:4]).passed


def test_relative_difference_of_undefined_cosines() -> None:
    assert claims._relative_difference(None, None) == 0.0
    assert claims._relative_difference(None, 0.5) == float("inf")
    assert claims._relative_difference(0.5, None) == float("inf")
    assert claims._relative_difference(-0.2, -0.25) == pytest.approx(0.05)


@pytest.mark.parametrize("loss", ["CDT", "LDT"])
def test_cor3_deviation_is_large_off_the_corollary(loss: str) -> None:
    """Negative control of the Cor. 3 single-class check: with a group of one class, Delta = 1 or R instead of
    sqrt(R) leaves the certified solution measurably off the corollary (CDT: 1 - cos(w_c, mu_c) >= 1e-3;
    LDT: the ETF / norm-ratio deviation >= 0.1), while Delta = sqrt(R) is within rounding."""
    import numpy as np

    from numerics.cs_svm import solve_cs_svm
    from theory.core.imbalance import Imbalance
    from theory.core.parameterization import Parameterization
    from theory.seli.step_setting import step_delta

    floor = 1e-3 if loss == "CDT" else 0.1
    for km in (1, 4):
        for Delta, off in ((1.0, True), (np.sqrt(3.0), False), (3.0, True)):
            delta = step_delta(5, km, Delta)
            g = solve_cs_svm(Imbalance.step(5, km, 3.0, 1), Parameterization.from_name(loss, delta)).geometry()
            dev = claims._cor3_deviation(loss, g.G_W, g.G_M, g.G_WM, delta, km, 3.0)
            assert (dev >= floor) if off else (dev <= 1e-6), (km, Delta, dev)
