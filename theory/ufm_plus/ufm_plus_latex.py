"""LaTeX export of the derived UFM+ formulas of dang2024 (Thm 1, Prop. 1, Cor. 1-4).

Every right-hand side is ``sympy.latex`` of an expression derived in :mod:`theory.ufm_plus.symbolic`
(where it differs from the printed paper, the derived form is exported and the erratum says why).
:func:`formulas` feeds the suite-wide formula sheet (:mod:`theory.formula_sheet`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from theory.ufm_plus.symbolic import derivation, n_k

_COMMON = (r"$K \ge 2$ classes, $n_k$ samples in class $k$, $N = \sum_k n_k$, "
           r"$\lambda_W, \lambda_H > 0$, $d \ge K$")
_S = r"$S = \sum_{m=1}^K \sqrt{n_m} M_m$"


@dataclass(frozen=True)
class Formula:
    """One exported formula: ``latex`` is ``lhs = rhs``; ``source`` names the paper's result."""

    lhs: str
    latex: str
    source: str
    assumptions: str
    where: tuple[str, ...] = ()


#: a right-hand side longer than this (characters of LaTeX) names the long factors of its denominator
_LONG = 300


def _named_denominator(expr: sp.Expr) -> tuple[sp.Expr, tuple[str, ...]]:
    """``expr`` with each long factor of its denominator replaced by D_1, D_2, ..., and the LaTeX
    definitions ``D_i = ...`` (so a sheet can typeset the formula within the page width)."""
    if len(sp.latex(expr)) <= _LONG:
        return expr, ()
    num, den = sp.fraction(expr)
    long_factors = [f for f in sp.Mul.make_args(den) if len(sp.latex(f)) > 60]
    if len(long_factors) < 2:
        return expr, ()
    names = sp.symbols(f"D_1:{len(long_factors) + 1}", positive=True)
    short = num / sp.Mul(*(f for f in sp.Mul.make_args(den) if f not in long_factors), *names)
    return short, tuple(f"{sp.latex(n)} = {sp.latex(f)}" for n, f in zip(names, long_factors))


