"""Symbolic proofs of the special cases of behnia2023 Def. 1, Thm 2, Cor. 3 and Remark 4.

Each proof reduces a claim to residual expressions that must simplify to exactly 0 (not sampled) and,
for cosines that involve a square root, to sign conditions proven by SymPy's assumptions system after
writing a = 1 + a', m = 1 + m' with a', m' >= 0. The objects are the two-block matrices of
:mod:`theory.seli.closed_forms` (a majority and m minority classes, r = sqrt(R), s = sqrt(t)).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from theory.seli.block_algebra import TwoBlock
from theory.seli.closed_forms import Delta, _sel, a, class_logits, internal_forms, m, r, rationalized, s
from theory.core.vocabulary import SWEPT_LOSSES, Loss

_a0, _m0 = sp.symbols("a0 m0", nonnegative=True)
_c = sp.Symbol("c", positive=True)


@dataclass(frozen=True)
class SymbolicProof:
    """A claim, its residuals (each must be identically 0) and sign conditions (expr, +1 or -1)."""

    claim: str
    statement: str
    residuals: tuple[sp.Expr, ...]
    signs: tuple[tuple[sp.Expr, int], ...] = ()
    tex: str = ""
    """The statement as LaTeX text (math in ``$...$``), as the formula sheet typesets it."""

    @property
    def holds(self) -> bool:
        """True iff every residual is 0 and every sign condition is proven."""
        return all(res == 0 for res in self.residuals) and all(_sign_proven(e, sg) for e, sg in self.signs)


def _sign_proven(expr: sp.Expr, sign: int) -> bool:
    e = sp.factor(sp.cancel(expr.subs({a: 1 + _a0, m: 1 + _m0}, simultaneous=True)))
    return bool((sign * e).is_positive)


def _zero(expr: sp.Expr, t: sp.Expr | None = None) -> sp.Expr:
    """Canonical residual: rationalised modulo s^2 = t when s occurs, else cancelled."""
    if t is not None and expr.has(s):
        return rationalized(expr, t)
    return sp.factor(sp.cancel(sp.together(expr)))


def _specialise(G: TwoBlock, t: sp.Expr, subs: dict) -> tuple[TwoBlock, sp.Expr]:
    """Substitute ``subs`` into G and t. When the new t is the square of a rational function, s is
    replaced by that root; otherwise s stays a symbol with s^2 = t (residuals are then rationalised)."""
    t_new = sp.factor(sp.cancel(t.subs(subs)))
    root = sp.sqrt(t_new)
    rational_root = all(not (isinstance(p, sp.Pow) and not p.exp.is_integer) for p in sp.preorder_traversal(root))
    f = lambda e: sp.cancel(sp.sympify(e).subs(subs).subs(s, root) if rational_root  # noqa: E731
                            else sp.sympify(e).subs(subs))
    return TwoBlock((f(G.x[0]), f(G.x[1])), G.B.applyfunc(f), G.sizes), t_new


def _cos_claims(G: TwoBlock, H: tuple[TwoBlock, TwoBlock], i: int, j: int, same: bool,
                target: sp.Expr, sign: int, t: sp.Expr) -> tuple[list, list]:
    """cos = G[c,c'] / sqrt(H0[c,c] H1[c',c']) equals ``target`` (of sign ``sign``): the residual
    num^2 - target^2 H0[c,c] H1[c',c'] and the sign of num (H = (G, G) for cosines inside one Gram
    matrix; for cos(w_c, mu_c): G = X = W^T M, H = (G_W, G_M))."""
    num = G.entry(i, j, same)
    return [_zero(num**2 - target**2 * H[0].entry(i, i, True) * H[1].entry(j, j, True), t)], [(num, sign)]


@functools.lru_cache(maxsize=None)
def sel_entries_at_delta_one() -> SymbolicProof:
    """Def. 1: delta = 1 gives SEL entries 1 - 1/k (diagonal) and -1/k (off-diagonal)."""
    X = _sel(sp.Integer(1), sp.Integer(1))
    k = a + m
    res = [X.entry(g, g, True) - (1 - 1 / k) for g in (0, 1)]
    res += [X.entry(g, h, False) + 1 / k for g in (0, 1) for h in (0, 1)]
    return SymbolicProof("behnia2023 Def. 1", "delta = 1: Xi has entries 1 - 1/k and -1/k",
                         tuple(_zero(e) for e in res),
                         tex=r"$\delta = \mathbf 1$: $\Xi$ has entries $1 - \frac1k$ and $-\frac1k$")


@functools.lru_cache(maxsize=None)
def kernel_identity(loss: str) -> SymbolicProof:
    """Def. 1: Z-hat^T diag(delta)^{-1} 1 = 0 (CDT); the LDT logits satisfy Z^T 1 = 0."""
    X = class_logits(loss)
    loss = Loss.parse(loss, SWEPT_LOSSES)
    v = (1 / Delta, sp.Integer(1)) if loss == Loss.CDT else (sp.Integer(1), sp.Integer(1))
    res = X.T.apply(*v)
    stmt = ("Xi(delta)^T diag(delta)^{-1} 1 = 0" if loss == Loss.CDT else "(Xi(1) diag(1/delta))^T 1 = 0")
    tex = (r"$\Xi(\delta)^\top \operatorname{diag}(\delta)^{-1}\mathbf 1 = 0$" if loss == Loss.CDT else
           r"$(\Xi(\mathbf 1)\operatorname{diag}(1/\delta))^\top \mathbf 1 = 0$")
    return SymbolicProof("behnia2023 Def. 1", stmt, tuple(_zero(e) for e in res), tex=tex)


@functools.lru_cache(maxsize=None)
def rank_k_minus_one(loss: str) -> SymbolicProof:
    """rank X = k - 1: X N X^T has eigenvalues x_A > 0 (a - 1 times), x_B > 0 (m - 1 times), tr T > 0
    and 0 (det T = 0)."""
    f = internal_forms(loss)
    S = f.X @ TwoBlock.diagonal(r**2, sp.Integer(1), f.X.sizes) @ f.X.T
    T = S.compressed()
    return SymbolicProof("behnia2023 Def. 1", "rank Z-hat = k - 1", (_zero(T.det()),),
                         ((S.x[0], 1), (S.x[1], 1), (f.t, 1)), tex=f"{loss}: $\\operatorname{{rank}} \\hat Z = k - 1$")


@functools.lru_cache(maxsize=None)
def margins_equal_one(loss: str) -> SymbolicProof:
    """Thm 2: every margin of eq. (3a) (CDT) or (3b) (LDT) equals 1 at the predicted logits."""
    loss = Loss.parse(loss, SWEPT_LOSSES)
    X = class_logits(loss)
    d = (Delta, sp.Integer(1))
    res = []
    for g in (0, 1):  # label group
        for h in (0, 1):  # competing class group
            if loss == Loss.CDT:
                res.append(d[g] * X.entry(g, g, True) - d[h] * X.entry(h, g, False) - 1)
            else:
                res.append(d[g] * (X.entry(g, g, True) - X.entry(h, g, False)) - 1)
    return SymbolicProof("behnia2023 Thm 2", f"{loss}: all margins equal 1 at Z-hat", tuple(_zero(e) for e in res),
                         tex=f"{loss}: every margin equals $1$ at $\\hat Z$")


@functools.lru_cache(maxsize=None)
def remark4_centering(loss: str) -> SymbolicProof:
    """Remark 4: CDT sum_c w_c/delta_c = 0 and sum_c mu_c = 0; LDT sum_c w_c = 0 and
    sum_c delta_c mu_c = 0 (each as a vanishing quadratic form of a Gram matrix)."""
    f = internal_forms(loss)
    if f.loss == Loss.CDT:
        res = (f.G_W.quadratic_form(1 / Delta, 1), f.G_M.quadratic_form(1, 1))
        stmt = "CDT: sum_c w_c / delta_c = 0 and sum_c mu_c = 0 (eq. 6)"
        tex = r"CDT: $\sum_c w_c / \delta_c = 0$ and $\sum_c \mu_c = 0$ (eq. 6)"
    else:
        res = (f.G_W.quadratic_form(1, 1), f.G_M.quadratic_form(Delta, 1))
        stmt = "LDT: sum_c w_c = 0 and sum_c delta_c mu_c = 0 (eq. 7)"
        tex = r"LDT: $\sum_c w_c = 0$ and $\sum_c \delta_c \mu_c = 0$ (eq. 7)"
    return SymbolicProof("behnia2023 Remark 4", stmt, tuple(_zero(e, f.t) for e in res), tex=tex)


@functools.lru_cache(maxsize=None)
def only_delta_ratio_matters(loss: str) -> SymbolicProof:
    """Thm 2 discussion: scaling delta by c > 0 divides X by c, so G_W, G_M, G_WM all scale by 1/c and
    every norm ratio and cosine depends on delta only through Delta = delta_maj / delta_min."""
    if Loss.parse(loss, SWEPT_LOSSES) == Loss.CDT:
        X1, Xc = _sel(Delta, sp.Integer(1)), _sel(_c * Delta, _c)
    else:
        X1 = class_logits(Loss.LDT)
        Xc = _sel(sp.Integer(1), sp.Integer(1)) @ TwoBlock.diagonal(1 / (_c * Delta), 1 / _c, X1.sizes)
    diff = Xc - X1.scale(1 / _c)
    res = (*diff.x, *list(diff.B))
    return SymbolicProof("behnia2023 Thm 2", f"{loss}: X(c delta) = X(delta) / c", tuple(_zero(e) for e in res),
                         tex=f"{loss}: $X(c\\,\\delta) = X(\\delta) / c$")


@functools.lru_cache(maxsize=None)
def cdt_alignment_at_sqrt_R() -> SymbolicProof:
    """Cor. 3(i): Delta = sqrt(R) gives cos(w_c, mu_c) = 1 for every class (CDT)."""
    f = internal_forms(Loss.CDT)
    sub = {Delta: r}
    X, t = _specialise(f.X, f.t, sub)
    GW, _ = _specialise(f.G_W, f.t, sub)
    GM, _ = _specialise(f.G_M, f.t, sub)
    res, signs = [], []
    for g in (0, 1):
        rr, ss = _cos_claims(X, (GW, GM), g, g, True, sp.Integer(1), 1, t)
        res += rr
        signs += ss
    return SymbolicProof("behnia2023 Cor. 3(i)", "CDT, Delta = sqrt(R): cos(w_c, mu_c) = 1 for all c",
                         tuple(res), tuple(signs),
                         tex=r"CDT, $\Delta = \sqrt R$: $\cos(w_c, \mu_c) = 1$ for every $c$")


def _etf_claims(G: TwoBlock, k_total: sp.Expr, t: sp.Expr) -> tuple[list, list]:
    """Equal squared norms and all cosines -1/(k-1) inside one Gram matrix."""
    res = [_zero(G.entry(0, 0, True) - G.entry(1, 1, True), t)]
    signs = []
    target = -1 / (k_total - 1)
    for g in (0, 1):
        res.append(_zero(G.entry(g, g, False) - target * G.entry(g, g, True), t))
    rr, ss = _cos_claims(G, (G, G), 0, 1, False, target, -1, t)
    return res + rr, signs + ss


def _aligned_etf(GW: TwoBlock, GM: TwoBlock, X: TwoBlock, t: sp.Expr) -> tuple[list, list]:
    """Claims that W and M (Gram matrices GW, GM, cross Gram X = W^T M) form the same simplex ETF with
    every w_c aligned to mu_c."""
    res, signs = [], []
    for G in (GW, GM):
        rr, ss = _etf_claims(G, a + m, t)
        res += rr
        signs += ss
    for g in (0, 1):
        rr, ss = _cos_claims(X, (GW, GM), g, g, True, sp.Integer(1), 1, t)
        res += rr
        signs += ss
    return res, signs


@functools.lru_cache(maxsize=None)
def ldt_etf_at_sqrt_R() -> SymbolicProof:
    """Cor. 3(ii): Delta = sqrt(R): (W, M diag(delta)) is a simplex ETF, aligned, and the minority
    class means are sqrt(R) times longer than the majority ones (||mu_min||^2 = R ||mu_maj||^2)."""
    f = internal_forms(Loss.LDT)
    sub = {Delta: r}
    GW, t = _specialise(f.G_W, f.t, sub)
    GM, _ = _specialise(f.G_M, f.t, sub)
    X, _ = _specialise(f.X, f.t, sub)
    D = TwoBlock.diagonal(r, sp.Integer(1), GM.sizes)  # diag(delta) with delta_maj = Delta = r
    GMD = D @ GM @ D
    XD = X @ D
    res, signs = _aligned_etf(GW, GMD, XD, t)
    res.append(_zero(GM.entry(1, 1, True) - r**2 * GM.entry(0, 0, True), t))
    return SymbolicProof("behnia2023 Cor. 3(ii)", "LDT, Delta = sqrt(R): (W, M diag(delta)) is an aligned "
                         "simplex ETF and ||mu_min|| = sqrt(R) ||mu_maj||", tuple(res), tuple(signs),
                         tex=r"LDT, $\Delta = \sqrt R$: $(W, M\operatorname{diag}(\delta))$ is an aligned simplex ETF "
                         r"and $\|\mu_{\min}\| = \sqrt R\,\|\mu_{\mathrm{maj}}\|$")


@functools.lru_cache(maxsize=None)
def etf_when_balanced(loss: str) -> SymbolicProof:
    """Def. 1 / Thm 2: R = 1 and Delta = 1 give the simplex ETF (cosines -1/(k-1), equal norms, aligned)."""
    f = internal_forms(loss)
    sub = {Delta: 1, r: 1}
    GW, t = _specialise(f.G_W, f.t, sub)
    GM, _ = _specialise(f.G_M, f.t, sub)
    X, _ = _specialise(f.X, f.t, sub)
    res, signs = _aligned_etf(GW, GM, X, t)
    return SymbolicProof("behnia2023 Def. 1", f"{loss}, R = 1, Delta = 1: W and M form the same simplex ETF",
                         tuple(res), tuple(signs), tex=f"{loss}, $R = 1$, $\\Delta = 1$: $W$ and $M$ form the same simplex ETF")


def all_proofs() -> list[SymbolicProof]:
    """Every symbolic proof of this module (CE is CDT at Delta = 1)."""
    out = [sel_entries_at_delta_one(), cdt_alignment_at_sqrt_R(), ldt_etf_at_sqrt_R()]
    for loss in SWEPT_LOSSES:
        out += [kernel_identity(loss), rank_k_minus_one(loss), margins_equal_one(loss),
                remark4_centering(loss), only_delta_ratio_matters(loss), etf_when_balanced(loss)]
    return out
