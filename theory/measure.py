"""Shared measurement code: class means, centering, norm ratios, cosines and Gram-matrix distances.

One definition of every measured quantity, used by ``theory`` (predictions), ``numerics`` (solver
output), ``training`` (SGD iterates) and ``proofs_check`` alike. Functions on Gram matrices accept
leading batch dimensions (``G[..., k, k]``) so a whole sweep is measured in one call.

References: behnia2023 Appendix A.1 (norm ratios and cosines averaged over pairs), Remark 4 (centering,
eqs. 6-7), Appendix A.4 (distances between normalised Gram matrices).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

GROUP_KEYS = {"W": ("norm_ratio", "cos_maj_maj", "cos_min_min", "cos_maj_min"),
              "M": ("norm_ratio", "cos_maj_maj", "cos_min_min", "cos_maj_min"),
              "WM": ("cos_maj", "cos_min")}


def class_means(H: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Class-mean embeddings M = [mu_1..mu_k] (d x k) of H (d x n); mu_c = mean of h_i with y_i = c."""
    H = np.asarray(H, dtype=np.float64)
    y = np.asarray(labels)
    if H.ndim != 2 or y.ndim != 1 or H.shape[1] != y.size:
        raise ValueError(f"H must be d x n with n = len(labels); got H {H.shape}, labels {y.shape}")
    counts = np.bincount(y, minlength=k)
    if counts.size != k or np.any(counts == 0):
        raise ValueError("every class 0..k-1 needs at least one sample")
    onehot = np.zeros((y.size, k))
    onehot[np.arange(y.size), y] = 1.0
    return H @ onehot / counts


def collapse_error(H: np.ndarray, labels: np.ndarray, k: int) -> float:
    """max_i ||h_i - mu_{y_i}|| / max_c ||mu_c|| (0 when every embedding equals its class mean)."""
    M = class_means(H, labels, k)
    scale = float(np.max(np.linalg.norm(M, axis=0)))
    if scale == 0.0:
        raise ValueError("all class means are zero: collapse error undefined")
    return float(np.max(np.linalg.norm(np.asarray(H) - M[:, labels], axis=0)) / scale)


