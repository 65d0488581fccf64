"""SymPy closed forms of the SELI geometry under (R, rho)-STEP imbalance (behnia2023 Thm 2, Cor. 3).

Derived in code, not transcribed: the class-level logits X (CDT: Xi(delta); LDT: Xi(1) diag(1/delta))
and N = diag(n_c) are elements of the two-block algebra of :mod:`theory.seli.block_algebra`; the Gram
matrices G_W = (X N X^T)^{1/2}, G_M = X^T (X N X^T)^{+1/2} X, G_WM = X follow from its exact
eigen-decomposition. Normalisation: delta_min = 1, n_min = 1 and delta_maj = Delta, n_maj = R. For
general (n_min, delta_min) multiply G_W by sqrt(n_min)/delta_min, G_M by 1/(sqrt(n_min) delta_min) and
G_WM by 1/delta_min (X(c delta) = X(delta)/c and N -> n_min N); ratios and cosines do not change.

Internally every entry is a rational function of (a, m, r, Delta, s) with a = k - k_m majority
classes, m = k_m minority classes, r = sqrt(R) and s = sqrt(t), t the non-zero eigenvalue of the
compressed 2 x 2 block of X N X^T. Expressions are reduced modulo s^2 = t to the form (p0 + p1 s) / q.
Public expressions use the symbols k, k_m, R, Delta.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import sympy as sp

from theory.core.validate import positive_int, positive_real, step_shape
from theory.seli.block_algebra import TwoBlock
from theory.infra.formula_cache import cached
from theory.seli.quantities import QUANTITIES
from theory.core.vocabulary import CLOSED_FORM_LOSSES, SWEPT_LOSSES, Loss
from theory.core.errors import InputError
from theory.seli.step_setting import StepSetting

# internal symbols
a, m, r, s = sp.symbols("a m r s", positive=True)
# public symbols
k, k_m, R, Delta = sp.symbols("k k_m R Delta", positive=True)
SYMBOLS = {"k": k, "k_m": k_m, "R": R, "Delta": Delta}


_ONE = sp.Integer(1)
_SIZES = (a, m)


@dataclass(frozen=True)
class InternalForm:
    """Closed forms of one loss in internal symbols; ``t`` defines s = sqrt(t)."""

    loss: str
    t: sp.Expr
    quantities: dict[str, sp.Expr]
    X: TwoBlock
    G_W: TwoBlock
    G_M: TwoBlock


def _sel(d_maj: sp.Expr, d_min: sp.Expr) -> TwoBlock:
    """Xi(delta) = diag(delta)^{-1} (I - 1 p^T), p_j = delta_j^{-2} / sum delta^{-2} (Def. 1(a))."""
    total = a / d_maj**2 + m / d_min**2
    p = (1 / (d_maj**2 * total), 1 / (d_min**2 * total))
    ones_p = TwoBlock((sp.Integer(0), sp.Integer(0)), sp.Matrix([[p[0], p[1]], [p[0], p[1]]]), _SIZES)
    return TwoBlock.diagonal(1 / d_maj, 1 / d_min, _SIZES) @ (TwoBlock.diagonal(_ONE, _ONE, _SIZES) - ones_p)


def class_logits(loss: str) -> TwoBlock:
    """Class-level logits X: CDT Xi(Delta, 1) (Thm 2(i)); LDT Xi(1) diag(1/Delta, 1) (Thm 2(ii))."""
    loss = Loss.parse(loss, SWEPT_LOSSES)
    if loss == Loss.CDT:
        return _sel(Delta, _ONE)
    return _sel(_ONE, _ONE) @ TwoBlock.diagonal(1 / Delta, _ONE, _SIZES)


def _split_s(poly_expr: sp.Expr, t: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Write a polynomial in s as p0 + p1 s using s^2 = t."""
    P = sp.Poly(sp.expand(poly_expr), s)
    even, odd = sp.Integer(0), sp.Integer(0)
    for (deg,), coeff in P.terms():
        term = coeff * t ** (deg // 2)
        if deg % 2:
            odd += term
        else:
            even += term
    return even, odd


def _reduce(expr: sp.Expr, t: sp.Expr) -> sp.Expr:
    """Reduced form (p0 + p1 s) / (q0 + q1 s) of a rational function of s, using s^2 = t, with
    p_i, q_i factored rational functions of (a, m, r, Delta)."""
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    n0, n1 = _split_s(num, t)
    d0, d1 = _split_s(den, t)
    if d1 == 0:
        return sp.factor(sp.cancel(n0 / d0)) + sp.factor(sp.cancel(n1 / d0)) * s
    numer = sp.factor(sp.cancel(n0)) + sp.factor(sp.cancel(n1)) * s
    denom = sp.factor(sp.cancel(d0)) + sp.factor(sp.cancel(d1)) * s
    return numer / denom


def rationalized(expr: sp.Expr, t: sp.Expr) -> sp.Expr:
    """Canonical p0 + p1 s (denominator rationalised with its conjugate): two expressions are equal
    iff their rationalised difference is 0 (s is irrational over the field of the other symbols
    unless t is a square, in which case substitute first). Used for symbolic proofs of identities."""
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    n0, n1 = _split_s(num, t)
    d0, d1 = _split_s(den, t)
    if d1 != 0:
        n0, n1 = n0 * d0 - n1 * d1 * t, n1 * d0 - n0 * d1
        d0 = d0**2 - d1**2 * t
    return sp.factor(sp.cancel(n0 / d0)) + sp.factor(sp.cancel(n1 / d0)) * s


def _derive_internal(loss: str) -> InternalForm:
    X = class_logits(loss)
    N = TwoBlock.diagonal(r**2, _ONE, _SIZES)
    S = X @ N @ X.T
    t = sp.factor(S.nonzero_eigenvalue())
    # s = sqrt(t); square roots of x_A = r^2/Delta^2 and x_B = 1 are exact for positive symbols
    G_W = S.apply_rank_deficient(sp.sqrt, s)
    G_M = X.T @ S.apply_rank_deficient(lambda v: 1 / sp.sqrt(v), 1 / s) @ X
    red = functools.partial(_reduce, t=t)
    q: dict[str, sp.Expr] = {}
    for name, G in (("W", G_W), ("M", G_M)):
        maj = red(G.entry(0, 0, True))
        mnr = red(G.entry(1, 1, True))
        q[f"{name}.sq_norm_maj"] = maj
        q[f"{name}.sq_norm_min"] = mnr
        q[f"{name}.norm_ratio"] = red(maj / mnr)
        q[f"{name}.cos_maj_maj"] = red(G.entry(0, 0, False) / maj)
        q[f"{name}.cos_min_min"] = red(G.entry(1, 1, False) / mnr)
        q[f"{name}.cos_maj_min"] = red(G.entry(0, 1, False)) / sp.sqrt(maj * mnr)
    for g, key in ((0, "WM.cos_maj"), (1, "WM.cos_min")):
        q[key] = red(X.entry(g, g, True)) / sp.sqrt(q[f"W.sq_norm_{'maj' if g == 0 else 'min'}"]
                                                     * q[f"M.sq_norm_{'maj' if g == 0 else 'min'}"])
    return InternalForm(loss=loss, t=t, quantities=q, X=X, G_W=G_W, G_M=G_M)


@functools.lru_cache(maxsize=None)
def internal_forms(loss: str) -> InternalForm:
    """Internal-symbol closed forms of CDT or LDT (CE: use CDT with Delta = 1). Cached in memory."""
    return _derive_internal(Loss.parse(loss, SWEPT_LOSSES))


def to_public(expr: sp.Expr, t: sp.Expr) -> sp.Expr:
    """Replace s -> sqrt(t), r -> sqrt(R), a -> k - k_m, m -> k_m."""
    out = expr.subs(s, sp.sqrt(t)).subs({r: sp.sqrt(R)}).subs({a: k - k_m, m: k_m}, simultaneous=True)
    return out


# ---------------------------------------------------------------------------- public forms + caching
def _derive_public() -> dict[str, sp.Expr]:
    forms: dict[str, sp.Expr] = {}
    for loss in SWEPT_LOSSES:  # CE is CDT at Delta = 1
        f = internal_forms(loss)
        for qname, expr in f.quantities.items():
            forms[f"{loss}.{qname}"] = to_public(expr, f.t)
            if loss == Loss.CDT:
                forms[f"{Loss.CE}.{qname}"] = to_public(sp.factor(expr.subs(Delta, 1)), f.t.subs(Delta, 1))
    return forms


@functools.lru_cache(maxsize=1)
def closed_forms(use_disk_cache: bool = True) -> dict[str, sp.Expr]:
    """All closed forms, keyed ``"{loss}.{block}.{quantity}"`` (loss in CE, CDT, LDT).

    Derived on first use (a few seconds) and cached on disk, keyed by a hash of the deriving source
    and the SymPy version, so a changed derivation never reads a stale cache.
    """
    return cached("closed_forms", ("seli/block_algebra.py", "seli/closed_forms.py"), _derive_public, SYMBOLS,
                  use_disk_cache)


def closed_form(loss: str, quantity: str) -> sp.Expr:
    """One closed form, e.g. ``closed_form("CDT", "W.norm_ratio")``."""
    loss = Loss.parse(loss, CLOSED_FORM_LOSSES)
    if quantity not in QUANTITIES:
        raise InputError(f"unknown quantity {quantity!r}; expected one of {', '.join(QUANTITIES)}")
    return closed_forms()[f"{loss}.{quantity}"]


@functools.lru_cache(maxsize=None)
def _lambdified(key: str) -> Callable[..., float]:
    return sp.lambdify((k, k_m, R, Delta), closed_forms()[key], modules="mpmath")


def check_step_args(k_: object, k_minor: object, R_: object, delta_ratio: object) -> tuple[int, int, float, float]:
    """Validate (k, k_minor, R, Delta) of a STEP geometry; ``ValueError`` with a readable message."""
    kk, km = step_shape(k_, k_minor)
    return kk, km, positive_real("R", R_), positive_real("delta_ratio (Delta)", delta_ratio)


def evaluate(loss: str, k_: int, k_minor: int, R_: float, delta_ratio: float,
             dps: int = 30) -> dict[str, float | None]:
    """All quantities of one loss at a STEP setting, evaluated from the closed forms in ``dps``-digit
    arithmetic, then rounded to float. Cosines within a group of a single class are ``None``.
    """
    loss = Loss.parse(loss, CLOSED_FORM_LOSSES)
    kk, km, RR, DD = check_step_args(k_, k_minor, R_, delta_ratio)
    return _evaluate(loss, kk, km, RR, DD, dps)


def evaluate_setting(setting: StepSetting, dps: int = 30) -> dict[str, float | None]:
    """:func:`evaluate` at a :class:`theory.seli.step_setting.StepSetting` (validated when it was built)."""
    return _evaluate(setting.loss, setting.k, setting.k_minor, setting.R, setting.delta_ratio, dps)


def _evaluate(loss: Loss, kk: int, km: int, RR: float, DD: float, dps: int) -> dict[str, float | None]:
    import mpmath

    out: dict[str, float | None] = {}
    with mpmath.workdps(positive_int("dps", dps, minimum=15)):
        for qname in QUANTITIES:
            if (qname.endswith("cos_maj_maj") and kk - km < 2) or (qname.endswith("cos_min_min") and km < 2):
                out[qname] = None
                continue
            val = _lambdified(f"{loss}.{qname}")(mpmath.mpf(kk), mpmath.mpf(km), mpmath.mpf(RR), mpmath.mpf(DD))
            out[qname] = float(val)
    return out


