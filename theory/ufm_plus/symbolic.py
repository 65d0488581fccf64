"""SymPy derivation of the UFM+ minimiser of dang2024 (Thm 1, Prop. 1, Cor. 1-4), with K symbolic.

Derived in code from the proof's own steps, not transcribed (the printed formulas live in
:mod:`theory.ufm_plus.printed` and are only compared against):

1. Orthogonal class means (Thm 1(b)) and the Cauchy-Schwarz equality (31) with c_3 from (37) give the
   classifier w_m = -h^_m / c_3 (Thm 1(d)); the span algebra of :mod:`theory.ufm_plus.orthogonal_span` gives
   every inner product, hence the logits (Thm 1(e)) and Prop. 1.
2. At that configuration the loss separates into one-dimensional functions g_k(x_k) of the squared
   class-mean norms x_k (Step 4, eq. 39): CE at the ansatz logits plus lambda_H n_k x_k (Lemma 1).
3. Stationarity g_k'(x) = 0 (eqs. 40-42) is solved in E = exp(margin): it gives x-bar, c_1 and
   M-bar_k = margin at x-bar. g_k is strictly convex, so x_k* = max(x-bar, 0): the class collapses
   (M_k = 0) iff n_k <= C (Cor. 4), C = the root of M-bar_k = 0 in n_k.
4. Prop. 1 and Cor. 1-4 follow by substitution, each proved as an identity (a difference that
   simplifies to 0) or a sign argument.

Internally K = p + 1 with p > 0, so that SymPy knows K - 1 > 0; public expressions use K. All results
are collected by :func:`derivation` (cached in memory and on disk, keyed by this source).
"""

from __future__ import annotations

import functools
from typing import Callable

import sympy as sp

from theory.infra.formula_cache import cached
from theory.core.errors import ComputationError, InputError
from theory.ufm_plus.orthogonal_span import SpanVector, class_mean, sum_affine_over_classes, weighted_mean_sum

# ------------------------------------------------------------------------------------------ symbols
K, N = sp.symbols("K N", positive=True)
lam_w, lam_h = sp.symbols("lambda_W lambda_H", positive=True)
n_k, n_j, n_m = sp.symbols("n_k n_j n_m", positive=True)
x = sp.Symbol("x", nonnegative=True)                  # x_k = ||h_k||^2 (Step 3)
M_k, M_j = sp.symbols("M_k M_j", nonnegative=True)    # eq. (6)
S = sp.Symbol("S", nonnegative=True)                  # S = sum_m sqrt(n_m) M_m
K_A, K_B = sp.symbols("K_A K_B", positive=True)       # two-group setting (Cor. 3, Cor. 4(a))
n_A, n_B, M_A, M_B, R = sp.symbols("n_A n_B M_A M_B R", positive=True)
c_1 = sp.Symbol("c_1", positive=True)
r = sp.Symbol("r", positive=True)                     # r = sqrt(n_k) / c_1 (Cor. 2)
t = sp.Symbol("t", positive=True)                     # t = exp(margin) / (K - 1) (eq. 46)
PUBLIC = {s.name: s for s in (K, N, lam_w, lam_h, n_k, n_j, n_m, x, M_k, M_j, S, K_A, K_B, n_A, n_B,
                               M_A, M_B, R, c_1, r, t)}

_p = sp.Symbol("p", positive=True)                    # internal: K - 1
_K = _p + 1
_E = sp.Symbol("E", positive=True)                    # internal: exp(margin)
_q = sp.Symbol("q", nonnegative=True)                 # internal: q_m = n_m x_m of a summed class
_T = sp.Symbol("T", nonnegative=True)                 # internal: T = sum_m n_m x_m


def _public(expr: sp.Expr) -> sp.Expr:
    return expr.subs(_p, K - 1)


def _internal(expr: sp.Expr) -> sp.Expr:
    return expr.subs(K, _K)


# ------------------------------------------------------------------ step 1: classifier and logits
def _classifier_scale() -> sp.Expr:
    """c_3 of eq. (37): c_3^2 = sum_m ||h^_m||^2 / ||W||_F^2 with (34) at equality and Lemma 1 (43)."""
    h_hat = weighted_mean_sum() - (_K * sp.sqrt(n_m)) * class_mean("m", n_m)      # h^_m, eq. (30)
    sq = h_hat.inner(h_hat, {"m": _q}, _T)                                         # ||h^_m||^2
    total = sum_affine_over_classes(sq, _q, _T, _K)                                # (32) = K(K-1) T
    w_fro_sq = lam_h / lam_w * _T                                                  # Lemma 1, (43)
    return sp.sqrt(sp.factor(total / w_fro_sq))


