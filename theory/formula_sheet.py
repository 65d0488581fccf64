"""The formula sheet: the derived formulas of all three papers, as LaTeX and as report blocks.

One function serves ``igeom latex --sheet`` and the sheet ``igeom verify`` writes beside its report, and
the report typesets the same blocks. Sections: behnia2023 (the SELI geometry under STEP imbalance for
CE, CDT and LDT in reduced form, the limits R -> infinity of the minority cosine, the special cases
proven symbolically), dang2024 (the UFM+ minimiser, derived forms with the corrections its errata
record), yang2022 (the ETF, the DLPM optimum and the CE / DR gradients). Every right-hand side is
``sympy.latex`` of a derived expression.
"""

from __future__ import annotations

import sympy as sp

from theory.core.errors import InputError
from theory.core.vocabulary import CLOSED_FORM_LOSSES, Loss
from theory.etf import identities as etf_identities
from theory.infra.rich import Block, to_latex
from theory.seli import sheet as seli_sheet
from theory.seli.limits import limit_R_infinity
from theory.seli.quantities import QUANTITIES
from theory.seli.special_cases import all_proofs
from theory.ufm_plus.ufm_plus_latex import formulas as ufm_plus_formulas

#: T1 font encoding needs lmodern: without it LaTeX falls back to bitmap (Type 3) EC fonts in the PDF
_PREAMBLE = (r"\documentclass[10pt]{article}", r"\usepackage[margin=2cm]{geometry}",
             r"\usepackage[T1]{fontenc}", r"\usepackage{lmodern}", r"\usepackage{amsmath,amssymb}", r"\usepackage{breqn}",
             r"\allowdisplaybreaks", r"\setlength{\parindent}{0pt}", r"\setlength{\parskip}{0.4em}",
             r"\title{implicit-geometry: formula sheet}", r"\date{}", r"\begin{document}", r"\maketitle")

_SETTING = (
    r"$(R,\rho)$-STEP imbalance (behnia2023 Sec. 4): $k$ classes, $k - k_m$ majorities with $R\,n_{\min}$ "
    r"samples each and $k_m = \rho k$ minorities with $n_{\min}$ samples; $\Delta = \delta_{\mathrm{maj}} / "
    r"\delta_{\min}$. $W = [w_1, \dots, w_k]$ and $M = [\mu_1, \dots, \mu_k]$ are the classifiers and the "
    r"(uncentred) class means of the global minimiser of the CS-SVM (3a) (CDT; CE is CDT at $\Delta = 1$) "
    r"or (3b) (LDT), $d \ge k - 1$: $W^\top W = (XNX^\top)^{1/2}$, $M^\top M = X^\top (XNX^\top)^{+1/2} X$ "
    r"and $W^\top M = X$ with $X = \Xi(\delta)$ (CDT) or $\Xi(\mathbf 1)\operatorname{diag}(\delta)^{-1}$ "
    r"(LDT), $N = \operatorname{diag}(n_c)$ (Thm 2). Norms are at the SVM normalisation (every margin "
    r"equal to 1) with $n_{\min} = \delta_{\min} = 1$; for general values multiply $\|w\|^2$ by "
    r"$\sqrt{n_{\min}}/\delta_{\min}$ and $\|\mu\|^2$ by $1/(\sqrt{n_{\min}}\,\delta_{\min})$. Ratios and "
    r"cosines depend on $(k, k_m, R, \Delta)$ only.")

_LIMITS = ((Loss.CE, None, r"CE"), (Loss.CDT, None, r"CDT, $\Delta$ fixed"),
           (Loss.CDT, "1/2", r"CDT, $\Delta = \sqrt{R}$"), (Loss.LDT, None, r"LDT, $\Delta$ fixed"),
           (Loss.LDT, "1/2", r"LDT, $\Delta = \sqrt{R}$"))


def _behnia2023(loss: str | None, quantity: str | None, complete: bool) -> list[Block]:
    blocks = [Block("section", "behnia2023: SELI geometry under STEP imbalance", "sheet-behnia2023"),
              Block("text", _SETTING)]
    losses = CLOSED_FORM_LOSSES if loss is None else (Loss.parse(loss),)
    if quantity is not None and quantity not in QUANTITIES:
        raise InputError(f"unknown quantity {quantity!r}; expected one of {', '.join(QUANTITIES)}")
    for name in losses:
        if name not in CLOSED_FORM_LOSSES:
            raise InputError(f"no closed forms for loss {name}; expected one of "
                             f"{', '.join(CLOSED_FORM_LOSSES)}")
        blocks.append(Block("subsection", name.value, f"sheet-behnia2023-{name.value}"))
        blocks += seli_sheet.sheet_blocks(name.value, quantity)
    if not complete:
        return blocks
    blocks.append(Block("subsection", r"Limits $R \to \infty$ of $\cos(w_{\min}, w'_{\min})$"))
    blocks.append(Block("text", "Minority collapse is a limit equal to 1."))
    for name, gamma, label in _LIMITS:
        blocks.append(Block("item", f"{label}: ${sp.latex(limit_R_infinity(name.value, 'W.cos_min_min', gamma))}$"))
    blocks.append(Block("subsection", "Special cases proven symbolically"))
    for proof in all_proofs():
        if not proof.tex:
            raise ValueError(f"special case of {proof.claim} ({proof.statement}) has no LaTeX statement")
        blocks.append(Block("item", f"{proof.claim}: {proof.tex} --- {'proved' if proof.holds else 'NOT proved'}"))
    return blocks


def _dang2024() -> list[Block]:
    blocks = [Block("section", "dang2024: UFM+ minimiser (derived; corrections per the errata)", "sheet-dang2024"),
              Block("text", r"Problem (4): $\min_{W, H \ge 0} \frac1N \sum_i \mathrm{CE}(W h_i, y_i) + "
                            r"\frac{\lambda_W}{2}\|W\|_F^2 + \frac{\lambda_H}{2}\|H\|_F^2$ with non-negative "
                            r"(ReLU) features.")]
    for f in ufm_plus_formulas().values():
        blocks.append(Block("math", f.latex))
        blocks += [Block("math", line) for line in f.where]
        blocks.append(Block("text", f"{f.source}; {f.assumptions}."))
    return blocks


def sheet_blocks(loss: str | None = None, quantity: str | None = None) -> list[Block]:
    """The sheet as blocks. With ``loss`` or ``quantity`` only the matching behnia2023 closed forms are
    included (the other papers' formulas carry no loss or quantity of that vocabulary)."""
    complete = loss is None and quantity is None
    blocks = _behnia2023(loss, quantity, complete)
    if complete:
        blocks += _dang2024()
        blocks += [Block("section", "yang2022: fixed ETF classifier and dot regression", "sheet-yang2022")]
        blocks += etf_identities.sheet_blocks()
    return blocks


def formula_sheet(loss: str | None = None, quantity: str | None = None) -> str:
    """The standalone LaTeX document of :func:`sheet_blocks`."""
    return "\n".join((*_PREAMBLE, to_latex(sheet_blocks(loss, quantity)), r"\end{document}")) + "\n"
