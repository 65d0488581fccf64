"""Gram-matrix description of a (classifier, class-mean) geometry and the SELI prediction.

At a minimiser of the CS-SVM with logits Z = W^T H (k x n) the factors satisfy W^T W = (Z Z^T)^{1/2},
H^T H = (Z^T Z)^{1/2}, W^T H = Z (the nuclear-norm identity, docs/mathematics.md). With identical columns per class
(collapse, Thm 2) and class-level logits X (column c = logits of class c, N = diag(n_c)):

    G_W = (X N X^T)^{1/2},   G_M = X^T (X N X^T)^{+1/2} X,   G_WM = X,

exactly at the SVM normalisation (all margins equal to 1), not only up to scale. For CDT X = Xi(delta)
(behnia2023 Thm 2(i)); for LDT X = Xi(1) diag(1/delta) (Thm 2(ii)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from theory.core.validate import positive_real, positive_vector, step_shape
from theory.core.errors import ComputationError, InputError
from theory.core.imbalance import Imbalance, class_sizes
from theory.core.collapse_metrics import group_summary, summary_to_json
from theory.core.parameterization import Parameterization
from theory.seli.sel import class_logits


@dataclass(frozen=True, eq=False)
class Geometry:
    """Gram matrices G_W = W^T W, G_M = M^T M, G_WM = W^T M (each k x k) and the class counts."""

    G_W: np.ndarray
    G_M: np.ndarray
    G_WM: np.ndarray
    counts: np.ndarray

    def __post_init__(self) -> None:
        k = np.asarray(self.counts).size
        for name in ("G_W", "G_M", "G_WM"):
            G = np.array(getattr(self, name), dtype=np.float64)
            if G.shape != (k, k):
                raise InputError(f"{name} must be {k} x {k}, got {G.shape}")
            if not np.all(np.isfinite(G)):
                raise InputError(f"{name} has non-finite entries")
            G.setflags(write=False)
            object.__setattr__(self, name, G)

    @property
    def k(self) -> int:
        """Number of classes."""
        return int(self.G_W.shape[0])

    def summary(self, majority: np.ndarray, minority: np.ndarray) -> dict[str, dict[str, float | None]]:
        """Group norm ratios and cosines (keys of ``igeom geometry --json``) for the given groups."""
        return summary_to_json(group_summary(self.G_W, self.G_M, self.G_WM, majority, minority))

    def as_dict(self) -> dict[str, Any]:
        """Plain-list form for JSON output."""
        return {"G_W": self.G_W.tolist(), "G_M": self.G_M.tolist(), "G_WM": self.G_WM.tolist()}


PRECISIONS = ("double", "extended")


def _psd_power(S: np.ndarray, power: float, rank: int) -> np.ndarray:
    """S^power on its top-``rank`` eigenspace (pseudo-power) of a symmetric PSD S, float64 eigh."""
    S = 0.5 * (S + S.T)
    evals, evecs = np.linalg.eigh(S)
    top = evals[-rank:]
    if top[0] <= 0 or (evals.size > rank and evals[-rank - 1] > 1e-9 * top[-1]):
        raise ComputationError("X N X^T does not have the expected rank k - 1 (numerically)")
    V = evecs[:, -rank:]
    return (V * top**power) @ V.T


def _extended_grams(X: np.ndarray, n: np.ndarray, rank: int) -> tuple[np.ndarray, np.ndarray]:
    """(G_W, G_M) from a Jacobi eigen-decomposition of X N X^T at the current mpmath precision.

    X is an object array of mpmath numbers. float64 ``eigh`` has absolute eigenvalue error
    ~ eps ||S||, so for strong parameterisations (|gamma| = 1.5, R = 1000: cond(S) ~ 1e12) the small
    eigenvalues lose up to 12 digits; 30 digits keep every entry accurate to float64 rounding.
    """
    import mpmath

    k = X.shape[0]
    Xm = mpmath.matrix(X.tolist())
    S = Xm * mpmath.diag([mpmath.mpf(float(v)) for v in n]) * Xm.T
    evals, evecs = mpmath.eigsy((S + S.T) / 2)
    order = sorted(range(k), key=lambda i: evals[i])
    top = order[-rank:]
    if evals[top[0]] <= 0 or (k > rank and evals[order[-rank - 1]] > mpmath.mpf(10) ** (-mpmath.mp.dps // 2) * evals[top[-1]]):
        raise ComputationError("X N X^T does not have the expected rank k - 1 (numerically)")
    V = mpmath.matrix([[evecs[i, j] for j in top] for i in range(k)])
    root = [mpmath.sqrt(evals[j]) for j in top]
    G_W = V * mpmath.diag(root) * V.T
    G_M = Xm.T * (V * mpmath.diag([1 / v for v in root]) * V.T) * Xm
    as_float = lambda A: np.array([[float(A[i, j]) for j in range(k)] for i in range(k)])  # noqa: E731
    return as_float(G_W), as_float(G_M)


def geometry_from_class_logits(X: np.ndarray, counts: object) -> Geometry:
    """Gram matrices of the minimum-norm factorisation of the collapsed logits X with class counts n_c.

    Implements the identities in the module docstring; X must have rank k - 1 (a SEL-type matrix).
    Counts may be any positive reals (closed forms accept non-integer R). A float64 X uses float64
    ``eigh`` (relative error up to ~eps * cond(X N X^T) in the small eigenvalues); an object array of
    mpmath numbers is decomposed at the current mpmath precision.
    """
    X = np.asarray(X)
    n = positive_vector("counts", counts, length=X.shape[0])
    rank = X.shape[0] - 1
    if X.dtype == object:
        G_W, G_M = _extended_grams(X, n, rank)
        X = X.astype(np.float64)
    else:
        X = X.astype(np.float64)
        S = (X * n[None, :]) @ X.T
        G_W = _psd_power(S, 0.5, rank)
        G_M = X.T @ _psd_power(S, -0.5, rank) @ X
    return Geometry(G_W=G_W, G_M=0.5 * (G_M + G_M.T), G_WM=X, counts=n)


def seli_geometry(counts: object, param: Parameterization, precision: str = "double") -> Geometry:
    """Predicted CS-SVM geometry (behnia2023 Thm 2) for any class counts and CE/CDT/LDT/VS delta.

    ``counts`` is an :class:`Imbalance` or a vector of positive class sizes (reals allowed: the closed form
    is defined for any positive sizes; :func:`theory.core.imbalance.class_sizes`).
    ``precision``: ``"double"`` (float64, fast) or ``"extended"`` (30-digit arithmetic from delta to
    the Gram matrices; about 2 s at k = 40), for strong parameterisations where cond(X N X^T) ~ 1e12.
    """
    if precision not in PRECISIONS:
        raise InputError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    n = class_sizes("counts", counts)
    if n.size != param.k:
        raise InputError(f"counts has {n.size} classes but the parameterization has {param.k}")
    if precision == "double":
        return geometry_from_class_logits(class_logits(param), n)
    import mpmath

    with mpmath.workdps(30):
        return geometry_from_class_logits(class_logits(param, "extended"), n)


def step_counts(k: int, k_minor: int, R: float, n_min: float = 1.0) -> np.ndarray:
    """Real-valued STEP class sizes (majority first): k - k_minor entries R*n_min, k_minor entries n_min."""
    k, k_minor = step_shape(k, k_minor)
    R = positive_real("R", R)
    n_min = positive_real("n_min", n_min)
    return np.array([R * n_min] * (k - k_minor) + [n_min] * k_minor)


def step_groups(k: int, k_minor: int) -> tuple[np.ndarray, np.ndarray]:
    """(majority, minority) index arrays of a STEP imbalance with majority classes first."""
    return np.arange(k - k_minor), np.arange(k - k_minor, k)
