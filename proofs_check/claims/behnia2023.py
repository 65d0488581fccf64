"""Claims of behnia2023 (Def. 1, Thm 2, Cor. 3, Remark 4, closed forms and limits) with their checks.

Symbolic checks are the proofs of :mod:`theory.seli.special_cases` and :mod:`theory.seli.limits`; numeric
checks evaluate the SEL/SELI objects on random settings (general class counts where the claim allows),
and the solver checks of :mod:`proofs_check.claims.behnia2023_solvers` solve the CS-SVM itself.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from numerics.cs_svm import solve_cs_svm
from proofs_check.model import Check, Claim, Outcome
from proofs_check.runner import property_outcome, symbolic_outcome, within
from theory.core.imbalance import Imbalance
from theory.core.parameterization import Parameterization
from theory.core.measure import GROUP_KEYS
from theory.core.tolerances import (CERTIFIED_GAP_SCALE, CS_SVM_AGREEMENT, LIMIT_AT_LARGE_R, PRINTED_EQUALITY, ROUNDING, SEL_CLOSED_FORM,
                                    SEL_KERNEL_ROUNDING)
from theory.core.vocabulary import CheckLevel, Loss, Paper
from theory.seli import special_cases as sc
from theory.seli.closed_forms import evaluate
from theory.seli.geometry import seli_geometry, step_groups
from theory.seli.limits import limit_R_infinity
from theory.seli.sel import sel_matrix, z_hat
from theory.seli.step_geometry import predict_step, step_delta

P = Paper.BEHNIA2023


def _sym(level_desc: str, proof_fn, *args) -> Check:
    return Check(CheckLevel.SYMBOLIC, level_desc, lambda: symbolic_outcome(proof_fn(*args)))


@st.composite
def _counts_and_delta(draw) -> tuple[np.ndarray, np.ndarray]:
    """General (not only STEP) class counts and positive delta, k in [2, 8]."""
    k = draw(st.integers(2, 8))
    counts = np.array(draw(st.lists(st.integers(1, 60), min_size=k, max_size=k)), dtype=float)
    delta = np.array(draw(st.lists(st.floats(0.1, 10.0), min_size=k, max_size=k)))
    return counts, delta


def _kernel_residual(example: tuple[np.ndarray, np.ndarray]) -> float:
    _, delta = example
    Xi = sel_matrix(delta)
    return float(np.max(np.abs(Xi.T @ (1.0 / delta))) / np.max(np.abs(Xi)))


def _margin_residual(example: tuple[np.ndarray, np.ndarray]) -> float:
    counts, delta = example
    y = np.repeat(np.arange(counts.size), counts.astype(int))
    worst = 0.0
    for p in (Parameterization.cdt(delta), Parameterization.ldt(delta)):
        m = p.margins(z_hat(y, p), y)
        worst = max(worst, float(np.max(np.abs(m[np.isfinite(m)] - 1.0))))
    return worst


def _centering_residual(example: tuple[np.ndarray, np.ndarray]) -> float:
    """Remark 4 for any counts: CDT sum_c mu_c = 0, sum_c w_c/delta_c = 0; LDT sum_c delta_c mu_c = 0,
    sum_c w_c = 0 — as quadratic forms of the predicted Gram matrices, relative to their scale."""
    counts, delta = example
    one = np.ones(delta.size)
    cdt = seli_geometry(counts, Parameterization.cdt(delta))
    ldt = seli_geometry(counts, Parameterization.ldt(delta))
    forms = [(cdt.G_M, one), (cdt.G_W, 1.0 / delta), (ldt.G_M, delta), (ldt.G_W, one)]
    return max(abs(float(v @ G @ v)) / (float(np.abs(G).max()) * float(v @ v)) for G, v in forms)


def _closed_form_vs_numeric(example: tuple[int, int, float, float]) -> float:
    k, k_minor, R, gamma = example
    worst = 0.0
    for loss in (Loss.CDT, Loss.LDT):
        num = predict_step(loss, k, k_minor, R, R**gamma, method=CheckLevel.NUMERIC)
        sym = evaluate(loss, k, k_minor, R, R**gamma)
        for block in ("W", "M", "WM"):
            for key, v in num[block].items():
                s = sym[f"{block}.{key}"]
                if v is None or s is None:
                    if (v is None) != (s is None):
                        return float("inf")
                    continue
                worst = max(worst, abs(v - s) / abs(s))
    return worst


def _relative_difference(measured: float | None, closed: float | None) -> float:
    """|measured - closed| / max(1, |closed|); a cosine within a group of one class is undefined (None) on both
    sides: 0 then, inf when only one side is undefined."""
    if closed is None or measured is None:
        return 0.0 if closed is None and measured is None else float("inf")
    return abs(measured - closed) / max(1.0, abs(closed))


def _closed_form_vs_certified(settings: tuple[tuple[str, float, int, float, int], ...]) -> Outcome:
    """Sec. 4's closed forms (SymPy, :func:`theory.seli.closed_forms.evaluate`) against the geometry of the
    certified sample-level convex CS-SVM (numerics.cs_svm, SCS; no SEL formula involved) at (loss, gamma, k_minor,
    R, n_min) STEP settings with k = 5. Per setting: the largest |measured - closed form| / max(1, |closed
    form|) over the norm ratios and cosines, divided by sqrt of the certificate's relative duality gap; the
    figure is the largest ratio (<= CERTIFIED_GAP_SCALE)."""
    worst, rows = 0.0, []
    for loss, gamma, km, R, n_min in settings:
        imb = Imbalance.step(5, km, R, n_min)
        Delta = R ** gamma
        sol = solve_cs_svm(imb, Parameterization.from_name(loss, step_delta(5, km, Delta)))
        got = sol.geometry().summary(*step_groups(5, km))
        closed = evaluate(loss, 5, km, R, Delta)
        dev = max(_relative_difference(got[b][key], closed[f"{b}.{key}"]) for b, keys in GROUP_KEYS.items()
                  for key in keys)
        gap = max(sol.certificate.relative_gap, np.finfo(float).eps)
        worst = max(worst, dev / np.sqrt(gap))
        rows.append(f"{loss} gamma={gamma:g} rho={km}/5 R={R:g}: {dev:.1e} (gap {gap:.1e})")
    return Outcome(worst <= CERTIFIED_GAP_SCALE, worst, CERTIFIED_GAP_SCALE,
                   "max relative |certified - closed form| / sqrt(certified gap); " + "; ".join(rows))


def _cor3_deviation(loss: str, G_W: np.ndarray, G_M: np.ndarray, G_WM: np.ndarray, delta: np.ndarray,
                    k_minor: int, R: float) -> float:
    """Largest deviation from Cor. 3 in one geometry (majority classes first). CDT (i): |1 - cos(w_c, mu_c)|
    over every class. LDT (ii): (W, M diag(delta)) each a simplex ETF (squared norms equal to their mean,
    cosines -1/(k-1), relative), cos(w_c, delta_c mu_c) = 1, and ||mu_min||^2 / ||mu_maj||^2 = R (relative)."""
    k = delta.size
    if loss == Loss.CDT:
        return float(np.max(np.abs(1.0 - np.diag(G_WM) / np.sqrt(np.diag(G_W) * np.diag(G_M)))))
    D = np.diag(delta)
    G_MD, G_WMD = D @ G_M @ D, G_WM @ D
    etf = np.full((k, k), -1.0 / (k - 1)) + np.eye(k) * (1.0 + 1.0 / (k - 1))
    dev = max(float(np.max(np.abs(G / np.mean(np.diag(G)) - etf))) for G in (G_W, G_MD))
    dev = max(dev, float(np.max(np.abs(1.0 - np.diag(G_WMD) / np.sqrt(np.diag(G_W) * np.diag(G_MD))))))
    norms = np.diag(G_M)
    ratio = np.mean(norms[k - k_minor:]) / np.mean(norms[:k - k_minor])
    return max(dev, abs(ratio / R - 1.0))


def _cor3_single_class(loss: str) -> Outcome:
    """Cor. 3 at the edge of STEP imbalance, a group of one class (k = 5, k_minor = 1 and 4), R = 3 and 10,
    Delta = sqrt(R): :func:`_cor3_deviation` of the certified sample-level convex CS-SVM (numerics.cs_svm, SCS;
    no SEL formula involved), divided by sqrt of the certificate's relative duality gap (as
    :func:`_closed_form_vs_certified`); figure: the largest ratio (<= CERTIFIED_GAP_SCALE)."""
    worst, rows = 0.0, []
    for km in (1, 4):
        for R in (3.0, 10.0):
            delta = step_delta(5, km, np.sqrt(R))
            sol = solve_cs_svm(Imbalance.step(5, km, R, 1), Parameterization.from_name(loss, delta))
            g = sol.geometry()
            dev = _cor3_deviation(loss, g.G_W, g.G_M, g.G_WM, delta, km, R)
            gap = max(sol.certificate.relative_gap, np.finfo(float).eps)
            worst = max(worst, dev / np.sqrt(gap))
            rows.append(f"rho={km}/5 R={R:g}: {dev:.1e} (gap {gap:.1e})")
    return Outcome(worst <= CERTIFIED_GAP_SCALE, worst, CERTIFIED_GAP_SCALE,
                   "max deviation from the corollary / sqrt(certified gap); " + "; ".join(rows))


_CERTIFIED_QUICK = tuple((loss, g, km, R, 1) for loss, g in ((Loss.CE, 0.0), (Loss.CDT, 0.5), (Loss.LDT, 1.0))
                         for km in (2, 3) for R in (3.0, 10.0))
_CERTIFIED_FULL = tuple((loss, g, km, R, n_min) for loss in (Loss.CDT, Loss.LDT) for g in (-1.0, -0.5, 0.5, 1.5)
                        for km in (1, 2, 3, 4) for R in (3.0, 10.0) for n_min in (1, 2))


@st.composite
def _step_setting(draw) -> tuple[int, int, float, float]:
    k = draw(st.integers(2, 12))
    return k, draw(st.integers(1, k - 1)), draw(st.floats(1.0, 1000.0)), draw(st.floats(-1.5, 1.5))


def _def1_literal_u() -> Outcome:
    """The literal wording: U (rows of the right singular vectors per class) has orthonormal columns. The
    sample-level Z-hat for (R, rho) = (10, 1/2), k = 4, n_min = 1, CDT delta = (2, 2, 1, 1) is factored by
    its SVD; the rows u_c of its right singular vectors (identical within a class) form U (k x (k-1))."""
    im = Imbalance.step(4, 2, 10, 1)
    Z = z_hat(im.labels(), Parameterization.cdt([2.0, 2.0, 1.0, 1.0]))
    Ut = np.linalg.svd(Z, full_matrices=False)[2][:-1]
    first = np.concatenate([[0], np.cumsum(im.counts)[:-1]])
    U = Ut[:, first].T
    literal = float(np.linalg.norm(U.T @ U - np.eye(U.shape[1])))
    return within(literal, PRINTED_EQUALITY, "||U^T U - I||_F for (R, rho) = (10, 1/2), k = 4")


_LIMIT_RS = (1e2, 1e3, 1e4, 1e5)
RATE_AGREEMENT = 0.05
"""Agreement of two log-log slopes of |cos(w_min, w_min') - limit| against R: the certified solver's between
R = 1e4 and 1e5 and the closed forms' (extended-precision eigen route), from their successive differences at
R = 1e7, 1e8, 1e9, which do not use the limit. Measured 0.008 (CE,
slope -1/2), 0.031 (CDT at Delta = 2, still pre-asymptotic at 1e5) and 8e-5 (CDT at Delta = sqrt(R), slope -1); a
limit misprinted by 2 % flattens the solver's slope (CE: to -0.30, a gap of 0.2)."""


def _limit_by_solver(loss: str, gamma: object) -> Outcome:
    """The R -> oo limit against the certified convex CS-SVM (reduced form, k = 4, k_m = 2) at R = 1e2..1e5: the
    distance of the solver's cos(w_min, w_min') from the SymPy limit decreases with R at the rate of the closed
    forms (log-log slope, :data:`RATE_AGREEMENT`); where the limit is reached at every R (LDT at Delta = sqrt(R),
    the ETF of Cor. 3(ii)) the distance stays within CS_SVM_AGREEMENT. Figure: the slope difference (or that
    distance)."""
    from theory.seli.closed_forms import k, k_m

    lim = float(limit_R_infinity(loss, "W.cos_min_min", gamma).subs({k: 4, k_m: 2}))

    def Delta(R: float) -> float:
        return 1.0 if loss == Loss.CE else (R ** float(sp.Rational(gamma)) if gamma is not None else 2.0)

    dist = []
    for R in _LIMIT_RS:
        sol = solve_cs_svm(Imbalance.step(4, 2, R, 1), _param_of(loss, step_delta(4, 2, Delta(R))), reduced=True)
        G = np.asarray(sol.W).T @ np.asarray(sol.W)
        dist.append(abs(G[2, 3] / np.sqrt(G[2, 2] * G[3, 3]) - lim))
    listed = ", ".join(f"R {R:g}: {d:.3g}" for R, d in zip(_LIMIT_RS, dist))
    if max(dist) <= CS_SVM_AGREEMENT:
        return within(max(dist), CS_SVM_AGREEMENT, f"{loss}: limit {lim:.6g} reached at every R; |cos - limit| {listed}")
    closed = [predict_step(loss, 4, 2, R, Delta(R), method="numeric")["W"]["cos_min_min"] for R in (1e7, 1e8, 1e9)]
    rate = float(np.log10(abs(closed[2] - closed[1]) / abs(closed[1] - closed[0])))   # no use of the limit
    slope = float(np.log10(dist[-1] / dist[-2]))
    decreasing = all(b < a for a, b in zip(dist, dist[1:]))
    gap = abs(slope - rate)
    return Outcome(bool(decreasing and gap <= RATE_AGREEMENT), gap, RATE_AGREEMENT,
                   f"{loss}{'' if gamma is None else f' Delta = R^{gamma}'}: limit {lim:.6g}; certified |cos - limit| "
                   f"{listed} ({'decreasing' if decreasing else 'NOT decreasing'}); slope {slope:.4f} vs the closed "
                   f"forms' {rate:.4f} (their successive differences at R = 1e7, 1e8, 1e9)")


def _param_of(loss: str, delta: np.ndarray) -> Parameterization:
    return {Loss.CE: lambda: Parameterization.ce(delta.size), Loss.CDT: lambda: Parameterization.cdt(delta),
            Loss.LDT: lambda: Parameterization.ldt(delta)}[Loss.parse(loss)]()


def _limit_outcome(loss: str, gamma: object, expect_collapse: bool) -> Outcome:
    """lim_(R->oo) cos(w_min, w_min') from the SymPy limit: it must be an expression in k, k_m alone (no
    unevaluated Limit, no R, finite), equal to 1 (collapse) or proved < 1 for every k_m >= 2, k > k_m (no
    collapse); and the extended-precision eigen route at R = 1e12 (k = 6, k_m = 3) must be within
    LIMIT_AT_LARGE_R of its value. Figure: that numeric gap."""
    from theory.seli.closed_forms import R, k, k_m

    lim = limit_R_infinity(loss, "W.cos_min_min", gamma)
    u, v = sp.symbols("u v", nonnegative=True)
    general = sp.simplify(lim.subs({k: k_m + 1 + v}).subs({k_m: 2 + u}))
    evaluated = not lim.has(sp.Limit) and R not in lim.free_symbols and general.is_finite is not False
    if not evaluated:
        return Outcome(False, None, LIMIT_AT_LARGE_R, f"the limit is not a finite expression in k, k_m: {sp.sstr(lim)}")
    if expect_collapse:
        holds = evaluated and sp.simplify(lim - 1) == 0
    else:
        holds = evaluated and bool(sp.simplify(1 - general).is_positive)
    value = float(lim.subs({k: 6, k_m: 3}))
    delta = 1.0 if loss == Loss.CE else (1e12 ** float(sp.Rational(gamma)) if gamma is not None else 2.0)
    numeric = predict_step(loss, 6, 3, 1e12, delta, method="numeric")["W"]["cos_min_min"]
    gap = abs(numeric - value)
    return Outcome(bool(holds and gap <= LIMIT_AT_LARGE_R), gap, LIMIT_AT_LARGE_R,
                   f"lim_(R->oo) cos(w_min, w_min') = {sp.sstr(lim)} ({'= 1, collapse' if expect_collapse else '< 1 proved for k_m >= 2'}"
                   f" {'holds' if holds else 'does NOT hold'}); eigen route at R = 1e12, k = 6, k_m = 3: {numeric:.12g} "
                   f"against {value:.12g}")


CLAIMS = [
    Claim(f"{P} Def. 1(a)", P,
          "The (delta, R)-SEL matrix satisfies Z-hat^T diag(delta)^{-1} 1 = 0, hence rank(Z-hat) = k - 1.",
          "delta > 0; STEP imbalance for the symbolic proof, any class counts for the numeric check",
          (_sym("Xi(delta)^T diag(delta)^{-1} 1 = 0 (two-block algebra)", sc.kernel_identity, Loss.CDT),
           _sym("rank = k - 1 from the exact eigen-decomposition", sc.rank_k_minus_one, Loss.CDT),
           Check(CheckLevel.NUMERIC, "max |Xi^T diag(delta)^{-1} 1| / max |Xi| on random delta (k <= 8)",
                 lambda: property_outcome(_counts_and_delta(), _kernel_residual, SEL_KERNEL_ROUNDING, "relative kernel residual"))),
          statement_tex=(r"The $(\delta, R)$-SEL matrix satisfies $\hat{Z}^\top "
                         r"\operatorname{diag}(\delta)^{-1}\mathbf{1} = 0$, hence $\operatorname{rank}(\hat{Z}) = k - "
                         r"1$.")),
    Claim(f"{P} Def. 1(a) SVD", P,
          "Z-hat = V Lambda [U^T (x) 1^T] with U, V having orthonormal columns.",
          "(R, rho)-STEP imbalance, R != 1",
          (Check(CheckLevel.NUMERIC, "literal reading: U^T U = I for the per-class right singular rows", _def1_literal_u,
                 erratum="behnia2023-def1-U-orthonormal"),),
          statement_tex=(r"$\hat{Z} = V\Lambda\,[U^\top \otimes \mathbf{1}^\top]$ with $U$, $V$ having orthonormal "
                         r"columns.")),
    Claim(f"{P} Def. 1 delta=1", P, "For delta = 1 the SEL matrix has entries 1 - 1/k and -1/k.",
          "any k >= 2", (_sym("entries of Xi(1)", sc.sel_entries_at_delta_one),),
          statement_tex=r"For $\delta = \mathbf{1}$ the SEL matrix has entries $1 - 1/k$ and $-1/k$."),
    Claim(f"{P} Def. 1 R=1", P, "For R = 1 and delta = 1 the SELI geometry is the simplex ETF.",
          "balanced classes", (_sym("CE (CDT, Delta = 1): equal norms, cosines -1/(k-1), aligned", sc.etf_when_balanced, Loss.CDT),
                               _sym("LDT at Delta = 1 likewise", sc.etf_when_balanced, Loss.LDT)),
          statement_tex=r"For $R = 1$ and $\delta = \mathbf{1}$ the SELI geometry is the simplex ETF."),
    Claim(f"{P} Thm 2 margins", P,
          "The predicted logits meet every CS-SVM margin with equality: CDT (3a) at Z = Xi(delta)[:, y], "
          "LDT (3b) at Z = Xi(1)[:, y] diag(1/delta_y).",
          "delta > 0; any class counts",
          (_sym("CDT margins = 1 (two-block algebra)", sc.margins_equal_one, Loss.CDT),
           _sym("LDT margins = 1 (two-block algebra)", sc.margins_equal_one, Loss.LDT),
           Check(CheckLevel.NUMERIC, "max |margin - 1| over all samples and classes, random counts and delta",
                 lambda: property_outcome(_counts_and_delta(), _margin_residual, ROUNDING, "max |margin - 1|"))),
          statement_tex=(r"The predicted logits meet every CS-SVM margin with equality: CDT (3a) at $Z = \Xi(\delta)[:, "
                         r"y]$, LDT (3b) at $Z = \Xi(\mathbf{1})[:, y]\operatorname{diag}(1/\delta_y)$.")),
    Claim(f"{P} Thm 2 Delta only", P, "The geometry depends on delta only through Delta = delta_maj / delta_min.",
          "STEP imbalance", (_sym("CDT: X(c delta) = X(delta)/c", sc.only_delta_ratio_matters, Loss.CDT),
                             _sym("LDT: X(c delta) = X(delta)/c", sc.only_delta_ratio_matters, Loss.LDT)),
          statement_tex=(r"The geometry depends on $\delta$ only through $\Delta = "
                         r"\delta_{\mathrm{maj}}/\delta_{\mathrm{min}}$.")),
    Claim(f"{P} closed forms", P,
          "Explicit SVD of the SEL matrix gives closed forms for all norms and angles (Sec. 4).",
          "STEP imbalance, d >= k - 1",
          (Check(CheckLevel.NUMERIC, "implementation consistency (two routes of one formula G_W = (X N X^T)^(1/2)): "
                 "SymPy closed forms vs the extended-precision eigen route, k <= 12, R <= 1000, |gamma| <= 1.5",
                 lambda: property_outcome(_step_setting(), _closed_form_vs_numeric, SEL_CLOSED_FORM,
                                          "max relative difference", max_examples=20), consistency=True),
           Check(CheckLevel.NUMERIC, "closed forms vs the certified convex CS-SVM (SCS), k = 5, rho = 2/5 and 3/5, "
                 "R = 3 and 10, CE / CDT gamma = 0.5 / LDT gamma = 1", lambda: _closed_form_vs_certified(_CERTIFIED_QUICK)),
           Check(CheckLevel.NUMERIC, "same, rho = 1/5 .. 4/5, gamma in {-1, -0.5, 0.5, 1.5}, n_min 1 and 2 (CDT, LDT)",
                 quick=False, run=lambda: _closed_form_vs_certified(_CERTIFIED_FULL))),
          statement_tex=(r"Explicit SVD of the SEL matrix $\hat{Z}$ gives closed forms for all norms and angles (Sec. "
                         r"4).")),
    Claim(f"{P} R->oo limits", P,
          "The closed forms evaluated as R -> oo show when minority classifiers collapse: they do at fixed "
          "Delta (CE, CDT, LDT) and do not when Delta = sqrt(R).",
          "STEP imbalance, k_minor >= 2",
          (Check(CheckLevel.SYMBOLIC, "CE: lim cos(w_min, w_min') = 1", lambda: _limit_outcome(Loss.CE, None, True)),
           Check(CheckLevel.SYMBOLIC, "CDT, fixed Delta: lim = 1", lambda: _limit_outcome(Loss.CDT, None, True)),
           Check(CheckLevel.SYMBOLIC, "CDT, Delta = sqrt(R): lim < 1 (the value asserted)", lambda: _limit_outcome(Loss.CDT, "1/2", False)),
           Check(CheckLevel.SYMBOLIC, "LDT, Delta = sqrt(R): lim < 1", lambda: _limit_outcome(Loss.LDT, "1/2", False)),
           *(Check(CheckLevel.NUMERIC, f"{name}: certified CS-SVM at R = 1e2..1e5 approaches the limit at the closed "
                   "forms' rate", (lambda loss=loss, g=g: _limit_by_solver(loss, g)), quick=False)
             for name, loss, g in (("CE", Loss.CE, None), ("CDT, Delta = 2", Loss.CDT, None),
                                   ("CDT, Delta = sqrt(R)", Loss.CDT, "1/2"), ("LDT, Delta = sqrt(R)", Loss.LDT, "1/2")))),
          statement_tex=(r"The closed forms evaluated as $R \to \infty$ show when minority classifiers collapse: they "
                         r"do at fixed $\Delta$ (CE, CDT, LDT) and do not when $\Delta = \sqrt{R}$.")),
    Claim(f"{P} Cor. 3(i)", P, "CDT with Delta = sqrt(R): cos(w*_{y_i}, h*_i) = 1 for every sample.",
          "STEP imbalance, a group of one class included (collapse h_i = mu_{y_i} from Thm 2)",
          (_sym("cos(w_c, mu_c) = 1 for majority and minority classes", sc.cdt_alignment_at_sqrt_R),
           Check(CheckLevel.NUMERIC, "a group of one class (k = 5, rho = 1/5 and 4/5, R = 3 and 10): max |1 - cos(w_c, "
                 "mu_c)| of the certified convex CS-SVM", lambda: _cor3_single_class(Loss.CDT))),
          statement_tex=r"CDT with $\Delta = \sqrt{R}$: $\cos(w^*_{y_i}, h^*_i) = 1$ for every sample."),
    Claim(f"{P} Cor. 3(ii)", P,
          "LDT with Delta = sqrt(R): (W*, M* diag(delta)) follows the ETF geometry; minority embeddings are "
          "sqrt(R) times longer than majority ones.",
          "STEP imbalance, a group of one class included",
          (_sym("ETF, alignment and ||mu_min||^2 = R ||mu_maj||^2", sc.ldt_etf_at_sqrt_R),
           Check(CheckLevel.NUMERIC, "a group of one class (k = 5, rho = 1/5 and 4/5, R = 3 and 10): ETF, alignment and "
                 "the norm ratio R on the certified convex CS-SVM", lambda: _cor3_single_class(Loss.LDT))),
          statement_tex=(r"LDT with $\Delta = \sqrt{R}$: $(W^*, M^*\operatorname{diag}(\delta))$ follows the ETF "
                         r"geometry; minority embeddings are $\sqrt{R}$ times longer than majority ones.")),
    Claim(f"{P} Remark 4 CDT", P, "CDT: sum_c w*_c / delta_c = 0 and sum_c mu*_c = 0 (eq. 6).",
          "STEP imbalance (symbolic); any counts (numeric)",
          (_sym("quadratic forms vanish (two-block algebra)", sc.remark4_centering, Loss.CDT),
           Check(CheckLevel.NUMERIC, "CDT and LDT centering quadratic forms on random counts and delta (relative)",
                 lambda: property_outcome(_counts_and_delta(), _centering_residual, ROUNDING, "relative quadratic form"))),
          statement_tex=r"CDT: $\sum_c w^*_c/\delta_c = 0$ and $\sum_c \mu^*_c = 0$ (eq. 6)."),
    Claim(f"{P} Remark 4 LDT", P, "LDT: sum_c w*_c = 0 and sum_c delta_c mu*_c = 0 (eq. 7).",
          "STEP imbalance", (_sym("quadratic forms vanish (two-block algebra)", sc.remark4_centering, Loss.LDT),),
          statement_tex=r"LDT: $\sum_c w^*_c = 0$ and $\sum_c \delta_c \mu^*_c = 0$ (eq. 7)."),
]
