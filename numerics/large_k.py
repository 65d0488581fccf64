"""Certified class-level CS-SVM for many classes: active-set Newton on the margin-reduced nuclear norm.

behnia2023 eq. (3) at class level (DESIGN.md, :mod:`numerics.cs_svm`): for a positive logit-scaling
matrix A and class counts n,

    min 2||X D||_*   s.t.   A[c,c] X[c,c] - A[c,c'] X[c',c] >= 1   (c' != c),   D = diag(sqrt n).

The k(k-1) margins split by column. With an *active set* (the margins held at 1) every active entry of
column c is an affine function of the diagonal t_c = X[c,c]:

    X[c',c] = (A[c,c] t_c - 1) / A[c,c'],

and the inactive entries are free. The program becomes the unconstrained minimisation of the convex
f(theta) = ||Y(theta)||_*, Y = X(theta) D affine in theta = (t, free entries). Its minimiser has rank k - 1
(SEL matrices, behnia2023 Thm 2, and every solution measured here), where ||.||_* is not differentiable.
Writing sigma_k for the *signed* smallest singular value (smooth while sigma_{k-1} > 0),

    f = g + |sigma_k|,   g = sigma_1 + ... + sigma_{k-1},

so the minimiser solves the smooth system  grad g + s grad sigma_k = 0,  sigma_k = 0  (|s| <= 1), the
KKT system of min g s.t. sigma_k = 0. Newton's method on it uses the Hessian of the spectral function
F_s(Y) = sum_i w_i sigma_i (w = (1, ..., 1, s)): with E~ = U^T E V, sym/anti its symmetric and
antisymmetric parts (Lewis & Sendov 2005, second derivative of a singular-value function),

    d^2 F_s[E, E] = sum_{i != j} (w_i - w_j)/(sigma_i - sigma_j) sym_ij^2 + (w_i + w_j)/(sigma_i + sigma_j) anti_ij^2,

which stays bounded as sigma_k -> 0. The Newton systems are solved inexactly (forcing term at most the
KKT residual, Eisenstat & Walker 1996) by preconditioned MINRES with
Hessian-vector products (two k x k matrix products each), so one iteration costs one SVD and
a few dozen matrix products: O(k^3) time and O(k^2) memory.

Globalisation: backtracking on f itself (the exact penalty of sigma_k = 0, valid since |s| <= 1), each
line search starting at twice the last accepted length; when the KKT step fails, the Newton step of the
locally smooth f = g + sigma_k (CG on its PSD Hessian) is used instead. While the least-squares multiplier
s is clipped to +-1 (far from the minimiser: measured on random A, where the KKT step was then accepted
only at lengths 1/2..1/8 and sigma_k / sigma_1 grew), the smooth step is tried first (k = 1000 random:
8 Newton iterations in the first round instead of 10).

Outer loop (primal active set): after Newton converges, margins whose multiplier is negative are
released and free entries whose margin dropped below 1 are re-activated, until neither happens. Rounds
run to a loose tolerance (ROUND_RTOL) until the set stops changing, then to NEWTON_RTOL, and the set is
checked once more at that point. The multipliers come from the subgradient S = U diag(w) V^T:
G = 2 S D = mat(L^T lambda) gives lambda_{c,c'} = -G[c',c] / A[c,c'] (:mod:`numerics.certificate`). The
result is accepted only through :func:`numerics.certificate.kkt_certificate` (the same checks as the SCS
route); anything else is a :class:`~theory.core.errors.ComputationError`.

Warm start: the SEL prediction of the log-rank-one fit A[y,c] ~ r_y s_c, X0 = Xi(s) diag(1/r)
(behnia2023 Thm 2: exact for CE, CDT, LDT and VS, where Newton stops after one step).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, cg, minres

from numerics.certificate import DEFAULT_TOL, KKTCertificate, kkt_certificate
from numerics.cs_svm import CSSVMSolution, as_problem
from theory.seli.cs_svm_problem import CSSVMProblem
from theory.core.errors import ComputationError, InputError
from theory.core.imbalance import Imbalance
from theory.core.parameterization import Parameterization
from theory.core.validate import positive_int, positive_real
from theory.seli.sel import sel_matrix

#: Newton stops when the Lagrangian gradient (relative to ||grad g|| + ||grad sigma_k||) and
#: sigma_k / sigma_1 are below NEWTON_RTOL, or when a step no longer decreases f by more than rounding
#: (the residual then sits at its rounding floor, measured 1e-11..3e-11 at k = 100) while the residual
#: is below STALL_RTOL. The KKT certificate at 1e-6 is the judge either way.
NEWTON_RTOL = 1e-11
STALL_RTOL = 1e-8
#: Newton tolerance of the active-set rounds before the set settles: their multipliers only decide which
#: margins change, so they need signs, not 1e-11 accuracy. A round at this tolerance whose active set does
#: not change is continued to NEWTON_RTOL and checked again, so the accepted point meets the same tolerances.
ROUND_RTOL = 1e-6
#: halvings of the KKT step before the smooth Newton step of f is tried instead (far from the minimiser
#: the KKT step, which drives sigma_k to 0 at once, often does not decrease f)
KKT_TRIES = 4
#: MINRES solves the Newton systems inexactly, to ||F + J d|| <= eta ||F|| (F the KKT residual; Eisenstat
#: & Walker 1996): eta = min(MINRES_MAX_RTOL, max(r, TARGET_MARGIN * target / r)) for a relative KKT
#: residual r and the round's target tolerance. eta <= r keeps Newton's quadratic convergence
#: (r+ = O(eta r + r^2)); eta r <= TARGET_MARGIN * target asks no more than the target needs (the last
#: step from r = 5e-10 to 1e-11 needs eta = 2e-3, not 1e-10). At eta = 1e-2 MINRES's least-squares
#: stopping test ended after one product at k = 1000 and Newton stalled (measured): hence MINRES_MAX_RTOL.
MINRES_MAX_RTOL = 1e-4
TARGET_MARGIN = 0.1
#: Free entries whose derivatives are gathered per chunk (two chunk x k float64 blocks, 16 MiB at k = 1000).
FREE_CHUNK = 1024


@dataclass
class _State:
    """Logits X (k x k) and the active-set mask (True: margin held at 1; the diagonal is unused)."""

    X: np.ndarray
    active: np.ndarray


def warm_start(param: Parameterization) -> np.ndarray:
    """SEL logits of the log-rank-one fit A[y,c] ~ r_y s_c: X0 = Xi(s) diag(1/r), all margins 1.

    behnia2023 Definition 1 / Thm 2: CDT(delta) gives Xi(delta), LDT(delta) Xi(1) diag(1/delta); A = r s^T
    reduces to both by scaling rows by s and columns by 1/r. Least squares in log A fits r, s exactly
    for CE, CDT, LDT and VS.
    """
    logA = np.log(param.scaling)
    row = logA.mean(axis=1)
    col = logA.mean(axis=0) - logA.mean()
    return sel_matrix(np.exp(col)) / np.exp(row)[None, :]


def _project(X: np.ndarray, A: np.ndarray, active: np.ndarray) -> np.ndarray:
    """X with every active entry set from its column's diagonal so that the margin is exactly 1."""
    t = np.diag(X)
    Xa = (np.diag(A) * t - 1.0)[None, :] / A.T
    out = np.where(active, Xa, X)
    np.fill_diagonal(out, t)
    return out


