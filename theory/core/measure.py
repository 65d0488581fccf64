"""Shared measurement code: class means, centering, norm ratios, cosines and Gram-matrix distances.

One definition of every measured quantity, used by ``theory`` (predictions), ``numerics`` (solver
output), ``training`` (SGD iterates) and ``proofs_check`` alike. Functions on Gram matrices accept
leading batch dimensions (``G[..., k, k]``) so a whole sweep is measured in one call.

References: behnia2023 Appendix A.1 (norm ratios and cosines averaged over pairs), Remark 4 (centering,
eqs. 6-7), Appendix A.4 (distances between normalised Gram matrices).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from theory.core.errors import ComputationError, InputError

GROUP_KEYS = {"W": ("norm_ratio", "cos_maj_maj", "cos_min_min", "cos_maj_min"),
              "M": ("norm_ratio", "cos_maj_maj", "cos_min_min", "cos_maj_min"),
              "WM": ("cos_maj", "cos_min")}


def collapse_error(H: np.ndarray, labels: np.ndarray, k: int) -> float:
    """max_i ||h_i - mu_{y_i}|| / max_c ||mu_c|| (0 when every embedding equals its class mean)."""
    M = class_means(H, labels, k)
    scale = float(np.max(np.linalg.norm(M, axis=0)))
    if scale == 0.0:
        raise ComputationError("all class means are zero: collapse error undefined")
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
        raise InputError("centering weights must be k positive numbers")
    mean = (M * w[..., None, :]).sum(axis=-1, keepdims=True) / w.sum(axis=-1, keepdims=True)[..., None]
    return M - mean


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
        raise InputError("both groups need at least one class")
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
        raise ComputationError("reference Gram matrix is zero")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.linalg.norm(G / nG - G_star / nS, axis=(-2, -1))


# ====================================================================================================
# dang2024 (UFM+) metrics: NC1 (19), NC2 (20), NC3 (21) and the per-class margin (13).
#
# Conventions of dang2024: W is K x d (row k is the classifier w_k), H is d x N (column i is h_i),
# labels are 0..K-1 and every class has a sample. W and H may carry the same leading batch dimensions
# (W[..., K, d], H[..., d, N]; e.g. a stack of checkpoints); labels are shared by the batch.
# ====================================================================================================
def _label_weights(labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(one-hot N x k averaging matrix with columns 1{y_i = c}/n_c, counts n_c)."""
    y = np.asarray(labels)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise InputError(f"labels must be a one-dimensional integer array, got {y.dtype} {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= k):
        raise InputError(f"labels must lie in 0..{k - 1}")
    counts = np.bincount(y, minlength=k).astype(np.float64)
    if np.any(counts == 0):
        raise InputError("every class 0..k-1 needs at least one sample")
    onehot = np.zeros((y.size, k))
    onehot[np.arange(y.size), y] = 1.0
    return onehot / counts, counts


def _features(H: np.ndarray, labels: np.ndarray) -> np.ndarray:
    H = np.asarray(H, dtype=np.float64)
    if H.ndim < 2 or H.shape[-1] != np.asarray(labels).size:
        raise InputError(f"H must be (..., d, N) with N = len(labels); got H {H.shape}, "
                         f"labels {np.asarray(labels).shape}")
    return H


def _classifiers(W: np.ndarray, H: np.ndarray) -> np.ndarray:
    W = np.asarray(W, dtype=np.float64)
    if W.ndim < 2 or W.shape[-1] != H.shape[-2]:
        raise InputError(f"W must be (..., K, d) with the d of H; got W {W.shape}, H {H.shape}")
    return W


def class_means(H: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Class means M = [mu_1..mu_k] (..., d, k) of embeddings H (..., d, n), batched over leading
    dimensions (behnia2023 Sec. 4; H-bar of dang2024 Sec. 3); every class needs a sample."""
    H = _features(H, labels)
    avg, _ = _label_weights(labels, k)
    return H @ avg


def nc1(H: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """NC1 = trace(Sigma_W Sigma_B^+) / K (dang2024 eq. (19)), batched over leading dimensions.

    Sigma_W = (1/N) sum_i (h_i - h_{y_i})(h_i - h_{y_i})^T and Sigma_B = (1/K) sum_k (h_k - h_G)(h_k -
    h_G)^T with h_G = (1/N) sum_i h_i, the global mean of Sec. 3 (Sec. 5.1 prints h_G with a 1/K
    that makes it n times the mean for n samples per class; see the dang2024 errata). 0 at collapse.

    Undefined where Sigma_B = 0 (every class mean equals h_G; e.g. the complete collapse W = H = 0 of
    dang2024 Cor. 4(b), eq. (18)): NC1 is a within/between ratio, 0/0 there, and tr(Sigma_W 0^+) = 0 would
    report perfect collapse whatever the within-class spread. :class:`ComputationError` then (for any item
    of a batch), as :func:`nc2` and :func:`nc3` at the complete collapse.
    """
    H = _features(H, labels)
    means = class_means(H, labels, k)
    y = np.asarray(labels)
    within = H - means[..., y]
    sigma_w = within @ np.swapaxes(within, -1, -2) / y.size
    between = means - H.mean(axis=-1, keepdims=True)
    if np.any(np.all(between == 0, axis=(-2, -1))):
        raise ComputationError("all class means are equal (Sigma_B = 0, e.g. the complete collapse W = H = 0): "
                               "NC1 = tr(Sigma_W Sigma_B^+)/K is 0/0, undefined")
    sigma_b = between @ np.swapaxes(between, -1, -2) / k
    return np.trace(sigma_w @ np.linalg.pinv(sigma_b, hermitian=True), axis1=-2, axis2=-1) / k


def ufm_plus_classifier(H: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """W_UFM+(H) of dang2024 eq. (20): row k is K sqrt(n_k) h_k^T - sum_m sqrt(n_m) h_m^T (..., K, d)."""
    H = _features(H, labels)
    _, counts = _label_weights(labels, k)
    scaled = class_means(H, labels, k) * np.sqrt(counts)
    return np.swapaxes(k * scaled - scaled.sum(axis=-1, keepdims=True), -1, -2)


def nc2(W: np.ndarray, H: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """NC2 = || W/||W||_F - W_UFM+(H)/||W_UFM+(H)||_F ||_F (dang2024 eq. (20)), batched.

    :class:`ComputationError` when W_UFM+(H) = 0 (every class mean zero, e.g. the complete collapse of
    dang2024 eq. (18): NC2 is 0/0, undefined); NaN where W = 0.
    """
    H = _features(H, labels)
    W = _classifiers(W, H)
    reference = ufm_plus_classifier(H, labels, W.shape[-2])
    if np.any(np.linalg.norm(reference, axis=(-2, -1)) == 0):
        raise ComputationError("W_UFM+(H) is zero (all class means are zero): NC2 is undefined")
    return normalized_distance(W, reference)


def ufm_plus_logits(M: np.ndarray) -> np.ndarray:
    """Predicted class-mean logits of dang2024 eq. (21): Z[m, k] = M_k (1{m = k} - 1/K) (K x K)."""
    M = np.asarray(M, dtype=np.float64)
    if M.ndim != 1 or M.size < 2 or not np.all(np.isfinite(M)) or np.any(M < 0):
        raise InputError("M must be a vector of K >= 2 finite non-negative margins")
    k = M.size
    return (np.eye(k) - 1.0 / k) * M[None, :]


def nc3(W: np.ndarray, H: np.ndarray, labels: np.ndarray, M: np.ndarray) -> np.ndarray:
    """NC3 = || W H-bar/||W H-bar||_F - Z_UFM+/||Z_UFM+||_F ||_F (dang2024 eq. (21)), batched.

    The matrix of (21) is K x K, so it is compared with the class-mean logits W H-bar; ``M`` are the
    predicted margins (e.g. ``theory.ufm_plus.closed_form.predict(...).M``). :class:`ComputationError` when
    every M_k = 0 (complete collapse, dang2024 eq. (18): Z_UFM+ = 0 and NC3 is 0/0, undefined).
    """
    H = _features(H, labels)
    W = _classifiers(W, H)
    reference = ufm_plus_logits(M)
    if reference.shape[-1] != W.shape[-2]:
        raise InputError(f"M has {reference.shape[-1]} margins but W has {W.shape[-2]} classifiers")
    if not np.any(reference):
        raise ComputationError("every predicted margin M_k is 0 (complete collapse): NC3 is undefined")
    return normalized_distance(W @ class_means(H, labels, W.shape[-2]), reference)


def class_margins(W: np.ndarray, H: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Margin of each class mean, w_k^T h_k - max_{j != k} w_j^T h_k (dang2024 eq. (13)), (..., K)."""
    H = _features(H, labels)
    W = _classifiers(W, H)
    k = W.shape[-2]
    Z = W @ class_means(H, labels, k)
    own = np.diagonal(Z, axis1=-2, axis2=-1)
    others = np.where(np.eye(k, dtype=bool), -np.inf, Z).max(axis=-2)
    return own - others


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
        raise ComputationError("the cosine of a zero vector is undefined")
    return np.sum(u * v, axis=-1) / (nu * nv)


def vector_angle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Angle between u and v in radians, in [0, pi] (rounding beyond |cos| = 1 clipped)."""
    return np.arccos(np.clip(vector_cosine(u, v), -1.0, 1.0))


# ====================================================================================================
# NC metrics from class statistics (the streamed route: training.collapse_stream accumulates counts, class
# means, the within-class scatter and per-class scatter traces on any device; this turns them into numbers).
# The field's conventions (docs/metrics.md) are options of :class:`Conventions`; the defaults are the
# project's: global mean weighted by the counts (dang2024 Sec. 3: h_G = (1/N) sum_i h_i), NC1 in the trace
# form tr(Sigma_W Sigma_B^+)/K (dang2024 eq. 19, Papyan et al. 2020), NC3 as classifier-mean duality
# || W/||W||_F - M~^T/||M~||_F ||_F (Papyan et al. 2020), NC4 as the disagreement fraction (0 at collapse).
# ====================================================================================================
#: Singular values of the centred means below this fraction of the largest are their null space (the centred
#: means have rank <= k - 1; rounding leaves the null direction at ~1e-16 relative, far below this cut).
PINV_RTOL = 1e-8

_CHOICES = {"global_mean": ("weighted", "unweighted"), "nc1": ("pinv", "svd", "quotient"),
            "nc3": ("duality", "etf"), "nc4": ("disagreement", "agreement"), "nc4_average": ("samples", "classes"),
            "cdnv_reduce": ("mean", "cov"), "class_variance": ("biased", "unbiased")}


@dataclass(frozen=True)
class Conventions:
    """How each NC metric is computed (docs/metrics.md has the table of the field's choices).

    ``global_mean``: ``weighted`` mu_G = sum_c n_c mu_c / N (the mean of all samples; dang2024 Sec. 3) or
    ``unweighted`` mu_G = sum_c mu_c / k (the mean of the class means; rhubarbwu/neural-collapse's default).
    ``nc1``: ``pinv`` tr(Sigma_W Sigma_B^+)/k (Papyan et al. 2020; dang2024 eq. 19), ``svd`` the same with
    Sigma_B cut to its top k - 1 eigenpairs (Han et al. 2022), ``quotient`` tr(Sigma_W)/tr(Sigma_B) (Tirer et
    al. 2023). ``nc3``: ``duality`` || W/||W|| - M~^T/||M~|| ||_F (Papyan et al. 2020) or ``etf``
    || W M~ / ||W M~|| - E/||E|| ||_F with E the simplex ETF Gram (Kothapalli 2023's self-duality error).
    ``nc4``: ``disagreement`` or ``agreement`` of the classifier's and the nearest-class-centre decisions,
    averaged over ``samples`` or over ``classes`` (per-class rates, then their mean). ``cdnv_exponent``: the
    power p of the distance in the CDNV (V_i + V_j) / (2 ||mu_i - mu_j||^(2p)) (Galanti et al. 2021: p = 1);
    ``cdnv_reduce``: the ``mean`` of the pairwise CDNVs (Galanti et al.; rhubarbwu) or their coefficient of
    variation ``cov`` = std/mean (nc-toolbox); ``class_variance``: V_c with 1/n_c (``biased``) or 1/(n_c - 1)
    (``unbiased``, nc-toolbox).
    """

    global_mean: str = "weighted"
    nc1: str = "pinv"
    nc3: str = "duality"
    nc4: str = "disagreement"
    nc4_average: str = "samples"
    cdnv_exponent: float = 1.0
    cdnv_reduce: str = "mean"
    class_variance: str = "biased"

    def __post_init__(self) -> None:
        for name, allowed in _CHOICES.items():
            if getattr(self, name) not in allowed:
                raise InputError(f"convention {name} must be one of {', '.join(allowed)}, got {getattr(self, name)!r}")
        if not (isinstance(self.cdnv_exponent, (int, float)) and math.isfinite(self.cdnv_exponent)
                and self.cdnv_exponent > 0):
            raise InputError(f"cdnv_exponent must be a positive number, got {self.cdnv_exponent!r}")


#: The conventions of rhubarbwu/neural-collapse's worked example (examples/mnist.py): unweighted global mean,
#: NC1 by the pseudo-inverse, NC3 as the self-duality error against the ETF, NC4 as agreement over samples.
REFERENCE_CONVENTIONS = Conventions(global_mean="unweighted", nc1="pinv", nc3="etf", nc4="agreement")


@dataclass(frozen=True, eq=False)
class CollapseMetrics:
    """NC metrics of streamed class statistics (:func:`collapse_metrics`). Arrays are float64 NumPy on the CPU.

    ``means`` d x k; ``global_mean`` d (by ``conventions.global_mean``); ``G_M`` = M~^T M~ with M~ the means
    centred as ``centering`` asked (the prediction's centring, else the global mean); ``G_W`` = W W^T and
    ``G_WM`` = W M~ (``None`` without a classifier); ``nc2`` and ``distance`` against a predicted geometry
    (``None`` without one); ``nc4`` needs the decisions of a second pass (``None`` without). ``gnc2``: the
    variance of the pairwise distances of the normalised centred means (Liu et al. 2023); ``unc3``: the
    (unbiased) variance over classes of w_c^T (mu_c - mu_G) (uniform duality, Wu and Papyan 2024).
    """

    conventions: Conventions
    counts: np.ndarray
    means: np.ndarray
    global_mean: np.ndarray
    within_covariance: np.ndarray
    class_variances: np.ndarray
    G_M: np.ndarray
    G_W: np.ndarray | None
    G_WM: np.ndarray | None
    nc1: float
    nc1_cdnv: float
    nc2_etf: float
    nc2: float | None
    nc3: float | None
    nc4: float | None
    distance: dict[str, float | None] | None
    gnc2: float
    unc3: float | None

    def scalars(self) -> dict[str, float | None]:
        """The scalar metrics by name (what a monitor logs); NaN/inf as ``None``."""
        out: dict[str, float | None] = {}
        for name in ("nc1", "nc1_cdnv", "nc2_etf", "nc2", "nc3", "nc4", "gnc2", "unc3"):
            v = getattr(self, name)
            out[name] = None if v is None or not math.isfinite(v) else float(v)
        for key, v in (self.distance or {}).items():
            out[f"distance_{key}"] = v
        return out


def _etf_gram(k: int) -> np.ndarray:
    """Simplex ETF Gram I - 11^T/k (up to scale; every distance here normalises it)."""
    return np.eye(k) - 1.0 / k


def nc1_from_statistics(within_covariance: np.ndarray, centred_means: np.ndarray, method: str = "pinv") -> float:
    """NC1 of Sigma_W (d x d) and the centred means B (d x k), Sigma_B = B B^T / k.

    ``pinv``: tr(Sigma_W Sigma_B^+)/k = tr(B^+ Sigma_W B^{+T}) (since (B B^T / k)^+ = k B^{+T} B^+, the k
    cancels one 1/k): a d x k pseudo-inverse instead of a d x d one. ``svd``: Sigma_B cut to its top k - 1
    eigenpairs (B's top k - 1 singular vectors U, s: tr(U^T Sigma_W U diag(k / s^2)) / k). ``quotient``:
    tr(Sigma_W) / tr(Sigma_B). :class:`ComputationError` where Sigma_B = 0 (0/0).
    """
    B = np.asarray(centred_means, dtype=np.float64)
    k = B.shape[1]
    if not np.any(B):
        raise ComputationError("all class means are equal (Sigma_B = 0): NC1 is 0/0, undefined")
    S = np.asarray(within_covariance, dtype=np.float64)
    if method == "quotient":
        return float(np.trace(S) / (np.sum(B * B) / k))
    if method == "pinv":
        B_pinv = np.linalg.pinv(B, rcond=PINV_RTOL)
        return float(np.einsum("ij,jk,ik->", B_pinv, S, B_pinv))
    if method == "svd":
        U, s, _ = np.linalg.svd(B, full_matrices=False)
        U, s = U[:, :k - 1], s[:k - 1]
        if s[-1] <= PINV_RTOL * s[0]:
            raise ComputationError(f"Sigma_B has rank < k - 1 = {k - 1}: the top-(k-1) inverse of NC1 'svd' is undefined")
        return float(np.einsum("ij,ik,kj->", U, S @ U, np.diag(k / s**2)) / k)
    raise InputError(f"unknown NC1 method {method!r}")


def cdnv(means: np.ndarray, class_variances: np.ndarray, exponent: float = 1.0, reduce: str = "mean") -> float:
    """Class-distance normalised variance (Galanti et al. 2021), averaged over the pairs i < j:
    (V_i + V_j) / (2 ||mu_i - mu_j||^(2 p)) with V_c = (1/n_c) sum_{y_i = c} ||h_i - mu_c||^2 (means d x k).
    inf when two class means coincide with a spread (NaN without): reported as undefined (``None``).
    ``reduce="cov"``: the coefficient of variation std/mean of the pairwise values instead of their mean."""
    M = np.asarray(means, dtype=np.float64)
    V = np.asarray(class_variances, dtype=np.float64)
    k = M.shape[1]
    values = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(k - 1):  # row by row: O(k d) memory; differences, not the cancelling Gram form
            diff = M[:, i + 1:] - M[:, i:i + 1]
            values.append((V[i] + V[i + 1:]) / (2.0 * np.einsum("ij,ij->j", diff, diff) ** exponent))
        pairs = np.concatenate(values)
        return float(np.mean(pairs) if reduce == "mean" else np.std(pairs) / np.mean(pairs))


def pairwise_distance_variance(centred_means: np.ndarray) -> float:
    """GNC2 (Liu et al. 2023, hyperspherical uniformity): the variance, over the pairs i < j, of the distance
    ||m_i/||m_i|| - m_j/||m_j|| || between the normalised centred class means (d x k); 0 for a simplex."""
    B = np.asarray(centred_means, dtype=np.float64)
    norms = np.linalg.norm(B, axis=0)
    if np.any(norms == 0):
        return math.nan
    U = B / norms
    k = B.shape[1]
    dist = np.concatenate([np.linalg.norm(U[:, i + 1:] - U[:, i:i + 1], axis=0) for i in range(k - 1)])
    return float(np.mean((dist - dist.mean()) ** 2))


def collapse_metrics(counts: np.ndarray, means: np.ndarray, within_scatter: np.ndarray,
                     class_scatter: np.ndarray, classifier: np.ndarray | None = None,
                     decisions: tuple[np.ndarray, np.ndarray] | None = None, predicted: Any = None,
                     centering: np.ndarray | str | None = "global",
                     conventions: Conventions = Conventions()) -> CollapseMetrics:
    """NC1 (trace form and CDNV), NC2 (simplex ETF; predicted geometry), NC3, NC4 and the Gram matrices.

    ``counts`` n_c (k), ``means`` d x k, ``within_scatter`` S_W = sum_i (h_i - mu_{y_i})(h_i - mu_{y_i})^T
    (d x d), ``class_scatter`` sum_{y_i = c} ||h_i - mu_c||^2 (k), ``classifier`` k x d (rows w_c),
    ``decisions`` (per-class samples, per-class agreements of argmax_c w_c^T h with argmin_c ||h - mu_c||)
    from a second pass, ``predicted`` an object with Gram matrices G_W, G_M, G_WM (e.g.
    :class:`theory.seli.geometry.Geometry`) centred with weights ``centering`` (an array), ``None``
    (uncentred, e.g. UFM+) or ``"global"`` (the global mean of ``conventions``). NC2 against the prediction
    and the distances are behnia2023 App. A.4's normalised Gram distances.
    """
    n = np.asarray(counts, dtype=np.int64)
    k = n.size
    empty = np.flatnonzero(n == 0)
    if empty.size:
        raise InputError(f"class {int(empty[0])} has no sample (k = {k})")
    M = np.asarray(means, dtype=np.float64)
    N = float(n.sum())
    weights = n.astype(np.float64) if conventions.global_mean == "weighted" else np.ones(k)
    mu_G = M @ weights / weights.sum()
    Mg = M - mu_G[:, None]
    W = None
    if classifier is not None:
        W = np.asarray(classifier, dtype=np.float64)
        if W.shape != (k, M.shape[0]):
            raise InputError(f"classifier must be k x d = {k} x {M.shape[0]}, got {W.shape}")
    if isinstance(centering, str):
        if centering != "global":
            raise InputError(f"centering must be weights, None or 'global', got {centering!r}")
        Mc = Mg
    else:
        Mc = M if centering is None else center(M, centering)
    G_M = Mc.T @ Mc
    if not np.any(G_M):
        raise InputError("every class mean is equal (or zero): the class-mean geometry is undefined")
    G_W = None if W is None else W @ W.T
    G_WM = None if W is None else W @ Mc
    sigma_w = np.asarray(within_scatter, dtype=np.float64) / N
    ddof = 1 if conventions.class_variance == "unbiased" else 0
    with np.errstate(divide="ignore", invalid="ignore"):
        variances = np.asarray(class_scatter, dtype=np.float64) / (n - ddof)
    nc1 = nc1_from_statistics(sigma_w, Mg, conventions.nc1)
    fin = lambda v: float(v) if math.isfinite(float(v)) else None  # noqa: E731
    distance = None
    if predicted is not None:
        distance = {key: None if G is None else fin(normalized_distance(G, getattr(predicted, name)))
                    for key, name, G in (("W", "G_W", G_W), ("M", "G_M", G_M), ("WM", "G_WM", G_WM))}
    nc3 = None
    if W is not None:
        nc3 = (normalized_distance(W, Mg.T) if conventions.nc3 == "duality"
               else normalized_distance(W @ Mg, _etf_gram(k)))
        nc3 = fin(nc3)
    nc4 = None
    if decisions is not None:
        seen, agree = (np.asarray(a, dtype=np.float64) for a in decisions)
        if seen.shape != (k,) or agree.shape != (k,) or seen.sum() == 0:
            raise InputError("NC4 needs per-class (samples, agreements) of length k from at least one sample")
        if conventions.nc4_average == "samples":
            rate = agree.sum() / seen.sum()
        else:
            if np.any(seen == 0):
                raise InputError("NC4 averaged over classes needs a sample of every class in the second pass")
            rate = float(np.mean(agree / seen))
        nc4 = float(rate if conventions.nc4 == "agreement" else 1.0 - rate)
    return CollapseMetrics(conventions, n, M, mu_G, sigma_w, variances, G_M, G_W, G_WM, nc1,
                           cdnv(M, variances, conventions.cdnv_exponent, conventions.cdnv_reduce),
                           float(normalized_distance(Mg.T @ Mg, _etf_gram(k))),
                           None if distance is None else distance["M"], nc3, nc4, distance,
                           pairwise_distance_variance(Mg),
                           None if W is None else float(np.var(np.einsum("ij,ji->i", W, Mg), ddof=1)))