def classifier(name: str) -> SpanVector:
    """w_name = -h^_name / c_3 (eq. (31) at equality): Thm 1(d), internal K."""
    h_hat = weighted_mean_sum() - (_K * sp.sqrt(_n(name))) * class_mean(name, _n(name))
    return (-1 / _classifier_scale()) * h_hat


def _n(name: str) -> sp.Symbol:
    return {"k": n_k, "j": n_j, "m": n_m}[name]


def _logits_in_x() -> tuple[sp.Expr, sp.Expr]:
    """(z_k^(k), z_k^(m)) = (<w_k, h_k>, <w_m, h_k>) for m != k with ||h_k||^2 = x (internal K)."""
    h = class_mean("k", n_k)
    q = {"k": n_k * x, "m": n_m * sp.Symbol("x_m", nonnegative=True)}
    z_kk = sp.simplify(classifier("k").inner(h, q, _T))
    z_km = sp.simplify(classifier("m").inner(h, q, _T))
    return z_kk, z_km


# ------------------------------------------------------------- step 2: the one-dimensional problem
def _one_dim_objective() -> tuple[sp.Expr, sp.Expr]:
    """(g_k(x), margin(x)) of Step 4 (eq. 39), derived from the configuration of step 1: the CE of a
    class-k sample, whose K - 1 wrong logits are equal (Jensen (24) at equality), plus its share
    lambda_H n_k x of the regulariser (lambda_W/2 ||W||^2 + lambda_H/2 sum n ||h||^2 = lambda_H T)."""
    z_kk, z_km = _logits_in_x()
    margin = sp.simplify(z_kk - z_km)
    ce = sp.log(1 + _p * sp.exp(-margin))
    return n_k / N * ce + lam_h * n_k * x, margin


def _xi() -> sp.Expr:
    """xi_k(x) of Step 4 under the equality conditions of Lemma 2: c_1 = sqrt(n_k)/(1+t), c_{2,k} of
    (27), t of (46) (from (28) with the logits of step 1)."""
    z_kk, z_km = _logits_in_x()
    t_k = 1 / (_p * sp.exp((z_kk + _p * z_km - _K * z_kk) / _p))                  # eq. (28)
    c1 = sp.sqrt(n_k) / (1 + t_k)
    c2 = sp.log((1 + t_k) * _p) / (1 + t_k) + t_k / (1 + t_k) * sp.log((1 + t_k) / t_k)
    c3 = _classifier_scale()
    slope = (c3 * lam_h / lam_w + _K * _p / c3) / (2 * _p)                        # (36) -> (38)
    return -c1 / N * slope * n_k * x + n_k / N * c2 + lam_h * n_k * x


def _stationary_point() -> dict[str, sp.Expr]:
    """Solve g_k'(x) = 0 (eqs. 40-42) through E = exp(margin(x)), which makes it rational in E."""
    g, margin = _one_dim_objective()
    slope = sp.simplify(margin / x)                                                # margin = slope x
    dg = sp.diff(g, x).subs(x, sp.log(_E) / slope)
    roots = list(sp.solve(sp.simplify(dg), _E))
    if len(roots) != 1:
        raise ComputationError(f"UFM+ derivation: expected one stationary point, got {roots}")
    x_bar = sp.log(roots[0]) / slope
    t_bar = sp.exp(margin.subs(x, x_bar)) / _p
    c1 = sp.simplify(sp.sqrt(n_k) / (1 + t_bar))                                   # eq. (41)
    m_bar = sp.log(sp.simplify(roots[0]))                                          # margin at x_bar
    return {"g": g, "margin_x": margin, "g_x_x": sp.simplify(sp.diff(g, x, 2)), "x_bar": x_bar,
            "c1": c1, "M_bar": m_bar}


