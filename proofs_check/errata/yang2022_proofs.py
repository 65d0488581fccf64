"""Errata of yang2022 found by the proof-step checks (:mod:`proofs_check.claims.yang2022_proof`).

Kept apart from ``yang2022.py`` (the errata of the theorem-level checks: Thm 2's eta, the step of (42),
the monotonicity remark in Appendix A, Def. 1's dimension), which the proof-step claims reference by id.
Each evidence re-derives its finding from the objects: central-difference gradients of the loss, and the
terms of Appendix B computed from the vectors.
"""

from __future__ import annotations

import numpy as np

from proofs_check.model import Erratum, Evidence
from proofs_check.proof_objects.calculus import gradient_error, numeric_gradient
from proofs_check.proof_objects.etf import dot_regression, ETFPoint, m_lines, probabilities
from theory.core.tolerances import FINITE_DIFFERENCE, MISPRINT_DR_GRADIENT, ROUNDING
from theory.core.vocabulary import Paper
from theory.etf.simplex import simplex_etf

PAPER = Paper.YANG2022


def _point(placement: str, radius: float = 1.0):  # noqa: ANN202 - an ETFPoint (imported lazily)
    """K = 4, d = 5, E_W = 1.5, E_H = 0.8, class 0: a fixed instance for the evidence."""
    k, d, e_w, e_h = 4, 5, 1.5, 0.8
    W = simplex_etf(k, d, e_w, seed=3)
    rng = np.random.default_rng(7)
    v = rng.standard_normal(d)
    if placement == "cone":
        unit = W[:, 0] / np.sqrt(e_w)
        v -= (v @ unit) * unit
        h = np.sqrt(e_h) * (np.cos(0.7) * unit + np.sin(0.7) * v / np.linalg.norm(v))
    else:
        h = radius * np.sqrt(e_h) * v / np.linalg.norm(v)
    return ETFPoint(k, d, e_w, e_h, 0, 0.9, placement, 7, W, h)


def _dr_gradient_sphere() -> Evidence:
    """Central differences of (14) on and off the sphere against (15) and the general form."""
    out = []
    for radius in (1.0, 0.5, 2.0):
        p = _point("free", radius)
        numeric = numeric_gradient(lambda v: dot_regression(p, v), p.h)
        printed = -(1 - p.cos) * p.w
        general = -(1 - p.w @ p.h / np.sqrt(p.e_w * p.e_h)) * p.w
        out.append((radius, gradient_error(numeric, printed), gradient_error(numeric, general)))
    p = _point("free")
    far = -3 * np.sqrt(p.e_h / p.e_w) * p.w                          # ||h|| = 3 sqrt(E_H), opposite to w_c
    grad_far = numeric_gradient(lambda v: dot_regression(p, v), far)
    ratio = float(np.linalg.norm(grad_far) / (2 * np.sqrt(p.e_w)))
    holds = (out[0][1] < FINITE_DIFFERENCE and all(o[2] < FINITE_DIFFERENCE for o in out)
             and all(o[1] > MISPRINT_DR_GRADIENT for o in out[1:])
             and ratio > 1.5)
    detail = "; ".join(f"||h|| = {r} sqrt(E_H): (15) off by {a:.1e}, general form by {b:.1e}" for r, a, b in out)
    return Evidence(holds, f"K = 4, E_W = 1.5, E_H = 0.8, central differences of (14): {detail}; at h = -3 sqrt(E_H/"
                           f"E_W) w_c the gradient norm is {ratio:.2f} x 2 sqrt(E_W), the bound Appendix C derives "
                           "'by Eq. (15)'")


