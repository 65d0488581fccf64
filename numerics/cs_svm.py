"""Global solution of the non-convex UFM CS-SVM through its convex nuclear-norm form (cvxpy + SCS).

behnia2023 eq. (3a)/(3b), for any logit-scaling matrix A (:class:`theory.core.parameterization.Parameterization`):

    min ||W||_F^2 + ||H||_F^2  s.t.  A[y_i,y_i] z_{y_i,i} - A[y_i,c] z_{c,i} >= 1,  Z = W^T H.

For d >= rank Z, min{||W||^2 + ||H||^2 : W^T H = Z} = 2||Z||_* (attained by W = Lambda^{1/2} V^T,
H = Lambda^{1/2} U^T for Z = V Lambda U^T), so the non-convex program equals the convex one
min 2||Z||_* under linear margin constraints, whose optimum is certified by
:mod:`numerics.certificate` (docs/mathematics.md).

Two programs:

* **sample level** (``reduced=False``): one column per sample (k x n); it tests collapse
  h_i = mu_{y_i} (Thm 2) because nothing forces equal columns.
* **class level** (``reduced=True``): one column per class, column c weighted by sqrt(n_c), i.e.
  min 2||X diag(sqrt n)||_* under the k(k-1) class margins. Same optimal value: averaging the columns
  of a feasible Z within each class keeps it feasible (the constraints of a class are identical) and
  does not increase the nuclear norm (it is Z P with P an orthogonal projector), and a collapsed
  Z = X[:, y] has ||Z||_* = ||X N^{1/2}||_*. Counts may be any positive reals here.

Formulation (exact): 2||Y||_* = min tr P + sum_b tr T_b  s.t.  [[P, Y_b], [Y_b^T, T_b]] >= 0 for
column blocks Y_b of Y. For fixed P the blocks decouple (min tr T_b = tr Y_b^T P^+ Y_b) and
min_P tr P + tr Y^T P^+ Y = 2 tr (Y Y^T)^{1/2}. Blocks of 2k columns replace the single
(k + n)-dimensional PSD cone of ``cp.normNuc`` by n/(2k) cones of dimension 3k: at the paper's size
SCS needs about 0.4 s instead of 1.6 s (measured; cheaper eigendecompositions per iteration). The
margins are one vectorised constraint L vec(Z) >= 1 with L from
:meth:`Parameterization.margin_operator`.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np

from numerics.certificate import DEFAULT_TOL, RANK_RTOL, KKTCertificate, kkt_certificate
from numerics.solution import ProblemColumns
from numerics.solve import SOLVE_TIME_LIMIT_S, solve_or_raise, time_limit_options
from theory.core.errors import ComputationError, InputError
from theory.infra import budget
from theory.core.imbalance import Imbalance
from theory.core.collapse_metrics import class_means, collapse_error
from theory.core.parameterization import Parameterization
from theory.core.validate import feature_dimension, positive_int, positive_real
from theory.seli.cs_svm_problem import CSSVMProblem
from theory.seli.seli_geometry import Geometry

SOLVERS = ("SCS", "CLARABEL")
#: SCS ``scale`` (initial primal-dual balance; SCS adapts it) per program, chosen from measured
#: iteration counts at eps = 1e-8: sample level 0.3 (k = 10, n = 275: 75-350 iterations over
#: gamma in [-1.5, 1.5]); class level 1.0 (k = 100: 100 iterations, against 225-2250 at SCS's 0.1).
SCS_SCALE = {False: 0.3, True: 1.0}


@dataclass(frozen=True, eq=False)
class CSSVMSolution(ProblemColumns):
    """A certified solution of the convex CS-SVM (a :class:`numerics.solution.CSSVMResult`).

    ``Z`` is k x m: the logits W^T H of every sample (sample level, m = n) or of every class
    (class level, m = k). ``problem`` holds the column labels, class counts and the column weights of
    the objective 2||Z diag(weights)||_*.
    """

    Z: np.ndarray
    problem: CSSVMProblem
    certificate: KKTCertificate
    iterations: int | None
    seconds: float

    @property
    def param(self) -> Parameterization:
        """The logit-scaling parameterization."""
        return self.problem.param

    @property
    def reduced(self) -> bool:
        """True for the class-level program."""
        return self.problem.reduced

    @property
    def weights(self) -> np.ndarray:
        """Column weights: sqrt(n_c) at class level, 1 at sample level."""
        return self.problem.weights

    @property
    def k(self) -> int:
        """Number of classes."""
        return self.problem.k

    @property
    def objective(self) -> float:
        """2||Z diag(weights)||_*: the optimal value of eq. (3) (= ||W||^2 + ||H||^2 at the factors)."""
        return self.certificate.primal_objective

    @property
    def status(self) -> str:
        """The solver's status ("optimal": anything else raised in :func:`solve_cs_svm`)."""
        return self.certificate.status

    @property
    def max_violation(self) -> float:
        """max(0, 1 - min margin) of Z (from the certificate)."""
        return self.certificate.max_violation

    @property
    def W(self) -> np.ndarray:
        """Classifiers (d x k) of the minimum-norm factors at the problem's d."""
        return self.factors()[0]

    @property
    def H(self) -> np.ndarray:
        """Embeddings (d x m) of the minimum-norm factors at the problem's d."""
        return self.factors()[1]

    def factors(self, d: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Minimum-norm factors (W, H), W d x k and H d x m with W^T H = Z (behnia2023 eq. 3 with
        Z = W^T H; the factorisation attaining 2||Y||_* of the module docstring).

        Y = Z D = V Lambda U^T, W = Lambda^{1/2} V^T, H = Lambda^{1/2} U^T D^{-1}, padded with zero
        rows to ``d`` (default: the problem's d). At sample level H holds the embeddings h_i, at class
        level the class means mu_c; ||W||^2 + sum_i ||h_i||^2 = 2||Y||_*. Singular values below
        :data:`numerics.certificate.RANK_RTOL` times the largest are solver noise (the optimum has
        rank k - 1) and are dropped: they change Z by at most that much, but would enter H with their
        square root (2e-9 -> 5e-5) and fake a collapse error. ``InputError`` if d < k - 1;
        ``ComputationError`` if d is below the numerical rank of the solution.
        """
        k = self.k
        d = self.problem.d if d is None else feature_dimension(d, k)
        w = self.weights
        V, sigma, Ut = np.linalg.svd(self.Z * w[None, :], full_matrices=False)
        r = int(np.sum(sigma > RANK_RTOL * sigma[0]))
        if r > d:
            raise ComputationError(f"d = {d} is below the rank {r} of the solution")
        root = np.sqrt(sigma[:r])
        W = np.zeros((d, k))
        H = np.zeros((d, self.Z.shape[1]))
        W[:r] = root[:, None] * V[:, :r].T
        H[:r] = root[:, None] * Ut[:r] / w[None, :]
        return W, H

    def geometry(self) -> Geometry:
        """Gram matrices W^T W, M^T M, W^T M of the factors, M the class means of H (theory.core.collapse_metrics)."""
        W, H = self.factors()
        M = class_means(H, self.labels, self.k)
        return Geometry(G_W=W.T @ W, G_M=M.T @ M, G_WM=W.T @ M, counts=self.counts)

    def collapse_error(self) -> float | None:
        """max_i ||h_i - mu_{y_i}|| / max_c ||mu_c|| (Thm 2 collapse); ``None`` at class level, where
        one column per class is collapse by construction, not a measurement."""
        if self.reduced:
            return None
        return collapse_error(self.H, self.labels, self.k)


def as_problem(problem: CSSVMProblem | Imbalance | object, param: Parameterization | None,
               reduced: bool) -> CSSVMProblem:
    """``problem`` itself when it is a :class:`CSSVMProblem` (then ``param`` must be None and ``reduced``
    False), else ``CSSVMProblem(problem, param, reduced)``: the solvers' two call forms."""
    if isinstance(problem, CSSVMProblem):
        if param is not None or reduced is not False:
            raise InputError("give either a CSSVMProblem or (counts, param, reduced), not both")
        return problem
    return CSSVMProblem(problem, param, reduced)


MAX_SPAN = 1e8
"""Largest ratio max/min of the logit-scaling entries, and of the column weights sqrt(n_c), that the cone
program accepts: beyond it the margin constraints differ in scale by more than SCS's accuracy can resolve
(entries 1e308 made SCS run without end)."""


def require_resolvable(problem: CSSVMProblem) -> CSSVMProblem:
    """``problem`` unchanged, or :class:`InputError` when its logit-scaling entries or its column weights
    sqrt(n_c) span more than :data:`MAX_SPAN` (the cone program cannot resolve it; see there)."""
    for what, values in (("logit-scaling entries", problem.param.scaling),
                         ("column weights sqrt(n_c)", np.sqrt(problem.counts))):
        span = float(values.max() / values.min())
        if not span <= MAX_SPAN:
            raise InputError(f"the {what} span a factor {span:.3g}, more than the {MAX_SPAN:g} the cone program "
                             "resolves at its accuracy (eps 1e-8); the CS-SVM is not solvable meaningfully here")
    return problem


def _problem(L, weights: np.ndarray, k: int, block: int):
    """cvxpy problem of the module docstring; returns (problem, Z variable, margin constraint)."""
    import cvxpy as cp

    m = weights.size
    Z = cp.Variable((k, m), name="Z")
    Y = Z if np.all(weights == 1.0) else cp.multiply(Z, np.tile(weights, (k, 1)))
    P = cp.Variable((k, k), symmetric=True, name="P")
    margin = L @ cp.vec(Z, order="F") >= 1
    constraints, traces = [margin], [cp.trace(P)]
    for start in range(0, m, block):
        stop = min(m, start + block)
        T = cp.Variable((stop - start, stop - start), symmetric=True)
        constraints.append(cp.bmat([[P, Y[:, start:stop]], [Y[:, start:stop].T, T]]) >> 0)
        traces.append(cp.trace(T))
    return cp.Problem(cp.Minimize(cp.sum(cp.hstack(traces))), constraints), Z, margin


def solve_cs_svm(problem: CSSVMProblem | Imbalance | object, param: Parameterization | None = None,
                 reduced: bool = False, *, solver: str = "SCS", eps: float = 1e-8, max_iters: int = 100_000,
                 block: int | None = None, tol: float = DEFAULT_TOL) -> CSSVMSolution:
    """Solve behnia2023 eq. (3) globally (module docstring) for a :class:`CSSVMProblem`, or for class
    counts, ``param`` and ``reduced`` (the problem is then built from them).

    ``solver``: "SCS" (default; first-order, low memory) or "CLARABEL" (interior point; accurate, but
    its memory grows fast with n: use it for small problems). ``eps``: SCS eps_abs = eps_rel.
    ``block``: columns per PSD block (default 2k). ``tol``: relative tolerance of the KKT
    certificate (:data:`numerics.certificate.DEFAULT_TOL`). Raises :class:`ComputationError` when
    the solver fails or does not report "optimal" (:func:`numerics.solve.solve_or_raise`), or when the
    certificate fails; never returns an uncertified number. :class:`InputError` when the scaling or the
    counts span more than :data:`MAX_SPAN` (:func:`require_resolvable`). Each solve has a time limit of
    three times the estimate of :func:`theory.infra.budget.cs_svm`, at least
    :data:`numerics.solve.SOLVE_TIME_LIMIT_S`.
    """
    problem = require_resolvable(as_problem(problem, param, reduced))
    k, param = problem.k, problem.param
    name = str(solver).upper()
    if name not in SOLVERS:
        raise InputError(f"solver must be one of {SOLVERS}, got {solver!r}")
    eps = positive_real("eps", eps)
    max_iters = positive_int("max_iters", max_iters)
    block = 2 * k if block is None else positive_int("block", block)
    tol = positive_real("tol", tol)
    L = param.margin_operator(problem.labels)
    start = time.perf_counter()
    program, Z, margin = _problem(L, problem.weights, k, block)
    options = ({"eps_abs": eps, "eps_rel": eps, "max_iters": max_iters, "scale": SCS_SCALE[problem.reduced]}
               if name == "SCS" else {"max_iter": max_iters})
    what = f"{name} on the CS-SVM (k = {k}, {problem.columns} columns)"
    # time limit: three times the up-front estimate, at least the default (a --force run gets its time)
    options.update(time_limit_options(name, max(SOLVE_TIME_LIMIT_S, 3.0 * budget.cs_svm(k, problem.columns).seconds)))
    with warnings.catch_warnings():  # an inaccurate solve is reported by the status check
        warnings.filterwarnings("ignore", message="Solution may be inaccurate", category=UserWarning)
        solve_or_raise(program, what, solver=name, **options)
    seconds = time.perf_counter() - start
    if margin.dual_value is None:
        raise ComputationError(f"{what}: no dual values; no certified solution")
    cert = kkt_certificate(Z.value, margin.dual_value, L, problem.weights, program.status, tol).require()
    stats = program.solver_stats
    return CSSVMSolution(Z=Z.value, problem=problem, certificate=cert,
                         iterations=None if stats is None else stats.num_iters, seconds=seconds)
