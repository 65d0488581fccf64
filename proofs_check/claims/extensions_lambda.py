"""Extensions (not statements of the papers): the weight-decay-regularised UFM at finite lambda (issue 25).

# extension
Every claim here is an *extension*: a statement this project makes and checks around the papers' models,
not a statement printed in behnia2023 or dang2024. Until ``Claim`` carries an ``extension`` flag (branch
``coverage``), the ids say "ext." and the lead wires the flag. The mathematics is docs/mathematics.md,
"The regularised UFM at finite lambda"; the solver is :mod:`numerics.regularised_ufm`.

- variational identity: the factored value at the balanced factorisation of Z equals lambda ||Z||_*, and
  every other factorisation is larger; the sample-level program (no symmetry assumed) has the class-level
  program's optimum with the weight lambda sqrt(N).
- lambda -> 0: the normalised minimiser tends to the CS-SVM / SELI direction of behnia2023 eq. (3) for CE,
  CDT and LDT; the distance decays like C / log(1/lambda~) (measured C).
- gradient descent on the factored sample-level UFM with weight decay reaches the program's value and Gram
  matrices from random starts (training level).
- UFM without ReLU against dang2024's UFM+: value ordering, the complete-collapse thresholds, and the onset
  of minority collapse in R at fixed lambda against dang2024's R*.
"""

# extension

from __future__ import annotations

import math

import numpy as np
from scipy.special import softmax

from numerics import regularised_ufm as RU
from numerics.large_k import solve_large_k
from numerics.ufm_plus_solver import UFMPlusProblem, solve as solve_ufm_plus
from proofs_check.model import Check, Claim, Outcome
from proofs_check.runner import within
from theory.core.imbalance import Imbalance
from theory.core.loss_presets import preset_loss
from theory.core.vocabulary import CheckLevel, Criterion, Paper, Setting
from theory.ufm_plus.closed_form import minority_collapse_ratio

B = Paper.BEHNIA2023
D = Paper.DANG2024
ASSUME = ("extension; UFM with d >= k, loss convex in the logits (presets of theory.core.loss_presets but focal), "
          "lambda_W, lambda_H > 0, class counts n_c > 0")


# ----------------------------------------------------------------------------- variational identity
def _variational_random() -> Outcome:
    """Random Z (4 x 9), lambda_W = 2e-3, lambda_H = 5e-3: the balanced factors give lambda ||Z||_* (relative
    error figure), and 50 random re-factorisations W T, T^{-T} H are all larger."""
    rng = np.random.default_rng(11)
    k, n, lw, lh = 4, 9, 2e-3, 5e-3
    Z = rng.standard_normal((k, n))
    U, s, Vt = np.linalg.svd(Z, full_matrices=False)
    W = (lh / lw) ** 0.25 * np.sqrt(s)[:, None] * U.T
    H = (lw / lh) ** 0.25 * np.sqrt(s)[:, None] * Vt
    value = 0.5 * lw * np.sum(W * W) + 0.5 * lh * np.sum(H * H)
    target = math.sqrt(lw * lh) * s.sum()
    rel = abs(value - target) / target
    larger = 0
    for _ in range(50):
        T = np.eye(k) + 0.5 * rng.standard_normal((k, k))
        W2, H2 = T.T @ W, np.linalg.solve(T, H)  # W2^T H2 = W^T H = Z
        larger += int(0.5 * lw * np.sum(W2 * W2) + 0.5 * lh * np.sum(H2 * H2) > value)
    ok = rel <= 1e-12 and larger == 50
    return Outcome(ok, rel, 1e-12, f"balanced value vs lambda||Z||_*: relative {rel:.1e}; {larger}/50 other "
                   "factorisations larger")


def _sample_level_at_factors() -> Outcome:
    """CDT (gamma = 0.5), counts (7, 4, 2, 1), lambda_W = 1e-3, lambda_H = 4e-3: the sample-level objective at
    the solution's factors (each sample's loss summed, no reduction) equals the certified class-level optimum;
    figure: relative difference."""
    counts = np.array([7, 4, 2, 1])
    p = RU.from_preset(preset_loss("CDT", counts, gamma=0.5), 1e-3, 4e-3)
    sol = RU.solve_factored(p)
    W, M = sol.factors()
    y = np.repeat(np.arange(4), counts)
    value = p.sample_objective(W, M[:, y], y)
    rel = abs(value - sol.objective) / sol.objective
    return within(rel, 1e-9, f"sample-level value {value:.12g} vs class-level optimum {sol.objective:.12g} "
                  f"(certified gap {sol.certificate.relative_gap:.1e})")


