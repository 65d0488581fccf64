"""behnia2023 Fig. 1 and Remark 4 on solver output (issue 23), both on the certified convex CS-SVM
(:func:`numerics.cs_svm.solve_cs_svm`, KKT certificate), never on the closed forms.

Fig. 1: 'Geometries induced by CE and its two parameterizations: LDT and CDT. k = 3 classes (2 minorities);
imbalance ratio R = 10; hyperparameters delta_maj/delta_min = sqrt(R)', with the text around it (Sec. 4: 'For
general R and tuning of delta, the LDT/CDT geometries are different than both the SELI and ETF geometries', and
after Cor. 3: LDT becomes the ETF, CDT aligns every embedding with its classifier). The figure draws exactly those
three geometries, so the check is what it shows: LDT classifiers equiangular at -1/(k-1) with equal norms, CDT
class means aligned with their classifiers (cosine 1), CE's classifiers not an ETF (the two minority classifiers
closer than -1/2), and CDT's classifier geometry away from both CE's and the ETF.

Remark 4 (App. A.3, eqs. (6)-(7)): sum_c w*_c/delta_c = 0 and sum_c mu*_c = 0 (CDT); sum_c w*_c = 0 and
sum_c delta_c mu*_c = 0 (LDT), checked on the solver's minimisers at random STEP settings (the registry's other
Remark 4 checks use the predicted Gram matrices).
"""

from __future__ import annotations

import numpy as np

from numerics.cs_svm import solve_cs_svm
from proofs_check.model import Check, Claim, Outcome
from proofs_check.runner import at_least, within
from theory.core.imbalance import Imbalance
from theory.core.measure import normalized_distance
from theory.core.parameterization import Parameterization
from theory.core.tolerances import CS_SVM_AGREEMENT, STRICT_GAP
from theory.core.vocabulary import CheckLevel, Loss, Paper
from theory.seli.step_geometry import step_delta

P = Paper.BEHNIA2023
_K, _K_MINOR, _R = 3, 2, 10


def _param(loss: Loss, k: int, k_minor: int, Delta: float) -> Parameterization:
    delta = step_delta(k, k_minor, Delta)
    return {Loss.CE: lambda: Parameterization.ce(k), Loss.CDT: lambda: Parameterization.cdt(delta),
            Loss.LDT: lambda: Parameterization.ldt(delta)}[loss]()


