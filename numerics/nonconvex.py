"""The non-convex UFM CS-SVM solved directly over (W, H): augmented Lagrangian + L-BFGS, float64.

behnia2023 eq. (3a)/(3b) for any parameterization A:

    min_{W, H} ||W||_F^2 + sum_j w_j^2 ||h_j||^2  s.t.  m(W^T H) := L vec(W^T H) >= 1,

with column weights w_j = 1 at sample level and w_c = sqrt(n_c) at class level (the reduced program of
:mod:`numerics.cs_svm`, with h_c the class mean). This checks Thm 2 without the convex reformulation:
from random starts with d >= k - 1, a local method either reaches the certified convex optimum
(:func:`numerics.cs_svm.solve_cs_svm`) or ends elsewhere, and :func:`compare_to_convex` counts both;
no start is filtered.

Method (Powell-Hestenes-Rockafellar augmented Lagrangian for c = 1 - m <= 0):

    phi_rho(x; mu) = f(x) + (1 / (2 rho)) sum_j (max(0, mu_j + rho c_j(x))^2 - mu_j^2),

minimised by scipy's L-BFGS-B with the exact gradient (grad_W = 2W - H S^T, grad_H = 2 H D^2 - W S,
S = mat(L^T r), r = max(0, mu + rho c)); then mu <- max(0, mu + rho c), and rho grows tenfold when the
violation did not fall by 4x (up to ``RHO_MAX``). The margins are homogeneous of degree 2 in (W, H), so a point with
minimum margin m_min > 0 rescaled by 1/sqrt(m_min) is feasible: ``objective`` reports that feasible
value, an upper bound on the optimum comparable with the convex certificate's bounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from numerics.cs_svm import CSSVMSolution, as_problem
from numerics.solution import ProblemColumns
from theory.core.errors import ComputationError, InputError
from theory.core.imbalance import Imbalance
from theory.core.collapse_metrics import class_means, collapse_error, normalized_distance
from theory.core.parameterization import Parameterization
from theory.core.validate import positive_int, positive_real, seed_value
from theory.seli.cs_svm_problem import CSSVMProblem
from theory.seli.seli_geometry import Geometry


@dataclass(frozen=True, eq=False)
class NonconvexStart(ProblemColumns):
    """One run from one random start (a :class:`numerics.solution.CSSVMResult` without certificate):
    final (W, H) (feasibility-rescaled), its objective, the raw maximum violation before rescaling,
    the relative stationarity residual of the Lagrangian, the number of outer iterations and whether
    both residuals met the tolerance."""

    seed: int
    W: np.ndarray
    H: np.ndarray
    problem: CSSVMProblem
    objective: float
    max_violation: float
    stationarity: float
    outer_iterations: int
    converged: bool

    #: a local method proves nothing about global optimality: no KKT certificate
    certificate = None

    @property
    def Z(self) -> np.ndarray:
        """Logits W^T H (k x m)."""
        return self.W.T @ self.H

    @property
    def status(self) -> str:
        """"converged" when both residuals met their tolerances, else "not converged"."""
        return "converged" if self.converged else "not converged"

    def geometry(self) -> Geometry:
        """Gram matrices of W and of the class means of H (theory.core.collapse_metrics)."""
        M = class_means(self.H, self.labels, self.problem.k)
        return Geometry(G_W=self.W.T @ self.W, G_M=M.T @ M, G_WM=self.W.T @ M, counts=self.counts)

    def collapse_error(self) -> float | None:
        """max_i ||h_i - mu_{y_i}|| / max_c ||mu_c|| (behnia2023 Thm 2 collapse); ``None`` at class
        level, where one column per class is collapse by construction."""
        if self.problem.reduced:
            return None
        return collapse_error(self.H, self.labels, self.problem.k)


#: cap of the penalty parameter: beyond it L-BFGS-B works on an ill-conditioned function and the
#: multiplier update overshoots on constraints that are satisfied to rounding
RHO_MAX = 1e6


class _Lagrangian:
    """Objective, margins and augmented-Lagrangian value/gradient of the weighted CS-SVM."""

    def __init__(self, problem: CSSVMProblem):
        self.L = problem.param.margin_operator(problem.labels)
        self.LT = self.L.T.tocsr()
        self.k, self.m, self.d = problem.k, problem.columns, problem.d
        self.w2 = problem.weights**2

    def split(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x[: self.d * self.k].reshape(self.d, self.k), x[self.d * self.k:].reshape(self.d, self.m)

    def objective(self, W: np.ndarray, H: np.ndarray) -> float:
        return float(np.sum(W * W) + np.sum(H * H * self.w2[None, :]))

    def margins(self, W: np.ndarray, H: np.ndarray) -> np.ndarray:
        return self.L @ (W.T @ H).reshape(-1, order="F")

    def grad(self, W: np.ndarray, H: np.ndarray, r: np.ndarray) -> np.ndarray:
        """Gradient of f - r^T m at (W, H)."""
        S = (self.LT @ r).reshape(self.k, self.m, order="F")
        return np.concatenate([(2 * W - H @ S.T).ravel(), (2 * H * self.w2[None, :] - W @ S).ravel()])

    def augmented(self, x: np.ndarray, mu: np.ndarray, rho: float) -> tuple[float, np.ndarray]:
        W, H = self.split(x)
        r = np.maximum(0.0, mu + rho * (1.0 - self.margins(W, H)))
        value = self.objective(W, H) + (np.sum(r * r) - np.sum(mu * mu)) / (2 * rho)
        return value, self.grad(W, H, r)


def _run_start(lag: _Lagrangian, x0: np.ndarray, tol: float, stat_tol: float,
               max_outer: int) -> tuple[np.ndarray, int, float, float]:
    """One augmented-Lagrangian run from x0: (x, outer iterations, max violation, stationarity)."""
    mu = np.zeros(lag.L.shape[0])
    rho, x, previous = 1.0, x0, np.inf
    for outer in range(1, max_outer + 1):
        res = minimize(lag.augmented, x, args=(mu, rho), jac=True, method="L-BFGS-B",
                       options={"maxiter": 5000, "gtol": 1e-11, "ftol": 1e-15, "maxcor": 20})
        x = res.x
        W, H = lag.split(x)
        c = 1.0 - lag.margins(W, H)
        mu = np.maximum(0.0, mu + rho * c)
        violation = float(max(0.0, c.max()))
        scale = np.sqrt(np.sum(x * x))
        stationarity = float(np.linalg.norm(lag.grad(W, H, mu))) / max(scale, 1e-300)
        if violation <= tol and stationarity <= stat_tol:
            return x, outer, violation, stationarity
        if violation > tol and violation > 0.25 * previous:
            rho = min(10.0 * rho, RHO_MAX)
        previous = violation
    return x, max_outer, violation, stationarity


def solve_nonconvex(problem: CSSVMProblem | Imbalance | object, param: Parameterization | None = None,
                    reduced: bool = False, *, d: int | None = None, starts: int = 5, seed: int = 0,
                    tol: float = 1e-9, stat_tol: float = 1e-3, max_outer: int = 40) -> list[NonconvexStart]:
    """Solve behnia2023 eq. (3) over (W, H) from ``starts`` Gaussian starts (seeds seed, seed+1, ...).

    ``problem``: a :class:`CSSVMProblem`, or class counts with ``param``, ``reduced`` and ``d`` (default
    k, at least k - 1: Thm 2's assumption) to build one from; ``d`` must be omitted with a problem,
    which carries its own. A start is ``converged`` when the
    maximum constraint violation is <= ``tol`` and the relative stationarity residual
    ||grad f - sum_j mu_j grad m_j|| / ||(W, H)|| is <= ``stat_tol``; unconverged starts are returned
    too (never filtered). The residual cannot go much below sqrt(eps * rho) (float64 resolution of
    phi_rho, rho up to RHO_MAX): 1e-5 to 2e-4 measured at the paper's size, hence 1e-3 by default;
    the objective gap and Gram distances of :func:`compare_to_convex` are the sharper test.
    """
    if isinstance(problem, CSSVMProblem):
        if d is not None:
            raise InputError("d belongs to the CSSVMProblem; do not pass it again")
        problem = as_problem(problem, param, reduced)
    else:
        problem = CSSVMProblem(problem, param, reduced, d)
    k, d, m = problem.k, problem.d, problem.columns
    starts = positive_int("starts", starts)
    seed = seed_value("seed", seed)
    tol = positive_real("tol", tol)
    stat_tol = positive_real("stat_tol", stat_tol)
    max_outer = positive_int("max_outer", max_outer)
    lag = _Lagrangian(problem)
    out = []
    for s in range(seed, seed + starts):
        x0 = np.random.default_rng(s).standard_normal(d * (k + m)) / np.sqrt(d)
        # L-BFGS-B makes many tiny BLAS calls: threaded BLAS only adds spin-wait (30x slower measured
        # on 2 shared cores), so run them single-threaded
        with threadpool_limits(limits=1, user_api="blas"):
            x, outer, violation, stationarity = _run_start(lag, x0, tol, stat_tol, max_outer)
        W, H = lag.split(x)
        min_margin = float(lag.margins(W, H).min())
        if not min_margin > 0:
            raise ComputationError(f"start {s}: the non-convex solver ended with margin {min_margin:.3g} <= 0")
        scale = 1.0 / np.sqrt(min(1.0, min_margin))
        W, H = W * scale, H * scale
        out.append(NonconvexStart(seed=s, W=W, H=H, problem=problem, objective=lag.objective(W, H),
                                  max_violation=violation, stationarity=stationarity,
                                  outer_iterations=outer, converged=violation <= tol and stationarity <= stat_tol))
    return out


@dataclass(frozen=True)
class StartReport:
    """A start measured against the certified convex optimum: relative objective gap
    (objective - lower bound) / upper bound, normalised Gram-matrix distances (behnia2023 App. A.4)
    for W, M and W^T M, and whether it reached the optimum within the tolerances."""

    seed: int
    converged: bool
    objective_gap: float
    distance_W: float
    distance_M: float
    distance_WM: float
    at_optimum: bool


def compare_to_convex(runs: list[NonconvexStart], reference: CSSVMSolution, gap_tol: float = 1e-6,
                      distance_tol: float = 1e-3) -> tuple[list[StartReport], int]:
    """Per-start reports against ``reference`` and the number of starts that ended elsewhere.

    A start is at the optimum when it converged, its objective gap is <= ``gap_tol`` and all three
    distances are <= ``distance_tol``. The gap is bounded below by -(certified gap) only: a value
    under -gap_tol would contradict the certificate, and raises :class:`ComputationError`.
    """
    if not isinstance(runs, (list, tuple)) or not runs or not all(isinstance(r, NonconvexStart) for r in runs):
        raise InputError("runs must be a non-empty list of NonconvexStart (from solve_nonconvex)")
    if not isinstance(reference, CSSVMSolution):
        raise InputError(f"reference must be a CSSVMSolution, got {type(reference).__name__}")
    gap_tol = positive_real("gap_tol", gap_tol)
    distance_tol = positive_real("distance_tol", distance_tol)
    cert = reference.certificate
    ref = reference.geometry()
    reports = []
    for run in runs:
        if not run.problem.same_program(reference.problem):
            raise InputError("the runs and the reference solve different programs")
        gap = (run.objective - cert.lower_bound) / cert.upper_bound
        if gap < -gap_tol:
            raise ComputationError(f"start {run.seed} has a feasible objective below the certified lower "
                                   f"bound (relative {gap:.3g}): inconsistent solvers")
        geo = run.geometry()
        dist = [float(normalized_distance(getattr(geo, a), getattr(ref, a))) for a in ("G_W", "G_M", "G_WM")]
        ok = run.converged and gap <= gap_tol and max(dist) <= distance_tol
        reports.append(StartReport(run.seed, run.converged, gap, *dist, at_optimum=ok))
    return reports, sum(not r.at_optimum for r in reports)