# --------------------------------------------------------------- step 3: Theorem 1 and Prop. 1
def _theorem1_and_prop1(stat: dict[str, sp.Expr]) -> dict[str, sp.Expr]:
    margin = stat["margin_x"]
    slope_k = sp.simplify(margin / x)                                              # a sqrt(n_k)
    a = sp.simplify(slope_k / sp.sqrt(n_k))
    h_norm_sq = M_k / slope_k                                                      # x with margin M_k
    z_kk, z_km = _logits_in_x()
    out = {
        "h_norm_sq": h_norm_sq,
        "classifier_coefficient": sp.simplify(1 / _classifier_scale()),
        "classifier_sum_generic": sp.simplify(classifier("m").summed_over("m", _K).generic),
        "logit_true": sp.simplify(z_kk.subs(x, h_norm_sq)),
        "logit_other": sp.simplify(z_km.subs(x, h_norm_sq)),
        "margin": sp.simplify(margin.subs(x, h_norm_sq)),
    }
    out["logit_sum"] = sp.simplify(out["logit_true"] + _p * out["logit_other"])
    q = {"k": sp.sqrt(n_k) * M_k / a, "j": sp.sqrt(n_j) * M_j / a}                # n x = sqrt(n) M / a
    T = S / a
    wk, wj = classifier("k"), classifier("j")
    out["w_norm_sq"] = sp.factor(sp.expand(wk.inner(wk, q, T)))
    out["w_inner"] = sp.factor(sp.expand(wk.inner(wj, q, T)))
    wj_sq = out["w_norm_sq"].subs({n_k: n_j, M_k: M_j}, simultaneous=True)
    out["w_cos"] = out["w_inner"] / sp.sqrt(out["w_norm_sq"] * wj_sq)
    return out


# ------------------------------------------------------------------------ step 4: corollaries
def _corollary1(t1: dict[str, sp.Expr]) -> dict[str, sp.Expr]:
    """Balanced counts: n_k = n_j = n, M_k = M_j = M, S = K sqrt(n) M."""
    n, M = sp.symbols("n M", positive=True)
    bal = {n_k: n, n_j: n, M_k: M, M_j: M, S: _K * sp.sqrt(n) * M}
    w_sq = t1["w_norm_sq"].subs(bal, simultaneous=True)
    w_in = t1["w_inner"].subs(bal, simultaneous=True)
    # W prop (H - h_G 1^T)^T: w_k - s K sqrt(n) (h_k - h_G) must vanish (equal n in the span algebra)
    s = t1["classifier_coefficient"]
    h_G = (1 / (_K * sp.sqrt(n))) * weighted_mean_sum()
    centred = class_mean("k", n) - h_G
    w_k = SpanVector(-s, {"k": s * _K})
    diff = w_k - (s * _K * sp.sqrt(n)) * centred
    gram_centred = centred.inner(centred, {"k": n * _q}, _K * n * _q)
    cross_centred = centred.inner(class_mean("j", n) - h_G, {"k": n * _q, "j": n * _q}, _K * n * _q)
    return {
        "balanced_w_cos": sp.simplify(w_in / w_sq),
        "balanced_logit_ratio": sp.simplify(t1["logit_other"] / t1["logit_true"]),
        "balanced_w_minus_centred_generic": sp.simplify(diff.generic),
        "balanced_w_minus_centred_special": sp.simplify(diff.coefficient("k") - diff.generic),
        "balanced_centred_mean_cos": sp.simplify(cross_centred / gram_centred),
    }


def _corollary2(t1: dict[str, sp.Expr], stat: dict[str, sp.Expr]) -> dict[str, sp.Expr]:
    w_sq_j = t1["w_norm_sq"].subs({n_k: n_j, M_k: M_j}, simultaneous=True)
    h_sq_j = t1["h_norm_sq"].subs({n_k: n_j, M_k: M_j}, simultaneous=True)
    # ||w_k||^2 as a function of a_k = sqrt(n_k) M_k with S fixed: slope K(K-2) times a constant
    a_k = sp.Symbol("a_k", nonnegative=True)
    w_sq_a = sp.expand(t1["w_norm_sq"].subs(M_k, a_k / sp.sqrt(n_k)))
    # sqrt(n) M-bar(n) in r = sqrt(n)/c_1 (c_1 fixed by the data set): c_1 r log(p (r - 1))
    m_bar_r = sp.log(_p * (r - 1))
    h_sq_r = t1["h_norm_sq"].subs({M_k: m_bar_r, n_k: (c_1 * r) ** 2})
    return {
        "w_norm_sq_ratio": sp.simplify(t1["w_norm_sq"] / w_sq_j),
        "h_norm_sq_ratio": sp.simplify(t1["h_norm_sq"] / h_sq_j),
        "w_norm_sq_slope_in_a": sp.factor(sp.diff(w_sq_a, a_k)),
        "M_bar_in_r": m_bar_r,
        "sqrt_n_M_derivative_r": sp.simplify(sp.diff(c_1 * r * m_bar_r, r)),
        "h_norm_sq_derivative_r": sp.factor(sp.diff(h_sq_r, r)),
        "c1_check": sp.simplify(stat["M_bar"].subs(n_k, (stat["c1"] * r) ** 2) - m_bar_r),
    }