def _sample_program() -> Outcome:
    """Counts (5, 3, 2), CE, lambda_W = 2e-3, lambda_H = 8e-3: the sample-level convex program (cvxpy, one
    column per sample) equals the class-level optimum with weight lambda sqrt(N); the weight lambda (the
    issue's normalisation) misses it. Figure: relative difference of the right weight."""
    import cvxpy as cp

    from numerics.solve import solve_or_raise

    counts = np.array([5, 3, 2])
    p = RU.from_preset(preset_loss("CE", counts), 2e-3, 8e-3)
    y = np.repeat(np.arange(3), counts)
    Z = cp.Variable((3, y.size))
    terms = [cp.log_sum_exp(cp.hstack([0.0 if j == c else Z[j, i] - Z[c, i] for j in range(3)]))
             for i, c in enumerate(y)]
    prob = cp.Problem(cp.Minimize(sum(terms) / y.size + p.lam * cp.normNuc(Z)))
    solve_or_raise(prob, "sample-level UFM", solver="CLARABEL")
    right = RU.solve_factored(p).objective
    wrong = RU.solve_factored(RU.RegularisedUFM(p.scaling, p.offsets, p.class_weights, counts / counts.sum(),
                                                p.lambda_w, p.lambda_h)).objective
    rel = abs(prob.value - right) / right
    ok = rel <= 1e-6 and abs(prob.value - wrong) > 1e-3 * right
    return Outcome(ok, rel, 1e-6, f"sample level {prob.value:.9f}, class level (lambda sqrt N) {right:.9f}, "
                   f"without sqrt N {wrong:.9f}")


# ----------------------------------------------------------------------------- lambda -> 0
_LIMIT_COUNTS = np.array([20, 20, 2, 2])
_LIMIT_EXPONENTS = (2, 4, 6, 8, 12, 16)


def _limit(name: str, kw: dict) -> Outcome:
    """lambda_W = lambda_H = 10^-e, e in _LIMIT_EXPONENTS: d(lambda) = ||X/||X|| - X*/||X*|| ||_F with X* the
    certified CS-SVM logits (numerics.large_k) must decrease, end below 0.05, and d log(1/lambda~) at the
    last two lambdas must agree within 5 % (rate Theta(1 / log(1/lambda))). Figure: d at the smallest lambda."""
    pl = preset_loss(name, _LIMIT_COUNTS, **kw)
    svm = solve_large_k(_LIMIT_COUNTS, pl.svm_parameterization()).Z
    svm = svm / np.linalg.norm(svm)
    ds, cs = [], []
    for e in _LIMIT_EXPONENTS:
        p = RU.from_preset(pl, 10.0 ** -e, 10.0 ** -e)
        X = RU.solve_factored(p).X
        d = float(np.linalg.norm(X / np.linalg.norm(X) - svm))
        ds.append(d)
        cs.append(d * math.log(1.0 / p.lam_eff))
    monotone = all(b < a for a, b in zip(ds, ds[1:]))
    steady = abs(cs[-1] - cs[-2]) <= 0.05 * cs[-1]
    ok = monotone and steady and ds[-1] <= 0.05
    return Outcome(ok, ds[-1], 0.05, f"{name}, counts {_LIMIT_COUNTS.tolist()}: d = "
                   + ", ".join(f"{d:.3g}" for d in ds) + f" at lambda = 1e-{_LIMIT_EXPONENTS}; "
                   f"d log(1/lambda~) = " + ", ".join(f"{c:.3g}" for c in cs)
                   + f" (rate C/log(1/lambda), C = {cs[-1]:.3g}); monotone {monotone}, steady {steady}")


