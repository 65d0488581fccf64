"""dang2024 UFM+: the SymPy derivation (Thm 1, Prop. 1, Cor. 1-4) against the printed formulas.

Each test states one fact as an identity (a difference that simplifies to 0) or a sign argument. The
derivation is re-derived here without the disk cache, so these tests check the derivation itself.
"""

from __future__ import annotations

import pytest
import sympy as sp

from theory.ufm_plus.printed import PRINTED
from theory.ufm_plus.symbolic import (K, K_A, K_B, M_A, M_B, M_j, M_k, N, R, S, c_1, derivation,
                                      in_step4_variable, is_zero, lam_h, lam_w, n_A, n_B, n_j, n_k, r, t, x)


@pytest.fixture(scope="module")
def d() -> dict[str, sp.Expr]:
    derivation.cache_clear()
    return derivation(use_disk_cache=False)


def _positive_K(expr: sp.Expr) -> sp.Expr:
    """K = 2 + kappa with kappa >= 0 (K >= 2 classes)."""
    return expr.subs(K, 2 + sp.Symbol("kappa", nonnegative=True))


# formulas where derivation and print agree: derived - printed simplifies to 0
AGREE = ["h_norm_sq", "classifier_coefficient", "logit_true", "logit_other", "logit_sum", "margin", "g",
         "w_norm_sq", "w_inner", "w_cos", "balanced_w_cos", "w_norm_sq_ratio", "cos_maj_maj", "cos_min_min", "C"]


@pytest.mark.parametrize("name", AGREE)
def test_derived_formula_equals_printed(d: dict[str, sp.Expr], name: str) -> None:
    assert is_zero(d[name] - PRINTED[name])


def test_step4_xi_equals_one_dimensional_objective(d: dict[str, sp.Expr]) -> None:
    # xi_k(x) built from c_1, c_{2,k}, t of Steps 2-3 equals CE + lambda_H n_k x at the ansatz (Step 4)
    assert is_zero(in_step4_variable(d["xi"] - d["g"]))


def test_printed_derivative_40_is_derivative_of_g(d: dict[str, sp.Expr]) -> None:
    assert is_zero(sp.diff(d["g"], x) - PRINTED["g_x"])


def test_printed_t_46_is_the_step4_variable() -> None:
    assert is_zero(in_step4_variable(PRINTED["t"]) - t)


def test_stationarity_gives_corrected_c1_and_M_bar(d: dict[str, sp.Expr]) -> None:
    c1 = N * sp.sqrt((K - 1) / K * lam_w * lam_h)
    assert is_zero(d["c1"] - c1)
    assert is_zero(sp.exp(d["M_bar"]) - (K - 1) * (sp.sqrt(n_k) / c1 - 1))


def test_x_bar_is_h_norm_sq_at_M_bar(d: dict[str, sp.Expr]) -> None:
    # eq. (42) = eq. (9) with M = M-bar: the stationary point is the class-mean norm of Thm 1(c)
    assert is_zero(d["x_bar"] - d["h_norm_sq"].subs(M_k, d["M_bar"]))


def test_one_dimensional_objective_is_strictly_convex(d: dict[str, sp.Expr]) -> None:
    assert _positive_K(d["g_x_x"]).is_positive


def test_classifiers_sum_to_zero(d: dict[str, sp.Expr]) -> None:
    assert d["classifier_sum_generic"] == 0


def test_margin_13_is_M_and_logits_sum_to_zero(d: dict[str, sp.Expr]) -> None:
    assert is_zero(d["margin"] - M_k)
    assert is_zero(d["logit_sum"])


def test_collapse_threshold_is_the_root_of_M_bar_and_M_bar_increases(d: dict[str, sp.Expr]) -> None:
    assert is_zero(sp.exp(d["M_bar"]).subs(n_k, d["C"]) - 1)
    assert _positive_K(sp.diff(sp.exp(d["M_bar"]), n_k)).is_positive


