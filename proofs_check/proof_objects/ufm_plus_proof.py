"""dang2024 proof objects: a point (W, H) of problem (4)/(22) and the quantities of the proof of Thm 1 (Sec. 7).

Notation (Sec. 7): z = W h, s = (sum_m z^(m) - K z^(k))/(K-1) the exponent of (23) for a sample or a
class mean of class k, phi(s) = log(1 + (K-1) e^s), h^_m = sum_k sqrt(n_k) h_k - K sqrt(n_m) h_m (30),
x_k = ||h_k||^2, c_{1,k} = sqrt(n_k)/(1 + t_k), c_{2,k} of (27).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from numerics.ufm_plus_solver import UFMPlusProblem
from theory.core.collapse_metrics import class_means
from theory.ufm_plus.closed_form import configuration
from theory.core.imbalance import Imbalance


@dataclass(frozen=True)
class UFMPoint:
    """A point (W, H) of dang2024's problem (4)/(22): W is K x d (rows w_k), H is d x N (samples
    ordered by class); H >= 0 unless the instance was drawn ``signed`` for a purely algebraic step."""
    counts: tuple[int, ...]
    lambda_w: float
    lambda_h: float
    origin: str
    seed: int
    W: np.ndarray = field(repr=False, compare=False)
    H: np.ndarray = field(repr=False, compare=False)

    @property
    def k(self) -> int:
        """Number of classes K."""
        return len(self.counts)

    @property
    def n(self) -> np.ndarray:
        """Class counts n_k as floats."""
        return np.asarray(self.counts, dtype=np.float64)

    @property
    def n_total(self) -> float:
        """N = sum_k n_k."""
        return float(sum(self.counts))

    @property
    def labels(self) -> np.ndarray:
        """Sample labels 0..K-1, ordered by class."""
        return np.repeat(np.arange(self.k), self.counts)

    @property
    def means(self) -> np.ndarray:
        """Class means h_k (d x K), by the shared measurement code."""
        return class_means(self.H, self.labels, self.k)

    @property
    def objective(self) -> float:
        """L_0(W, H) of eq. (22), evaluated by the numerical solver's independent implementation."""
        return UFMPlusProblem(Imbalance(self.counts), self.lambda_w, self.lambda_h, self.W.shape[1]).value_and_gradient(
            self.W, self.H)[0]

    @property
    def kkt_residual(self) -> float:
        """KKT residual of problem (4) at (W, H) (numerical solver's projected gradient)."""
        return UFMPlusProblem(Imbalance(self.counts), self.lambda_w, self.lambda_h, self.W.shape[1]).kkt_residual(
            self.W, self.H)


