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