class _NewtonSystem:
    """Derivatives of f = ||X D||_* in theta = (diag X, free entries) at one point (module docstring)."""

    def __init__(self, X: np.ndarray, A: np.ndarray, w: np.ndarray, active: np.ndarray,
                 U: np.ndarray, sigma: np.ndarray, Vt: np.ndarray) -> None:
        k = X.shape[0]
        self.U, self.sigma, self.Vt, self.w = U, sigma, Vt, w
        # dY/dt_c = P[:, c] e_c^T: P[c,c] = w_c, active P[c',c] = w_c A[c,c] / A[c,c'], free 0
        P = np.where(active, np.diag(A)[None, :] / A.T, 0.0)
        np.fill_diagonal(P, 1.0)
        self.P = P * w[None, :]
        free = ~active
        np.fill_diagonal(free, False)
        self.rows, self.cols = np.nonzero(free)
        self.At = U.T @ self.P
        g_t = np.sum(self.At[:-1] * Vt[:-1], axis=0)
        h_t = self.At[-1] * Vt[-1]
        g_f = self._entries(U[:, :-1], Vt[:-1].T) * w[self.cols]
        h_f = U[self.rows, -1] * Vt[-1, self.cols] * w[self.cols]
        self.grad_g = np.concatenate([g_t, g_f])
        self.grad_h = np.concatenate([h_t, h_f])
        hh = float(self.grad_h @ self.grad_h)
        self.s = float(np.clip(-(self.grad_h @ self.grad_g) / hh, -1.0, 1.0)) if hh > 0 else 0.0
        self.k = k
        self.weights = np.ones(k)
        self.weights[-1] = self.s
        self.Kp, self.Km = self._kernels(self.weights)

    def _kernels(self, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(Kp, Km) = ((Ks + Ka) / 2, (Ks - Ka) / 2) of d^2 F_w (module docstring), zero diagonals."""
        sigma = self.sigma
        with np.errstate(divide="ignore", invalid="ignore"):
            Ks = (weights[:, None] - weights[None, :]) / (sigma[:, None] - sigma[None, :])
            Ka = (weights[:, None] + weights[None, :]) / (sigma[:, None] + sigma[None, :])
        Ks[weights[:, None] == weights[None, :]] = 0.0  # equal weights: no curvature, even where sigma_i = sigma_j
        np.fill_diagonal(Ka, 0.0)
        return 0.5 * (Ks + Ka), 0.5 * (Ks - Ka)

    @property
    def size(self) -> int:
        """Number of variables: k diagonal entries plus the free entries."""
        return self.k + self.rows.size

    def kkt_residual(self) -> float:
        """max(|grad g + s grad sigma_k| / (|grad g| + |grad sigma_k|), sigma_k / sigma_1)."""
        scale = np.linalg.norm(self.grad_g) + np.linalg.norm(self.grad_h)
        return max(float(np.linalg.norm(self.grad_g + self.s * self.grad_h) / scale),
                   float(self.sigma[-1] / self.sigma[0]))

    def hvp(self, v: np.ndarray, Kp: np.ndarray, Km: np.ndarray) -> np.ndarray:
        """Hessian of F_w(Y(theta)) times v for the kernels (Kp, Km) of w (Lewis-Sendov form, SVD basis).

        Two k x k products: E~ = (U^T dY) V with U^T dY = At diag(v_t) + (F^T U)^T (F sparse), and Om V^T.
        With sym/anti the parts of E~, (Kp + Km) sym + (Kp - Km) anti = Kp E~ + Km E~^T, and the free
        entries of U Om V^T are read as row-by-column dot products (O(k) each) instead of a k x k product.
        """
        k = self.k
        Pt = self.At * v[None, :k]  # U^T dY, dY = P diag(v_t) + F (F: the free entries, sparse)
        if self.rows.size:
            F = sp.csr_matrix((v[k:] * self.w[self.cols], (self.rows, self.cols)), shape=(k, k))
            Pt += (F.T @ self.U).T
        Et = Pt @ self.Vt.T
        Om = Kp * Et
        Om += Km * Et.T
        OmV = Om @ self.Vt
        out_t = np.sum(self.At * OmV, axis=0)
        if not self.rows.size:
            return out_t
        return np.concatenate([out_t, self._entries(self.U, OmV.T) * self.w[self.cols]])

    def _entries(self, left: np.ndarray, right_t: np.ndarray) -> np.ndarray:
        """(left @ right_t.T)[rows, cols] without the k x k product, in chunks of FREE_CHUNK entries."""
        out = np.empty(self.rows.size)
        for start in range(0, self.rows.size, FREE_CHUNK):
            r, c = self.rows[start:start + FREE_CHUNK], self.cols[start:start + FREE_CHUNK]
            out[start:start + FREE_CHUNK] = np.einsum("ij,ij->i", left[r], right_t[c])
        return out

    def diagonal(self, Kp: np.ndarray, Km: np.ndarray) -> np.ndarray:
        """Jacobi preconditioner: exact Hessian diagonal for t, its positive part for free entries."""
        a2, b2, ab = self.At**2, self.Vt**2, self.At * self.Vt
        Kb2 = Kp @ b2
        d_t = np.sum(a2 * Kb2, axis=0) + np.sum(ab * (Km @ ab), axis=0)
        parts = [d_t]
        if self.rows.size:
            parts.append(self._entries(self.U**2, Kb2.T) * self.w[self.cols] ** 2)
        d = np.concatenate(parts)
        floor = 1e-12 * max(float(np.max(np.abs(d))), 1e-300)
        return np.maximum(d, floor)

    def kkt_step(self, rtol: float) -> np.ndarray:
        """Newton step of  grad g + s grad h = 0, sigma_k = 0  (saddle system by MINRES to relative
        residual ``rtol``, the forcing term of inexact Newton: :func:`_forcing`)."""
        m = self.size
        gh = self.grad_h
        diag = self.diagonal(self.Kp, self.Km)
        schur = float(np.sum(gh**2 / diag)) or 1.0

        def matvec(x: np.ndarray) -> np.ndarray:
            return np.concatenate([self.hvp(x[:m], self.Kp, self.Km) + gh * x[m], [gh @ x[:m]]])

        def precond(x: np.ndarray) -> np.ndarray:
            return np.concatenate([x[:m] / diag, [x[m] / schur]])

        K = LinearOperator((m + 1, m + 1), matvec=matvec, dtype=np.float64)
        M = LinearOperator((m + 1, m + 1), matvec=precond, dtype=np.float64)
        # unknowns (step, change of s): the right-hand side is the KKT residual itself, so MINRES's relative
        # tolerance is the forcing term eta of ||F + J d|| <= eta ||F||
        rhs = np.concatenate([-(self.grad_g + self.s * self.grad_h), [-self.sigma[-1]]])
        sol, _ = minres(K, rhs, M=M, rtol=rtol, maxiter=10 * (m + 1))
        return sol[:m]

    def smooth_step(self) -> np.ndarray:
        """Newton step of f = g + sigma_k where it is smooth (sigma_k > 0): CG on its PSD Hessian,
        the fallback when the KKT step does not decrease f (far from the rank-deficient minimiser)."""
        m = self.size
        Kp, Km = self._kernels(np.ones(self.k))
        diag = self.diagonal(Kp, Km)
        H = LinearOperator((m, m), matvec=lambda v: self.hvp(v, Kp, Km), dtype=np.float64)
        M = LinearOperator((m, m), matvec=lambda v: v / diag, dtype=np.float64)
        sol, _ = cg(H, -(self.grad_g + self.grad_h), M=M, rtol=1e-6, maxiter=m)
        return sol


def _forcing(residual: float, target: float) -> float:
    """MINRES tolerance eta of a Newton step at relative KKT residual ``residual`` (see MINRES_MAX_RTOL)."""
    return min(MINRES_MAX_RTOL, max(residual, TARGET_MARGIN * target / max(residual, 1e-300)))


def _apply(X: np.ndarray, A: np.ndarray, active: np.ndarray, sys_: _NewtonSystem,
           delta: np.ndarray) -> np.ndarray:
    """X moved by ``delta`` in theta = (diagonal, free entries), active entries re-projected."""
    k = X.shape[0]
    Xn = X.copy()
    Xn[np.arange(k), np.arange(k)] += delta[:k]
    Xn[sys_.rows, sys_.cols] += delta[k:]
    return _project(Xn, A, active)


def _newton(state: _State, A: np.ndarray, w: np.ndarray, max_iters: int,
            rtol: float = NEWTON_RTOL) -> tuple[int, _NewtonSystem]:
    """Newton iterations with backtracking on f = ||X D||_* for the current active set.

    Each iteration tries the KKT step (4 halvings), then the smooth Newton step of f (30 halvings); the
    other way round while s is clipped to +-1.
    Returns (iterations, derivatives at the last point) when the KKT residual is below
    ``rtol`` (:data:`NEWTON_RTOL`, or :data:`ROUND_RTOL` for a round whose active set may still change),
    or below :data:`STALL_RTOL` with f no longer decreasing (rounding level).
    :class:`ComputationError` otherwise (no decrease possible or ``max_iters`` reached).
    """
    X = state.X
    U, sigma, Vt = np.linalg.svd(X * w[None, :])
    system = _NewtonSystem(X, A, w, state.active, U, sigma, Vt)
    f_old = np.inf
    first_step = [1.0, 1.0]  # per direction: twice its last accepted length, at most 1
    for it in range(max_iters + 1):
        f = float(sigma.sum())
        residual = system.kkt_residual()
        stalled = f_old - f <= 8 * np.finfo(float).eps * f
        if residual <= rtol or (stalled and residual <= STALL_RTOL):
            state.X = X
            return it, system
        if it == max_iters:
            break
        f_old = f
        accepted = svd = None
        forcing = _forcing(residual, rtol)
        directions = [(0, lambda: system.kkt_step(forcing), KKT_TRIES), (1, system.smooth_step, 30)]
        if abs(system.s) == 1.0:  # s clipped: far from the KKT point, where the KKT step fails (module docstring)
            directions.reverse()
        for j, direction, tries in directions:
            delta, step = direction(), first_step[j]
            for _ in range(tries):
                Xn = _apply(X, A, state.active, system, step * delta)
                # a full-length trial is usually accepted (fast phase): decompose it fully at once
                svd = np.linalg.svd(Xn * w[None, :]) if step == 1.0 else None
                values = svd[1] if svd else np.linalg.svd(Xn * w[None, :], compute_uv=False)
                if values.sum() <= f * (1 + 1e-15):
                    accepted = True
                    break
                step *= 0.5
            if accepted:
                first_step[j] = min(1.0, 2.0 * step)
                break
        if not accepted:  # no decrease at all: converged at the rounding floor, or stuck
            if residual <= STALL_RTOL:
                state.X = X
                return it, system
            break
        X = Xn
        U, sigma, Vt = svd or np.linalg.svd(X * w[None, :])
        system = _NewtonSystem(X, A, w, state.active, U, sigma, Vt)
    raise ComputationError(f"large-k CS-SVM: Newton stopped after {it} iterations with relative KKT residual "
                           f"{system.kkt_residual():.2e}; no certified solution")


def _multipliers(system: _NewtonSystem, A: np.ndarray, active: np.ndarray) -> np.ndarray:
    """lambda[c', c] = -G[c', c] / A[c, c'] on active entries (0 elsewhere), G = 2 U diag(w) V^T D."""
    G = 2.0 * ((system.U * system.weights[None, :]) @ system.Vt) * system.w[None, :]
    lam = np.where(active, -G / A.T, 0.0)
    np.fill_diagonal(lam, 0.0)
    return lam


def solve_large_k(counts: Imbalance | object, param: Parameterization, *, tol: float = DEFAULT_TOL,
                  max_iters: int = 60, max_rounds: int = 30) -> CSSVMSolution:
    """Certified class-level solution of behnia2023 eq. (3) by active-set Newton (module docstring).

    Same program, certificate and result type as ``numerics.cs_svm.solve_cs_svm(..., reduced=True)``;
    O(k^3) time and O(k^2) memory instead of SCS's PSD cone of dimension 2k. ``max_iters`` bounds the
    Newton iterations per active set, ``max_rounds`` the active-set changes. Raises
    :class:`ComputationError` when Newton or the active-set loop does not converge, the minimiser does
    not have rank k - 1, or the KKT certificate fails.
    """
    if not isinstance(counts, (Imbalance, CSSVMProblem)):
        counts = Imbalance(np.asarray(counts))  # integer counts <= 2^53, as every class-level solver takes
    problem = as_problem(counts, param, True)
    n, weights = problem.counts, problem.weights
    tol = positive_real("tol", tol)
    max_iters = positive_int("max_iters", max_iters)
    max_rounds = positive_int("max_rounds", max_rounds)
    A = param.scaling
    k = param.k
    start = time.perf_counter()
    active = ~np.eye(k, dtype=bool)
    state = _State(_project(warm_start(param), A, active), active)
    total = 0
    rtol = ROUND_RTOL
    for _ in range(max_rounds):
        its, system = _newton(state, A, weights, max_iters, rtol)
        total += its
        lam = _multipliers(system, A, state.active)
        scale = max(float(lam.max()), 1e-300)
        release = state.active & (lam < -1e-9 * scale)
        own = np.diag(A)[None, :] * np.diag(state.X)[None, :]
        margins = own - A.T * state.X
        free = ~state.active
        np.fill_diagonal(free, False)
        violated = free & (margins < 1.0 - 1e-12)
        if not release.any() and not violated.any():
            if rtol == NEWTON_RTOL:
                break
            rtol = NEWTON_RTOL  # the active set looks settled: converge fully, then check it again
            continue
        state.active = (state.active & ~release) | violated
        state.X = _project(state.X, A, state.active)
    else:
        raise ComputationError(f"large-k CS-SVM: the active set did not settle in {max_rounds} rounds")
    seconds = time.perf_counter() - start
    cert = certify(state.X, param, n, state.active, tol).require()
    if cert.rank != k - 1:
        raise ComputationError(f"large-k CS-SVM: solution has rank {cert.rank}, expected k - 1 = {k - 1}")
    return CSSVMSolution(Z=state.X, problem=problem, certificate=cert, iterations=total, seconds=seconds)


def certify(X: np.ndarray, param: Parameterization, counts: object, active: np.ndarray | None = None,
            tol: float = DEFAULT_TOL) -> KKTCertificate:
    """KKT certificate (:func:`numerics.certificate.kkt_certificate`) of class-level logits X.

    The multipliers are those of the module docstring, lambda = -G[c', c] / A[c, c'] with
    G = 2 U diag(1, ..., 1, s) V^T D from the SVD of X D, on the ``active`` margins (default: those
    within 1e-9 of 1). A point that is not the minimiser fails the returned certificate's checks.
    """
    X = np.asarray(X, dtype=np.float64)
    problem = as_problem(counts, param, True)
    labels, weights = problem.labels, problem.weights
    A, k = param.scaling, param.k
    if X.shape != (k, k):
        raise InputError(f"X must be {k} x {k}, got {X.shape}")
    if active is None:
        margins = np.diag(A)[None, :] * np.diag(X)[None, :] - A.T * X
        active = np.abs(margins - 1.0) <= 1e-9
        np.fill_diagonal(active, False)
    U, sigma, Vt = np.linalg.svd(X * weights[None, :])
    lam = _multipliers(_NewtonSystem(X, A, weights, active, U, sigma, Vt), A, active)
    # constraint (class c, j-th other class c') is row c (k-1) + j: column c of lam without its diagonal
    lam_vec = lam.T[~np.eye(k, dtype=bool)]
    return kkt_certificate(X, lam_vec, param.margin_operator(labels), weights, "optimal", tol)