# ----------------------------------------------------------------------------- gradient descent
def _gd(seed: int) -> tuple[float, float]:
    """Full-batch GD (step 0.5, 40,000 steps, float64) on the sample-level CE UFM, d = 6, counts (6, 4, 2, 1),
    lambda_W = 5e-3, lambda_H = 2e-3, from N(0, 0.3^2) factors: (relative value gap, relative Gram deviation)."""
    counts = np.array([6, 4, 2, 1])
    k, d = 4, 6
    y = np.repeat(np.arange(k), counts)
    n = y.size
    p = RU.from_preset(preset_loss("CE", counts), 5e-3, 2e-3)
    opt = RU.solve_factored(p)
    rng = np.random.default_rng(seed)
    W = 0.3 * rng.standard_normal((d, k))
    H = 0.3 * rng.standard_normal((d, n))
    for _ in range(40000):
        P = softmax(W.T @ H, axis=0)
        P[y, np.arange(n)] -= 1.0
        P /= n
        gW = H @ P.T + p.lambda_w * W
        gH = W @ P + p.lambda_h * H
        W -= 0.5 * gW
        H -= 0.5 * gH
    gap = (p.sample_objective(W, H, y) - opt.objective) / opt.objective
    Wo, Mo = opt.factors()
    M = np.stack([H[:, y == c].mean(axis=1) for c in range(k)], axis=1)
    dev = max(np.abs(W.T @ W - Wo.T @ Wo).max() / np.abs(Wo.T @ Wo).max(),
              np.abs(M.T @ M - Mo.T @ Mo).max() / np.abs(Mo.T @ Mo).max())
    return float(gap), float(dev)


def _gd_reaches() -> Outcome:
    """Three seeds: value within 1e-6 (relative, and never below the certified optimum beyond the certificate's
    tolerance) and Gram matrices W^T W, M^T M within 1e-4 of the program's. Figure: largest Gram deviation."""
    runs = [_gd(s) for s in (0, 1, 2)]
    ok = all(-RU.DEFAULT_GAP_TOL <= g <= 1e-6 for g, _ in runs)
    worst = max(dv for _, dv in runs)
    return Outcome(ok and worst <= 1e-4, worst, 1e-4, "GD seeds 0-2: (value gap, Gram deviation) = "
                   + "; ".join(f"({g:.1e}, {dv:.1e})" for g, dv in runs))


# ----------------------------------------------------------------------------- UFM vs UFM+
_PLUS_COUNTS = (6, 4, 2, 1)


def _value_order() -> Outcome:
    """lambda = 5e-3 (both decays), counts (6, 4, 2, 1): the UFM's certified optimum lies below UFM+'s value
    (H >= 0 is an extra constraint); UFM+ class means are pairwise orthogonal (dang2024 Thm 1) while the UFM's
    have negative cosines. Figure: largest |cosine| of UFM+ means (<= 1e-6); the UFM's most negative cosine
    and the value gap are in the detail."""
    lam = 5e-3
    p = RU.from_preset(preset_loss("CE", np.array(_PLUS_COUNTS)), lam, lam)
    sol = RU.solve_factored(p)
    plus = solve_ufm_plus(UFMPlusProblem(Imbalance(_PLUS_COUNTS), lam, lam, d=len(_PLUS_COUNTS)), starts=3)
    plus_cos = float(plus.measure()["max_mean_cosine"])
    _, Mu = sol.factors()
    mn = np.linalg.norm(Mu, axis=0)
    cu = (Mu.T @ Mu) / np.outer(mn, mn)
    np.fill_diagonal(cu, 0.0)
    ok = sol.objective < plus.objective and plus_cos <= 1e-6 and cu.min() < -1e-3
    return Outcome(ok, plus_cos, 1e-6, f"UFM optimum {sol.objective:.9f} < UFM+ {plus.objective:.9f}; UFM+ "
                   f"means' largest |cos| {plus_cos:.1e}; UFM means' most negative cos {cu.min():.3f}")


