"""Closed-form UFM+ minimiser of dang2024 evaluated for given class counts (Thm 1, Prop. 1, Cor. 4).

Problem (4): min_{W, H >= 0} (1/N) sum_i CE(W h_i, y_i) + lambda_W/2 ||W||_F^2 + lambda_H/2 ||H||_F^2
with W in R^{K x d} (row k is the classifier w_k, the paper's convention) and H in R^{d x N}.

Every number here comes from the expressions *derived* in :mod:`theory.ufm_plus.symbolic`, turned into
vectorised numpy functions (``sympy.lambdify``), so K = 1000 classes evaluate in milliseconds. Where the
derivation corrects the paper (M-bar_k of eq. (6) has sqrt(lambda_W lambda_H), not lambda_W lambda_H;
see :mod:`proofs_check.errata.dang2024_errata`) the derived form is used.

Counts may be any positive reals (the formulas are continuous in n_k); sample-level work needs
integers (:class:`theory.core.imbalance.Imbalance`).
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from typing import Callable

import numpy as np
import sympy as sp

from theory.core.validate import positive_int, positive_real, positive_vector
from theory.ufm_plus.symbolic import K, K_A, K_B, M_j, M_k, N, S, derivation, lam_h, lam_w, n_B, n_j, n_k, x
from theory.core.errors import InputError


@functools.lru_cache(maxsize=None)
def _numpy_function(name: str, args: tuple[sp.Symbol, ...]) -> Callable[..., np.ndarray]:
    return sp.lambdify(args, derivation()[name], modules="numpy")


def _fn(name: str, *args: sp.Symbol) -> Callable[..., np.ndarray]:
    return _numpy_function(name, args)


def _check_lambdas(lambda_w: object, lambda_h: object) -> tuple[float, float]:
    """Both weight decays as positive normal floats (>= 2.2e-308, the limit of ``igeom ufm-plus``: below it
    the closed forms lose their meaning to subnormal rounding)."""
    out = positive_real("lambda_W", lambda_w), positive_real("lambda_H", lambda_h)
    for name, value in zip(("lambda_W", "lambda_H"), out):
        if value < sys.float_info.min:
            raise InputError(f"{name} {value:g} is below the smallest normal float {sys.float_info.min:.3g}")
    return out


def _check_counts(counts: object) -> np.ndarray:
    n = positive_vector("counts", counts)
    if n.size < 2:
        raise InputError(f"need at least 2 classes, got {n.size}")
    return n


def collapse_threshold(n_total: float, k: int, lambda_w: float, lambda_h: float) -> float:
    """C = N^2 K lambda_W lambda_H / (K - 1): class k collapses (M_k = 0, h_k = 0) iff n_k <= C
    (dang2024 Cor. 4; derived as the root of M-bar_k = 0, eq. (6) corrected)."""
    kk = positive_int("K", k, minimum=2)
    lw, lh = _check_lambdas(lambda_w, lambda_h)
    return float(_fn("C", N, K, lam_w, lam_h)(positive_real("N", n_total), kk, lw, lh))


def minority_collapse_ratio(k_major: int, k_minor: int, n_minor: float, lambda_w: float,
                            lambda_h: float) -> float:
    """R* of dang2024 Cor. 4(a): with K_A majority classes of n_A = R n_B samples and K_B minority
    classes of n_B samples, and n_B, K_A, K_B, lambda_W, lambda_H held fixed, the minority classes
    collapse iff R >= R* = (sqrt((K-1) / (K n_B lambda_W lambda_H)) - K_B) / K_A (eq. (17), whose N
    depends on R, solved for R). R* <= 1 means they collapse already at R = 1."""
    ka = positive_int("K_A (majority classes)", k_major)
    kb = positive_int("K_B (minority classes)", k_minor)
    lw, lh = _check_lambdas(lambda_w, lambda_h)
    nb = positive_real("n_B", n_minor)
    return float(_fn("R_star", K_A, K_B, n_B, lam_w, lam_h)(ka, kb, nb, lw, lh))


def margins(counts: object, lambda_w: object, lambda_h: object) -> np.ndarray:
    """M_k of eq. (6) (derived form): log((K-1)(sqrt(n_k)/c_1 - 1)) with c_1 = N sqrt((K-1)/K
    lambda_W lambda_H) when n_k > C, else 0. It is the margin (13) of class k at the minimiser."""
    n = _check_counts(counts)
    lw, lh = _check_lambdas(lambda_w, lambda_h)
    kk, total = n.size, float(n.sum())
    active = n > collapse_threshold(total, kk, lw, lh)
    out = np.zeros_like(n)
    out[active] = _fn("M_bar", n_k, N, K, lam_w, lam_h)(n[active], total, kk, lw, lh)
    # M_k = max(M-bar_k, 0): at n_k = C up to rounding (e.g. counts 3, 4, 2 with lambda^2 = 2/81) the
    # comparison n_k > C can hold while M-bar_k evaluates to -4e-16
    return np.maximum(out, 0.0)


@dataclass(frozen=True, eq=False)
class UFMPlusPrediction:
    """Closed-form minimiser summary; arrays are per class in the order of ``counts``.

    ``w_gram`` is W W^T (K x K, rows w_k); ``logits`` is Z = W H-bar with Z[m, k] = w_m^T h_k.
    """

    counts: np.ndarray
    lambda_w: float
    lambda_h: float
    M: np.ndarray
    h_norm_sq: np.ndarray
    w_gram: np.ndarray
    logits: np.ndarray
    threshold: float

    @property
    def k(self) -> int:
        """Number of classes K."""
        return int(self.counts.size)

    @property
    def collapsed(self) -> np.ndarray:
        """Classes with h_k = 0 at the minimiser (n_k <= C, Cor. 4)."""
        return self.counts <= self.threshold

    @property
    def complete_collapse(self) -> bool:
        """True when every class collapses and the minimiser is (W, H) = (0, 0) (Cor. 4(b), eq. (18))."""
        return bool(np.all(self.collapsed))

    @property
    def w_norm_sq(self) -> np.ndarray:
        """||w_k||^2 (Prop. 1)."""
        return np.diagonal(self.w_gram).copy()

    @property
    def cos_w(self) -> np.ndarray:
        """cos(w_k, w_j) (Prop. 1); NaN in the rows and columns of a zero classifier."""
        norms = np.sqrt(self.w_norm_sq)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = self.w_gram / np.outer(norms, norms)
        zero = norms == 0
        out[zero, :] = np.nan
        out[:, zero] = np.nan
        return out

    @property
    def minority_collapse_R(self) -> float | None:
        """R* of :func:`minority_collapse_ratio` when the counts take exactly two values (a STEP
        imbalance in any order: K_A classes of the larger count, K_B of the smaller); else None."""
        sizes = np.unique(self.counts)
        if sizes.size != 2:
            return None
        k_major = int(np.sum(self.counts == sizes[1]))
        return minority_collapse_ratio(k_major, self.k - k_major, float(sizes[0]), self.lambda_w, self.lambda_h)


def predict(counts: object, lambda_w: object, lambda_h: object) -> UFMPlusPrediction:
    """The global minimiser of problem (4) in closed form, for d >= K (dang2024 Thm 1, Prop. 1).

    M_k (6), ||h_k||^2 (9), W W^T (Prop. 1: ||w_k||^2 and w_k^T w_j) and the logits (11)-(12), all
    evaluated from the derived expressions; vectorised over classes.
    """
    n = _check_counts(counts)
    lw, lh = _check_lambdas(lambda_w, lambda_h)
    kk = n.size
    M = margins(n, lw, lh)
    h_sq = _fn("h_norm_sq", M_k, n_k, K, lam_w, lam_h)(M, n, kk, lw, lh) * np.ones(kk)
    s = float(np.sum(np.sqrt(n) * M))
    gram = _fn("w_inner", M_k, M_j, n_k, n_j, S, K, lam_w, lam_h)(M[:, None], M[None, :], n[:, None],
                                                                   n[None, :], s, kk, lw, lh)
    gram = np.array(gram, dtype=np.float64) * np.ones((kk, kk))
    np.fill_diagonal(gram, _fn("w_norm_sq", M_k, n_k, S, K, lam_w, lam_h)(M, n, s, kk, lw, lh))
    logits = np.empty((kk, kk))
    logits[:] = _fn("logit_other", M_k, K)(M, kk)[None, :]
    np.fill_diagonal(logits, _fn("logit_true", M_k, K)(M, kk))
    threshold = collapse_threshold(float(n.sum()), kk, lw, lh)
    for arr in (n, M, h_sq, gram, logits):
        arr.setflags(write=False)
    return UFMPlusPrediction(counts=n, lambda_w=lw, lambda_h=lh, M=M, h_norm_sq=h_sq, w_gram=gram,
                             logits=logits, threshold=threshold)


def objective_value(prediction: UFMPlusPrediction) -> float:
    """Value of problem (4) at the closed-form minimiser: sum_k g_k(||h_k||^2), g_k of Step 4 (39)."""
    n = prediction.counts
    g = _fn("g", x, n_k, N, K, lam_w, lam_h)
    return float(np.sum(g(prediction.h_norm_sq, n, float(n.sum()), prediction.k, prediction.lambda_w,
                          prediction.lambda_h)))


def configuration(counts: object, h_norm_sq: object, lambda_w: object, lambda_h: object,
                  d: int) -> tuple[np.ndarray, np.ndarray]:
    """The configuration of Thm 1(a), (b), (d) for given squared class-mean norms x_k:
    h_{k,i} = sqrt(x_k) e_k for every sample i of class k, and
    w_k = coefficient (K sqrt(n_k) h_k - sum_m sqrt(n_m) h_m) (eq. (10), derived coefficient).

    Counts must be integers (samples). Returns W (K x d) and H (d x N), samples ordered by class.
    """
    n = _check_counts(counts)
    if np.any(n != np.round(n)):
        raise InputError(f"counts must be integers for a sample-level configuration, got {n.tolist()}")
    kk = n.size
    dd = positive_int("d", d, minimum=kk)
    lw, lh = _check_lambdas(lambda_w, lambda_h)
    xs = np.asarray(h_norm_sq, dtype=np.float64)
    if xs.shape != (kk,) or not np.all(np.isfinite(xs)) or np.any(xs < 0):
        raise InputError(f"h_norm_sq must be {kk} finite non-negative numbers")
    means = np.zeros((dd, kk))
    means[np.arange(kk), np.arange(kk)] = np.sqrt(xs)
    coef = float(_fn("classifier_coefficient", K, lam_w, lam_h)(kk, lw, lh))
    weighted = means * np.sqrt(n)
    W = coef * (kk * weighted - weighted.sum(axis=1, keepdims=True)).T
    H = np.repeat(means, n.astype(np.int64), axis=1)
    return W, H


def minimizer(counts: object, lambda_w: object, lambda_h: object, d: int) -> tuple[np.ndarray, np.ndarray]:
    """An explicit global minimiser (W, H) of problem (4) (Thm 1): :func:`configuration` with the
    closed-form norms ||h_k||^2 of eq. (9)."""
    pred = predict(counts, lambda_w, lambda_h)
    return configuration(pred.counts, pred.h_norm_sq, pred.lambda_w, pred.lambda_h, d)
