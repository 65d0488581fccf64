"""yang2022 Definition 2 and Theorem 2: eta-regularity of CE and DR under projected gradient near h*.

Setting (DLPM, eq. 5): fixed simplex-ETF classifier W* (columns of squared norm E_W), a feature h of
class c on the sphere ||h||^2 = E_H near h* = sqrt(E_H / E_W) w*_c. One projected-gradient step

    h+ = Proj_{E_H}(h - gamma grad L(h)),   Proj_{E_H}: orthogonal projection onto ||x||^2 <= E_H,

and Def. 2's eta-regularity number at step gamma is the contraction ||h+ - h*||^2 / ||h - h*||^2
(:func:`contraction`); "gamma such that eta is as small as possible" is :func:`eta_number` over a
grid. Gradients: CE eq. (12), grad = W* (p - e_c) with p the softmax of W*^T h (eq. 9); DR eq. (14),
grad = ((w_c^T h - s) / s) w_c with s = sqrt(E_W E_H), which is eq. (15) on the sphere.

Theorem 2 (eq. 16) states, under p_k = (1 - p_c)/(K - 1) for k != c, that for any fixed gamma
eta_CE >= (1 + cos angle(h, w*_c)) / 2 = eta_DR. Appendix B obtains (1 + cos)/2 from the
*pre-projection* ratio ||h - gamma grad L - h*||^2 / ||h - h*||^2 (``projected=False``; non-expansiveness
of Proj only bounds eta from above). :func:`ce_contraction_limit` gives the first-order limit of the
projected CE contraction as h -> h*, bounded away from 1 while (1 + cos)/2 -> 1: see the erratum
yang2022-thm2-eta in :mod:`proofs_check.errata.yang2022_errata`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import softmax

from theory.core.validate import positive_int, positive_real
from theory.core.collapse_metrics import vector_cosine
from theory.core.errors import InputError
from theory.core.vocabulary import ETFLoss


def _check(h: object, W: object, label: int, E_H: float) -> tuple[np.ndarray, np.ndarray, int, float]:
    h = np.asarray(h, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or h.shape != (W.shape[0],) or not (np.all(np.isfinite(h)) and np.all(np.isfinite(W))):
        raise InputError(f"need W d x K and h of length d, finite; got W {W.shape}, h {h.shape}")
    c = positive_int("label", label, minimum=0)
    if c >= W.shape[1]:
        raise InputError(f"label must lie in [0, {W.shape[1] - 1}], got {c}")
    return h, W, c, positive_real("E_H", E_H)


def optimum(W: object, label: int, E_H: float) -> np.ndarray:
    """h* = sqrt(E_H / E_W) w*_c (yang2022 eq. 33), E_W = ||w*_c||^2."""
    W = np.asarray(W, dtype=np.float64)
    _, W, c, E_H = _check(np.zeros(W.shape[0]), W, label, E_H)
    return np.sqrt(E_H) * W[:, c] / np.linalg.norm(W[:, c])


def gradient(loss: str, h: object, W: object, label: int, E_H: float, symmetric: bool = False) -> np.ndarray:
    """grad_h of CE (yang2022 eq. 12) or DR (eq. 14, = eq. 15 on the sphere).

    ``symmetric=True`` (CE only) replaces p_k, k != c, by (1 - p_c)/(K - 1): Theorem 2's assumption.
    """
    h, W, c, E_H = _check(h, W, label, E_H)
    name = ETFLoss.parse(loss)
    if name == ETFLoss.CE:
        p = softmax(W.T @ h)
        if symmetric:
            p_c = p[c]
            p[:] = (1.0 - p_c) / (W.shape[1] - 1)
            p[c] = p_c
        p[c] -= 1.0
        return W @ p
    if symmetric:
        raise InputError("the symmetric-probability assumption concerns CE only")
    s = np.linalg.norm(W[:, c]) * np.sqrt(E_H)
    return (W[:, c] @ h - s) / s * W[:, c]


def project_ball(x: np.ndarray, E_H: float) -> np.ndarray:
    """Orthogonal projection onto {x : ||x||^2 <= E_H} (yang2022 Def. 2, Appendix B)."""
    x = np.asarray(x, dtype=np.float64)
    r = np.sqrt(positive_real("E_H", E_H))
    norm = np.linalg.norm(x)
    return x if norm <= r else x * (r / norm)


def contraction(loss: str, h: object, W: object, label: int, E_H: float, gamma: float,
                projected: bool = True, symmetric: bool = False) -> float:
    """||Proj(h - gamma grad L) - h*||^2 / ||h - h*||^2 (Def. 2); ``projected=False`` drops Proj
    (the quantity Appendix B evaluates)."""
    h, W, c, E_H = _check(h, W, label, E_H)
    gamma = positive_real("gamma", gamma)
    h_star = optimum(W, c, E_H)
    dist = np.sum((h - h_star) ** 2)
    if dist == 0:
        raise InputError("h equals h*: the contraction ratio is undefined")
    step = h - gamma * gradient(loss, h, W, c, E_H, symmetric)
    if projected:
        step = project_ball(step, E_H)
    return float(np.sum((step - h_star) ** 2) / dist)


def eta_number(loss: str, h: object, W: object, label: int, E_H: float, gammas: object,
               projected: bool = True, symmetric: bool = False) -> tuple[float, float]:
    """(min over ``gammas`` of :func:`contraction`, the minimising gamma): Def. 2's eta at the best
    step of the grid."""
    g = np.asarray(gammas, dtype=np.float64).reshape(-1)
    if g.size == 0:
        raise InputError("gammas must not be empty")
    values = [contraction(loss, h, W, label, E_H, x, projected, symmetric) for x in g]
    i = int(np.argmin(values))
    return values[i], float(g[i])


def paper_bound(h: object, W: object, label: int) -> float:
    """(1 + cos angle(h, w*_c)) / 2, the right-hand side of yang2022 eq. (16)."""
    h, W, c, _ = _check(h, W, label, 1.0)
    return float((1.0 + vector_cosine(h, W[:, c])) / 2.0)


def sample_near(W: object, label: int, E_H: float, radius: float, seed: int = 0,
                in_span: bool | None = None) -> np.ndarray:
    """A random h with ||h||^2 = E_H and ||h - h*|| = radius (0 < radius < 2 sqrt(E_H)).

    The tangent direction is Gaussian, restricted to the ETF span (``in_span=True``), to its
    orthogonal complement (``False``, needs d >= K), or unrestricted (``None``).
    """
    W = np.asarray(W, dtype=np.float64)
    h_star = optimum(W, label, E_H)
    r = np.sqrt(E_H)
    radius = positive_real("radius", radius)
    if radius >= 2 * r:
        raise InputError(f"radius must be < 2 sqrt(E_H) = {2 * r:g}")
    u = np.random.default_rng(seed).standard_normal(W.shape[0])
    if in_span is not None:
        Q = np.linalg.svd(W, full_matrices=False)[0][:, : W.shape[1] - 1]
        u = Q @ (Q.T @ u) if in_span else u - Q @ (Q.T @ u)
    e = h_star / r
    u = u - (u @ e) * e
    if np.linalg.norm(u) < 1e-12:
        raise InputError("no tangent direction of that kind (d = K - 1 has no complement)")
    u /= np.linalg.norm(u)
    theta = 2.0 * np.arcsin(radius / (2.0 * r))
    return r * (np.cos(theta) * e + np.sin(theta) * u)


def ce_contraction_limit(K: int, E_W: float, E_H: float, gamma: float) -> tuple[float, float]:
    """First-order limit, as h -> h* on the sphere, of the projected CE contraction at step gamma:
    ((1 - gamma b)/(1 + gamma a))^2 for tangent directions inside the ETF span and (1/(1 + gamma a))^2
    orthogonal to it, with p_c, p = (1 - p_c)/(K - 1) the softmax at h* (logits s, -s/(K-1),
    s = sqrt(E_W E_H)), a = (1 - p_c) K/(K-1) sqrt(E_W/E_H), b = p E_W K/(K-1).

    Derivation: grad at h* is -(1 - p_c) K/(K-1) w_c (parallel to h*); for h = h* + eps u with u
    tangent, the softmax Jacobian adds -eps p E_W K/(K-1) P u (P the projector onto the ETF span), and
    Proj rescales the radial part away.
    """
    K = positive_int("K", K, minimum=2)
    E_W, E_H, gamma = (positive_real(n, x) for n, x in (("E_W", E_W), ("E_H", E_H), ("gamma", gamma)))
    s = np.sqrt(E_W * E_H)
    z = np.array([s] + [-s / (K - 1)] * (K - 1))
    p = softmax(z)
    a = (1 - p[0]) * K / (K - 1) * np.sqrt(E_W / E_H)
    b = p[1] * E_W * K / (K - 1)
    return float(((1 - gamma * b) / (1 + gamma * a)) ** 2), float((1 / (1 + gamma * a)) ** 2)
