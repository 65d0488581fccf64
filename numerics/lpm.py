"""yang2022 eq. (4): the layer-peeled model (LPM) with a learnable classifier, under its two constraint sets.

    min_{W, H} (1/N) sum_k sum_i L_CE(h_{k,i}, W)

- ``per_item`` (yang2022 eq. (4)): ||w_k||^2 <= E_W for every class, ||h_{k,i}||^2 <= E_H for every sample;
- ``overall`` (Fang et al. [5], cited in yang2022 footnote 1): (1/K) sum_k ||w_k||^2 <= E_W and
  (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2 <= E_H.

Under both, the features of a class may be replaced by their mean without loss (for fixed W the loss is
convex in h and both constraint sets are convex in the features, Jensen), so the problem is solved over
class features h_k (d = K) with class weights n_k/N. The problem is not convex: SLSQP from several random
starts, the best converged start returned. Used by the registry to check yang2022 footnote 1 and Remark 1
without using any closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

from theory.core.errors import ComputationError, InputError
from theory.core.validate import positive_int, positive_real

CONSTRAINTS = ("per_item", "overall")
"""The constraint sets of :func:`solve_lpm`."""


@dataclass(frozen=True)
class LPMSolution:
    """Classifier W (K x K, column k = w_k), class features H (K x K, column k = h_k), objective value."""

    W: np.ndarray
    H: np.ndarray
    objective: float


def _objective(v: np.ndarray, k: int, weights: np.ndarray) -> tuple[float, np.ndarray]:
    W, H = v[:k * k].reshape(k, k), v[k * k:].reshape(k, k)
    Z = W.T @ H                                   # Z[j, c] = w_j^T h_c
    lse = logsumexp(Z, axis=0)
    value = float(np.sum(weights * (lse - np.diag(Z))))
    G = (np.exp(Z - lse) - np.eye(k)) * weights   # d value / d Z
    return value, np.concatenate([(H @ G.T).ravel(), (W @ G).ravel()])


def solve_lpm(counts: object, e_w: float, e_h: float, constraints: str = "per_item", starts: int = 4,
              seed: int = 0) -> LPMSolution:
    """Minimise yang2022's LPM (4) over class features for ``counts`` (K >= 2 positive numbers) under the
    ``constraints`` of :data:`CONSTRAINTS`; :class:`ComputationError` when no start converges."""
    n = np.asarray(counts, dtype=np.float64)
    if n.ndim != 1 or n.size < 2 or not np.all(np.isfinite(n)) or np.any(n <= 0):
        raise InputError("counts must be at least two positive numbers")
    if constraints not in CONSTRAINTS:
        raise InputError(f"constraints must be one of {CONSTRAINTS}, got {constraints!r}")
    e_w, e_h = positive_real("E_W", e_w), positive_real("E_H", e_h)
    starts = positive_int("starts", starts)
    k = n.size
    weights = n / n.sum()
    kk = k * k

    def norms(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.sum(v[:kk].reshape(k, k) ** 2, axis=0), np.sum(v[kk:].reshape(k, k) ** 2, axis=0)

    def norm_jacobian(v: np.ndarray) -> np.ndarray:
        """Rows: d ||w_c||^2 / dv for c = 1..K, then d ||h_c||^2 / dv (column c of a K x K block)."""
        J = np.zeros((2 * k, 2 * kk))
        for block in range(2):
            X = v[block * kk:(block + 1) * kk].reshape(k, k)
            for c in range(k):
                grad = np.zeros((k, k))
                grad[:, c] = 2 * X[:, c]
                J[block * k + c, block * kk:(block + 1) * kk] = grad.ravel()
        return J

    if constraints == "per_item":
        def slack(v: np.ndarray) -> np.ndarray:
            w2, h2 = norms(v)
            return np.concatenate([e_w - w2, e_h - h2])

        def slack_jacobian(v: np.ndarray) -> np.ndarray:
            return -norm_jacobian(v)
    else:
        def slack(v: np.ndarray) -> np.ndarray:
            w2, h2 = norms(v)
            return np.array([e_w - w2.mean(), e_h - h2.mean()])

        def slack_jacobian(v: np.ndarray) -> np.ndarray:
            J = norm_jacobian(v)
            return -np.stack([J[:k].mean(axis=0), J[k:].mean(axis=0)])
    rng = np.random.default_rng(seed)
    best: LPMSolution | None = None
    for _ in range(starts):
        v0 = 0.3 * rng.standard_normal(2 * kk)
        res = minimize(_objective, v0, args=(k, weights), jac=True, method="SLSQP",
                       constraints=[{"type": "ineq", "fun": slack, "jac": slack_jacobian}],
                       options={"ftol": 1e-14, "maxiter": 3000})
        if not res.success or np.min(slack(res.x)) < -1e-9:
            continue
        if best is None or res.fun < best.objective:
            best = LPMSolution(res.x[:kk].reshape(k, k), res.x[kk:].reshape(k, k), float(res.fun))
    if best is None:
        raise ComputationError(f"no SLSQP start converged for the LPM with counts {n.tolist()}")
    return best
