"""The R -> infinity checks of behnia2023 assert the limit's value: an unevaluated limit, a NaN or a wrong
value fails them (issue 11: "lim < 1" was once tested as "!= 1")."""

import pytest
import sympy as sp

import proofs_check.claims.behnia2023 as claims
from theory.core.vocabulary import Loss
from theory.seli.closed_forms import R, k_m


@pytest.mark.parametrize("fake, expect_collapse", [
    (sp.Limit(1 / R, R, sp.oo), False),       # unevaluated
    (sp.nan, False),                           # not a number
    (sp.Integer(1) + 1 / (k_m - 1), False),    # a value above 1 is not "< 1"
    (sp.Rational(1, 2), True),                 # not the collapse value 1
])
def test_a_wrong_limit_fails(monkeypatch, fake, expect_collapse) -> None:
    monkeypatch.setattr(claims, "limit_R_infinity", lambda *a, **kw: fake)
    outcome = claims._limit_outcome("CDT", "1/2" if not expect_collapse else None, expect_collapse)
    assert not outcome.passed, outcome.detail


@pytest.mark.slow
def test_limit_by_solver_fails_on_a_misprinted_limit(monkeypatch):
    """Planted (issue 23): the R -> oo limit misprinted by 2 %: the certified solver's distance then stops
    decreasing at the closed forms' rate (CE and CDT at Delta = sqrt(R))."""
    from proofs_check.claims import behnia2023 as b

    original = b.limit_R_infinity
    monkeypatch.setattr(b, "limit_R_infinity", lambda *a: original(*a) * sp.Rational(102, 100))
    assert not b._limit_by_solver(Loss.CE, None).passed
    assert not b._limit_by_solver(Loss.CDT, "1/2").passed
