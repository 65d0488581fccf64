"""The formula sheet: one standalone LaTeX document with the derived formulas of all three papers.

One function serves ``igeom latex --sheet`` and the sheet ``igeom verify`` writes beside its report.
Sections: behnia2023 (the SELI geometry under STEP imbalance for CE, CDT and LDT in reduced form,
the limits R -> infinity of the minority cosine, the special cases proven symbolically), dang2024 (the
UFM+ minimiser, derived forms with the corrections its errata record), yang2022 (the ETF, the DLPM
optimum and the CE / DR gradients). Every right-hand side is ``sympy.latex`` of a derived expression.
"""

from __future__ import annotations

import sympy as sp

from theory.core.vocabulary import CLOSED_FORM_LOSSES, Loss
from theory.etf import identities as etf_identities
from theory.seli import sheet as seli_sheet
from theory.seli.limits import limit_R_infinity
from theory.seli.quantities import QUANTITIES
from theory.seli.special_cases import all_proofs
from theory.ufm_plus.latex import formulas as ufm_plus_formulas

_PREAMBLE = (r"\documentclass[10pt]{article}", r"\usepackage[margin=2cm]{geometry}",
             r"\usepackage[T1]{fontenc}", r"\usepackage{amsmath,amssymb}",
             r"\usepackage{breqn}", r"\allowdisplaybreaks",
             r"\setlength{\parindent}{0pt}", r"\setlength{\parskip}{0.4em}",
             r"\title{implicit-geometry: formula sheet}", r"\date{}", r"\begin{document}", r"\maketitle")

_SETTING = r"""
$(R,\rho)$-STEP imbalance (behnia2023 Sec.~4): $k$ classes, $k - k_m$ majorities with $R\,n_{\min}$
samples each and $k_m = \rho k$ minorities with $n_{\min}$ samples; $\Delta = \delta_{\mathrm{maj}} /
\delta_{\min}$. $W = [w_1, \dots, w_k]$ and $M = [\mu_1, \dots, \mu_k]$ are the classifiers and the
(uncentred) class means of the global minimiser of the CS-SVM (3a) (CDT; CE is CDT at $\Delta = 1$) or
(3b) (LDT), $d \ge k - 1$: $W^\top W = (XNX^\top)^{1/2}$, $M^\top M = X^\top (XNX^\top)^{+1/2} X$,
$W^\top M = X$ with $X = \Xi(\delta)$ (CDT) or $\Xi(\mathbf 1)\operatorname{diag}(\delta)^{-1}$ (LDT) and
$N = \operatorname{diag}(n_c)$ (Thm~2). Norms are at the SVM normalisation (every margin equal to 1) with
$n_{\min} = \delta_{\min} = 1$; for general values multiply $\|w\|^2$ by $\sqrt{n_{\min}}/\delta_{\min}$
and $\|\mu\|^2$ by $1/(\sqrt{n_{\min}}\,\delta_{\min})$. Ratios and cosines depend on $(k, k_m, R, \Delta)$
only.
"""

_LIMITS = ((Loss.CE, None, r"CE"), (Loss.CDT, None, r"CDT, $\Delta$ fixed"),
           (Loss.CDT, "1/2", r"CDT, $\Delta = \sqrt{R}$"), (Loss.LDT, None, r"LDT, $\Delta$ fixed"),
           (Loss.LDT, "1/2", r"LDT, $\Delta = \sqrt{R}$"))


def latex_text(text: str) -> str:
    """Plain text with LaTeX's special characters escaped (so it typesets and breaks like prose)."""
    table = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
             "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
             "|": r"\textbar{}", "<": r"\textless{}", ">": r"\textgreater{}"}
    return "".join(table.get(ch, ch) for ch in text)


def _behnia2023(loss: str | None, quantity: str | None, complete: bool) -> list[str]:
    parts = [r"\section*{behnia2023: SELI geometry under STEP imbalance}", _SETTING]
    losses = CLOSED_FORM_LOSSES if loss is None else (Loss.parse(loss),)
    if quantity is not None and quantity not in QUANTITIES:
        raise ValueError(f"unknown quantity {quantity!r}; expected one of {', '.join(QUANTITIES)}")
    for name in losses:
        if name not in CLOSED_FORM_LOSSES:
            raise ValueError(f"no closed forms for loss {name}; expected one of "
                             f"{', '.join(CLOSED_FORM_LOSSES)}")
        parts.append(rf"\subsection*{{{name}}}")
        parts.append(seli_sheet.latex_section(name.value, quantity))
    if not complete:
        return parts
    parts.append(r"\subsection*{Limits $R \to \infty$ of $\cos(w_{\min}, w'_{\min})$}")
    parts.append(r"Minority collapse is a limit equal to 1.")
    parts.append(r"\begin{itemize}")
    for name, gamma, label in _LIMITS:
        value = limit_R_infinity(name.value, "W.cos_min_min", gamma)
        parts.append(rf"\item {label}: ${sp.latex(value)}$")
    parts.append(r"\end{itemize}")
    parts.append(r"\subsection*{Special cases proven symbolically}")
    parts.append(r"\begin{itemize}")
    for proof in all_proofs():
        status = "proved" if proof.holds else r"\textbf{not proved}"
        parts.append(rf"\item {latex_text(proof.claim)}: {latex_text(proof.statement)} --- {status}")
    parts.append(r"\end{itemize}")
    return parts


def _dang2024() -> list[str]:
    parts = [r"\section*{dang2024: UFM$_+$ minimiser (derived; corrections per the errata)}",
             r"Problem (4): $\min_{W, H \ge 0} \frac1N \sum_i \mathrm{CE}(W h_i, y_i) + \frac{\lambda_W}{2}"
             r"\|W\|_F^2 + \frac{\lambda_H}{2}\|H\|_F^2$ with ReLU (non-negative) features."]
    for f in ufm_plus_formulas().values():
        parts.append(r"\begin{dmath*}" + f.latex + r"\end{dmath*}")
        parts += [r"\begin{dmath*}" + line + r"\end{dmath*}" for line in f.where]
        parts.append(rf"{{\small {f.source}; {f.assumptions}.}}")
    return parts


def _yang2022() -> list[str]:
    return [r"\section*{yang2022: fixed ETF classifier and dot regression}", etf_identities.latex_section()]


def formula_sheet(loss: str | None = None, quantity: str | None = None) -> str:
    """The standalone LaTeX sheet. With ``loss`` or ``quantity`` only the matching behnia2023 closed
    forms are included (the other papers' formulas carry no loss or quantity of that vocabulary)."""
    complete = loss is None and quantity is None
    parts = list(_PREAMBLE)
    parts += _behnia2023(loss, quantity, complete)
    if complete:
        parts += _dang2024() + _yang2022()
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"