def _eq38_term() -> Evidence:
    """Lines 3-4 of (38), printed and corrected, against M computed from the vectors."""
    p = _point("cone")
    m = m_lines(p)
    pk = float(probabilities(p.W, p.h)[p.label])
    expected_offset = -2 * p.gamma * (1 - pk) * np.sqrt(p.e_h * p.e_w)
    printed_offset = m["line3_printed"] - m["line1"]
    corrected = max(abs(m[key] - m["line1"]) for key in ("line2", "line3", "line4"))
    holds = (corrected < ROUNDING and abs(printed_offset - expected_offset) < ROUNDING
             and abs(printed_offset) > MISPRINT_DR_GRADIENT)
    return Evidence(holds, f"K = 4, cos(h, w_k) = {p.cos:.3f}, gamma = {p.gamma}: M (line 1 of (38), from the "
                           f"vectors) = {m['line1']:.6f}; line 2 and the corrected lines 3-4 agree to "
                           f"{corrected:.1e}; the printed lines 3-4 give {m['line3_printed']:.6f} and "
                           f"{m['line4_printed']:.6f}, off by "
                           f"{printed_offset:.6f} = -2 gamma (1 - p_k) sqrt(E_H E_W) (the h* part of <h - h*, w_k> "
                           "counted twice)")


ERRATA: list[Erratum] = [
    Erratum(
        id="yang2022-dr-gradient-sphere", paper=PAPER, location="eq. (15) (and its use in Appendix B (34), Appendix C)",
        printed="d L_DR / d h = -(1 - cos angle(h, w_c*)) w_c*",
        corrected="d L_DR / d h = -(1 - w_c*^T h / sqrt(E_W E_H)) w_c*, which is (15) only on the sphere ||h||^2 = E_H "
                  "(with ||w_c*||^2 = E_W); the bound ||d L_DR/d h|| <= 2 sqrt(E_w) of Appendix C holds there, not for "
                  "the L2-regularised features used on ImageNet",
        printed_tex=r"$\frac{\partial L_{\mathrm{DR}}}{\partial h} = -(1 - \cos\angle(h, w_c^*))\,w_c^*$",
        corrected_tex=(r"$\frac{\partial L_{\mathrm{DR}}}{\partial h} = -\bigl(1 - w_c^{*\top}h/\sqrt{E_W "
                       r"E_H}\bigr)\,w_c^*$, which is (15) only on the sphere $\lVert h\rVert^2 = E_H$ (with $\lVert "
                       r"w_c^*\rVert^2 = E_W$); the bound $\lVert\partial L_{\mathrm{DR}}/\partial h\rVert \le "
                       r"2\sqrt{E_W}$ of Appendix C holds there, not for the $L_2$-regularised features used on "
                       r"ImageNet"),
        evidence=_dr_gradient_sphere, claim_id="yang2022 proof (15)"),
    Erratum(
        id="yang2022-eq38-term", paper=PAPER, location="Appendix B, eq. (38), third and fourth lines",
        printed="M = 2 gamma (1-p_k)(<h^t - h*, w_k*> - sqrt(E_H E_W) + gamma E_W (1-p_k)/(K-1)) - 2 gamma h^t "
                "sum_j p_j w_j* - 2 gamma (1-p_k) sqrt(E_H E_W)/(K-1) = 2 gamma (1-p_k) <h^t - h*, w_k*> - ...",
        corrected="<h^t, w_k*> in place of <h^t - h*, w_k*> in both lines (the -sqrt(E_H E_W) already is <-h*, w_k*>); "
                  "eq. (39) indeed continues from 2 gamma (1-p_k) <h^t, w_k*>, so (40) and the rest are unaffected",
        printed_tex=(r"$M = 2\gamma(1-p_k)\bigl(\langle h^t - h^*, w_k^*\rangle - \sqrt{E_H E_W} + \gamma "
                     r"E_W\frac{1-p_k}{K-1}\bigr) - 2\gamma\,h^{t\top}\sum_j p_j w_j^* - "
                     r"2\gamma(1-p_k)\frac{\sqrt{E_H E_W}}{K-1} = 2\gamma(1-p_k)\langle h^t - h^*, w_k^*\rangle - "
                     r"\ldots$"),
        corrected_tex=(r"$\langle h^t, w_k^*\rangle$ in place of $\langle h^t - h^*, w_k^*\rangle$ in both lines (the "
                       r"$-\sqrt{E_H E_W}$ already is $\langle -h^*, w_k^*\rangle$); eq. (39) indeed continues from "
                       r"$2\gamma(1-p_k)\langle h^t, w_k^*\rangle$, so (40) and the rest are unaffected"),
        evidence=_eq38_term, claim_id="yang2022 proof (37)-(38)"),
]
