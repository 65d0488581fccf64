"""Symbolic proofs of the special cases, R -> infinity limits, and the LaTeX export round trip."""

import math

import pytest
import sympy as sp
from sympy.parsing.latex import parse_latex

from theory.seli import special_cases
from theory.seli.closed_forms import R as R_sym, Delta, closed_forms, evaluate, k, k_m
from theory.seli.seli_latex import latex_expr, select
from theory.seli.limits import limit_R_infinity, minority_collapse
from theory.seli.quantities import QUANTITIES
from theory.seli.special_cases import SymbolicProof, all_proofs


@pytest.mark.parametrize("proof", all_proofs(), ids=lambda p: f"{p.claim}: {p.statement}")
def test_symbolic_proof_holds(proof):
    assert all(res == 0 for res in proof.residuals), proof.residuals
    assert proof.holds


def test_proof_machinery_rejects_a_false_claim():
    """The CDT alignment claim at Delta = 1 (CE), proved as Cor. 3(i) is, must fail: a nonzero
    residual or an unprovable sign (a negative control for the proof machinery)."""
    f = special_cases.internal_forms("CDT")
    X, t = special_cases._specialise(f.X, f.t, {Delta: 1, special_cases.r: 2})
    GW, _ = special_cases._specialise(f.G_W, f.t, {Delta: 1, special_cases.r: 2})
    GM, _ = special_cases._specialise(f.G_M, f.t, {Delta: 1, special_cases.r: 2})
    res, signs = special_cases._cos_claims(X, (GW, GM), 0, 0, True, sp.Integer(1), 1, t)
    assert not SymbolicProof("negative control", "CE at R = 4 is aligned", tuple(res), tuple(signs)).holds


def test_special_cases_numerically():
    """The same special cases evaluated from the closed forms at a sample point (k=7, k_m=3, R=13)."""
    r = math.sqrt(13.0)
    cdt = evaluate("CDT", 7, 3, 13.0, r)
    assert cdt["WM.cos_maj"] == pytest.approx(1, abs=1e-14) and cdt["WM.cos_min"] == pytest.approx(1, abs=1e-14)
    ldt = evaluate("LDT", 7, 3, 13.0, r)
    for key in ("W.cos_maj_maj", "W.cos_min_min", "W.cos_maj_min", "M.cos_maj_maj", "M.cos_min_min", "M.cos_maj_min"):
        assert ldt[key] == pytest.approx(-1 / 6, rel=1e-13)
    assert ldt["W.norm_ratio"] == pytest.approx(1, rel=1e-13)
    assert ldt["M.norm_ratio"] == pytest.approx(1 / 13, rel=1e-13)
    etf = evaluate("CE", 7, 3, 1.0, 1.0)
    assert etf["W.cos_maj_min"] == pytest.approx(-1 / 6, rel=1e-13)


@pytest.mark.parametrize("loss, gamma, collapses", [
    ("CE", None, True), ("CDT", None, True), ("LDT", None, True), ("CDT", "1/2", False), ("LDT", "1/2", False)])
def test_minority_collapse_as_R_grows(loss, gamma, collapses):
    """At fixed Delta the minority classifiers collapse as R -> oo; Delta = sqrt(R) prevents it."""
    assert minority_collapse(loss, gamma) is collapses


@pytest.mark.parametrize("loss, gamma", [("CE", None), ("CDT", None), ("LDT", "1/2"), ("CDT", "1/4")])
@pytest.mark.parametrize("quantity", ["W.norm_ratio", "W.cos_maj_min", "M.cos_min_min", "WM.cos_maj", "W.sq_norm_maj"])
def test_limits_match_closed_forms_far_out(loss, gamma, quantity):
    """Each limit against the closed form evaluated (120 digits) at R = 1e40 and 1e80: finite limits
    are approached (the gap shrinks, and is below 1e-6 at R = 1e80; the slowest approach here is
    O(R^{-1/8})); infinite limits grow past 1e10."""
    point = {k: 9, k_m: 4, Delta: sp.Rational(3, 2)}
    lim = limit_R_infinity(loss, quantity, gamma)
    values = []
    for R_far in (1e40, 1e80):
        delta = R_far ** float(sp.Rational(gamma)) if gamma is not None else (1.0 if loss == "CE" else 1.5)
        values.append(evaluate(loss, 9, 4, R_far, delta, dps=120)[quantity])
    if lim == sp.oo:
        assert values[1] > max(values[0], 1e10)
    else:
        lim_val = float(lim.subs(point))
        gaps = [abs(v - lim_val) for v in values]
        assert gaps[1] <= gaps[0] and gaps[1] <= 1e-6 * max(1.0, abs(lim_val)), (values, lim_val)


def test_limit_bad_input():
    with pytest.raises(ValueError, match="rational"):
        limit_R_infinity("CDT", "W.norm_ratio", "abc")
    with pytest.raises(ValueError, match="CE has Delta = 1"):
        limit_R_infinity("CE", "W.norm_ratio", "1/2")
    with pytest.raises(ValueError, match="unknown quantity"):
        limit_R_infinity("CDT", "W.foo", None)


NAMES = {"k": k, "k_{m}": k_m, "R": R_sym, "Delta": Delta}


@pytest.mark.parametrize("key", sorted(closed_forms()))
def test_latex_round_trip(key):
    """Parse the exported LaTeX back with SymPy and compare values at two points."""
    expr = closed_forms()[key]
    parsed = parse_latex(latex_expr(expr))
    parsed = parsed.subs({s: NAMES[s.name] for s in parsed.free_symbols})
    for pt in ({k: 10, k_m: 3, R_sym: 7.3, Delta: 1.7}, {k: 25, k_m: 20, R_sym: 300.0, Delta: 0.2}):
        a, b = complex(expr.evalf(30, subs=pt)), complex(parsed.evalf(30, subs=pt))
        assert abs(a - b) <= 1e-12 * abs(a), key


def test_latex_select_validation():
    assert len(select("cdt")) == len(QUANTITIES)
    with pytest.raises(ValueError, match="unknown loss"):
        select("XX")
    with pytest.raises(ValueError, match="unknown quantity"):
        select(None, "W.nope")
