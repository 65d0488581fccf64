"""Numerical solver of dang2024's UFM+ problem (4), independent of the closed forms it checks.

    min_{W, H >= 0}  (1/N) sum_i CE(W h_i, y_i) + lambda_W/2 ||W||_F^2 + lambda_H/2 ||H||_F^2,

W in R^{K x d} (rows w_k), H in R^{d x N}. The problem is non-convex: L-BFGS-B (float64, analytic
gradient, bounds H >= 0) runs from several random starts; it stalls at KKT residuals ~1e-9, where
objective changes fall below rounding, so each start ends with a few Newton steps on the free
variables (exact Hessian-vector products, MINRES), which reach residuals ~1e-14. A start has
converged when the infinity norm of the projected gradient (the KKT residual of the bound
constraints), divided by the size of the gradient terms it balances, is at most ``pg_tol``; the best converged start is returned, and if no start converges,
:class:`ComputationError` is raised.

Spurious local minima exist: a class can be left with h_k = 0 while the other classes' features fill
every coordinate (its gradient then points out of the orthant), typically a class just above the
collapse threshold. Plain random starts end there often (for counts 10,6,3,1 and lambda = 0.04, d = 6:
19 of 20 starts). Each start therefore follows a continuation in the regularisation: it solves (4)
with (s lambda_W, s lambda_H) for s in ``CONTINUATION`` = 0.03, 0.1, 0.3, 1, warm-starting every stage
from the previous one. At small s every class is far above its threshold and claims coordinates; as s
grows a class shrinks continuously (to zero if it should collapse). Same example: 20 of 20 starts
reach the lowest objective. Only the last stage (s = 1) is the problem asked and is checked.

The solver imports no closed form: it measures its solution with :mod:`theory.core.collapse_metrics` only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.sparse.linalg import LinearOperator, minres
from threadpoolctl import threadpool_limits

from theory.core.validate import positive_int, positive_real
from theory.core.errors import ComputationError, InputError
from theory.core.imbalance import Imbalance, require_imbalance
from theory.core.collapse_metrics import class_means, class_margins, nc1

CONTINUATION = (0.03, 0.1, 0.3, 1.0)
"""Regularisation scales s of the continuation stages of every start (the last must be 1)."""

LBFGS_TOL = 1e-8
"""KKT residual at which L-BFGS-B stops (it stalls near 1e-9: objective changes fall below rounding)."""

PG_TOL = 1e-9
"""Default convergence tolerance on the *relative* KKT residual of the polished solution: the projected
gradient divided by the size of the terms it sums (:meth:`UFMPlusProblem.relative_kkt_residual`). An
absolute tolerance passes trivially at tiny lambda, where every gradient term is tiny (lambda = 1e-200:
absolute residual 2.5e-14 at a point 964 away from the minimiser)."""

COLLAPSE_TOL = 1e-10
"""A class mean with ||h_k||^2 <= COLLAPSE_TOL * max(1, max_l ||h_l||^2) counts as collapsed (zero);
the same rule with W decides which classifiers are zero (their cosines are undefined)."""


@dataclass(frozen=True, eq=False)
class UFMPlusProblem:
    """Problem (4) for class counts ``imbalance`` (an :class:`Imbalance`), regularisation
    (lambda_W, lambda_H) and feature dimension d >= K."""

    imbalance: Imbalance
    lambda_w: float
    lambda_h: float
    d: int
    labels: np.ndarray = field(init=False, repr=False)
    """Sample labels 0..K-1, ordered by class."""

    def __post_init__(self) -> None:
        imb = require_imbalance("imbalance", self.imbalance)
        object.__setattr__(self, "imbalance", imb)
        object.__setattr__(self, "lambda_w", positive_real("lambda_W", self.lambda_w))
        object.__setattr__(self, "lambda_h", positive_real("lambda_H", self.lambda_h))
        object.__setattr__(self, "d", positive_int(f"d (needs d >= K = {imb.k})", self.d, minimum=imb.k))
        labels = imb.labels()
        labels.setflags(write=False)
        object.__setattr__(self, "labels", labels)

    @property
    def k(self) -> int:
        """Number of classes K."""
        return self.imbalance.k

    def split(self, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(W, H) from the flat variable vector [vec(W), vec(H)]."""
        kd = self.k * self.d
        return v[:kd].reshape(self.k, self.d), v[kd:].reshape(self.d, self.labels.size)

    def value_and_gradient(self, W: np.ndarray, H: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Objective (4) and its gradients (dW, dH): with P = softmax(W H) columnwise and Y one-hot,
        dW = (P - Y) H^T / N + lambda_W W and dH = W^T (P - Y) / N + lambda_H H."""
        y = self.labels
        n = y.size
        Z = W @ H
        Z = Z - Z.max(axis=0)
        E = np.exp(Z)
        total = E.sum(axis=0)
        ce = float(np.sum(np.log(total) - Z[y, np.arange(n)])) / n
        G = E / total
        G[y, np.arange(n)] -= 1.0
        G /= n
        value = ce + 0.5 * self.lambda_w * float(np.sum(W * W)) + 0.5 * self.lambda_h * float(np.sum(H * H))
        return value, G @ H.T + self.lambda_w * W, W.T @ G + self.lambda_h * H

    def hessian_vector(self, W: np.ndarray, H: np.ndarray, dW: np.ndarray,
                       dH: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hessian of (4) applied to the direction (dW, dH): the derivative of the gradient, with
        dZ = dW H + W dH and the softmax Jacobian dP_i = P_i * dZ_i - P_i (P_i . dZ_i)."""
        y = self.labels
        n = y.size
        Z = W @ H
        P = np.exp(Z - Z.max(axis=0))
        P /= P.sum(axis=0)
        G = P.copy()
        G[y, np.arange(n)] -= 1.0
        G /= n
        dZ = dW @ H + W @ dH
        dG = (P * dZ - P * np.sum(P * dZ, axis=0)) / n
        return (dG @ H.T + G @ dH.T + self.lambda_w * dW,
                dW.T @ G + W.T @ dG + self.lambda_h * dH)

    def kkt_residual(self, W: np.ndarray, H: np.ndarray) -> float:
        """Infinity norm of the projected gradient: |dW|, and for H the part of dH that could still
        decrease the objective (dH where H > 0, min(dH, 0) where H = 0). 0 exactly at a KKT point."""
        if np.any(H < 0):
            raise ValueError("H must be non-negative (problem (4) constraint)")
        _, gW, gH = self.value_and_gradient(W, H)
        projected = np.where(H > 0, gH, np.minimum(gH, 0.0))
        return float(max(np.max(np.abs(gW)), np.max(np.abs(projected))))

    def relative_kkt_residual(self, W: np.ndarray, H: np.ndarray) -> float:
        """:meth:`kkt_residual` divided by the largest entry of the gradient's terms: the CE gradients
        (P - Y) H^T / N and W^T (P - Y) / N and the decay terms lambda_W W and lambda_H H. At a KKT point
        these terms cancel; the ratio says how well, independently of the scale of lambda (1 at a point
        where one term is not balanced at all). ``inf`` when every term vanishes but the residual does not."""
        residual = self.kkt_residual(W, H)
        _, gW, gH = self.value_and_gradient(W, H)
        decay_W, decay_H = self.lambda_w * W, self.lambda_h * H
        scale = max(float(np.max(np.abs(gW - decay_W))), float(np.max(np.abs(gH - decay_H))),
                    float(np.max(np.abs(decay_W))), float(np.max(np.abs(decay_H))))
        if scale == 0.0:
            return 0.0 if residual == 0.0 else math.inf
        return residual / scale


@dataclass(frozen=True, eq=False)
class UFMPlusSolution:
    """Best converged start: W (K x d), H (d x N), its objective, absolute and relative KKT residual, and
    every start's final objective (``start_objectives``, NaN where a start did not converge)."""

    problem: UFMPlusProblem
    W: np.ndarray
    H: np.ndarray
    objective: float
    kkt_residual: float
    start_objectives: np.ndarray
    relative_kkt_residual: float = math.nan

    @property
    def converged_starts(self) -> int:
        """Number of starts that reached the KKT tolerance."""
        return int(np.sum(np.isfinite(self.start_objectives)))

    def measure(self) -> dict[str, Any]:
        """Quantities of Thm 1 and Prop. 1 measured on the solution (see :func:`measure`)."""
        return measure(self.W, self.H, self.problem.labels)


def measure(W: np.ndarray, H: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Measured counterparts of the closed forms: class-mean norms ||h_k||^2, W W^T, cos(w_k, w_j)
    (NaN for a zero classifier), margins (13), logits W H-bar, collapsed classes (``COLLAPSE_TOL``),
    within-class spread max_i ||h_i - h_{y_i}|| (Thm 1(a)), the largest |cos(h_k, h_l)| over k != l
    among non-collapsed classes (Thm 1(b); 0 when fewer than two) and NC1 (19) (None at complete collapse,
    where it is 0/0: :func:`theory.core.collapse_metrics.nc1`)."""
    W = np.asarray(W, dtype=np.float64)
    k = W.shape[0]
    means = class_means(H, labels, k)
    h_sq = np.sum(means * means, axis=0)
    collapsed = h_sq <= COLLAPSE_TOL * max(1.0, float(h_sq.max()))
    gram = W @ W.T
    w_sq = np.diagonal(gram).copy()
    zero_w = w_sq <= COLLAPSE_TOL * max(1.0, float(w_sq.max()))
    norms = np.sqrt(np.where(zero_w, 1.0, w_sq))
    cos = gram / np.outer(norms, norms)
    cos[zero_w, :] = np.nan
    cos[:, zero_w] = np.nan
    live = np.flatnonzero(~collapsed)
    mean_cos = 0.0
    if live.size >= 2:
        unit = means[:, live] / np.sqrt(h_sq[live])
        c = unit.T @ unit
        mean_cos = float(np.max(np.abs(c[~np.eye(live.size, dtype=bool)])))
    return {
        "h_norm_sq": h_sq, "w_gram": gram, "w_norm_sq": w_sq, "cos_w": cos,
        "M": class_margins(W, H, labels), "logits": W @ means, "collapsed": collapsed,
        "complete_collapse": bool(np.all(collapsed)),
        "within_class_spread": float(np.max(np.linalg.norm(np.asarray(H) - means[:, labels], axis=0))),
        "max_mean_cosine": mean_cos,
        "nc1": None if bool(np.all(collapsed)) else float(nc1(H, labels, k)),
    }


def largest_deviation(measured: dict[str, Any], predicted: dict[str, np.ndarray]) -> float:
    """max |measured - predicted| over M, h_norm_sq, w_norm_sq and the cos_w entries defined on both
    sides (keys of :func:`measure` and the attributes of ``theory.ufm_plus.closed_form.UFMPlusPrediction``)."""
    keys = ("M", "h_norm_sq", "w_norm_sq", "cos_w")
    for name, side in (("measured", measured), ("predicted", predicted)):
        if not isinstance(side, dict) or any(key not in side for key in keys):
            raise InputError(f"{name} must be a dictionary with keys {', '.join(keys)}")
    worst = 0.0
    for key in keys:
        a = np.asarray(measured[key], dtype=np.float64)
        b = np.asarray(predicted[key], dtype=np.float64)
        both = np.isfinite(a) & np.isfinite(b)
        if np.any(both):
            worst = max(worst, float(np.max(np.abs(a[both] - b[both]))))
    return worst


DEVIATION_TOL = 1e-6
"""Largest accepted :func:`largest_deviation` between a converged numerical minimiser and the closed
form, relative to the size of the predicted quantities (:func:`deviation_scale`)."""


def deviation_scale(predicted: dict[str, np.ndarray]) -> float:
    """max(1, largest finite |value|) over the predicted quantities compared by :func:`largest_deviation`."""
    values = np.concatenate([np.asarray(predicted[key], dtype=np.float64).ravel()
                             for key in ("M", "h_norm_sq", "w_norm_sq", "cos_w")])
    finite = values[np.isfinite(values)]
    return max(1.0, float(np.max(np.abs(finite)))) if finite.size else 1.0


def _lbfgsb(problem: UFMPlusProblem, v0: np.ndarray, tol: float, max_iter: int,
            rounds: int) -> tuple[np.ndarray, int]:
    """L-BFGS-B from v0, restarted (fresh curvature memory) up to ``rounds`` times until the KKT
    residual is at most ``tol`` or stalls (it cannot resolve objective changes below ~1e-16 f).
    Returns the end point and the number of L-BFGS-B iterations actually run."""
    kd = problem.k * problem.d
    bounds = [(None, None)] * kd + [(0.0, None)] * (v0.size - kd)

    def fun(v: np.ndarray) -> tuple[float, np.ndarray]:
        W, H = problem.split(v)
        f, gW, gH = problem.value_and_gradient(W, H)
        return f, np.concatenate([gW.ravel(), gH.ravel()])

    v, iterations = v0, 0
    for _ in range(rounds):
        res = minimize(fun, v, jac=True, method="L-BFGS-B", bounds=bounds,
                       options={"maxiter": max_iter, "maxfun": 2 * max_iter, "ftol": 1e-16,
                                "gtol": tol / 10, "maxcor": 30})
        v = res.x
        iterations += int(res.nit)
        if problem.kkt_residual(*problem.split(v)) <= tol:
            break
    return v, iterations


def _newton_polish(problem: UFMPlusProblem, v: np.ndarray, steps: int = 10) -> np.ndarray:
    """Newton steps on the free variables (W and the positive entries of H; zero entries stay at the
    bound), each solved with MINRES on exact Hessian-vector products (the Hessian is singular along
    the minimiser's symmetries; MINRES returns the minimum-norm step). A step (halved up to 11 times)
    is kept only if it lowers the KKT residual without raising the objective by more than rounding;
    entries of H pushed below 0 are set to 0. This removes the stall of L-BFGS-B at residuals ~1e-9."""
    kd = problem.k * problem.d

    def grad(x: np.ndarray) -> tuple[float, np.ndarray]:
        f, gW, gH = problem.value_and_gradient(*problem.split(x))
        return f, np.concatenate([gW.ravel(), gH.ravel()])

    f, g = grad(v)
    residual = problem.kkt_residual(*problem.split(v))
    for _ in range(steps):
        free = np.concatenate([np.ones(kd, dtype=bool), v[kd:] > 0])
        W, H = problem.split(v)

        def hess(u: np.ndarray) -> np.ndarray:
            full = np.zeros_like(v)
            full[free] = u
            hW, hH = problem.hessian_vector(W, H, *problem.split(full))
            return np.concatenate([hW.ravel(), hH.ravel()])[free]

        op = LinearOperator((int(free.sum()),) * 2, matvec=hess, dtype=np.float64)
        step, _ = minres(op, -g[free], rtol=1e-14, maxiter=20 * int(free.sum()))
        for length in 0.5 ** np.arange(12):               # backtracking on the step length
            trial = v.copy()
            trial[free] += length * step
            trial[kd:] = np.maximum(trial[kd:], 0.0)
            f_trial, g_trial = grad(trial)
            r_trial = problem.kkt_residual(*problem.split(trial))
            if r_trial < residual and f_trial <= f + 1e-14 * max(1.0, abs(f)):
                break
        else:
            break
        v, f, g, residual = trial, f_trial, g_trial, r_trial
    return v


def solve(problem: UFMPlusProblem, starts: int = 5, seed: int = 0, pg_tol: float = PG_TOL,
          max_iter: int = 20000, rounds: int = 3,
          continuation: tuple[float, ...] = CONTINUATION) -> UFMPlusSolution:
    """Minimise problem (4) from ``starts`` random starts (W ~ N(0, 1), H ~ U(0, 1), generator
    ``seed``), each through the ``continuation`` stages (L-BFGS-B to a KKT residual of 1e-8 or its
    stall), then Newton-polished at the last stage; return the converged start of lowest objective.
    ``continuation=(1.0,)`` gives plain multi-start L-BFGS-B (+ polish).

    A start converges when its relative KKT residual (:meth:`UFMPlusProblem.relative_kkt_residual`)
    is at most ``pg_tol``. Raises ComputationError when no start converges.
    """
    if not isinstance(problem, UFMPlusProblem):
        raise InputError(f"problem must be a UFMPlusProblem, got {type(problem).__name__}")
    starts = positive_int("starts", starts)
    pg_tol = positive_real("pg_tol", pg_tol)
    max_iter = positive_int("max_iter", max_iter)
    rounds = positive_int("rounds", rounds)
    scales = [positive_real("continuation scale", s) for s in continuation]
    if not scales or scales[-1] != 1.0:
        raise ValueError("the last continuation scale must be 1 (the problem asked)")
    stages = [UFMPlusProblem(problem.imbalance, s * problem.lambda_w, s * problem.lambda_h, problem.d)
              for s in scales[:-1]] + [problem]
    rng = np.random.default_rng(seed)
    kd, dn = problem.k * problem.d, problem.d * problem.labels.size
    values = np.full(starts, np.nan)
    best: tuple[float, np.ndarray, float, float] | None = None
    smallest_residual = math.inf
    iterations = 0
    zero = np.zeros(kd + dn)
    zero_value = problem.value_and_gradient(*problem.split(zero))[0]   # log K exactly: W H = 0
    # tiny matrices: a multi-threaded BLAS only adds synchronisation cost (8-40x slower here)
    with threadpool_limits(limits=1, user_api="blas"):
        for s in range(starts):
            v = np.concatenate([rng.standard_normal(kd), rng.random(dn)])
            for stage in stages:
                v, nit = _lbfgsb(stage, v, LBFGS_TOL, max_iter, rounds)
                iterations += nit
            v = _newton_polish(problem, v)
            if problem.value_and_gradient(*problem.split(v))[0] >= zero_value:
                # The start ended no lower than W = H = 0, which is an exact KKT point of (4) (every
                # gradient term has a factor W or H). There the relative residual is 0/0 and, at
                # iterates that only approach 0, ~1 whatever the accuracy (every term is tiny and none
                # dominates), so the verdict would hang on rounding: take the zero point itself.
                v = zero.copy()
            W, H = problem.split(v)
            value, relative = problem.value_and_gradient(W, H)[0], problem.relative_kkt_residual(W, H)
            smallest_residual = min(smallest_residual, relative)
            if relative <= pg_tol and np.isfinite(value):
                values[s] = value
                if best is None or value < best[0]:
                    best = (value, v, problem.kkt_residual(W, H), relative)
    if best is None:
        raise ComputationError(f"UFM+ solver: none of {starts} starts converged (smallest relative KKT "
                               f"residual {smallest_residual:.3g} > {pg_tol:.3g} after {iterations} L-BFGS-B "
                               f"iterations in all over {len(stages)} continuation stages, at most {rounds} x "
                               f"{max_iter} per stage, and the Newton polish)")
    value, v, residual, relative = best
    W, H = problem.split(v)
    W, H = W.copy(), H.copy()
    for arr in (W, H, values):
        arr.setflags(write=False)
    return UFMPlusSolution(problem=problem, W=W, H=H, objective=value, kkt_residual=residual,
                           start_objectives=values, relative_kkt_residual=relative)