def _class_means(H: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    return np.stack([H[:, labels == c].mean(axis=1) for c in range(k)], axis=1)


def _fig1_solutions() -> dict[Loss, tuple[np.ndarray, np.ndarray]]:
    """(W, class means) of the certified CS-SVM for CE, CDT and LDT at Fig. 1's setting."""
    imb = Imbalance.step(_K, _K_MINOR, _R, 1)
    labels = imb.labels()
    out = {}
    for loss in (Loss.CE, Loss.CDT, Loss.LDT):
        sol = solve_cs_svm(imb, _param(loss, _K, _K_MINOR, np.sqrt(_R)))
        out[loss] = (np.asarray(sol.W), _class_means(np.asarray(sol.H), labels, _K))
    return out


def _cos(G: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.diag(G))
    return G / np.outer(d, d)


def _fig1_equalities() -> Outcome:
    """LDT: classifier cosines -1/2 and equal classifier norms (the ETF); CDT: cos(w_c, mu_c) = 1 for every class.
    Figure: the largest deviation."""
    sols = _fig1_solutions()
    W, _ = sols[Loss.LDT]
    G = W.T @ W
    off = _cos(G)[~np.eye(_K, dtype=bool)]
    norms = np.sqrt(np.diag(G))
    ldt = max(float(np.max(np.abs(off + 1 / (_K - 1)))), float(np.ptp(norms) / norms.max()))
    Wc, Mc = sols[Loss.CDT]
    align = np.sum(Wc * Mc, axis=0) / (np.linalg.norm(Wc, axis=0) * np.linalg.norm(Mc, axis=0))
    cdt = float(np.max(np.abs(align - 1)))
    return within(max(ldt, cdt), CS_SVM_AGREEMENT, f"k = 3 (2 minorities), R = 10, Delta = sqrt(10): LDT classifier "
                  f"cosines {np.round(off, 6).tolist()}, norm spread {np.ptp(norms) / norms.max():.1e}; CDT "
                  f"cos(w_c, mu_c) {np.round(align, 8).tolist()}")


def _fig1_differences() -> Outcome:
    """CE (SELI) is not the ETF: cos of the two minority classifiers exceeds -1/2; CDT's classifier geometry is
    away from both CE's and the ETF's. Figure: the smallest of the three gaps (must exceed STRICT_GAP)."""
    sols = _fig1_solutions()
    G_ce = sols[Loss.CE][0].T @ sols[Loss.CE][0]
    G_cdt = sols[Loss.CDT][0].T @ sols[Loss.CDT][0]
    etf = np.eye(_K) - np.ones((_K, _K)) / _K
    gap_ce = float(_cos(G_ce)[1, 2] + 1 / (_K - 1))
    gap_cdt_ce = float(normalized_distance(G_cdt, G_ce))
    gap_cdt_etf = float(normalized_distance(G_cdt, etf))
    return at_least(min(gap_ce, gap_cdt_ce, gap_cdt_etf), STRICT_GAP,
                    f"CE minority-minority classifier cosine + 1/2 = {gap_ce:.4f}; normalised distance of CDT's W^T W "
                    f"from CE's {gap_cdt_ce:.4f} and from the ETF {gap_cdt_etf:.4f}")


_REMARK4_SETTINGS = ((4, 2, 3.0, 0.5), (5, 1, 4.0, -1.0), (5, 3, 2.0, 1.5))
"""(k, k_minor, R, gamma) with Delta = R^gamma: small STEP settings, both group sizes, Delta above and below 1."""


def _remark4_residual(loss: Loss) -> tuple[float, str]:
    worst, parts = 0.0, []
    for k, k_minor, R, gamma in _REMARK4_SETTINGS:
        imb = Imbalance.step(k, k_minor, R, 1)
        delta = step_delta(k, k_minor, R**gamma)
        sol = solve_cs_svm(imb, _param(loss, k, k_minor, R**gamma))
        W, M = np.asarray(sol.W), _class_means(np.asarray(sol.H), imb.labels(), k)
        if loss == Loss.CDT:
            sums = (W @ (1 / delta), M.sum(axis=1))
        else:
            sums = (W.sum(axis=1), M @ delta)
        scale = (np.linalg.norm(W, axis=0).max(), np.linalg.norm(M, axis=0).max())
        r = max(float(np.linalg.norm(s)) / sc for s, sc in zip(sums, scale))
        worst = max(worst, r)
        parts.append(f"(k {k}, minorities {k_minor}, R {R:g}, gamma {gamma:g}): {r:.1e}")
    return worst, "; ".join(parts)


def _remark4_solver(loss: Loss) -> Outcome:
    """Eq. (6) (CDT) or (7) (LDT) on the certified minimisers: the relative norm of the weighted sums of the
    classifiers and of the class means."""
    worst, detail = _remark4_residual(loss)
    return within(worst, CS_SVM_AGREEMENT, f"{loss}: relative weighted sums of w*_c and mu*_c, " + detail)


CLAIMS = [
    Claim(f"{P} Fig. 1", P, "Fig. 1 (k = 3, 2 minorities, R = 10, Delta = sqrt(R)): LDT's classifiers form the ETF, "
          "CDT aligns each class mean with its classifier, CE's geometry (SELI) is not the ETF, and CDT's differs "
          "from both SELI and the ETF.", "certified convex CS-SVM (3a)/(3b) at the figure's setting, one sample per "
          "minority class and 10 per majority",
          (Check(CheckLevel.NUMERIC, "LDT classifiers: cosines -1/2, equal norms; CDT: cos(w_c, mu_c) = 1",
                 _fig1_equalities),
           Check(CheckLevel.NUMERIC, "CE not the ETF; CDT away from CE and from the ETF", _fig1_differences)),
          statement_tex=(r"Fig. 1 ($k = 3$, 2 minorities, $R = 10$, $\Delta = \sqrt{R}$): LDT's classifiers form the "
                         r"ETF, CDT aligns each class mean with its classifier, CE's geometry (SELI) is not the ETF, and "
                         r"CDT's differs from both SELI and the ETF.")),
    Claim(f"{P} Remark 4 on solver output", P, "Remark 4, eqs. (6)-(7), on the minimisers found by the certified "
          "convex CS-SVM: CDT sum_c w*_c/delta_c = 0 and sum_c mu*_c = 0; LDT sum_c w*_c = 0 and "
          "sum_c delta_c mu*_c = 0.", "STEP settings (k, minorities, R, gamma) = (4, 2, 3, 0.5), (5, 1, 4, -1), "
          "(5, 3, 2, 1.5), one sample per minority class",
          (Check(CheckLevel.NUMERIC, "CDT: eq. (6) and the delta-weighted classifier sum", lambda: _remark4_solver(Loss.CDT)),
           Check(CheckLevel.NUMERIC, "LDT: eq. (7) and the classifier sum", lambda: _remark4_solver(Loss.LDT))),
          statement_tex=(r"Remark 4, eqs. (6)-(7), on the minimisers found by the certified convex CS-SVM: CDT "
                         r"$\sum_c w^*_c/\delta_c = 0$ and $\sum_c \mu^*_c = 0$; LDT $\sum_c w^*_c = 0$ and "
                         r"$\sum_c \delta_c\mu^*_c = 0$.")),
]
