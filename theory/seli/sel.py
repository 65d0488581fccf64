"""The (delta, R)-SEL matrix of behnia2023 Definition 1 and the class-level logits it predicts.

Xi[c, j] = delta_c^{-1} (1{c = j} - delta_j^{-2} / sum_c' delta_c'^{-2})   (Def. 1(a)).

Every CDT margin of eq. (3a) equals 1 at Z = Xi[:, y] (column i of Z-hat is column y_i of Xi), and
Xi^T diag(delta)^{-1} 1 = 0, so rank(Xi) = k - 1. For LDT (eq. 3b) the logits
Z = Xi(1)[:, y] diag(1/delta_y) meet every margin with equality (Thm 2(ii)).
"""

from __future__ import annotations

import numpy as np

from theory.core.validate import positive_vector
from theory.core.parameterization import Parameterization
from theory.core.vocabulary import Loss
from theory.core.errors import InputError


def _as_precision(values: np.ndarray, precision: str) -> np.ndarray:
    """float64 array, or an object array of mpmath numbers at the current mpmath precision."""
    if precision == "double":
        return values
    if precision == "extended":
        import mpmath

        return np.array([mpmath.mpf(float(v)) for v in values], dtype=object)
    raise InputError(f"precision must be 'double' or 'extended', got {precision!r}")


def sel_matrix(delta: object, precision: str = "double") -> np.ndarray:
    """Xi(delta), k x k, behnia2023 Definition 1(a).

    ``precision="extended"`` returns an object array of mpmath numbers computed at the current
    mpmath working precision (use inside ``mpmath.workdps``).
    """
    d = positive_vector("delta", delta)
    if d.size < 2:
        raise InputError(f"need at least 2 classes, got {d.size}")
    d = _as_precision(d, precision)
    w = d**-2
    total = np.sum(w)
    # 1 - p_c computed as (sum of the other weights) / total: no cancellation when p_c is close to 1
    prefix = np.concatenate([[0.0], np.cumsum(w)[:-1]])
    suffix = np.concatenate([np.cumsum(w[::-1])[::-1][1:], [0.0]])
    Xi = -np.tile(w / total, (d.size, 1))
    np.fill_diagonal(Xi, (prefix + suffix) / total)
    return Xi / d[:, None]


def class_logits(param: Parameterization, precision: str = "double") -> np.ndarray:
    """Predicted class-level logits: column c is Z[:, i] for every sample i of class c.

    CE/CDT/VS: Xi(delta) (Thm 2(i)). LDT: Xi(1) diag(1/delta) (Thm 2(ii)). A custom scaling matrix has
    no closed form: solve the convex program in ``numerics.cs_svm`` instead.
    """
    fam = param.svm_family
    if fam == Loss.CDT:
        return sel_matrix(param.delta, precision)
    if fam == Loss.LDT:
        return sel_matrix(np.ones(param.k), precision) / _as_precision(param.delta, precision)[None, :]
    raise InputError("no closed-form SEL prediction for a custom logit-scaling matrix; "
                     "use numerics.cs_svm to solve its convex program")


def z_hat(labels: object, param: Parameterization) -> np.ndarray:
    """Sample-level Z-hat (k x n): column i is class_logits(param)[:, y_i] (behnia2023 eq. 4)."""
    return class_logits(param)[:, param.check_labels(labels)]