def center(M: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Centre class means so that sum_c weights_c mu_c = 0 (behnia2023 Remark 4).

    CDT: weights = 1 (eq. 6, sum_c mu_c = 0). LDT: weights = delta (eq. 7, sum_c delta_c mu_c = 0).
    Works on d x k matrices with optional leading batch dimensions.
    """
    M = np.asarray(M, dtype=np.float64)
    k = M.shape[-1]
    w = np.ones(k) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape[-1] != k or np.any(w <= 0):
        raise ValueError("centering weights must be k positive numbers")
    mean = (M * w[..., None, :]).sum(axis=-1, keepdims=True) / w.sum(axis=-1, keepdims=True)[..., None]
    return M - mean


def center_gram(G: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Gram matrix of the centred vectors: (I - 1 p^T)^T G (I - 1 p^T) with p = weights / sum(weights)."""
    G = np.asarray(G, dtype=np.float64)
    k = G.shape[-1]
    w = np.ones(k) if weights is None else np.asarray(weights, dtype=np.float64)
    p = w / w.sum(axis=-1, keepdims=True)
    P = np.eye(k) - np.ones((k, 1)) * p[..., None, :]
    return np.swapaxes(P, -1, -2) @ G @ P


def cosines(G: np.ndarray) -> np.ndarray:
    """Cosine matrix G[i, j] / sqrt(G[i, i] G[j, j]) of a Gram matrix (batched)."""
    G = np.asarray(G, dtype=np.float64)
    d = np.sqrt(np.diagonal(G, axis1=-2, axis2=-1))
    return G / (d[..., :, None] * d[..., None, :])


def _pair_mean(C: np.ndarray, rows: np.ndarray, cols: np.ndarray, same: bool) -> np.ndarray:
    block = C[..., rows[:, None], cols[None, :]]
    if same:
        m = rows.size
        if m < 2:
            return np.full(C.shape[:-2], np.nan)
        iu = np.triu_indices(m, 1)
        return block[..., iu[0], iu[1]].mean(axis=-1)
    return block.mean(axis=(-2, -1))


def group_summary(G_W: np.ndarray, G_M: np.ndarray, G_WM: np.ndarray,
                  majority: np.ndarray, minority: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Group averages of behnia2023 Appendix A.1 from the three Gram matrices.

    ``norm_ratio``: mean over (majority, minority) pairs of ||v_maj||^2 / ||v_min||^2. Cosines: mean over
    the distinct pairs of the group (NaN when a group has a single class). ``WM``: mean of
    cos(w_c, mu_c) over the group. Accepts leading batch dimensions; returns arrays of that shape.
    """
    maj = np.asarray(majority, dtype=int)
    mnr = np.asarray(minority, dtype=int)
    if maj.size == 0 or mnr.size == 0:
        raise ValueError("both groups need at least one class")
    out: dict[str, dict[str, np.ndarray]] = {}
    for name, G in (("W", G_W), ("M", G_M)):
        G = np.asarray(G, dtype=np.float64)
        sq = np.diagonal(G, axis1=-2, axis2=-1)
        C = cosines(G)
        out[name] = {
            "norm_ratio": sq[..., maj].mean(axis=-1) * (1.0 / sq[..., mnr]).mean(axis=-1),
            "cos_maj_maj": _pair_mean(C, maj, maj, True),
            "cos_min_min": _pair_mean(C, mnr, mnr, True),
            "cos_maj_min": _pair_mean(C, maj, mnr, False),
        }
    sw = np.sqrt(np.diagonal(np.asarray(G_W, dtype=np.float64), axis1=-2, axis2=-1))
    sm = np.sqrt(np.diagonal(np.asarray(G_M, dtype=np.float64), axis1=-2, axis2=-1))
    align = np.diagonal(np.asarray(G_WM, dtype=np.float64), axis1=-2, axis2=-1) / (sw * sm)
    out["WM"] = {"cos_maj": align[..., maj].mean(axis=-1), "cos_min": align[..., mnr].mean(axis=-1)}
    return out


def summary_to_json(summary: dict[str, dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """Scalar summary -> plain floats, NaN -> None (JSON ``null``), keys in the contract's order."""
    out: dict[str, dict[str, float | None]] = {}
    for block, keys in GROUP_KEYS.items():
        out[block] = {}
        for key in keys:
            v = float(np.asarray(summary[block][key]))
            out[block][key] = None if math.isnan(v) else v
    return out


def normalized_distance(G: np.ndarray, G_star: np.ndarray) -> np.ndarray:
    """|| G/||G||_F - G*/||G*||_F ||_F (behnia2023 Appendix A.4), batched over leading dimensions."""
    G = np.asarray(G, dtype=np.float64)
    G_star = np.asarray(G_star, dtype=np.float64)
    nG = np.linalg.norm(G, axis=(-2, -1), keepdims=True)
    nS = np.linalg.norm(G_star, axis=(-2, -1), keepdims=True)
    if np.any(nS == 0):
        raise ValueError("reference Gram matrix is zero")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.linalg.norm(G / nG - G_star / nS, axis=(-2, -1))


# ============================================================================ vectors (numerics section)
# Added for numerics (binary VS loss, yang2022 eta-regularity): the cosine and angle of two vectors,
# batched over leading dimensions. The Gram-matrix cosine above is the same quantity for columns of W, M.
def vector_cosine(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """cos angle(u, v) = u^T v / (||u|| ||v||) over the last axis (ValueError for a zero vector)."""
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    nu = np.linalg.norm(u, axis=-1)
    nv = np.linalg.norm(v, axis=-1)
    if np.any(nu == 0) or np.any(nv == 0):
        raise ValueError("the cosine of a zero vector is undefined")
    return np.sum(u * v, axis=-1) / (nu * nv)


def vector_angle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Angle between u and v in radians, in [0, pi] (rounding beyond |cos| = 1 clipped)."""
    return np.arccos(np.clip(vector_cosine(u, v), -1.0, 1.0))
