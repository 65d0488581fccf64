"""yang2022 proof objects: a feature against a fixed simplex ETF, the layer-peeled point, the CE and DR
losses (eqs. (3), (14)), their gradient steps and the terms of Appendix B (37)-(38).

Gradients are central finite differences of the losses (numpy only, no autograd).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from proofs_check.proof_objects.calculus import numeric_gradient, scale


@dataclass(frozen=True)
class ETFPoint:
    """A feature h of class ``label`` against a fixed simplex ETF W* (d x K, squared column norm E_W),
    with the norm bound E_H of eq. (5) and a learning rate gamma (Appendix B)."""

    k: int
    d: int
    e_w: float
    e_h: float
    label: int
    gamma: float
    placement: str
    seed: int
    W: np.ndarray = field(repr=False, compare=False)
    h: np.ndarray = field(repr=False, compare=False)

    @property
    def w(self) -> np.ndarray:
        """The classifier w*_c of the feature's class."""
        return self.W[:, self.label]

    @property
    def h_star(self) -> np.ndarray:
        """h* = sqrt(E_H/E_W) w*_c, the minimiser of Thm 1 (eq. (33))."""
        return np.sqrt(self.e_h / self.e_w) * self.w

    @property
    def cos(self) -> float:
        """cos angle(h, w*_c), measured."""
        return float(self.h @ self.w / (np.linalg.norm(self.h) * np.linalg.norm(self.w)))


@dataclass(frozen=True)
class LPMPoint:
    """Features H (d x N, samples ordered by class) and a learnable classifier W (d x K) of the
    layer-peeled model (yang2022 eq. (4)); used for the gradient decompositions (8)-(13)."""

    counts: tuple[int, ...]
    seed: int
    W: np.ndarray = field(repr=False, compare=False)
    H: np.ndarray = field(repr=False, compare=False)

    @property
    def labels(self) -> np.ndarray:
        """Sample labels 0..K-1, ordered by class."""
        return np.repeat(np.arange(len(self.counts)), self.counts)


def probabilities(W: np.ndarray, h: np.ndarray) -> np.ndarray:
    """p_k(h) = softmax(W^T h)_k (eq. (9)); W is d x K."""
    z = W.T @ h
    e = np.exp(z - z.max())
    return e / e.sum()


def cross_entropy(W: np.ndarray, h: np.ndarray, label: int) -> float:
    """L_CE(h, W) of eq. (3): log sum_k exp(w_k^T h) - w_c^T h."""
    z = W.T @ h
    return float(np.logaddexp.reduce(z) - z[label])


def dot_regression(p: ETFPoint, h: np.ndarray) -> float:
    """L_DR(h, W*) of eq. (14): (w_c^T h - sqrt(E_W E_H))^2 / (2 sqrt(E_W E_H))."""
    root = np.sqrt(p.e_w * p.e_h)
    return float((p.w @ h - root) ** 2 / (2 * root))


def ce_gradient(p: ETFPoint, h: np.ndarray | None = None) -> np.ndarray:
    """grad_h L_CE at h (default: the point's feature), by central differences."""
    return numeric_gradient(lambda v: cross_entropy(p.W, v, p.label), p.h if h is None else h)


def project(p: ETFPoint, v: np.ndarray) -> np.ndarray:
    """Proj_{E_H}: the orthogonal projection onto the ball ||h||^2 <= E_H."""
    return v * min(1.0, float(np.sqrt(p.e_h) / np.linalg.norm(v)))


def wrong_sum(p: ETFPoint, h: np.ndarray | None = None) -> np.ndarray:
    """sum_{j != k} p_j(h) w_j."""
    prob = probabilities(p.W, p.h if h is None else h)
    mask = np.arange(p.k) != p.label
    return p.W[:, mask] @ prob[mask]


def with_h(p: ETFPoint, h: np.ndarray) -> ETFPoint:
    """The same instance with another feature h."""
    return ETFPoint(p.k, p.d, p.e_w, p.e_h, p.label, p.gamma, "derived", p.seed, p.W, h)


def with_gamma(p: ETFPoint, gamma: float) -> ETFPoint:
    """The same instance with another learning rate gamma."""
    return ETFPoint(p.k, p.d, p.e_w, p.e_h, p.label, gamma, p.placement, p.seed, p.W, p.h)


def optimum(p: ETFPoint) -> ETFPoint:
    """The same instance at h* = sqrt(E_H/E_W) w_k (Thm 1)."""
    return with_h(p, p.h_star)


def dr_step(p: ETFPoint) -> np.ndarray:
    """h - gamma grad_h L_DR(h), gradient by central differences (the argument of Proj in (34))."""
    return p.h - p.gamma * numeric_gradient(lambda v: dot_regression(p, v), p.h)


def ce_step(p: ETFPoint) -> np.ndarray:
    """h - gamma grad_h L_CE(h), gradient by central differences (the argument of Proj for CE)."""
    return p.h - p.gamma * ce_gradient(p)


def ce_terms(p: ETFPoint) -> dict[str, float]:
    """The terms of (37)-(38) for the CE step, each computed from the vectors: e = h - h*,
    a = gamma (1 - p_k) w_k, b = -gamma sum_{j != k} p_j w_j."""
    prob = probabilities(p.W, p.h)
    pk, g = float(prob[p.label]), p.gamma
    e, sigma = p.h - p.h_star, wrong_sum(p)
    return {"pk": pk, "e2": float(e @ e), "e_w": float(e @ p.w), "a2": float(np.sum((g * (1 - pk) * p.w) ** 2)),
            "b2": float(np.sum((g * sigma) ** 2)), "e_sigma": float(e @ sigma), "h_w": float(p.h @ p.w),
            "h_sigma": float(p.h @ sigma), "w_sigma": float(p.w @ sigma),
            "lhs": float(np.sum((ce_step(p) - p.h_star) ** 2))}


def m_lines(p: ETFPoint) -> dict[str, float]:
    """M of (38): line 1 (the definition, from the vectors), line 2 (ETF inner products), and lines 3-4
    as printed (with <h - h*, w_k>) and corrected (with <h, w_k>, erratum yang2022-eq38-term)."""
    t, g, k = ce_terms(p), p.gamma, p.k
    pk, root = t["pk"], float(np.sqrt(p.e_h * p.e_w))
    line1 = 2 * g * (1 - pk) * t["e_w"] - 2 * g * (1 - pk) * g * t["w_sigma"] - 2 * g * t["e_sigma"]
    line2 = 2 * g * (1 - pk) * (t["e_w"] + g * p.e_w / (k - 1) * (1 - pk)) - 2 * g * t["e_sigma"]

    def line3(inner: float) -> float:
        return (2 * g * (1 - pk) * (inner - root + g * p.e_w * (1 - pk) / (k - 1)) - 2 * g * t["h_sigma"]
                - 2 * g * (1 - pk) / (k - 1) * root)

    def line4(inner: float) -> float:
        return (2 * g * (1 - pk) * inner - 2 * g * t["h_sigma"] - 2 * g * (1 - pk) * k / (k - 1) * root
                + 2 * g**2 * (1 - pk) ** 2 * p.e_w / (k - 1))

    return {"line1": line1, "line2": line2, "line3_printed": line3(t["e_w"]), "line4_printed": line4(t["e_w"]),
            "line3": line3(t["h_w"]), "line4": line4(t["h_w"]), "scale": scale(t["e2"], g**2 * p.e_w)}
