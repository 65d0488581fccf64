"""Binary VS loss and its cost-sensitive SVM (behnia2023 Prop. 1, from Kini et al. 2021).

For fixed features h_i (columns of H, d x n), labels v_i in {+1, -1}, multiplicative hyperparameters
delta = (delta_{+1}, delta_{-1}) and additive ones iota = (iota_{+1}, iota_{-1}):

    L(w) = sum_i log(1 + exp(-delta_{v_i} v_i w^T h_i + iota_{v_i})),                    (Prop. 1)
    CS-SVM:  argmin ||w||^2  s.t.  v_i delta_{v_i} w^T h_i >= 1.

Prop. 1: gradient descent with a small enough step converges in direction to the CS-SVM solution; the
offsets iota do not change the limit. With a_i = delta_{v_i} v_i h_i the loss is the logistic loss of
the margins a_i^T w shifted by iota, so Soudry et al. (2018) give the sharper form
w_t = w_CS log t + rho_t with rho_t bounded: the increments (w_t - w_s) / log(t / s) tend to w_CS
itself (scale included), while the angle to w_CS decays only like 1 / log t.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from numerics.solve import solve_or_raise
from theory.core.validate import finite_real, positive_int, positive_real
from theory.core.errors import ComputationError, InputError


def _check(H: object, v: object, delta: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(H as float64 d x n, labels as +-1 ints, signed scaled features A with rows delta_{v_i} v_i h_i)."""
    H = np.asarray(H, dtype=np.float64)
    v = np.asarray(v)
    if H.ndim != 2 or v.ndim != 1 or H.shape[1] != v.size or v.size == 0:
        raise InputError(f"H must be d x n and v must have n labels; got H {H.shape}, v {v.shape}")
    if not np.all(np.isfinite(H)):
        raise InputError("H must have finite entries")
    if not np.all(np.isin(v, (-1, 1))):
        raise InputError("labels v must be +1 or -1")
    if np.asarray(delta).shape != (2,):
        raise InputError("delta must be the pair (delta_{+1}, delta_{-1})")
    d_pos, d_neg = (positive_real("delta", x) for x in delta)
    dv = np.where(v > 0, d_pos, d_neg)
    return H, v.astype(int), (dv * v)[:, None] * H.T


def cs_svm_binary(H: object, v: object, delta: object) -> np.ndarray:
    """The CS-SVM classifier of behnia2023 Prop. 1 as a cvxpy QP (Clarabel interior point).

    ``delta`` = (delta_{+1}, delta_{-1}). Raises :class:`ComputationError` unless the solver reports
    "optimal" with every constraint met to 1e-7 (infeasible for non-separable data).
    """
    import cvxpy as cp

    H, v, A = _check(H, v, delta)
    w = cp.Variable(H.shape[0])
    problem = cp.Problem(cp.Minimize(cp.sum_squares(w)), [A @ w >= 1])
    solve_or_raise(problem, "binary CS-SVM (data not separable?)")
    violation = float(max(0.0, 1.0 - np.min(A @ w.value)))
    if violation > 1e-7:
        raise ComputationError(f"binary CS-SVM: constraint violated by {violation:.3g}")
    return w.value


def vs_gradient_descent(H: object, v: object, delta: object, iota: object, steps: int,
                        record: object, lr: float | None = None) -> np.ndarray:
    """Gradient descent from w = 0 on the binary VS loss of Prop. 1; the iterates at steps ``record``.

    ``iota`` = (iota_{+1}, iota_{-1}); ``record`` is an increasing list of step numbers in
    [1, steps]. The default step 1/beta with beta = ||A||_2^2 / 4 (a bound on the Hessian of L, since
    the logistic second derivative is <= 1/4) satisfies the descent lemma. Returns an array
    len(record) x d.
    """
    H, v, A = _check(H, v, delta)
    if np.asarray(iota).shape != (2,):
        raise InputError("iota must be the pair (iota_{+1}, iota_{-1})")
    i_pos, i_neg = (finite_real("iota", x) for x in iota)
    offsets = np.where(v > 0, i_pos, i_neg)
    steps = positive_int("steps", steps)
    marks = np.asarray(record)
    if marks.ndim != 1 or marks.size == 0 or not np.issubdtype(marks.dtype, np.integer) \
            or np.any(np.diff(marks) <= 0) or marks[0] < 1 or marks[-1] > steps:
        raise InputError(f"record must be increasing integers in [1, {steps}]")
    beta = 0.25 * np.linalg.norm(A, 2) ** 2
    lr = 1.0 / beta if lr is None else positive_real("lr", lr)
    w = np.zeros(A.shape[1])
    out = np.empty((marks.size, A.shape[1]))
    j = 0
    for t in range(1, steps + 1):
        w = w + lr * (A.T @ expit(offsets - A @ w))
        if t == marks[j]:
            out[j] = w
            j += 1
            if j == marks.size:
                break
    return out