def _corollary3(t1: dict[str, sp.Expr]) -> dict[str, sp.Expr]:
    """Two groups: K_A classes with a = sqrt(n_A) M_A, K_B with b = sqrt(n_B) M_B (K = K_A + K_B)."""
    a, b = sp.symbols("a b", nonnegative=True)
    two = {_p: K_A + K_B - 1, S: K_A * a + K_B * b}
    maj = {n_k: n_A, n_j: n_A, M_k: a / sp.sqrt(n_A), M_j: a / sp.sqrt(n_A)}
    mnr = {n_k: n_B, n_j: n_B, M_k: b / sp.sqrt(n_B), M_j: b / sp.sqrt(n_B)}
    # two classes of one group have equal norms, so cos = w_k^T w_j / ||w_k||^2
    same = t1["w_inner"] / t1["w_norm_sq"]
    cos_aa = sp.factor(same.subs(maj, simultaneous=True).subs(two, simultaneous=True))
    cos_bb = sp.factor(same.subs(mnr, simultaneous=True).subs(two, simultaneous=True))
    back = {a: sp.sqrt(n_A) * M_A, b: sp.sqrt(n_B) * M_B}
    return {"cos_maj_maj": cos_aa.subs(back), "cos_min_min": cos_bb.subs(back),
            "cos_gap": sp.factor(cos_bb - cos_aa).subs(back)}


def _corollary4(stat: dict[str, sp.Expr]) -> dict[str, sp.Expr]:
    roots = sp.solve(sp.Eq(sp.exp(stat["M_bar"]), 1), n_k)                          # M-bar_k = 0
    if len(roots) != 1:
        raise ComputationError(f"UFM+ derivation: expected one collapse threshold, got {roots}")
    C = sp.factor(roots[0])
    two_N = n_B * (K_A * R + K_B)                                                  # N of the STEP
    R_roots = [s for s in sp.solve(sp.Eq(n_B, C.subs({N: two_N, _p: K_A + K_B - 1})), R)
               if s.subs({n_B: 1, K_A: 1, K_B: 1, lam_w: sp.Rational(1, 100), lam_h: sp.Rational(1, 100)}) > 0]
    if len(R_roots) != 1:
        raise ComputationError(f"UFM+ derivation: expected one positive minority-collapse ratio, got {R_roots}")
    return {"C": C, "R_star": sp.simplify(R_roots[0])}


# ------------------------------------------------------------------------------------ collection
def _derive() -> dict[str, sp.Expr]:
    stat = _stationary_point()
    t1 = _theorem1_and_prop1(stat)
    out: dict[str, sp.Expr] = {}
    out.update({"g": stat["g"], "margin_x": stat["margin_x"], "g_x_x": stat["g_x_x"],
                "x_bar": stat["x_bar"], "c1": stat["c1"], "M_bar": stat["M_bar"], "xi": _xi()})
    out.update(t1)
    out.update(_corollary1(t1))
    out.update(_corollary2(t1, stat))
    out.update(_corollary3(t1))
    out.update(_corollary4(stat))
    return {key: _public(value) for key, value in out.items()}


@functools.lru_cache(maxsize=2)
def derivation(use_disk_cache: bool = True) -> dict[str, sp.Expr]:
    """Every derived expression of dang2024's UFM+ minimiser, keyed by name (see :data:`DESCRIPTIONS`).

    Symbols: K, N, lambda_W, lambda_H, n_k, n_j, x (= ||h_k||^2), M_k, M_j, S (= sum_m sqrt(n_m) M_m),
    and K_A, K_B, n_A, n_B, M_A, M_B, R for the two-group results. Derived on first use (seconds) and
    cached on disk keyed by a hash of the deriving source and the SymPy version.
    """
    return cached("ufm_plus", ("ufm_plus/orthogonal_span.py", "ufm_plus/symbolic.py"), _derive, PUBLIC, use_disk_cache)


