"""Errata of dang2024 (UFM+, regularised CE with non-negative features).

Each evidence re-derives its finding: a SymPy identity for the corrected form (derived in
:mod:`theory.ufm_plus.symbolic`), a numerical evaluation showing that the printed form
(:mod:`theory.ufm_plus.printed`) differs, and where the finding concerns the minimiser, a check on
problem (4) itself (KKT residual of an explicit configuration, or the numerical solver).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from numerics.ufm_plus import largest_deviation, solve, UFMPlusProblem
from proofs_check.model import Erratum, Evidence
from proofs_check.proof_objects.ufm_plus import c1_star, c2, g_reduced, UFMPoint, x_bar
from theory.core.measure import class_means
from theory.core.tolerances import (KKT_POINT, MISPRINT_EFFECT, MULTIPLIER_POSITIVE, ROUNDING,
                                    UFM_PLUS_REFERENCE_AGREEMENT, UFM_PLUS_SOLVER_KKT)
from theory.core.vocabulary import Paper
from theory.ufm_plus.closed_form import minimizer, objective_value, predict
from theory.ufm_plus.orthogonal_span import class_mean, SpanVector
from theory.ufm_plus.printed import PRINTED
from theory.ufm_plus.symbolic import classifier, derivation, in_step4_variable, is_zero, K, n_k, PUBLIC, t, x

PAPER = Paper.DANG2024
# a reference setting without collapse: K = 4, N = 20, lambda_W = lambda_H = 5e-3
_COUNTS = (8, 8, 2, 2)
_LAM = 5e-3


def _at(expr: sp.Expr, **values: float) -> float:
    return float(sp.N(expr.subs({PUBLIC[k]: sp.nsimplify(v) for k, v in values.items()}), 30))


def _thm1_point(counts: tuple[int, ...], h_norm_sq: np.ndarray, lam_w: float, lam_h: float,
                d: int) -> tuple[np.ndarray, np.ndarray]:
    """The configuration of Thm 1(a), (b), (d) written out from the statement (the checks these errata
    excuse run theory.ufm_plus's derivation instead): h_{k,i} = sqrt(x_k) e_k, w_k = sqrt(1/(K(K-1)))
    sqrt(lambda_H/lambda_W) (K sqrt(n_k) h_k - sum_m sqrt(n_m) h_m) (eq. (10))."""
    k, n = len(counts), np.asarray(counts, dtype=np.float64)
    means = np.zeros((d, k))
    means[np.arange(k), np.arange(k)] = np.sqrt(h_norm_sq)
    weighted = means * np.sqrt(n)
    W = np.sqrt(1 / (k * (k - 1)) * lam_h / lam_w) * (k * weighted - weighted.sum(axis=1, keepdims=True)).T
    return W, np.repeat(means, counts, axis=1)


def _norms_from_c1(counts: tuple[int, ...], c1: float, lam_w: float, lam_h: float) -> np.ndarray:
    """||h_k||^2 of eq. (9) with M_k = M-bar_k = log((K-1)(sqrt(n_k)/c_1 - 1)) of eq. (6) for the given c_1."""
    k, n = len(counts), np.asarray(counts, dtype=np.float64)
    return np.sqrt((k - 1) / k * lam_w / lam_h / n) * np.log((k - 1) * (np.sqrt(n) / c1 - 1))


def _m_bar_sqrt() -> Evidence:
    """Numerically, by a route that shares no code with the check (SymPy derivation against the printed
    formula): the configuration built from M-bar with the corrected c_1 is a KKT point of problem (4) (the
    numerical solver's residual) and the printed c_1 gives none; the corrected M-bar vanishes exactly at the
    paper's threshold C = N^2 K lambda_W lambda_H / (K-1), the printed one elsewhere."""
    k, total = len(_COUNTS), float(sum(_COUNTS))
    c1 = total * np.sqrt((k - 1) / k * _LAM * _LAM)
    c1_printed = total * np.sqrt((k - 1) / k) * _LAM * _LAM
    problem = UFMPlusProblem(list(_COUNTS), _LAM, _LAM, 6)
    kkt = problem.kkt_residual(*_thm1_point(_COUNTS, _norms_from_c1(_COUNTS, c1, _LAM, _LAM), _LAM, _LAM, 6))
    kkt_printed = problem.kkt_residual(*_thm1_point(_COUNTS, _norms_from_c1(_COUNTS, c1_printed, _LAM, _LAM),
                                                    _LAM, _LAM, 6))
    threshold = total**2 * k * _LAM * _LAM / (k - 1)

    def m_bar(n: float, c: float) -> float:
        return float(np.log((k - 1) * (np.sqrt(n) / c - 1)))

    at_c, at_c_printed = m_bar(threshold, c1), m_bar(threshold, c1_printed)
    derived_m, printed_m = m_bar(8, c1), m_bar(8, c1_printed)
    holds = (kkt <= KKT_POINT < kkt_printed and abs(at_c) < ROUNDING and abs(at_c_printed) > MISPRINT_EFFECT
             and abs(derived_m - printed_m) > MISPRINT_EFFECT)
    return Evidence(holds, f"counts {_COUNTS}, lambda_W = lambda_H = {_LAM}: KKT residual of problem (4) at the Thm 1 "
                    f"configuration with c_1 = N sqrt((K-1)/K lambda_W lambda_H): {kkt:.1e}, with the printed c_1: "
                    f"{kkt_printed:.1e}; at n_k = C = {threshold:.4f} M-bar is {at_c:.1e} (corrected) and "
                    f"{at_c_printed:.3f} (printed); at n_k = 8: M-bar {derived_m:.6f} (corrected), {printed_m:.6f} "
                    f"(printed)")


def _step4_identity() -> Evidence:
    lhs = in_step4_variable(PRINTED["step4_identity_lhs"])
    corrected = in_step4_variable(derivation()["margin_x"]) / (1 + t) + sp.log((1 + t) / t)
    ok = is_zero(lhs - corrected)
    point = {"K": 3, "n_k": 4, "x": 0.5, "lambda_W": 1.0, "lambda_H": 1.0, "N": 10}
    gap = _at(PRINTED["step4_identity_lhs"] - PRINTED["step4_identity_rhs"], **point)
    return Evidence(ok and abs(gap) > MISPRINT_EFFECT,
                    f"left side = sqrt(lambda_H/lambda_W K/(K-1)) sqrt(n_k) x/(1+t) + log((1+t)/t) (SymPy, in "
                    f"t = exp(margin)/(K-1): {ok}); printed (n_k x) misses by {gap:.4f} at K=3, n_k=4, x=0.5, "
                    "lambda=1; only the sqrt(n_k) form gives the printed g(x)")


def _lemma2_index() -> Evidence:
    h_k = class_mean("k", n_k)
    q = {"k": n_k * x, "m": sp.Symbol("q_m")}
    derived = classifier("k")
    literal = SpanVector(derived.generic, {"m": derived.special["k"]})   # K sqrt(n_m) h_m, m != k
    z_derived = derived.inner(h_k, q, sp.Symbol("T"))
    z_literal = literal.inner(h_k, q, sp.Symbol("T"))
    ok = is_zero(z_derived - (K - 1) * sp.sqrt(n_k) * x * derived.special["k"] / K)   # (K-1) s sqrt(n_k) x
    negative = is_zero(z_literal - derived.generic * sp.sqrt(n_k) * x)
    W, H = minimizer(_COUNTS, _LAM, _LAM, 6)
    problem = UFMPlusProblem(list(_COUNTS), _LAM, _LAM, 6)
    W_literal = W[[1, 0, 3, 2]]          # row k built from h_m of another class m
    kkt, kkt_literal = problem.kkt_residual(W, H), problem.kkt_residual(W_literal, H)
    return Evidence(ok and negative and kkt <= KKT_POINT < kkt_literal,
                    f"(31) with (37) gives w_k proportional to K sqrt(n_k) h_k - sum_m sqrt(n_m) h_m, whose logit "
                    f"<w_k, h_k> = (K-1) s sqrt(n_k) x_k > 0 (SymPy: {ok}); read literally (index m != k) it "
                    f"would be -s sqrt(n_k) x_k < 0 (SymPy: {negative}); KKT residual for counts {_COUNTS}: "
                    f"index k {kkt:.1e}, index m {kkt_literal:.1e}")


def _feature_ratio() -> Evidence:
    """From the numerical solver of problem (4) (the check compares SymPy expressions): the measured ratio
    ||h_1||^2 / ||h_3||^2 of the solved class means against the corrected and the printed eq. (14), with M_k
    measured as the margin <w_k - w_m, h_k> of the solved logits."""
    sol = solve(UFMPlusProblem(list(_COUNTS), _LAM, _LAM, 6), starts=3, seed=0)
    labels = np.repeat(np.arange(len(_COUNTS)), _COUNTS)
    means = class_means(sol.H, labels, len(_COUNTS))
    logits = sol.W @ means                                  # column k: logits of class mean k
    margins = np.array([logits[c, c] - np.delete(logits[:, c], c).mean() for c in range(len(_COUNTS))])
    norms = np.sum(means**2, axis=0)
    n = np.asarray(_COUNTS, dtype=np.float64)
    actual = float(norms[0] / norms[2])
    corrected = float(np.sqrt(n[2] / n[0]) * margins[0] / margins[2])
    printed = float(np.sqrt(n[2] / n[0] * margins[0] / margins[2]))
    holds = (sol.kkt_residual <= UFM_PLUS_SOLVER_KKT
             and abs(actual - corrected) <= UFM_PLUS_REFERENCE_AGREEMENT * actual
             and abs(actual - printed) > MISPRINT_EFFECT)
    return Evidence(holds, f"numerical minimiser of (4) for counts {_COUNTS}, lambda = {_LAM} (KKT residual "
                    f"{sol.kkt_residual:.1e}): ||h_1||^2/||h_3||^2 = {actual:.6f}; sqrt(n_3/n_1) M_1/M_3 = "
                    f"{corrected:.6f} (corrected); sqrt((n_3/n_1)(M_1/M_3)) = {printed:.6f} (printed)")


def _dual_variables() -> Evidence:
    problem = UFMPlusProblem(list(_COUNTS), _LAM, _LAM, 6)
    W, H = minimizer(_COUNTS, _LAM, _LAM, 6)
    _, _, gH = problem.value_and_gradient(W, H)
    kkt = problem.kkt_residual(W, H)
    means = class_means(H, problem.labels, problem.k)
    n = np.asarray(_COUNTS, dtype=np.float64)
    lhs = _LAM * W.T @ W
    rhs = _LAM * (means * n) @ means.T
    matrix_gap = float(np.max(np.abs(lhs - rhs)))
    trace_gap = abs(float(np.trace(lhs) - np.trace(rhs)))
    slack = abs(float(np.sum(gH * H)))
    holds = (kkt <= KKT_POINT and float(gH.max()) > MULTIPLIER_POSITIVE and matrix_gap > MISPRINT_EFFECT
             and trace_gap < ROUNDING and slack < ROUNDING)
    return Evidence(holds, f"at the minimiser for counts {_COUNTS} (KKT residual {kkt:.1e}) the gradient in H is "
                    f"not 0: its largest entry is {gH.max():.3e} (the multipliers of H >= 0); "
                    f"lambda_W W^T W - lambda_H sum_k n_k h_k h_k^T has entries up to {matrix_gap:.3e}, while its "
                    f"trace, (43), vanishes to {trace_gap:.1e} (complementary slackness <grad, H> = {slack:.1e})")


def _proof_gap_t() -> Evidence:
    lam = 0.1
    k, total = len(_COUNTS), float(sum(_COUNTS))
    c1 = total * np.sqrt((k - 1) / k * lam * lam)
    t_min = np.sqrt(_COUNTS[-1]) / c1 - 1
    pred = predict(_COUNTS, lam, lam)
    sol = solve(UFMPlusProblem(list(_COUNTS), lam, lam, 6), starts=3, seed=0)
    m = sol.measure()
    dev = largest_deviation(m, {"M": pred.M, "h_norm_sq": pred.h_norm_sq, "w_norm_sq": pred.w_norm_sq,
                                "cos_w": pred.cos_w})
    gap = sol.objective - objective_value(pred)
    holds = t_min < 0 and dev < UFM_PLUS_REFERENCE_AGREEMENT and abs(gap) < ROUNDING
    return Evidence(holds, f"counts {_COUNTS}, lambda = 0.1: c_1 = {c1:.4f} > sqrt(n_min) = "
                    f"{np.sqrt(_COUNTS[-1]):.4f}, "
                    f"so t_min = {t_min:.4f} < 0 and (27) does not apply to the minority classes; the solver "
                    f"still reaches the Thm 1 minimiser (objective gap {gap:.1e}, largest deviation {dev:.1e})")


def _cor1_class_means() -> Evidence:
    counts = (3, 3, 3)
    W, H = minimizer(counts, _LAM, _LAM, 3)
    labels = np.repeat(np.arange(3), counts)
    gram = H.T @ H
    means = class_means(H, labels, 3)
    mean_gram = means.T @ means
    off = float(gram[0, 1] / gram[0, 0])
    of_gap = float(np.max(np.abs(mean_gram / mean_gram[0, 0] - np.eye(3))))
    return Evidence(abs(off - 1.0) < ROUNDING and of_gap < ROUNDING,
                    f"balanced counts {counts}: H^T H (N x N) has off-diagonal/diagonal ratio {off:.3f} inside a "
                    f"class (not proportional to I), while the class-mean Gram matrix is proportional to I_K "
                    f"(deviation {of_gap:.1e})")


def _step1_norm_index() -> Evidence:
    """The per-class norm inequality of Step 1, printed with the sum over classes instead of samples."""
    H = np.ones((2, 3))                      # K = 3 classes of one sample each (column k), all equal to (1, 1)
    lhs = float(np.sum(H[:, 0] ** 2))        # class 1: sum_{i=1}^{n_1} ||h_{1,i}||^2, n_1 = 1
    printed = float(np.sum(H.sum(axis=1) ** 2))     # (1/n_1) ||sum_{k=1}^K h_{k,1}||^2
    corrected = float(np.sum(H[:, 0] ** 2))         # (1/n_1) ||sum_{i=1}^{n_1} h_{1,i}||^2
    rng = np.random.default_rng(0)
    excess = []
    for _ in range(200):
        block = rng.standard_normal((3, int(rng.integers(2, 6))))     # the samples of one class
        excess.append(float(np.sum(block.sum(axis=1) ** 2)) / block.shape[1] - float(np.sum(block**2)))
    return Evidence(printed > lhs and corrected <= lhs and max(excess) <= ROUNDING,
                    f"K = 3 classes of one sample each, every feature (1, 1): sum_i ||h_{{1,i}}||^2 = {lhs:.1f}, "
                    f"printed right side (1/n_1)||sum_{{k=1}}^K h_{{k,1}}||^2 = {printed:.1f} (inequality fails), "
                    f"corrected (1/n_1)||sum_i h_{{1,i}}||^2 = {corrected:.1f}; the corrected form holds on 200 random "
                    f"classes (largest excess of its right side {max(excess):.1e})")


def _step4_collapse() -> Evidence:
    lam = 0.07
    W, H = minimizer(_COUNTS, lam, lam, 6)
    point = UFMPoint(_COUNTS, lam, lam, "minimizer", 0, W, H)
    n, total = point.n, point.n_total
    t = np.sqrt(n) / c1_star(point) - 1
    bound = float(np.sum(n / total * c2(t, point.k)))                       # xi(c_1*, x), any x
    printed = float(np.sum(g_reduced(point, np.maximum(x_bar(point), 0.0))))   # sum_k g(x_k*)
    unconstrained = float(np.sum(g_reduced(point, x_bar(point))))
    threshold = total**2 * point.k * lam * lam / (point.k - 1)
    sol = solve(UFMPlusProblem(list(_COUNTS), lam, lam, 6), starts=3, seed=0)
    optimum = objective_value(predict(_COUNTS, lam, lam))
    holds = (bool(np.all(t > 0)) and min(_COUNTS) <= threshold and printed - bound > MISPRINT_EFFECT
             and abs(bound - unconstrained) < ROUNDING and abs(sol.objective - optimum) < ROUNDING
             and abs(point.objective - printed) < ROUNDING)
    return Evidence(holds, f"counts {_COUNTS}, lambda_W = lambda_H = {lam}: every t_k = sqrt(n_k)/c_1 - 1 > 0 "
                    f"(min {t.min():.4f}) but n_min = {min(_COUNTS)} <= C = {threshold:.4f}, so the minority classes "
                    f"collapse; xi(c_1*, x) = sum_k n_k/N c_(2,k) = {bound:.6f} = sum_k g_k(x_bar_k) "
                    f"({unconstrained:.6f}, x_bar of (42) is {x_bar(point).min():.4f} < 0 there), while "
                    f"sum_k g_k(x_k*) = {printed:.6f} = L_0 at the closed-form minimiser = the numerical solver's "
                    f"optimum ({sol.objective:.6f}); the bound is "
                    f"{printed - bound:.2e} short")


ERRATA: list[Erratum] = [
    Erratum(
        id="dang2024-mbar-sqrt", paper=PAPER,
        location="eq. (6); the same slip in eqs. (41), (42) and items (iv)-(v) of the proof of Thm 1",
        printed="M-bar_k = log((K-1)(sqrt(n_k) / (N sqrt((K-1)/K) lambda_W lambda_H) - 1)); "
                "c_1 = N sqrt((K-1)/K) lambda_W lambda_H",
        corrected="M-bar_k = log((K-1)(sqrt(n_k) / (N sqrt((K-1)/K lambda_W lambda_H)) - 1)); "
                  "c_1 = N sqrt((K-1)/K lambda_W lambda_H) (the square root covers lambda_W lambda_H, as the "
                  "paper's own positivity condition and Cor. 4 require)",
        printed_tex=(r"$\bar{M}_k = "
                     r"\log\Bigl((K-1)\Bigl(\frac{\sqrt{n_k}}{N\sqrt{\frac{K-1}{K}}\,\lambda_W\lambda_H} - "
                     r"1\Bigr)\Bigr)$; $c_1 = N\sqrt{\frac{K-1}{K}}\,\lambda_W\lambda_H$"),
        corrected_tex=(r"$\bar{M}_k = \log\Bigl((K-1)\Bigl(\frac{\sqrt{n_k}}{N\sqrt{\frac{K-1}{K}\lambda_W\lambda_H}} "
                       r"- 1\Bigr)\Bigr)$; $c_1 = N\sqrt{\frac{K-1}{K}\lambda_W\lambda_H}$ (the square root covers "
                       r"$\lambda_W\lambda_H$, as the paper's own positivity condition and Cor. 4 require)"),
        evidence=_m_bar_sqrt, claim_id="dang2024 Thm 1"),
    Erratum(
        id="dang2024-step4-sqrt-n", paper=PAPER,
        location="Step 4 of the proof of Thm 1, last line of the identity after eq. (39)",
        printed="... = sqrt(lambda_H/lambda_W K/(K-1)) n_k x / (1+t) + log((1+t)/t)",
        corrected="... = sqrt(lambda_H/lambda_W K/(K-1)) sqrt(n_k) x / (1+t) + log((1+t)/t)",
        printed_tex=(r"$\ldots = \sqrt{\frac{\lambda_H}{\lambda_W}\frac{K}{K-1}}\,\frac{n_k x}{1+t} + "
                     r"\log\frac{1+t}{t}$"),
        corrected_tex=(r"$\ldots = \sqrt{\frac{\lambda_H}{\lambda_W}\frac{K}{K-1}}\,\frac{\sqrt{n_k}\,x}{1+t} + "
                       r"\log\frac{1+t}{t}$"),
        evidence=_step4_identity, claim_id="dang2024 proof Step 4 identity below (39)"),
    Erratum(
        id="dang2024-lemma2-index", paper=PAPER,
        location="Lemma 2, eq. (45), its proof and Step 4 (also eq. (37): K sqrt(n_j) h_m)",
        printed="w_k = sqrt(1/(K(K-1))) sqrt(lambda_H/lambda_W) (K sqrt(n_m) h_m - sum_k sqrt(n_k) h_k), for all k",
        corrected="w_k = sqrt(1/(K(K-1))) sqrt(lambda_H/lambda_W) (K sqrt(n_k) h_k - sum_m sqrt(n_m) h_m), for all k "
                  "(eq. (10))",
        printed_tex=(r"$w_k = \sqrt{\frac{1}{K(K-1)}}\sqrt{\frac{\lambda_H}{\lambda_W}}\bigl(K\sqrt{n_m}\,h_m - "
                     r"\sum_k\sqrt{n_k}\,h_k\bigr)$, for all $k$"),
        corrected_tex=(r"$w_k = \sqrt{\frac{1}{K(K-1)}}\sqrt{\frac{\lambda_H}{\lambda_W}}\bigl(K\sqrt{n_k}\,h_k - "
                       r"\sum_m\sqrt{n_m}\,h_m\bigr)$, for all $k$ (eq. (10))"),
        evidence=_lemma2_index, claim_id="dang2024 proof Lemma 2 (44)-(51)"),
    Erratum(
        id="dang2024-cor2-feature-ratio", paper=PAPER, location="Cor. 2, eq. (14), second line",
        printed="||h_i||^2 / ||h_j||^2 = sqrt((n_j / n_i) (M_i / M_j))",
        corrected="||h_i||^2 / ||h_j||^2 = sqrt(n_j / n_i) M_i / M_j",
        printed_tex=r"$\lVert h_i\rVert^2/\lVert h_j\rVert^2 = \sqrt{\frac{n_j}{n_i}\,\frac{M_i}{M_j}}$",
        corrected_tex=r"$\lVert h_i\rVert^2/\lVert h_j\rVert^2 = \sqrt{\frac{n_j}{n_i}}\,\frac{M_i}{M_j}$",
        evidence=_feature_ratio, claim_id="dang2024 Cor. 2"),
    Erratum(
        id="dang2024-dual-variables", paper=PAPER, location="Sec. 7.1, Remark before Lemma 1; proof of Lemma 1",
        printed="strong duality holds with dual variables equal 0, hence grad_H L_1 = 0 at an optimum, and "
                "lambda_W W^T W = lambda_H [n_1 h_1 ... n_K h_K] H^T",
        corrected="the multipliers of H >= 0 equal grad_H L_1 >= 0 and are positive on the zero coordinates of the "
                  "optimal features, so grad_H L_1 != 0 and the matrix identity fails; its trace (43) still holds "
                  "by complementary slackness <grad_H L_1, H> = 0, which is all the proof uses",
        printed_tex=(r"strong duality holds with dual variables equal $0$, hence $\nabla_H L_1 = 0$ at an optimum, "
                     r"and $\lambda_W W^\top W = \lambda_H\,[n_1 h_1 \cdots n_K h_K]\,H^\top$"),
        corrected_tex=(r"the multipliers of $H \ge 0$ equal $\nabla_H L_1 \ge 0$ and are positive on the zero "
                       r"coordinates of the optimal features, so $\nabla_H L_1 \ne 0$ and the matrix identity fails; "
                       r"its trace (43) still holds by complementary slackness $\langle\nabla_H L_1, H\rangle = 0$, "
                       r"which is all the proof uses"),
        evidence=_dual_variables, claim_id="dang2024 proof Lemma 1 (35)/(43)"),
    Erratum(
        id="dang2024-proof-gap-tk", paper=PAPER, location="Steps 3-4 of the proof of Thm 1 (common c_1, t_k)",
        printed="the bound (27) is used for every class with t_k = sqrt(n_k)/c_1 - 1 and c_1 of (41)",
        corrected="(27) needs t_k > 0, which fails when n_k <= (K-1)/K N^2 lambda_W lambda_H (deeply collapsed "
                  "classes); the proof does not cover these classes, but the statement of Thm 1 (h_k = 0 there) "
                  "still holds, as the numerical solver confirms",
        printed_tex=r"the bound (27) is used for every class with $t_k = \sqrt{n_k}/c_1 - 1$ and $c_1$ of (41)",
        corrected_tex=(r"(27) needs $t_k > 0$, which fails when $n_k \le \frac{K-1}{K}N^2\lambda_W\lambda_H$ (deeply "
                       r"collapsed classes); the proof does not cover these classes, but the statement of Thm 1 ($h_k "
                       r"= 0$ there) still holds, as the numerical solver confirms"),
        evidence=_proof_gap_t, claim_id="dang2024 Thm 1"),
    Erratum(
        id="dang2024-cor1-class-means", paper=PAPER, location="Cor. 1 and its proof",
        printed="H^T H proportional to I_K, W proportional to (H - h_G 1_K^T)^T, Z = W H (H the d x N features)",
        corrected="the class-mean matrix H-bar: H-bar^T H-bar proportional to I_K, W proportional to "
                  "(H-bar - h_G 1_K^T)^T, Z = W H-bar",
        printed_tex=(r"$H^\top H \propto I_K$, $W \propto (H - h_G\mathbf{1}_K^\top)^\top$, $Z = WH$ ($H$ the "
                     r"$d\times N$ features)"),
        corrected_tex=(r"the class-mean matrix $\bar{H}$: $\bar{H}^\top\bar{H} \propto I_K$, $W \propto (\bar{H} - "
                       r"h_G\mathbf{1}_K^\top)^\top$, $Z = W\bar{H}$"),
        evidence=_cor1_class_means, claim_id="dang2024 Cor. 1"),
    Erratum(
        id="dang2024-step1-norm-index", paper=PAPER,
        location="Step 1 of the proof of Thm 1, the second sub-inequality after eq. (25)",
        printed="for any k, sum_{i=1}^{n_k} ||h_{k,i}||^2 >= (1/n_k) ||sum_{k=1}^K h_{k,i}||^2",
        corrected="sum_{i=1}^{n_k} ||h_{k,i}||^2 >= (1/n_k) ||sum_{i=1}^{n_k} h_{k,i}||^2 (the sum runs over the "
                  "samples of class k, as in the displayed chain), with equality iff h_{k,i} = h_{k,j}",
        printed_tex=(r"for any $k$, $\sum_{i=1}^{n_k}\lVert h_{k,i}\rVert^2 \ge "
                     r"\frac{1}{n_k}\bigl\lVert\sum_{k=1}^K h_{k,i}\bigr\rVert^2$"),
        corrected_tex=(r"$\sum_{i=1}^{n_k}\lVert h_{k,i}\rVert^2 \ge \frac{1}{n_k}\bigl\lVert\sum_{i=1}^{n_k} "
                       r"h_{k,i}\bigr\rVert^2$ (the sum runs over the samples of class $k$, as in the displayed "
                       r"chain), with equality iff $h_{k,i} = h_{k,j}$"),
        evidence=_step1_norm_index, claim_id="dang2024 proof Step 1 feature norms"),
    Erratum(
        id="dang2024-step4-collapse", paper=PAPER,
        location="Step 4 of the proof of Thm 1, the last display ('= sum_k g(x_k*)') and the conclusion "
                 "L_1 >= sum_k g(x_k*) when a class collapses",
        printed="xi(c_1 = N sqrt((K-1)/K) lambda_W lambda_H, x) = sum_k n_k/N c_(2,k) (t_k = sqrt(n_k)/c_1 - 1) "
                "= sum_k g(x_k*), for every class including the collapsed ones (x_k* = 0)",
        corrected="sum_k n_k/N c_(2,k) = sum_k g_k(x_bar_k) with x_bar_k the unconstrained stationary point of "
                  "(42), which is negative for a collapsed class (n_k <= C); since g_k is convex with minimum at "
                  "x_bar_k < 0, "
                  "g_k(x_bar_k) < g_k(0), so with any collapsed class the bound lies strictly below the minimum and "
                  "Step 4 does not identify the minimiser, even where every t_k > 0 (beyond dang2024-proof-gap-tk); "
                  "the statement of Thm 1 still holds (numerical solver)",
        printed_tex=(r"$\xi\bigl(c_1 = N\sqrt{\frac{K-1}{K}}\,\lambda_W\lambda_H,\ x\bigr) = "
                     r"\sum_k\frac{n_k}{N}c_{2,k}$ ($t_k = \sqrt{n_k}/c_1 - 1$) $= \sum_k g(x_k^*)$, for every "
                     r"class including the collapsed ones ($x_k^* = 0$)"),
        corrected_tex=(r"$\sum_k\frac{n_k}{N}c_{2,k} = \sum_k g_k(\bar{x}_k)$ with $\bar{x}_k$ the unconstrained "
                       r"stationary point of (42), which is negative for a collapsed class ($n_k \le C$); since $g_k$ "
                       r"is convex with minimum at $\bar{x}_k < 0$, $g_k(\bar{x}_k) < g_k(0)$, so with any collapsed "
                       r"class the bound lies strictly below the minimum and Step 4 does not identify the minimiser, "
                       r"even where every $t_k > 0$ (beyond dang2024-proof-gap-tk); the statement of Thm 1 still "
                       r"holds (numerical solver)"),
        evidence=_step4_collapse, claim_id="dang2024 proof Step 4 xi"),
]
