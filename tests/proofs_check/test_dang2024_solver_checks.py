"""dang2024 Cor. 4 and eqs. (19)-(21) checked on the numerical minimiser of problem (4) (issue 11), with
negative controls: a planted error in the theory the checks use makes them fail."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import proofs_check.claims.dang2024 as claims
from numerics.ufm_plus_solver import UFMPlusProblem, solve
from theory.core.tolerances import NC_AT_MINIMIZER, UFM_PLUS_ALIVE_NORM, UFM_PLUS_COLLAPSED_NORM
from theory.ufm_plus.closed_form import collapse_threshold
from theory.core.imbalance import Imbalance

ERROR = 1.03


def test_lambda_puts_the_threshold_where_asked() -> None:
    lam = claims._lambda_for_threshold(21.0, 4, 3.03)
    assert collapse_threshold(21.0, 4, lam, lam) == pytest.approx(3.03, rel=1e-12)


@pytest.mark.parametrize("collapse", [True, False])
def test_threshold_checks_pass_on_both_sides(collapse: bool) -> None:
    out = claims._cor4_solver((3, 4), collapse)
    assert out.passed, out.detail
    if collapse:
        assert out.figure <= UFM_PLUS_COLLAPSED_NORM
    else:
        assert out.figure >= UFM_PLUS_ALIVE_NORM


@pytest.mark.parametrize("factor, collapse", [(ERROR, True), (1 / ERROR, False)])
def test_misplaced_threshold_fails_the_solver_check(monkeypatch: pytest.MonkeyPatch, factor: float,
                                                    collapse: bool) -> None:
    """A C off by 3% moves the pair (1% from C) to the other side of the true threshold: the solver then
    finds live classes where the check expects collapse (or the reverse)."""
    original = claims.collapse_threshold
    monkeypatch.setattr(claims, "collapse_threshold", lambda *a: factor * original(*a))
    assert not claims._cor4_solver((3,), collapse).passed


def test_nc_at_solver_minimiser_is_small_and_detects_wrong_margins(monkeypatch: pytest.MonkeyPatch) -> None:
    example = ((5, 3, 2), 1e-2)
    assert claims._nc_at_solver_minimizer(example) <= NC_AT_MINIMIZER
    original = claims.predict

    def planted(*args, **kwargs):
        pred = original(*args, **kwargs)
        M = np.array(pred.M, copy=True)
        M[0] *= ERROR          # one margin 3% off (a common factor would be invisible: NC3 is scale-invariant)
        return dataclasses.replace(pred, M=M)

    monkeypatch.setattr(claims, "predict", planted)
    assert claims._nc_at_solver_minimizer(example) > 1e3 * NC_AT_MINIMIZER


def test_complete_collapse_check_passes_and_fails_if_a_metric_returns_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    assert claims._nc_at_complete_collapse().passed
    monkeypatch.setattr(claims, "nc1", lambda *a, **k: np.float64(0.0))   # the former silent 0
    out = claims._nc_at_complete_collapse()
    assert not out.passed and "NC1" in out.detail


def test_solver_measure_reports_no_nc1_at_complete_collapse() -> None:
    sol = solve(UFMPlusProblem(Imbalance([3, 2]), 0.5, 0.5, d=3), starts=2)
    m = sol.measure()
    assert m["complete_collapse"] and m["nc1"] is None
