"""Claims of dang2024 (UFM+: Thm 1, Prop. 1, Cor. 1-4, NC metrics) with their checks.

Symbolic checks compare the expressions derived in :mod:`theory.ufm_plus.symbolic` with the printed
ones of :mod:`theory.ufm_plus.printed` (``is_zero`` of the difference); where they differ, the
recorded erratum of :mod:`proofs_check.errata.dang2024_errata` turns the failure into status ``erratum``.
Numeric checks solve problem (4) with :func:`numerics.ufm_plus_solver.solve` and compare with the closed forms.
The individual steps of the proof (Steps 1-5, Lemmas 1-2) are in :mod:`proofs_check.claims.dang2024_proof`.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy.optimize import brentq
from hypothesis import strategies as st

from numerics.ufm_plus_solver import largest_deviation, solve, UFMPlusProblem
from proofs_check.model import Check, Claim, Outcome
from proofs_check.runner import at_least, property_outcome
from theory.core.errors import ComputationError
from theory.core.collapse_metrics import class_means, nc1, nc2, nc3
from theory.core.tolerances import (NC_AT_MINIMIZER, NC_DETECTION_FLOOR, UFM_PLUS_ALIVE_NORM, UFM_PLUS_COLLAPSED_NORM,
                                    UFM_PLUS_SOLVER_AGREEMENT)
from theory.core.vocabulary import CheckLevel, Criterion, Paper
from theory.ufm_plus.closed_form import collapse_threshold, margins, minimizer, predict
from theory.ufm_plus.printed import PRINTED
from theory.ufm_plus.symbolic import derivation, is_zero, K, K_A, K_B, lam_h, lam_w, M_A, M_B, n_A, n_B, R, r
from theory.core.imbalance import Imbalance

P = Paper.DANG2024
ASSUME = "d >= K, lambda_W, lambda_H > 0, class counts n_k >= 1 (problem (4))"


def _agree(names: tuple[str, ...]) -> Outcome:
    """Derived minus printed simplifies to 0 for every name (figure: number that do not)."""
    d = derivation()
    bad = [n for n in names if not is_zero(d[n] - PRINTED[n])]
    return Outcome(not bad, float(len(bad)), 0.0,
                   f"derived = printed for {', '.join(names)}" if not bad else f"differ: {', '.join(bad)}")


def _identity(description: str, residual: callable) -> Check:
    """A symbolic check that ``residual(derivation)`` simplifies to 0."""
    def run() -> Outcome:
        ok = is_zero(residual(derivation()))
        return Outcome(ok, 0.0 if ok else 1.0, 0.0, description + (" (simplifies to 0)" if ok else " (does not simplify to 0)"))
    return Check(CheckLevel.SYMBOLIC, description, run)


def _K() -> sp.Symbol:
    return K


@st.composite
def _instance(draw) -> tuple[tuple[int, ...], float]:
    """Small problems (K in [2, 4], counts in [1, 6]) with lambda spanning the collapse regimes."""
    k = draw(st.integers(2, 4))
    counts = tuple(sorted(draw(st.lists(st.integers(1, 6), min_size=k, max_size=k)), reverse=True))
    return counts, draw(st.sampled_from([1e-3, 5e-3, 2e-2, 5e-2, 0.1]))


def _solver_deviation(example: tuple[tuple[int, ...], float]) -> float:
    """max deviation of the solver's minimiser from Thm 1 / Prop. 1 (margins, norms, cosines) and its
    within-class spread and class-mean cosines (Thm 1(a), (b)); each must be ~0."""
    counts, lam = example
    pred = predict(counts, lam, lam)
    sol = solve(UFMPlusProblem(Imbalance(counts), lam, lam, d=len(counts) + 1), starts=3)
    m = sol.measure()
    dev = largest_deviation(m, {"M": pred.M, "h_norm_sq": pred.h_norm_sq, "w_norm_sq": pred.w_norm_sq,
                                "cos_w": pred.cos_w})
    return max(dev, m["within_class_spread"], m["max_mean_cosine"])


@st.composite
def _threshold_case(draw) -> tuple[int, float, float, float]:
    return (draw(st.integers(2, 7)), draw(st.floats(5.0, 200.0)), draw(st.floats(0.05, 0.9)),
            draw(st.floats(1e-6, 1e-2)))


def _threshold_violation(example: tuple[int, float, float, float]) -> float:
    """Cor. 4: with N fixed and lambda_W = lambda_H chosen so that C = u N, class 0 with n_0 = C(1 - eps)
    has M_0 = 0 and with n_0 = C(1 + eps) has M_0 > 0 (others share the rest equally). Violation 0/1."""
    k, total, u, eps = example
    lam = float(np.sqrt(u * (k - 1) / (k * total)))
    C = collapse_threshold(total, k, lam, lam)
    bad = 0.0
    for n0, positive in ((C * (1 - eps), False), (C * (1 + eps), True)):
        counts = np.array([n0] + [(total - n0) / (k - 1)] * (k - 1))
        bad = max(bad, float((margins(counts, lam, lam)[0] > 0) != positive))
    return bad


def _lambda_for_threshold(total: float, k: int, target: float) -> float:
    """lambda = lambda_W = lambda_H at which the theory's threshold C(N, K, lambda, lambda) of Cor. 4
    (:func:`collapse_threshold`, the root of M-bar) equals ``target``: root finding in log lambda (C grows
    with lambda), so no form of C is restated here."""
    root = brentq(lambda t: np.log(collapse_threshold(total, k, np.exp(t), np.exp(t)) / target), -30.0, 10.0,
                  xtol=1e-14)
    return float(np.exp(root))


def _threshold_counts(k: int) -> list[int]:
    """K - 2 classes of 3(K-1), ..., 6 samples and two classes of 3: the pair at the threshold."""
    return [3 * (k - 1 - i) for i in range(k - 2)] + [3, 3]


def _solved_pair(k: int, eps: float, collapse: bool) -> tuple[float, float]:
    """Solve problem (4) numerically (numerics.ufm_plus_solver, 3 starts) with lambda such that the two classes of 3
    samples sit at n = C (1 - eps) (``collapse``: below C) or n = C (1 + eps) (above). Returns, relative to
    the largest norm of the solution, (largest ||h_k|| of the pair, ||w_j - w_j'||) if ``collapse`` else the
    smallest of ||h_j||, ||h_j'|| and ||w_j - w_j'||."""
    counts = _threshold_counts(k)
    lam = _lambda_for_threshold(float(sum(counts)), k, 3.0 / (1 - eps if collapse else 1 + eps))
    sol = solve(UFMPlusProblem(Imbalance(counts), lam, lam, d=k + 1), starts=3)
    h = np.linalg.norm(class_means(sol.H, sol.problem.labels, k), axis=0)
    w = float(np.linalg.norm(sol.W[-1] - sol.W[-2]) / np.linalg.norm(sol.W, axis=1).max())
    pair = h[-2:] / h.max()
    return (float(pair.max()), w) if collapse else (float(pair.min()), w)


def _cor4_solver(ks: tuple[int, ...], collapse: bool) -> Outcome:
    """Cor. 4 on the numerical minimiser, for K in ``ks`` and eps in (1e-2, 1e-3): below C the pair has
    h_k = 0 and equal classifiers (figure: largest relative norm, <= UFM_PLUS_COLLAPSED_NORM); above C
    neither (figure: smallest relative norm, >= UFM_PLUS_ALIVE_NORM)."""
    values = [v for k in ks for eps in (1e-2, 1e-3) for v in _solved_pair(k, eps, collapse)]
    where = f"counts {_threshold_counts(ks[0])} .. {_threshold_counts(ks[-1])}, n = C (1 {'-' if collapse else '+'} eps), eps = 1e-2, 1e-3"
    if collapse:
        worst = max(values)
        return Outcome(worst <= UFM_PLUS_COLLAPSED_NORM, worst, UFM_PLUS_COLLAPSED_NORM,
                       f"largest ||h_k|| and ||w_j - w_j'|| of the pair below C, relative ({where})")
    worst = min(values)
    return Outcome(worst >= UFM_PLUS_ALIVE_NORM, worst, UFM_PLUS_ALIVE_NORM,
                   f"smallest ||h_k|| and ||w_j - w_j'|| of the pair above C, relative, must exceed "
                   f"{UFM_PLUS_ALIVE_NORM:g} ({where})", Criterion.AT_LEAST)


def _cor2_monotone() -> Outcome:
    """||w_k||^2 = const + slope * sqrt(n_k) M_k with slope prop K(K-2) >= 0, and sqrt(n) M-bar(n) grows
    with n above the threshold: hence n_i >= n_j implies ||w_i|| >= ||w_j|| (Cor. 2)."""
    d = derivation()
    slope_ok = is_zero(d["w_norm_sq_slope_in_a"] - sp.sqrt(lam_h / lam_w) * (K - 2) / sp.sqrt(K * (K - 1)))
    rho, L = sp.symbols("rho L", positive=True)
    growth = d["sqrt_n_M_derivative_r"].subs(r, 1 + rho).replace(sp.log, lambda arg: L)
    ok = bool(slope_ok and sp.simplify(growth).is_positive and d["c1_check"] == 0)
    return Outcome(ok, 0.0 if ok else 1.0, 0.0, "slope K(K-2)-proportional and d(sqrt(n) M)/dr > 0 proven"
                   if ok else "monotonicity argument did not go through")


def _cor3_inequality() -> Outcome:
    """cos_min_min - cos_maj_maj = (a - b) * positive factor, a = sqrt(n_A) M_A, b = sqrt(n_B) M_B."""
    a, b = sp.symbols("a", positive=True), sp.symbols("b", nonnegative=True)
    alpha, beta = sp.symbols("alpha beta", nonnegative=True)
    gap = derivation()["cos_gap"].subs({M_A: a / sp.sqrt(n_A), M_B: b / sp.sqrt(n_B)})
    factor = sp.factor(sp.simplify(gap / (a - b)).subs({K_A: 1 + alpha, K_B: 1 + beta}))
    ok = bool(factor.is_positive)
    return Outcome(ok, 0.0 if ok else 1.0, 0.0, "gap = (a - b) x (provably positive factor); a > b when "
                   "n_A > n_B and the majority is not collapsed" if ok else "sign of the factor not proven")


def _cor4_R_star() -> Outcome:
    rhs = PRINTED["minority_collapse_rhs"]
    ok = is_zero(rhs.subs(R, derivation()["R_star"]) - derivation()["R_star"])
    return Outcome(ok, 0.0 if ok else 1.0, 0.0, "R* is the fixed point of the implicit condition (17)")


def _not_complete(example: tuple[tuple[int, ...], float]) -> bool:
    counts, lam = example
    return not predict(counts, lam, lam).complete_collapse


def _nc_at_solver_minimizer(example: tuple[tuple[int, ...], float]) -> float:
    """NC1-NC3 (19)-(21) at the numerical minimiser of (4) (numerics.ufm_plus_solver, 3 starts), NC3 against the
    closed-form margins M_k (largest of the three; must be ~0). Complete collapse is drawn out (the metrics
    are 0/0 there: :func:`_nc_at_complete_collapse`)."""
    counts, lam = example
    sol = solve(UFMPlusProblem(Imbalance(counts), lam, lam, d=len(counts) + 1), starts=3)
    y = sol.problem.labels
    return float(max(nc1(sol.H, y, len(counts)), nc2(sol.W, sol.H, y), nc3(sol.W, sol.H, y, predict(counts, lam, lam).M)))


def _undefined(metric: callable) -> bool:
    try:
        metric()
    except ComputationError:
        return True
    return False


def _nc_at_complete_collapse() -> Outcome:
    """Cor. 4(b) counts (every n_k below C, lambda from the theory's C = 1.1 max n_k): the numerical minimiser
    is W = H = 0 (figure ||W||_F + ||H||_F <= UFM_PLUS_COLLAPSED_NORM), and there NC1-NC3 are 0/0: each must
    raise ComputationError (undefined), never return a number such as 0."""
    worst, defined = 0.0, []
    for counts in ((3, 2), (4, 3, 2), (5, 4, 2, 1)):
        k = len(counts)
        lam = _lambda_for_threshold(float(sum(counts)), k, 1.1 * max(counts))
        sol = solve(UFMPlusProblem(Imbalance(counts), lam, lam, d=k + 1), starts=3)
        y, M = sol.problem.labels, predict(counts, lam, lam).M
        worst = max(worst, float(np.linalg.norm(sol.W) + np.linalg.norm(sol.H)))
        zero_W, zero_H = np.zeros_like(sol.W), np.zeros_like(sol.H)
        defined += [name for name, fn in (("NC1", lambda: nc1(zero_H, y, k)), ("NC2", lambda: nc2(zero_W, zero_H, y)),
                                          ("NC3", lambda: nc3(zero_W, zero_H, y, M))) if not _undefined(fn)]
    ok = worst <= UFM_PLUS_COLLAPSED_NORM and not defined
    return Outcome(ok, worst, UFM_PLUS_COLLAPSED_NORM,
                   "||W||_F + ||H||_F of the numerical minimiser for counts (3, 2), (4, 3, 2), (5, 4, 2, 1) below C; "
                   + ("NC1-NC3 undefined at W = H = 0 (ComputationError)" if not defined
                      else f"metrics returning a number at W = H = 0: {', '.join(sorted(set(defined)))}"))


def _nc_detects_departure() -> Outcome:
    """Negative control: perturbing the minimiser's features by 1% makes NC1 and NC3 clearly positive."""
    counts, lam = (8, 8, 2, 2), 5e-3
    W, H = minimizer(counts, lam, lam, d=5)
    H = H + 0.01 * np.random.default_rng(0).random(H.shape) * np.abs(H).max()
    y = np.repeat(np.arange(4), counts)
    figure = float(min(nc1(H, y, 4), nc3(W, H, y, predict(counts, lam, lam).M)))
    return at_least(figure, NC_DETECTION_FLOOR,
                    f"min(NC1, NC3) after a 1% perturbation must exceed {NC_DETECTION_FLOOR:g}")


CLAIMS = [
    Claim(f"{P} Thm 1", P,
          "Any global minimiser of (4) has (a) within-class collapse, (b) orthogonal class means, (c) "
          "||h_k||^2 = sqrt((K-1)/K lambda_W/lambda_H / n_k) M_k, (d) w_k = sqrt(1/(K(K-1))) "
          "sqrt(lambda_H/lambda_W)(K sqrt(n_k) h_k - sum_m sqrt(n_m) h_m), (e) logits (K-1)/K M_k and -M_k/K, "
          "with M_k of eq. (6).", ASSUME,
          (Check(CheckLevel.SYMBOLIC, "eqs. (9)-(13) in terms of M_k: derived = printed",
                 lambda: _agree(("h_norm_sq", "classifier_coefficient", "logit_true", "logit_other", "logit_sum",
                                 "margin"))),
           Check(CheckLevel.SYMBOLIC, "M_k as printed in eq. (6) (with c_1) = derived", lambda: _agree(("c1",)),
                 erratum="dang2024-mbar-sqrt"),
           Check(CheckLevel.NUMERIC, "solver of (4) vs closed forms: margins, norms, cosines, collapse, orthogonality",
                 lambda: property_outcome(_instance(), _solver_deviation, UFM_PLUS_SOLVER_AGREEMENT, "max deviation",
                                          max_examples=8)),
           Check(CheckLevel.NUMERIC, "same, more instances", quick=False,
                 run=lambda: property_outcome(_instance(), _solver_deviation, UFM_PLUS_SOLVER_AGREEMENT, "max deviation",
                                              max_examples=60))),
          statement_tex=(r"Any global minimiser of (4) has (a) within-class collapse, (b) orthogonal class means, (c) "
                         r"$\lVert h_k\rVert^2 = \sqrt{\tfrac{K-1}{K}\tfrac{\lambda_W}{\lambda_H}\tfrac{1}{n_k}}\,M_k$, "
                         r"(d) $w_k = \sqrt{\tfrac{1}{K(K-1)}}\sqrt{\tfrac{\lambda_H}{\lambda_W}}\bigl(K\sqrt{n_k}\,h_k "
                         r"- \sum_m \sqrt{n_m}\,h_m\bigr)$, (e) logits $\tfrac{K-1}{K}M_k$ and $-M_k/K$, with $M_k$ of "
                         r"eq. (6).")),
    Claim(f"{P} Prop. 1", P, "Classifier norms, inner products and cosines of the minimiser in closed form.",
          ASSUME, (Check(CheckLevel.SYMBOLIC, "||w_k||^2, w_k^T w_j, cos(w_k, w_j): derived = printed",
                         lambda: _agree(("w_norm_sq", "w_inner", "w_cos"))),),
          statement_tex=(r"Classifier norms $\lVert w_k\rVert^2$, inner products $w_k^\top w_j$ and cosines $\cos(w_k, "
                         r"w_j)$ of the minimiser in closed form.")),
    Claim(f"{P} Cor. 1", P, "Balanced counts: class means form an orthogonal frame, W and Z = W H-bar are "
          "proportional to I - 11^T/K (simplex ETF) and W is proportional to the centred class means.",
          "n_1 = ... = n_K",
          (_identity("cos(w_k, w_j) = -1/(K-1)", lambda d: d["balanced_w_cos"] + 1 / (_K() - 1)),
           _identity("z_k^(m) / z_k^(k) = -1/(K-1)", lambda d: d["balanced_logit_ratio"] + 1 / (_K() - 1)),
           _identity("cos(h_k - h_G, h_j - h_G) = -1/(K-1)",
                     lambda d: d["balanced_centred_mean_cos"] + 1 / (_K() - 1)),
           _identity("w_k - s K sqrt(n) (h_k - h_G) = 0", lambda d: d["balanced_w_minus_centred_generic"]
                     + d["balanced_w_minus_centred_special"])),
          statement_tex=(r"Balanced counts: class means form an orthogonal frame, $W$ and $Z = W\bar{H}$ are "
                         r"proportional to $I - \mathbf{1}\mathbf{1}^\top/K$ (simplex ETF) and $W$ is proportional to "
                         r"the centred class means.")),
    Claim(f"{P} Cor. 2", P, "Norm ratios ||w_i||^2/||w_j||^2 and ||h_i||^2/||h_j||^2 (eq. 14); ||w_i|| >= ||w_j|| "
          "whenever n_i >= n_j.", ASSUME,
          (Check(CheckLevel.SYMBOLIC, "classifier-norm ratio: derived = printed", lambda: _agree(("w_norm_sq_ratio",))),
           Check(CheckLevel.SYMBOLIC, "feature-norm ratio: derived = printed", lambda: _agree(("h_norm_sq_ratio",)),
                 erratum="dang2024-cor2-feature-ratio"),
           Check(CheckLevel.SYMBOLIC, "monotonicity of ||w_k|| in n_k", _cor2_monotone)),
          statement_tex=(r"Norm ratios $\lVert w_i\rVert^2/\lVert w_j\rVert^2$ and $\lVert h_i\rVert^2/\lVert "
                         r"h_j\rVert^2$ (eq. 14); $\lVert w_i\rVert \ge \lVert w_j\rVert$ whenever $n_i \ge n_j$.")),
    Claim(f"{P} Cor. 3", P, "Two groups: eqs. (15)-(16) for cos(maj, maj) and cos(min, min), and "
          "cos(maj, maj) < cos(min, min).", "K_A classes with n_A samples, K_B with n_B < n_A",
          (Check(CheckLevel.SYMBOLIC, "(15)-(16) = Prop. 1 on two groups", lambda: _agree(("cos_maj_maj", "cos_min_min"))),
           Check(CheckLevel.SYMBOLIC, "the inequality, by factoring the gap", _cor3_inequality)),
          statement_tex=(r"Two groups: eqs. (15)-(16) for $\cos(\mathrm{maj}, \mathrm{maj})$ and $\cos(\mathrm{min}, "
                         r"\mathrm{min})$, and $\cos(\mathrm{maj}, \mathrm{maj}) < \cos(\mathrm{min}, \mathrm{min})$.")),
    Claim(f"{P} Cor. 4", P, "Class k collapses (h_k = 0, equal classifiers) iff n_k <= C = N^2 K lambda_W "
          "lambda_H / (K-1); minority collapse iff R >= R* (17); complete collapse (18).", ASSUME,
          (Check(CheckLevel.SYMBOLIC, "C = root of M-bar: derived = printed", lambda: _agree(("C",))),
           Check(CheckLevel.SYMBOLIC, "R* solves the implicit (17)", _cor4_R_star),
           Check(CheckLevel.NUMERIC, "closed-form M_k = 0 just below C and > 0 just above (implementation "
                 "consistency: margins() and collapse_threshold() come from one derivation)",
                 lambda: property_outcome(_threshold_case(), _threshold_violation, 0.0, "violations"), consistency=True),
           Check(CheckLevel.NUMERIC, "numerical minimiser of (4), two classes just below C: h_k = 0 and equal "
                 "classifiers (K = 3..5)", lambda: _cor4_solver((3, 4, 5), collapse=True)),
           Check(CheckLevel.NUMERIC, "numerical minimiser of (4), two classes just above C: h_k != 0 and distinct "
                 "classifiers (K = 3..5)", lambda: _cor4_solver((3, 4, 5), collapse=False)),
           Check(CheckLevel.NUMERIC, "same below C, K = 3..8", quick=False,
                 run=lambda: _cor4_solver(tuple(range(3, 9)), collapse=True)),
           Check(CheckLevel.NUMERIC, "same above C, K = 3..8", quick=False,
                 run=lambda: _cor4_solver(tuple(range(3, 9)), collapse=False))),
          statement_tex=(r"Class $k$ collapses ($h_k = 0$, equal classifiers) iff $n_k \le C = N^2 "
                         r"K\lambda_W\lambda_H/(K-1)$; minority collapse iff $R \ge R^*$ (17); complete collapse (18).")),
    Claim(f"{P} eqs. (19)-(21)", P, "NC1, NC2, NC3 vanish at the global minimiser (unless it is W = H = 0, "
          "where they are 0/0).", ASSUME,
          (Check(CheckLevel.NUMERIC, "max(NC1, NC2, NC3) at the numerical minimiser of (4), NC3 against the "
                 "closed-form M (complete collapse drawn out)",
                 lambda: property_outcome(_instance().filter(_not_complete), _nc_at_solver_minimizer, NC_AT_MINIMIZER,
                                          "max NC metric", max_examples=8)),
           Check(CheckLevel.NUMERIC, "same, more instances", quick=False,
                 run=lambda: property_outcome(_instance().filter(_not_complete), _nc_at_solver_minimizer,
                                              NC_AT_MINIMIZER, "max NC metric", max_examples=40)),
           Check(CheckLevel.NUMERIC, "complete collapse (18): the numerical minimiser is W = H = 0, where NC1-NC3 "
                 "are 0/0 (undefined, raised), not 0", _nc_at_complete_collapse),
           Check(CheckLevel.NUMERIC, "NC metrics detect a 1% perturbation", _nc_detects_departure)),
          statement_tex=(r"$\mathrm{NC}_1$, $\mathrm{NC}_2$, $\mathrm{NC}_3$ vanish at the global minimiser (unless it is "
                         r"$W = H = 0$, where they are $0/0$).")),
]