DESCRIPTIONS = {
    "g": "one-dimensional objective g_k(x) of Step 4 (eq. 39), derived from the ansatz",
    "margin_x": "margin z_k^(k) - z_k^(m) as a function of x = ||h_k||^2",
    "g_x_x": "g_k''(x) (strict convexity)",
    "x_bar": "stationary point of g_k (eq. 42)",
    "c1": "c_1 = sqrt(n_k)/(1+t) at the stationary point (eq. 41)",
    "M_bar": "margin at the stationary point, M-bar_k (eq. 6)",
    "xi": "xi_k(x) of Step 4 under the equality conditions of Lemma 2",
    "h_norm_sq": "||h_k||^2 in terms of M_k (Thm 1(c), eq. 9)",
    "classifier_coefficient": "coefficient of K sqrt(n_k) h_k - sum_m sqrt(n_m) h_m in w_k (Thm 1(d), eq. 10)",
    "classifier_sum_generic": "coefficient of sum_k w_k (Thm 1(d): sum_k w_k = 0)",
    "logit_true": "z_k^(k) (Thm 1(e), eq. 11)",
    "logit_other": "z_k^(m), m != k (eq. 12)",
    "logit_sum": "sum_m z_k^(m)",
    "margin": "margin q_k (eq. 13)",
    "w_norm_sq": "||w_k||^2 (Prop. 1)",
    "w_inner": "w_k^T w_j, k != j (Prop. 1)",
    "w_cos": "cos(w_k, w_j), k != j (Prop. 1)",
    "balanced_w_cos": "cos(w_k, w_j) for balanced counts (Cor. 1, ETF)",
    "balanced_logit_ratio": "z_k^(m) / z_k^(k) for balanced counts (Cor. 1, Z prop I - 11^T/K)",
    "balanced_w_minus_centred_generic": "w_k - s K sqrt(n)(h_k - h_G), generic coefficient (Cor. 1)",
    "balanced_w_minus_centred_special": "w_k - s K sqrt(n)(h_k - h_G), coefficient on h_k (Cor. 1)",
    "balanced_centred_mean_cos": "cos(h_k - h_G, h_j - h_G) for balanced counts (Cor. 1)",
    "w_norm_sq_ratio": "||w_k||^2 / ||w_j||^2 (Cor. 2, eq. 14)",
    "h_norm_sq_ratio": "||h_k||^2 / ||h_j||^2 (Cor. 2, eq. 14)",
    "w_norm_sq_slope_in_a": "d||w_k||^2 / d(sqrt(n_k) M_k) at fixed S (Cor. 2 monotonicity)",
    "M_bar_in_r": "M-bar as a function of r = sqrt(n_k)/c_1",
    "sqrt_n_M_derivative_r": "d(sqrt(n_k) M-bar_k)/dr (Cor. 2 monotonicity)",
    "h_norm_sq_derivative_r": "d||h_k||^2/dr (feature norms are not monotone in n_k)",
    "c1_check": "M-bar(n_k = (c_1 r)^2) - log((K-1)(r-1)) (must be 0)",
    "cos_maj_maj": "cos between two majority classifiers (Cor. 3, eq. 15)",
    "cos_min_min": "cos between two minority classifiers (Cor. 3, eq. 16)",
    "cos_gap": "cos_min_min - cos_maj_maj (Cor. 3 inequality)",
    "C": "collapse threshold: M_k = 0 iff n_k <= C (Cor. 4)",
    "R_star": "minority-collapse ratio: minorities collapse iff R >= R_star (Cor. 4(a))",
}


def expression(name: str) -> sp.Expr:
    """One derived expression by name (see :data:`DESCRIPTIONS`)."""
    forms = derivation()
    if name not in forms:
        raise InputError(f"unknown expression {name!r}; expected one of {', '.join(sorted(forms))}")
    return forms[name]


def is_zero(expr: sp.Expr) -> bool:
    """True when ``expr`` simplifies to 0 (a proof of the identity ``expr == 0``). K is written as
    p + 1 with p > 0 first, so that SymPy may use K - 1 > 0."""
    expr = _internal(sp.sympify(expr))
    candidates: tuple[Callable[[sp.Expr], sp.Expr], ...] = (
        sp.simplify, lambda e: sp.simplify(sp.expand_log(e, force=True)), lambda e: sp.simplify(sp.radsimp(e)))
    return any(f(expr) == 0 for f in candidates)


def in_step4_variable(expr: sp.Expr) -> sp.Expr:
    """Substitute x = log((K-1) t) / slope, i.e. t = exp(margin(x)) / (K-1) (eq. (46)), a bijection
    of x >= 0 onto t >= 1/(K-1); identities of Step 4 become algebraic in t."""
    slope = sp.simplify(derivation()["margin_x"] / x)
    return expr.subs(x, sp.log((K - 1) * t) / slope)
