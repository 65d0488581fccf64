"""yang2022 Theorem 1: the decoupled layer-peeled model (DLPM, eq. 5) with a fixed simplex-ETF classifier.

With W* fixed to a simplex ETF of squared column norm E_W (Def. 1, eq. 6), the layer-peeled model
(eq. 4) becomes convex in the features:

    min_H (1/N) sum_i L(h_i, W*)  s.t.  ||h_i||^2 <= E_H,                                  (eq. 5)

with L the cross entropy (eq. 3) or the dot-regression loss (eq. 14). Thm 1: for any class counts
every minimiser has h_i* = sqrt(E_H / E_W) w*_{y_i} (eq. 7 / 33); Sec. 4.3 states the same for DR.
:func:`solve_dlpm` solves eq. (5) with cvxpy (exponential cones for CE, a QP for DR) without using
the theorem, so the check is independent.
"""

from __future__ import annotations

import numpy as np

from numerics.solve import solve_or_raise
from theory.core.validate import positive_real
from theory.core.imbalance import Imbalance, require_imbalance
from theory.core.errors import InputError
from theory.core.vocabulary import ETFLoss


def solve_dlpm(counts: Imbalance, W_star: np.ndarray, E_H: float = 1.0,
               loss: str = ETFLoss.CE) -> np.ndarray:
    """Global minimiser H (d x N, samples ordered by class) of yang2022 eq. (5) for a fixed classifier.

    ``loss``: "CE" (eq. 3) or "DR" (eq. 14, with E_W read from the column norms of W*, which must be
    equal). Solved by cvxpy/Clarabel; :class:`ComputationError` unless the status is "optimal".
    """
    import cvxpy as cp

    name = ETFLoss.parse(loss)
    W = np.asarray(W_star, dtype=np.float64)
    if W.ndim != 2 or not np.all(np.isfinite(W)):
        raise InputError("W_star must be a finite d x K matrix")
    imb = require_imbalance("counts", counts)
    if imb.k != W.shape[1]:
        raise InputError(f"counts has {imb.k} classes but W_star has {W.shape[1]} columns")
    E_H = positive_real("E_H", E_H)
    y = imb.labels()
    N = y.size
    H = cp.Variable((W.shape[0], N))
    logits = W.T @ H  # K x N
    own = cp.sum(cp.multiply(logits, np.eye(imb.k)[:, y]), axis=0)
    if name == ETFLoss.CE:
        per_sample = cp.log_sum_exp(logits, axis=0) - own
    else:
        norms = np.linalg.norm(W, axis=0)
        if not np.allclose(norms, norms[0], rtol=1e-12):
            raise InputError("DR needs classifier columns of equal norm sqrt(E_W)")
        s = np.sqrt(norms[0] ** 2 * E_H)
        per_sample = cp.square(own - s) / (2 * s)
    problem = cp.Problem(cp.Minimize(cp.sum(per_sample) / N), [cp.norm(H, 2, axis=0) <= np.sqrt(E_H)])
    solve_or_raise(problem, f"DLPM ({name})")
    return H.value


def theorem1_deviation(H: np.ndarray, counts: Imbalance, W_star: np.ndarray, E_H: float = 1.0) -> float:
    """max_i ||h_i - sqrt(E_H / E_W) w*_{y_i}|| / sqrt(E_H): distance to yang2022 eq. (33), relative."""
    imb = require_imbalance("counts", counts)
    W = np.asarray(W_star, dtype=np.float64)
    H = np.asarray(H, dtype=np.float64)
    E_H = positive_real("E_H", E_H)
    y = imb.labels()
    if H.shape != (W.shape[0], y.size):
        raise InputError(f"H must be {W.shape[0]} x {y.size}, got {H.shape}")
    E_W = np.linalg.norm(W, axis=0) ** 2
    target = np.sqrt(E_H / E_W[y])[None, :] * W[:, y]
    return float(np.max(np.linalg.norm(H - target, axis=0)) / np.sqrt(E_H))