def _entries() -> list[tuple[str, str, str, str, str]]:
    """(name, lhs, derived key, source, assumptions)."""
    return [
        ("g", r"g_k(x)", "g", "dang2024 Step 4, eq. (39)",
         _COMMON + r"; $x = \|\mathbf{h}_k\|^2$ at the collapsed orthogonal configuration"),
        ("c1", r"c_1", "c1", "dang2024 eq. (41), corrected", _COMMON),
        ("M_bar", r"\overline{M}_k", "M_bar", "dang2024 eq. (6), corrected", _COMMON),
        ("M", r"M_k", "M", "dang2024 eq. (6), corrected", _COMMON),
        ("C", r"C(N, K, \lambda_W, \lambda_H)", "C", "dang2024 Cor. 4",
         _COMMON + r"; class $k$ collapses ($M_k = 0$, $\mathbf{h}_k = 0$) iff $n_k \le C$"),
        ("h_norm_sq", r"\|\mathbf{h}_k\|^2", "h_norm_sq", "dang2024 Thm 1(c), eq. (9)", _COMMON),
        ("classifier", r"\mathbf{w}_k", "classifier_coefficient", "dang2024 Thm 1(d), eq. (10)", _COMMON),
        ("logit_true", r"z_k^{(k)}", "logit_true", "dang2024 Thm 1(e), eq. (11)", _COMMON),
        ("logit_other", r"z_k^{(m)}", "logit_other", "dang2024 Thm 1(e), eq. (12)", _COMMON + r"; $m \ne k$"),
        ("margin", r"q_{k,i}", "margin", "dang2024 eq. (13)", _COMMON),
        ("w_norm_sq", r"\|\mathbf{w}_k\|^2", "w_norm_sq", "dang2024 Prop. 1", _COMMON + "; " + _S),
        ("w_inner", r"\mathbf{w}_k^\top \mathbf{w}_j", "w_inner", "dang2024 Prop. 1",
         _COMMON + r"; $k \ne j$; " + _S),
        ("w_cos", r"\cos(\mathbf{w}_k, \mathbf{w}_j)", "w_cos", "dang2024 Prop. 1",
         _COMMON + r"; $k \ne j$, not complete collapse; " + _S),
        ("balanced_w_cos", r"\cos(\mathbf{w}_k, \mathbf{w}_j)", "balanced_w_cos", "dang2024 Cor. 1 (ETF)",
         _COMMON + r"; $n_1 = \dots = n_K$, $M > 0$"),
        ("balanced_logit_ratio", r"z_k^{(m)} / z_k^{(k)}", "balanced_logit_ratio",
         r"dang2024 Cor. 1 ($\mathbf{Z} \propto \mathbf{I}_K - \frac{1}{K}\mathbf{1}\mathbf{1}^\top$)",
         _COMMON + r"; $n_1 = \dots = n_K$"),
        ("w_norm_sq_ratio", r"\|\mathbf{w}_k\|^2 / \|\mathbf{w}_j\|^2", "w_norm_sq_ratio",
         "dang2024 Cor. 2, eq. (14)", _COMMON + "; " + _S),
        ("h_norm_sq_ratio", r"\|\mathbf{h}_k\|^2 / \|\mathbf{h}_j\|^2", "h_norm_sq_ratio",
         "dang2024 Cor. 2, eq. (14), corrected", _COMMON + r"; $M_j > 0$"),
        ("cos_maj_maj", r"\cos(\mathbf{w}_{\mathrm{maj}}, \mathbf{w}'_{\mathrm{maj}})", "cos_maj_maj",
         "dang2024 Cor. 3, eq. (15)", _COMMON + r"; $K_A$ classes of $n_A$, $K_B$ of $n_B$, $K = K_A + K_B$"),
        ("cos_min_min", r"\cos(\mathbf{w}_{\mathrm{min}}, \mathbf{w}'_{\mathrm{min}})", "cos_min_min",
         "dang2024 Cor. 3, eq. (16)", _COMMON + r"; $K_A$ classes of $n_A$, $K_B$ of $n_B$, $K = K_A + K_B$"),
        ("cos_gap", r"\cos(\mathbf{w}_{\mathrm{min}}, \mathbf{w}'_{\mathrm{min}}) - "
         r"\cos(\mathbf{w}_{\mathrm{maj}}, \mathbf{w}'_{\mathrm{maj}})", "cos_gap",
         "dang2024 Cor. 3 (its inequality: > 0 iff $\\sqrt{n_A} M_A > \\sqrt{n_B} M_B$)",
         _COMMON + r"; two groups as above"),
        ("R_star", r"R^*", "R_star", "dang2024 Cor. 4(a), eq. (17) solved for R",
         _COMMON + r"; $n_B$, $K_A$, $K_B$ fixed, $n_A = R n_B$; minorities collapse iff $R \ge R^*$"),
    ]


def formulas() -> dict[str, Formula]:
    """Every exported formula by name (LaTeX of the derived expressions)."""
    forms = dict(derivation())
    forms["M"] = sp.Piecewise((forms["M_bar"], n_k > forms["C"]), (0, True))
    out: dict[str, Formula] = {}
    for name, lhs, key, source, assumptions in _entries():
        expr, where = _named_denominator(forms[key])
        rhs = sp.latex(expr)
        if name == "classifier":
            rhs += (r"\left(K\sqrt{n_k}\,\mathbf{h}_k - \sum_{m=1}^K \sqrt{n_m}\,\mathbf{h}_m\right),"
                    r"\quad \sum_{k=1}^K \mathbf{w}_k = \mathbf{0}")
        out[name] = Formula(lhs=lhs, latex=f"{lhs} = {rhs}", source=source, assumptions=assumptions,
                            where=where)
    return out