def test_theorem1_positivity_condition_has_the_same_boundary(d: dict[str, sp.Expr]) -> None:
    # printed condition N sqrt(lW lH)/sqrt(n_k) < sqrt((K-1)/K): its left side falls in n_k, boundary C
    roots = sp.solve(sp.Eq(PRINTED["positivity_lhs"], PRINTED["positivity_rhs"]), n_k)
    assert len(roots) == 1 and is_zero(roots[0] - d["C"])
    assert sp.diff(PRINTED["positivity_lhs"], n_k).is_negative


def test_span_algebra_matches_explicit_vectors_for_K_3(d: dict[str, sp.Expr]) -> None:
    # independent route: explicit orthogonal h_k = sqrt(x_k) e_k and w_k of eq. (10) for K = 3
    k = 3
    ns = sp.symbols("n1:4", positive=True)
    xs = sp.symbols("x1:4", positive=True)
    h = [sp.sqrt(xs[i]) * sp.Matrix([1 if j == i else 0 for j in range(k)]) for i in range(k)]
    s = d["classifier_coefficient"].subs(K, k)
    total = sum((sp.sqrt(ns[m]) * h[m] for m in range(k)), sp.zeros(k, 1))
    w = [s * (k * sp.sqrt(ns[i]) * h[i] - total) for i in range(k)]
    slope = sp.simplify(d["margin_x"] / x).subs(K, k)               # margin = slope x (slope has sqrt(n_k))
    Ms = [slope.subs(n_k, ns[i]) * xs[i] for i in range(k)]
    sub = {K: k, S: sum(sp.sqrt(ns[m]) * Ms[m] for m in range(k)), n_k: ns[0], n_j: ns[1], M_k: Ms[0], M_j: Ms[1]}
    assert sp.simplify((w[0].T * w[0])[0] - d["w_norm_sq"].subs(sub, simultaneous=True)) == 0
    assert sp.simplify((w[0].T * w[1])[0] - d["w_inner"].subs(sub, simultaneous=True)) == 0
    assert sp.simplify((w[1].T * h[0])[0] - d["logit_other"].subs(sub, simultaneous=True)) == 0
    assert sp.simplify((w[0].T * h[0])[0] - d["logit_true"].subs(sub, simultaneous=True)) == 0
    # Lemma 1 (43): ||W||_F^2 = lambda_H/lambda_W sum_k n_k x_k
    fro = sum((wi.T * wi)[0] for wi in w)
    assert sp.simplify(fro - lam_h / lam_w * sum(ns[i] * xs[i] for i in range(k))) == 0


# ------------------------------------------------------------------------------------ Corollary 1
def test_corollary1_balanced_geometry(d: dict[str, sp.Expr]) -> None:
    etf_ratio = -1 / (K - 1)                       # off-diagonal / diagonal of I_K - 11^T/K
    assert is_zero(d["balanced_w_cos"] - etf_ratio)              # W W^T prop I - 11^T/K
    assert is_zero(d["balanced_logit_ratio"] - etf_ratio)        # Z = W H-bar prop I - 11^T/K
    assert is_zero(d["balanced_centred_mean_cos"] - etf_ratio)   # centred OF is a simplex ETF
    assert d["balanced_w_minus_centred_generic"] == 0            # W prop (H-bar - h_G 1^T)^T
    assert d["balanced_w_minus_centred_special"] == 0


# ------------------------------------------------------------------------------------ Corollary 2
def test_corollary2_feature_ratio_follows_eq9(d: dict[str, sp.Expr]) -> None:
    assert is_zero(d["h_norm_sq_ratio"] - sp.sqrt(n_j / n_k) * M_k / M_j)


