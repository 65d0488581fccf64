"""Claims of yang2022 (fixed ETF classifier, DR loss): Def. 1, Thm 1 (DLPM with a fixed ETF), Thm 2
(eta-regularity). The steps of the proofs (Appendix A/B) and the gradient decompositions (8)-(15) are in
:mod:`proofs_check.claims.yang2022_proof`.

Tolerances are those of :mod:`theory.core.tolerances` (Thm 1: ``DLPM_CE``, ``DLPM_DR``, with their reasons;
see tests/numerics/test_dlpm.py).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from numerics.dlpm import solve_dlpm, theorem1_deviation
from numerics.eta_regularity import contraction, paper_bound, sample_near
from proofs_check.model import Check, Claim, Outcome
from proofs_check.runner import at_least, property_outcome, within
from theory.core.tolerances import DLPM_CE, DLPM_DR, ETF_GRAM, NON_ETF_CONTROL, PRINTED_EQUALITY
from theory.core.vocabulary import CheckLevel, Paper
from theory.etf.simplex import simplex_etf

P = Paper.YANG2022


@st.composite
def _etf_case(draw) -> tuple[int, int, float, int]:
    K = draw(st.integers(2, 8))
    return K, K - 1 + draw(st.integers(0, 3)), draw(st.floats(0.1, 10.0)), draw(st.integers(0, 1000))


def _etf_residual(example: tuple[int, int, float, int]) -> float:
    K, d, E_W, seed = example
    W = simplex_etf(K, d, E_W, seed)
    target = E_W * (K / (K - 1) * np.eye(K) - 1 / (K - 1))
    return float(np.max(np.abs(W.T @ W - target)) / E_W)


def _eq1_residual(example: tuple[int, int, float, int]) -> float:
    """Eq. (1) itself, not the project's ETF: W = sqrt(E_W K/(K-1)) U (I_K - 11^T/K) with a random U of
    orthonormal columns (d >= K), against eq. (2)/(6)."""
    K, extra, E_W, seed = example
    d = K + extra  # d >= K
    U = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, K)))[0]
    W = np.sqrt(E_W * K / (K - 1)) * U @ (np.eye(K) - np.ones((K, K)) / K)
    target = E_W * (K / (K - 1) * np.eye(K) - 1 / (K - 1))
    return float(np.max(np.abs(W.T @ W - target)) / E_W)


def _def1_literal() -> Outcome:
    """Eq. (1) at d = K - 1: an ETF M in R^{(K-1) x K} (theory.etf.simplex) written as sqrt(K/(K-1)) U (I - 11^T/K)
    has U = sqrt((K-1)/K) M + u 1^T for some u; eq. (1) asks U^T U = I_K. Figure: the smallest
    ||U^T U - I_K||_2 over u = 0 and 200 random u (never below 1: U^T U has rank <= K - 1)."""
    K = 4
    M = simplex_etf(K, K - 1, 1.0, seed=0)
    rng = np.random.default_rng(0)
    shifts = [np.zeros(K - 1)] + [rng.standard_normal(K - 1) for _ in range(200)]
    best = min(float(np.linalg.norm((U := np.sqrt((K - 1) / K) * M + np.outer(u, np.ones(K))).T @ U - np.eye(K), 2))
               for u in shifts)
    return within(best, PRINTED_EQUALITY, "min ||U^T U - I_K||_2 over U reproducing an ETF in R^(K-1) by eq. (1), K = 4")


@st.composite
def _dlpm_case(draw) -> tuple[list[int], int, float, float]:
    K = draw(st.integers(2, 5))
    counts = draw(st.lists(st.integers(1, 20), min_size=K, max_size=K))
    return counts, K - 1 + draw(st.integers(0, 2)), draw(st.floats(0.3, 3.0)), draw(st.floats(0.3, 3.0))


def _dlpm_deviation(loss: str):
    def measure(example: tuple[list[int], int, float, float]) -> float:
        counts, d, E_W, E_H = example
        W = simplex_etf(len(counts), d, E_W, seed=len(counts))
        return theorem1_deviation(solve_dlpm(counts, W, E_H, loss), counts, W, E_H)
    return measure


UNEQUAL_ENERGIES = ((0.25, 4.0), (4.0, 0.5), (1.0, 2.5))
"""(E_W, E_H) pairs far from E_W = E_H, where h* = sqrt(E_H/E_W) w* and a misprint such as (E_H/E_W) w* or
sqrt(E_W/E_H) w* differ by a factor of at least sqrt(2.5)."""


def _thm1_unequal_energies() -> Outcome:
    """Eq. (7)/(33) where E_W != E_H: the cvxpy minimiser of the DLPM (5) (CE), counts (12, 3, 1), against
    h* = sqrt(E_H/E_W) w*_k written out here (not numerics.dlpm.theorem1_deviation), and the inner products of
    eq. (7), sqrt(E_H E_W)(K/(K-1) delta - 1/(K-1)). Figure: the largest relative deviation of either."""
    counts = [12, 3, 1]
    k = len(counts)
    labels = np.repeat(np.arange(k), counts)
    worst = 0.0
    for e_w, e_h in UNEQUAL_ENERGIES:
        W = simplex_etf(k, k, e_w, seed=7)
        H = solve_dlpm(counts, W, e_h, "CE")
        target = np.sqrt(e_h / e_w) * W[:, labels]
        worst = max(worst, float(np.max(np.linalg.norm(H - target, axis=0))) / np.sqrt(e_h))
        gram = np.sqrt(e_h * e_w) * (k / (k - 1) * np.eye(k) - 1 / (k - 1))[labels]
        worst = max(worst, float(np.max(np.abs(H.T @ W - gram))) / np.sqrt(e_h * e_w))
    return within(worst, DLPM_CE, f"(E_W, E_H) in {UNEQUAL_ENERGIES}, counts {counts}: largest relative deviation "
                  "from h* = sqrt(E_H/E_W) w* and from eq. (7)")


def _non_etf_breaks() -> Outcome:
    """Negative control: unequal classifier norms break eq. (33) (deviation must exceed 0.05)."""
    W = simplex_etf(3, 2, 1.0, seed=0) * np.array([1.0, 2.0, 0.5])
    dev = theorem1_deviation(solve_dlpm([2, 1, 1], W, 1.0, "CE"), [2, 1, 1], W, 1.0)
    return at_least(dev, NON_ETF_CONTROL,
                    f"deviation from eq. (33) with a non-ETF classifier (must exceed {NON_ETF_CONTROL:g})")


def _thm2_printed() -> Outcome:
    """Eq. (16) as printed: eta_CE >= (1 + cos)/2 for every fixed step, with Def. 2's projected gradient.
    Figure: largest shortfall max_gamma ((1 + cos)/2 - eta_CE(gamma)) near h* (<= 0 if (16) held)."""
    K, E_W, E_H = 4, 1.0, 1.0
    W = simplex_etf(K, K, E_W, seed=0)
    h = sample_near(W, 0, E_H, 1e-3, seed=3)
    bound = paper_bound(h, W, 0)
    shortfall = max(bound - contraction("CE", h, W, 0, E_H, g) for g in np.logspace(-2, 2, 9))
    return within(max(shortfall, 0.0), PRINTED_EQUALITY, f"(1 + cos)/2 = {bound:.6f}; largest (bound - eta_CE) over 9 "
                  f"fixed steps in [1e-2, 1e2] at ||h - h*|| = 1e-3")


CLAIMS = [
    Claim(f"{P} Def. 1", P, "A simplex ETF M = sqrt(K/(K-1)) U (I_K - 11^T/K), U^T U = I_K, d >= K - 1, has "
          "m_i^T m_j = K/(K-1) delta_ij - 1/(K-1) (eq. 2).", "K >= 2",
          (Check(CheckLevel.NUMERIC, "eq. (2)/(6) inner products of theory.etf.simplex.simplex_etf for d >= K - 1",
                 lambda: property_outcome(_etf_case(), _etf_residual, ETF_GRAM, "max |W^T W - target| / E_W"),
                 consistency=True),
           Check(CheckLevel.NUMERIC, "eq. (1) with a random U of orthonormal columns (d >= K) gives eq. (2)/(6)",
                 lambda: property_outcome(_etf_case(), _eq1_residual, ETF_GRAM, "max |W^T W - target| / E_W")),
           Check(CheckLevel.NUMERIC, "eq. (1) literally at d = K - 1 (U^T U = I_K)", _def1_literal,
                 erratum="yang2022-def1-dimension")),
          statement_tex=(r"A simplex ETF $M = \sqrt{\frac{K}{K-1}}\,U\bigl(I_K - "
                         r"\frac{1}{K}\mathbf{1}\mathbf{1}^\top\bigr)$, $U^\top U = I_K$, $d \ge K - 1$, has $m_i^\top "
                         r"m_j = \frac{K}{K-1}\delta_{ij} - \frac{1}{K-1}$ (eq. 2).")),
    Claim(f"{P} Thm 1", P, "With the classifier fixed as a simplex ETF, every global minimiser of the DLPM (5) "
          "has h*_{k,i} = sqrt(E_H/E_W) w*_k, whatever the class counts.", "W* a simplex ETF, ||h||^2 <= E_H",
          (Check(CheckLevel.NUMERIC, "CE: max_i ||h_i - sqrt(E_H/E_W) w*_{y_i}|| / sqrt(E_H) over random imbalanced counts",
                 lambda: property_outcome(_dlpm_case(), _dlpm_deviation("CE"), DLPM_CE, "relative deviation", max_examples=6)),
           Check(CheckLevel.NUMERIC, "DR (eq. 14) likewise", lambda: property_outcome(
               _dlpm_case(), _dlpm_deviation("DR"), DLPM_DR, "relative deviation", max_examples=6)),
           Check(CheckLevel.NUMERIC, "CE at E_W != E_H (0.25/4, 4/0.5, 1/2.5): h* = sqrt(E_H/E_W) w* and eq. (7)",
                 _thm1_unequal_energies),
           Check(CheckLevel.NUMERIC, "negative control: a non-ETF classifier breaks eq. (33)", _non_etf_breaks),
           Check(CheckLevel.NUMERIC, "CE, 40 random cases", quick=False, run=lambda: property_outcome(
               _dlpm_case(), _dlpm_deviation("CE"), DLPM_CE, "relative deviation", max_examples=40))),
          statement_tex=(r"With the classifier fixed as a simplex ETF, every global minimiser of the DLPM (5) has "
                         r"$h^*_{k,i} = \sqrt{E_H/E_W}\,w^*_k$, whatever the class counts.")),
    Claim(f"{P} Thm 2", P, "For any fixed learning rate, eta_CE >= (1 + cos angle(h, w*_c))/2 = eta_DR "
          "(Def. 2: projected gradient).", "p_k(h) = (1 - p_c(h))/(K-1) for k != c; ||h - h*|| small",
          (Check(CheckLevel.NUMERIC, "eq. (16) as printed, projected gradient near h*", _thm2_printed,
                 erratum="yang2022-thm2-eta"),),
          statement_tex=(r"For any fixed learning rate, $\eta_{\mathrm{CE}} \ge \frac{1 + \cos\angle(h, w^*_c)}{2} = "
                         r"\eta_{\mathrm{DR}}$ (Def. 2: projected gradient).")),
]