def _complete_collapse_thresholds() -> Outcome:
    """Counts (6, 4, 2, 1): W = H = 0 is optimal for the UFM iff ||grad_Y F(0)||_2 <= lambda sqrt(N) (the
    subdifferential of ||.||_* at 0 is the unit spectral ball), i.e. lambda >= lambda_0 = ||grad_Y F(0)||_2 /
    sqrt(N); dang2024 (18) gives UFM+'s lambda_+ = sqrt((K-1) n_A / K) / N. The certified solver gives 0 at
    1.01 lambda_0 and not at 0.99 lambda_0. Figure: ||X|| at 1.01 lambda_0 (<= 1e-6)."""
    counts = np.array(_PLUS_COUNTS, dtype=float)
    K, N = counts.size, counts.sum()
    p0 = RU.from_preset(preset_loss("CE", counts), 1.0, 1.0)
    _, GX, _ = p0.loss_and_grad(np.zeros((K, K)))
    lam0 = float(np.linalg.svd(GX / p0.col_scale[None, :], compute_uv=False)[0]) / math.sqrt(N)
    lam_plus = math.sqrt((K - 1) * counts.max() / K) / N
    above = RU.solve_factored(RU.from_preset(preset_loss("CE", counts), 1.01 * lam0, 1.01 * lam0))
    below = RU.solve_factored(RU.from_preset(preset_loss("CE", counts), 0.99 * lam0, 0.99 * lam0))
    za, zb = float(np.abs(above.X).max()), float(np.abs(below.X).max())
    ok = za <= 1e-6 and zb > 1e-3
    return Outcome(ok, za, 1e-6, f"UFM: lambda_0 = {lam0:.6g} (max|X| {za:.1e} at 1.01 lambda_0, {zb:.3g} at 0.99 "
                   f"lambda_0); UFM+ (dang2024 (18)): lambda_+ = {lam_plus:.6g}; ratio lambda_0/lambda_+ = "
                   f"{lam0 / lam_plus:.4f}")


def _minority_onset() -> Outcome:
    """STEP counts (R n_B, R n_B, n_B, n_B), n_B = 4, lambda = 5e-3: in the UFM the minority *classifiers*
    coincide (||w_3 - w_4|| <= 1e-4 max ||w||) from an onset R_UFM on, while the minority means stay
    non-zero; bisection on R (certified solves) brackets R_UFM to 1 %. dang2024's R* (Cor. 4(a)) is where
    UFM+'s minority *means* vanish. Figure: relative width of the bracket; detail: R_UFM against R*."""
    lam, nB = 5e-3, 4.0

    def state(R: float) -> tuple[bool, float]:
        p = RU.from_preset(preset_loss("CE", np.array([R * nB, R * nB, nB, nB])), lam, lam)
        c = RU.solve_factored(p).collapse()
        return [2, 3] in c["coinciding_classifiers"], min(c["class_mean_norms"][2:])

    lo, hi = 16.0, 128.0
    lo_state, hi_state = state(lo), state(hi)
    if lo_state[0] or not hi_state[0]:
        return Outcome(False, 1.0, 0.01, f"no onset in [{lo}, {hi}]: coincide at lo {lo_state[0]}, hi {hi_state[0]}")
    while (hi - lo) / hi > 0.01:
        mid = math.sqrt(lo * hi)
        if state(mid)[0]:
            hi = mid
        else:
            lo = mid
    r_star = minority_collapse_ratio(2, 2, nB, lam, lam)
    mean_alive = state(hi)[1]
    ok = mean_alive > 1e-3
    return Outcome(ok, (hi - lo) / hi, 0.01, f"UFM minority classifiers coincide from R in [{lo:.4g}, {hi:.4g}] "
                   f"(minority means stay {mean_alive:.3g} > 0); dang2024 R* (UFM+, minority means vanish) = "
                   f"{r_star:.4g}; ratio R_UFM/R* = {hi / r_star:.3f}")