def test_corollary2_classifier_norm_grows_with_n(d: dict[str, sp.Expr]) -> None:
    # ||w_k||^2 = const + slope * sqrt(n_k) M_k with S fixed (same data set); slope prop K(K-2) >= 0 ...
    assert is_zero(d["w_norm_sq_slope_in_a"] - sp.sqrt(lam_h / lam_w) * (K - 2) / sp.sqrt(K * (K - 1)))
    assert _positive_K(d["w_norm_sq_slope_in_a"]).is_nonnegative
    # ... and sqrt(n) M-bar(n) increases in r = sqrt(n)/c_1 wherever M-bar > 0 (r > 1)
    assert d["c1_check"] == 0
    rho, L = sp.symbols("rho L", positive=True)                 # r = 1 + rho, L = M-bar > 0
    slope = d["sqrt_n_M_derivative_r"].subs(r, 1 + rho).replace(sp.log, lambda arg: L)
    assert sp.simplify(slope).is_positive
    # sqrt(n) M = 0 at or below the threshold, so n_i >= n_j implies ||w_i|| >= ||w_j||; K = 2: equality
    assert d["w_norm_sq_slope_in_a"].subs(K, 2) == 0


def test_corollary2_feature_norms_are_not_monotone_in_n(d: dict[str, sp.Expr]) -> None:
    # d||h_k||^2/dr > 0 just above the collapse threshold r0 = K/(K-1) and < 0 for large r
    at_threshold = d["h_norm_sq_derivative_r"].subs(r, K / (K - 1))
    assert sp.simplify(at_threshold.subs(K, sp.Symbol("p", positive=True) + 1)).is_positive
    large = d["h_norm_sq_derivative_r"].subs({K: 3, r: 100, lam_w: 1, lam_h: 1, c_1: 1})
    assert large.is_negative


# ------------------------------------------------------------------------------------ Corollary 3
def test_corollary3_inequality_holds_iff_majority_margin_is_larger(d: dict[str, sp.Expr]) -> None:
    # cos_min_min - cos_maj_maj = K^2 (a - b)(K_A a + K_B b) / (D_A D_B), a = sqrt(n_A) M_A, b = sqrt(n_B) M_B
    a, b = sp.symbols("a", positive=True), sp.symbols("b", nonnegative=True)
    alpha, beta = sp.symbols("alpha beta", nonnegative=True)    # K_A = 1 + alpha, K_B = 1 + beta
    gap = d["cos_gap"].subs({M_A: a / sp.sqrt(n_A), M_B: b / sp.sqrt(n_B)})
    factor = sp.factor(sp.simplify(gap / (a - b)).subs({K_A: 1 + alpha, K_B: 1 + beta}))
    assert factor.is_positive
    # a > b whenever n_A > n_B and the majority has not collapsed (Cor. 2 monotonicity): strict inequality;
    # at R = 1 (a = b) equality; at complete collapse (a = b = 0) both cosines are undefined (W = 0).


# ------------------------------------------------------------------------------------ Corollary 4
def test_corollary4_minority_collapse_ratio_solves_printed_17(d: dict[str, sp.Expr]) -> None:
    # (17) is implicit (its N depends on R); R* is its fixed point and its right side falls in R,
    # so "R >= rhs(R)" holds exactly for R >= R*
    rhs = PRINTED["minority_collapse_rhs"]
    assert is_zero(rhs.subs(R, d["R_star"]) - d["R_star"])
    alpha, beta = sp.symbols("alpha beta", nonnegative=True)
    assert sp.diff(rhs, R).subs({K_A: 1 + alpha, K_B: 1 + beta}).is_negative


def test_corollary4_complete_collapse_18_is_n_A_below_C(d: dict[str, sp.Expr]) -> None:
    C_A = d["C"]
    # N^2/n_A - (K-1)/(K lW lH) = (K-1)/(K lW lH n_A) (C - n_A): (18) holds iff n_A <= C
    assert is_zero(PRINTED["complete_collapse_margin"].subs(n_A, n_k)
                   - (K - 1) / (K * lam_w * lam_h * n_k) * (C_A - n_k))
