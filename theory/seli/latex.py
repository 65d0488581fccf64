"""LaTeX export of the closed forms and the formula sheet (a standalone .tex document).

Products are written with an explicit ``\\cdot`` so that the exported LaTeX parses back unambiguously
(``sympy.parsing.latex.parse_latex`` reads ``k_{m} \\left(...\\right)`` as a function call otherwise);
the test suite parses every exported formula back and compares values.
"""

from __future__ import annotations

from typing import Sequence

import sympy as sp

from theory.seli.closed_forms import QUANTITIES, closed_form
from theory.core.vocabulary import CLOSED_FORM_LOSSES, Loss
from theory.core.errors import InputError

_VEC = {"W": "w", "M": r"\mu"}


def quantity_lhs(quantity: str) -> str:
    """LaTeX of the left-hand side of a quantity, e.g. ``\\cos(w_{maj}, w'_{maj})``."""
    if quantity not in QUANTITIES:
        raise InputError(f"unknown quantity {quantity!r}; expected one of {', '.join(QUANTITIES)}")
    block, name = quantity.split(".")
    if block == "WM":
        g = name.split("_")[1]
        return rf"\cos\left(w_{{\mathrm{{{g}}}}}, \mu_{{\mathrm{{{g}}}}}\right)"
    v = _VEC[block]
    if name.startswith("sq_norm"):
        return rf"\left\|{v}_{{\mathrm{{{name[-3:]}}}}}\right\|^2"
    if name == "norm_ratio":
        return rf"\left\|{v}_{{\mathrm{{maj}}}}\right\|^2 / \left\|{v}_{{\mathrm{{min}}}}\right\|^2"
    g1, g2 = name.split("_")[1:]
    second = f"{v}'" if g1 == g2 else v
    return rf"\cos\left({v}_{{\mathrm{{{g1}}}}}, {second}_{{\mathrm{{{g2}}}}}\right)"


def latex_expr(expr: sp.Expr) -> str:
    """``sympy.latex`` with explicit multiplication dots (parses back with ``parse_latex``)."""
    return sp.latex(expr, mul_symbol="dot")


def latex_closed_form(loss: str, quantity: str) -> str:
    """``lhs = rhs`` for one closed form of behnia2023 Thm 2 under STEP imbalance."""
    return f"{quantity_lhs(quantity)} = {latex_expr(closed_form(loss, quantity))}"


def select(loss: str | None = None, quantity: str | None = None) -> list[tuple[str, str]]:
    """(loss, quantity) pairs matching the optional filters, in a fixed order."""
    losses = CLOSED_FORM_LOSSES if loss is None else (Loss.parse(loss, CLOSED_FORM_LOSSES),)
    if quantity is not None and quantity not in QUANTITIES:
        raise InputError(f"unknown quantity {quantity!r}; expected one of {', '.join(QUANTITIES)}")
    quantities = QUANTITIES if quantity is None else (quantity,)
    return [(lo, q) for lo in losses for q in quantities]


ASSUMPTIONS = r"""
\section*{Setting and assumptions}
$(R,\rho)$-STEP imbalance (behnia2023 Sec.~4): $k$ classes, the first $k-k_m$ (majorities) with
$R\,n_{\min}$ samples each, the last $k_m=\rho k$ (minorities) with $n_{\min}$ samples;
$\delta_c=\delta_{\mathrm{maj}}$ or $\delta_{\mathrm{min}}$, $\Delta=\delta_{\mathrm{maj}}/\delta_{\mathrm{min}}$.
$W=[w_1,\dots,w_k]$ and $M=[\mu_1,\dots,\mu_k]$ are the classifiers and class means of the global
minimiser of the CS-SVM (3a) (CDT; CE is CDT with $\Delta=1$) or (3b) (LDT), $d\ge k-1$.
Norms are at the SVM normalisation (all margins equal to 1) with $n_{\min}=\delta_{\min}=1$; for general
values multiply $\|w\|^2$ by $\sqrt{n_{\min}}/\delta_{\min}$ and $\|\mu\|^2$ by
$1/(\sqrt{n_{\min}}\,\delta_{\min})$. Ratios and cosines depend on $(k,k_m,R,\Delta)$ only.
Derivation: $W^\top W=(XNX^\top)^{1/2}$, $M^\top M=X^\top(XNX^\top)^{+1/2}X$, $W^\top M=X$ with
$X=\Xi(\delta)$ (CDT) or $X=\Xi(\mathbf 1)\operatorname{diag}(\delta)^{-1}$ (LDT) and $N=\operatorname{diag}(n_c)$,
evaluated exactly through the eigen-decomposition of the two-block algebra.
"""


def formula_sheet(extra_sections: Sequence[tuple[str, str]] = ()) -> str:
    """A standalone LaTeX document: assumptions, every closed form, the symbolic special cases with
    their proof status, and any ``extra_sections`` given as (title, LaTeX body)."""
    from theory.seli.special_cases import all_proofs

    parts = [r"\documentclass[10pt]{article}", r"\usepackage[margin=2cm]{geometry}",
             r"\usepackage{amsmath,amssymb}", r"\usepackage{breqn}", r"\allowdisplaybreaks",
             r"\title{implicit-geometry: formula sheet}", r"\date{}", r"\begin{document}", r"\maketitle",
             ASSUMPTIONS]
    for loss in CLOSED_FORM_LOSSES:
        parts.append(rf"\section*{{{loss}}}")
        for _, q in select(loss):
            parts.append(r"\begin{dmath*}" + latex_closed_form(loss, q) + r"\end{dmath*}")
    parts.append(r"\section*{Special cases proven symbolically}")
    parts.append(r"\begin{itemize}")
    for proof in all_proofs():
        status = "proved" if proof.holds else r"\textbf{NOT proved}"
        parts.append(rf"\item {proof.claim}: \verb|{proof.statement}| --- {status}")
    parts.append(r"\end{itemize}")
    for title, body in extra_sections:
        parts.append(rf"\section*{{{title}}}")
        parts.append(body)
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"
