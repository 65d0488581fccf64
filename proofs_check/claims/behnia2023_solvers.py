"""behnia2023 claims checked by solving the CS-SVM itself (numerics): Thm 2 (i)/(ii) and the collapse
h_i = mu_{y_i} through the certified convex program, the non-convex route from random starts, and
Prop. 1 (binary VS loss -> CS-SVM). None of these checks uses the SEL formulas to produce its answer;
they are compared with theory only at the end.

Tolerances: :data:`theory.core.tolerances.CS_SVM_AGREEMENT` (Z and the Gram distances; the objective,
scaled by 10, to a tenth of it) and ``IMPLICIT_BIAS_RATE`` for Prop. 1, with their reasons there.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from numerics.binary_vs import cs_svm_binary, vs_gradient_descent
from numerics.cs_svm import solve_cs_svm
from numerics.nonconvex import compare_to_convex, solve_nonconvex
from proofs_check.model import Check, Claim, Outcome
from proofs_check.runner import property_outcome, within
from theory.core.imbalance import Imbalance
from theory.core.measure import normalized_distance
from theory.core.parameterization import Parameterization
from theory.core.tolerances import CS_SVM_AGREEMENT, IMPLICIT_BIAS_RATE
from theory.core.vocabulary import CheckLevel, Loss, Paper
from theory.seli.geometry import seli_geometry, step_groups
from theory.seli.sel import z_hat
from theory.seli.step_geometry import predict_step, step_delta

P = Paper.BEHNIA2023
ASSUME = "(R, rho)-STEP imbalance, d >= k - 1, delta_maj / delta_min = R^gamma"


@st.composite
def _setting(draw, loss: str) -> tuple[int, int, int, int, str, float]:
    k = draw(st.integers(2, 5))
    gamma = 0.0 if loss == Loss.CE else draw(st.floats(-1.0, 1.0))
    return k, draw(st.integers(1, k - 1)), draw(st.sampled_from([1, 2, 3])), draw(st.integers(1, 2)), loss, gamma


def _convex_vs_theory(example: tuple[int, int, int, int, str, float]) -> float:
    """max of: |Z - Z-hat|, |objective / 2||Z-hat||_* - 1| (scaled by 10 to share the 1e-5 bound),
    the three normalised Gram distances and the collapse error of the certified full-problem solution."""
    k, km, R, n_min, loss, gamma = example
    imb = Imbalance.step(k, km, R, n_min)
    param = Parameterization.from_name(loss, step_delta(k, km, float(R) ** gamma))
    sol = solve_cs_svm(imb, param)
    Zhat = z_hat(imb.labels(), param)
    predicted = 2 * np.linalg.svd(Zhat, compute_uv=False).sum()
    pred, got = seli_geometry(imb, param), sol.geometry()
    dists = [float(normalized_distance(getattr(got, g), getattr(pred, g))) for g in ("G_W", "G_M", "G_WM")]
    return max(float(np.max(np.abs(sol.Z - Zhat))), 10 * abs(sol.objective / predicted - 1), *dists,
               float(sol.collapse_error()))


def _nonconvex_elsewhere(loss: str, gamma: float, d_extra: int) -> Outcome:
    """Random starts of the non-convex solver (d = k - 1 + d_extra) that do not end at the certified optimum."""
    k, km, R = 4, 2, 3
    imb = Imbalance.step(k, km, R, 1)
    param = Parameterization.from_name(loss, step_delta(k, km, R**gamma))
    runs = solve_nonconvex(imb, param, d=k - 1 + d_extra, starts=3, seed=11)
    reports, elsewhere = compare_to_convex(runs, solve_cs_svm(imb, param))
    worst = max(max(r.objective_gap, r.distance_W, r.distance_M, r.distance_WM) for r in reports)
    return Outcome(elsewhere == 0, float(elsewhere), 0.0,
                   f"{elsewhere} of {len(reports)} starts ended elsewhere (k=4, R=3, d={k - 1 + d_extra}); "
                   f"worst gap/distance {worst:.2e}")


def _prop1(iota: tuple[float, float]) -> Outcome:
    """GD on the binary VS loss: the log-time increment (w_t - w_{t/10}) / log 10 tends to the CS-SVM
    classifier (Soudry et al.'s w_t = w_CS log t + bounded); relative error after 1e5 steps, and it
    must decrease over the decades 1e3, 1e4, 1e5."""
    rng = np.random.default_rng(7)
    v = np.where(np.arange(10) < 7, 1, -1)
    H = 0.7 * rng.standard_normal((3, 10)) + np.outer(np.eye(3)[0], v)
    delta = (1.0, 3.0)
    record = np.array([100, 1_000, 10_000, 100_000])
    iterates = vs_gradient_descent(H, v, delta, iota, int(record[-1]), record)
    w_cs = cs_svm_binary(H, v, delta)
    errors = np.linalg.norm(np.diff(iterates, axis=0) / np.log(10.0) - w_cs, axis=1) / np.linalg.norm(w_cs)
    out = within(float(errors[-1]), IMPLICIT_BIAS_RATE, f"relative error of the log-time increment per decade: "
                 f"{', '.join(f'{e:.3f}' for e in errors)} (iota = {iota})")
    return Outcome(out.passed and bool(np.all(np.diff(errors) < 0)), out.figure, out.tolerance, out.detail)


def _paper_size(loss: str, gamma: float) -> Outcome:
    """The paper's UFM size (k = 10, R = 10, rho = 1/2, n_min = 5, n = 275): measured group geometry of the
    certified solution against the closed forms (largest absolute difference)."""
    imb = Imbalance.step(10, 5, 10, 5)
    Delta = 10**gamma
    param = Parameterization.from_name(loss, step_delta(10, 5, Delta))
    got = solve_cs_svm(imb, param).geometry().summary(*step_groups(10, 5))
    pred = predict_step(loss, 10, 5, 10.0, Delta)
    worst = max(abs(got[b][key] - pred[b][key]) for b in ("W", "M", "WM") for key in got[b])
    return within(worst, CS_SVM_AGREEMENT, f"max |measured - closed form| over norm ratios and cosines ({loss}, gamma={gamma})")


def _solver_claim(label: str, loss_set: tuple[str, ...], statement: str, statement_tex: str | None = None) -> Claim:
    checks = [Check(CheckLevel.NUMERIC, f"certified convex solution vs Thm 2 prediction ({loss}, {n} random small settings)",
                    (lambda loss=loss, n=n: property_outcome(_setting(loss), _convex_vs_theory, CS_SVM_AGREEMENT,
                                                             "max deviation", max_examples=n)), quick=quick)
              for loss in loss_set for n, quick in ((10, True), (60, False))]
    checks += [Check(CheckLevel.NUMERIC, f"paper size k=10, n=275 ({loss}, gamma={g})", quick=False,
                     run=(lambda loss=loss, g=g: _paper_size(loss, g)))
               for loss in loss_set for g in ((0.0,) if loss == Loss.CE else (-1.0, 0.5, 1.5))]
    return Claim(f"{P} {label}", P, statement, ASSUME, tuple(checks), statement_tex=statement_tex)


CLAIMS = [
    _solver_claim("Thm 2(i)", (Loss.CE, Loss.CDT), "Minimisers of the CDT CS-SVM (3a) follow the (delta, R)-SELI geometry; "
                  "all embeddings collapse to their class means.",
                  statement_tex=(r"Minimisers of the CDT CS-SVM (3a) follow the $(\delta, R)$-SELI geometry; all embeddings "
                                 r"collapse to their class means.")),
    _solver_claim("Thm 2(ii)", (Loss.LDT,), "Minimisers of the LDT CS-SVM (3b): (W, M diag(delta)) follows the "
                  "(1, R~)-SELI geometry, R~ = R (delta_min/delta_maj)^2; collapse.",
                  statement_tex=(r"Minimisers of the LDT CS-SVM (3b): $(W, M\operatorname{diag}(\delta))$ follows the "
                                 r"$(\mathbf{1}, \tilde{R})$-SELI geometry, $\tilde{R} = "
                                 r"R\,(\delta_{\mathrm{min}}/\delta_{\mathrm{maj}})^2$; collapse.")),
    Claim(f"{P} Thm 2 non-convex", P, "The characterisation is of the global minimisers of the non-convex problem: "
          "gradient-based solvers on (W, H) from random starts reach them.", ASSUME,
          (Check(CheckLevel.NUMERIC, "CDT gamma=0.5, d = k - 1: starts ending elsewhere", lambda: _nonconvex_elsewhere(Loss.CDT, 0.5, 0)),
           Check(CheckLevel.NUMERIC, "LDT gamma=1, d = k + 2: starts ending elsewhere", lambda: _nonconvex_elsewhere(Loss.LDT, 1.0, 3)),
           Check(CheckLevel.NUMERIC, "CE, d = k - 1", quick=False, run=lambda: _nonconvex_elsewhere(Loss.CE, 0.0, 0))),
          extension=True,
          statement_tex=(r"The characterisation is of the global minimisers of the non-convex problem: gradient-based "
                         r"solvers on $(W, H)$ from random starts reach them.")),
    Claim(f"{P} Prop. 1", P, "GD on the binary VS loss converges in direction to the CS-SVM classifier; the "
          "additive iota has no effect asymptotically.", "fixed separable features, small step",
          (Check(CheckLevel.NUMERIC, "iota = 0", lambda: _prop1((0.0, 0.0))),
           Check(CheckLevel.NUMERIC, "iota = (2, -1)", lambda: _prop1((2.0, -1.0)))),
          statement_tex=(r"GD on the binary VS loss converges in direction to the CS-SVM classifier; the additive "
                         r"$\iota$ has no effect asymptotically.")),
]