CLAIMS: list[Claim] = [
    Claim(f"{B} ext. finite-lambda variational identity", B,
          "Extension: for the UFM with weight decay, min {(lambda_W/2)||W||^2 + (lambda_H/2)||H||^2 : W^T H = Z} = "
          "sqrt(lambda_W lambda_H) ||Z||_*, attained at the balanced factorisation; with collapse the program is "
          "the class-level min_X sum_c pi_c w_c l(x_c; c) + sqrt(lambda_W lambda_H N) ||X diag(sqrt pi)||_*.",
          ASSUME,
          (Check(CheckLevel.NUMERIC, "random Z: balanced value = lambda ||Z||_*, 50 other factorisations larger",
                 _variational_random),
           Check(CheckLevel.NUMERIC, "sample-level objective at the certified solution's factors = class optimum",
                 _sample_level_at_factors),
           Check(CheckLevel.NUMERIC, "sample-level convex program (cvxpy) = class-level program with lambda sqrt N",
                 _sample_program, quick=False)), extension=True,
          statement_tex='Extension: for the UFM with weight decay, $\\min\\{(\\lambda_W/2)\\|W\\|_F^2 + (\\lambda_H/2)\\|H\\|_F^2 : W^\\top H = Z\\} = \\sqrt{\\lambda_W\\lambda_H}\\,\\|Z\\|_*$, attained at the balanced factorisation; the class-level convex program has the sample-level optimum.'),
    Claim(f"{B} ext. lambda -> 0 limit", B,
          "Extension: as lambda -> 0 the normalised minimiser of the regularised UFM tends to the CS-SVM (SELI) "
          "direction of behnia2023 eq. (3) for CE, CDT and LDT, at the rate C / log(1/lambda) (C measured).",
          ASSUME + "; counts (20, 20, 2, 2), gamma = 0.5 for CDT and LDT",
          (Check(CheckLevel.NUMERIC, "CE: distance to the CS-SVM direction, lambda = 1e-2..1e-16",
                 lambda: _limit("CE", {}), quick=False),
           Check(CheckLevel.NUMERIC, "CDT: distance to the CS-SVM direction", lambda: _limit("CDT", {"gamma": 0.5}),
                 quick=False),
           Check(CheckLevel.NUMERIC, "LDT: distance to the CS-SVM direction", lambda: _limit("LDT", {"gamma": 0.5}),
                 quick=False)), extension=True,
          statement_tex='Extension: as $\\lambda \\to 0$ the normalised minimiser of the regularised UFM tends to the CS-SVM (SELI) direction of behnia2023 eq. (3) for CE, CDT and LDT, at the rate $C/\\log(1/\\lambda)$ ($C$ measured).'),
    Claim(f"{B} ext. GD reaches the regularised optimum", B,
          "Extension: gradient descent on the factored (non-convex) UFM with weight decay reaches the convex "
          "program's optimal value and Gram matrices from random starts.",
          ASSUME + "; CE, d = 6, counts (6, 4, 2, 1), lambda_W = 5e-3, lambda_H = 2e-3, full-batch GD step 0.5, "
          "40,000 steps, float64, seeds 0-2 (paper-free settings)",
          (Check(CheckLevel.TRAINING, "three seeds: value within 1e-6, Gram matrices within 1e-4", _gd_reaches,
                 quick=False, setting=Setting.REDUCED,
                 departures=("an extension, not an experiment of the papers: the paper-free UFM setting stated in "
                             "the assumptions (CE, d = 6, counts (6, 4, 2, 1), full-batch GD)",)),), extension=True,
          statement_tex="Extension: gradient descent on the factored (non-convex) UFM with weight decay reaches the convex program's optimal value and Gram matrices from random starts."),
    Claim(f"{D} ext. UFM against UFM+", D,
          "Extension: at the same lambda the UFM without ReLU has a lower optimum than dang2024's UFM+ and a "
          "different geometry (class means with negative cosines, not orthogonal); it collapses completely at "
          "a larger lambda than (18); its minority collapse (coinciding minority classifiers, means alive) sets in "
          "at an R different from dang2024's R*.",
          ASSUME + "; CE",
          (Check(CheckLevel.NUMERIC, "value order and geometry at lambda = 5e-3, counts (6, 4, 2, 1)", _value_order,
                 quick=False),
           Check(CheckLevel.NUMERIC, "complete-collapse threshold of the UFM (exact KKT at 0) against (18)",
                 _complete_collapse_thresholds),
           Check(CheckLevel.NUMERIC, "minority-collapse onset in R (bisection) against R*", _minority_onset,
                 quick=False)), extension=True,
          statement_tex="Extension: at the same $\\lambda$ the UFM without ReLU has a lower optimum than dang2024's UFM$_+$ and a different geometry (class means with negative cosines, not orthogonal); it collapses completely at a larger $\\lambda$ than (18); its minority collapse (coinciding minority classifiers, means alive) sets in at an R different from dang2024's $R^*$."),
]