def exponents(Z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """s = (sum_m z^(m) - K z^(y)) / (K - 1) for every column z of Z (K x n) with label y (eq. (23))."""
    k = Z.shape[0]
    return (Z.sum(axis=0) - k * Z[labels, np.arange(Z.shape[1])]) / (k - 1)


def phi(s: np.ndarray, k: int) -> np.ndarray:
    """log(1 + (K - 1) exp(s)), the convex function of Step 1 (stable form)."""
    return np.logaddexp(0.0, np.log(k - 1) + np.asarray(s, dtype=np.float64))


def class_exponents(p: UFMPoint) -> np.ndarray:
    """s_k of the class means: exponents of z_k = W h_k (eq. (23))."""
    return exponents(p.W @ p.means, np.arange(p.k))


def g_at(p: UFMPoint, W: np.ndarray, means: np.ndarray) -> float:
    """g of eq. (23) at (W, class means)."""
    s = exponents(W @ means, np.arange(p.k))
    return float(np.sum(p.n * phi(s, p.k)) / p.n_total)


def g_of(p: UFMPoint) -> float:
    """g(W H) of eq. (23): (1/N) sum_k n_k phi(s_k)."""
    return g_at(p, p.W, p.means)


def mean_norms_sq(p: UFMPoint) -> np.ndarray:
    """x_k = ||h_k||^2 of the class means."""
    return np.sum(p.means**2, axis=0)


def l1(p: UFMPoint, W: np.ndarray | None = None, means_scale: float = 1.0) -> float:
    """L_1 of Step 1: g(W H) + lambda_W/2 ||W||^2 + lambda_H/2 sum_k n_k ||h_k||^2, at (W, s H)."""
    W = p.W if W is None else W
    means = means_scale * p.means
    return (g_at(p, W, means) + 0.5 * p.lambda_w * float(np.sum(W * W))
            + 0.5 * p.lambda_h * float(np.sum(p.n * np.sum(means**2, 0))))


def h_hat(p: UFMPoint) -> np.ndarray:
    """h^_m = sum_k sqrt(n_k) h_k - K sqrt(n_m) h_m (eq. (30)), as columns (d x K)."""
    weighted = p.means * np.sqrt(p.n)
    return weighted.sum(axis=1, keepdims=True) - p.k * weighted


def c2(t: np.ndarray, k: int) -> np.ndarray:
    """c_{2,k} of eq. (27): log((1+t)(K-1))/(1+t) + t/(1+t) log((1+t)/t), t > 0."""
    t = np.asarray(t, dtype=np.float64)
    return np.log((1 + t) * (k - 1)) / (1 + t) + t / (1 + t) * np.log((1 + t) / t)


def t_equality(s: np.ndarray, k: int) -> np.ndarray:
    """t_k of eq. (28): [(K-1) exp(s_k)]^{-1}, the t at which (26)-(27) is an equality."""
    return np.exp(-np.asarray(s, dtype=np.float64)) / (k - 1)


def slope(p: UFMPoint) -> float:
    """sqrt(lambda_H/lambda_W K/(K-1)), the coefficient of (38) and of the exponent in (39)-(42)."""
    return float(np.sqrt(p.lambda_h / p.lambda_w * p.k / (p.k - 1)))


def c1_star(p: UFMPoint) -> float:
    """c_1 = N sqrt((K-1)/K lambda_W lambda_H) of eq. (41), corrected (erratum dang2024-mbar-sqrt)."""
    return p.n_total * float(np.sqrt((p.k - 1) / p.k * p.lambda_w * p.lambda_h))


def x_bar(p: UFMPoint) -> np.ndarray:
    """The stationary point of g_k, eq. (42) corrected (dang2024-mbar-sqrt); negative or NaN where
    class k collapses. x_k* = max(x_bar_k, 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        inner = np.log((p.k - 1) * (np.sqrt(p.n) / c1_star(p) - 1))
    return np.sqrt((p.k - 1) / p.k * p.lambda_w / p.lambda_h / p.n) * inner


def g_reduced(p: UFMPoint, x: np.ndarray) -> np.ndarray:
    """g_k(x_k) of Step 4 after the identity below (39): n_k/N log(1 + (K-1) exp(-a sqrt(n_k) x_k)) +
    lambda_H n_k x_k with a = :func:`slope` (sqrt(n_k) per erratum dang2024-step4-sqrt-n)."""
    return p.n / p.n_total * phi(-slope(p) * np.sqrt(p.n) * x, p.k) + p.lambda_h * p.n * x


def g_prime(p: UFMPoint, x: np.ndarray) -> np.ndarray:
    """g_k'(x_k) of eq. (40)."""
    a_sqrt_n = slope(p) * np.sqrt(p.n)
    return -p.n / p.n_total * a_sqrt_n / (1 + np.exp(a_sqrt_n * x) / (p.k - 1)) + p.lambda_h * p.n


def at_norms(p: UFMPoint, x: np.ndarray) -> UFMPoint:
    """The configuration of Thm 1(a), (b), (d) with class-mean norms x (theory.ufm_plus.closed_form.configuration)."""
    W, H = configuration(p.counts, x, p.lambda_w, p.lambda_h, p.W.shape[1])
    return UFMPoint(p.counts, p.lambda_w, p.lambda_h, "configuration", p.seed, W, H)
