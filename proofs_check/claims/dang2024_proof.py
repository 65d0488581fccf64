"""dang2024 Sec. 7: every equality and inequality of the proof of Thm 1 / Prop. 1 as a proof-step claim.

Each step is checked on random instances drawn by hypothesis (:mod:`proofs_check.claims._instances`):
it holds on generic instances, its two sides agree on instances built to meet its equality condition,
and it is strict where that condition fails. Both sides are computed from the objects — (W, H), the
logits W H, class means, the loss L_0 of eq. (22) as the numerical solver evaluates it
(:class:`numerics.ufm_plus_solver.UFMPlusProblem`) — and only the side the paper asserts as a formula is
written as one. Steps that are misprinted are checked in their corrected form, named in the statement
with the erratum id (:mod:`proofs_check.errata.dang2024_errata`).

Notation (Sec. 7): z = W h, s = (sum_m z^(m) - K z^(k))/(K-1) the exponent of (23) for a sample or a
class mean of class k, phi(s) = log(1 + (K-1) e^s), h^_m = sum_k sqrt(n_k) h_k - K sqrt(n_m) h_m (30),
x_k = ||h_k||^2, c_{1,k} = sqrt(n_k)/(1 + t_k), c_{2,k} of (27).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from proofs_check.claims._instances import (bound_checks, log_uniform, SEEDS, shifts, strict_checks,
                                            ufm_configurations, ufm_minimizers, ufm_points)
from proofs_check.model import Claim
from proofs_check.proof_objects.calculus import gradient_error, rel_diff, rel_excess, scale
from proofs_check.proof_objects.ufm_plus_proof import (at_norms, c1_star, c2, class_exponents, exponents, g_of, g_prime,
                                                 g_reduced, h_hat, l1, mean_norms_sq, phi, slope, t_equality,
                                                 UFMPoint, x_bar)
from theory.core.collapse_metrics import class_margins
from theory.core.tolerances import CLOSED_FORM_AGREEMENT, FINITE_DIFFERENCE, KKT_POINT, LOG_RANGE_IDENTITY, ROUNDING
from theory.core.vocabulary import Paper

PAPER = Paper.DANG2024


def _is_kkt(p: UFMPoint) -> bool:
    """Whether (W, H) is a KKT point of problem (4) (residual <= :data:`theory.core.tolerances.KKT_POINT`)."""
    return p.kkt_residual <= KKT_POINT


NOT_KKT = float("inf")
"""Violation reported when an instance that must be a KKT point of problem (4) is not one."""


# ------------------------------------------------------------------------------ Step 1: (22)-(25)
def _wrong_differences(p: UFMPoint) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Z, D, mask): the sample logits Z = W H, D[m, i] = z_i^(m) - z_i^(y_i), mask[m, i] = (m != y_i)."""
    Z, y = p.W @ p.H, p.labels
    cols = np.arange(y.size)
    wrong = np.ones_like(Z, dtype=bool)
    wrong[y, cols] = False
    return Z, Z - Z[y, cols], wrong


def _step1_rewrite(p: UFMPoint) -> float:
    """Largest relative difference among the equalities of the Step 1 chain (see the claim)."""
    Z, diff, wrong = _wrong_differences(p)
    y = p.labels
    reg = 0.5 * p.lambda_w * np.sum(p.W**2) + 0.5 * p.lambda_h * np.sum(p.H**2)
    rewritten = float(np.mean(np.log1p(np.sum(np.exp(diff) * wrong, axis=0)))) + reg
    mean_wrong = np.sum(diff * wrong, axis=0) / (p.k - 1)
    s = exponents(Z, y)
    class_avg = np.array([s[y == c].mean() for c in range(p.k)])
    return max(rel_diff(p.objective, rewritten),
               float(np.max(np.abs(mean_wrong - s)) / scale(*s)),
               float(np.max(np.abs(class_avg - class_exponents(p))) / scale(*s)))


def _jensen_terms(p: UFMPoint) -> tuple[np.ndarray, np.ndarray]:
    """Both sides of (24) for every sample: sum_{m != k} e^(z^m - z^k) and (K-1) e^(mean_{m != k})."""
    _, diff, wrong = _wrong_differences(p)
    lhs = np.sum(np.exp(diff) * wrong, axis=0)
    rhs = (p.k - 1) * np.exp(np.sum(diff * wrong, axis=0) / (p.k - 1))
    return lhs, rhs


def _eq24_gap(p: UFMPoint) -> float:
    """Smallest relative gap of (24) over the samples (lhs - rhs over max(lhs, rhs))."""
    lhs, rhs = _jensen_terms(p)
    return float(np.min((lhs - rhs) / np.maximum(lhs, rhs)))


def _eq24_difference(p: UFMPoint) -> float:
    """Largest relative difference of the two sides of (24) over the samples."""
    lhs, rhs = _jensen_terms(p)
    return float(np.max(np.abs(lhs - rhs) / np.maximum(lhs, rhs)))


def _per_class(p: UFMPoint, values: np.ndarray) -> list[np.ndarray]:
    """The columns (last axis) of ``values`` split by class."""
    return [values[..., p.labels == c] for c in range(p.k)]


def _eq25_gaps(p: UFMPoint) -> np.ndarray:
    """Per class: sum_i phi(s_{k,i}) - n_k phi(mean_i s_{k,i}) relative to the left side (eq. (25))."""
    s = exponents(p.W @ p.H, p.labels)
    out = []
    for block in _per_class(p, s):
        lhs, rhs = float(np.sum(phi(block, p.k))), block.size * float(phi(block.mean(), p.k))
        out.append((lhs - rhs) / scale(lhs, rhs))
    return np.array(out)


def _norm_gaps(p: UFMPoint) -> np.ndarray:
    """Per class: sum_i ||h_{k,i}||^2 - (1/n_k) ||sum_i h_{k,i}||^2, relative (Step 1, corrected)."""
    out = []
    for block in _per_class(p, p.H):
        lhs = float(np.sum(block**2))
        rhs = float(np.sum(block.sum(axis=1) ** 2)) / block.shape[1]
        out.append((lhs - rhs) / scale(lhs, rhs))
    return np.array(out)


def _multi_sample_min(gaps: np.ndarray, p: UFMPoint) -> float:
    """Smallest per-class gap among classes with n_k >= 2 (the only ones that can be strict)."""
    return float(np.min(gaps[p.n >= 2]))


def _l0_minus_l1(p: UFMPoint) -> float:
    """L_0 - L_1 relative (Step 1: >= 0, zero at collapse with equal wrong-class logits)."""
    l0, l1_value = p.objective, l1(p)
    return (l0 - l1_value) / scale(l0, l1_value)


# ------------------------------------------------------------------------------ Step 2: (26)-(28)
def _step2_sides(p: UFMPoint, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(27) per class: phi(s_k) and c_{1,k}/(K-1) (sum_m z^(m) - K z^(k))/sqrt(n_k) + c_{2,k}."""
    Zbar = p.W @ p.means
    s = class_exponents(p)
    c1k = np.sqrt(p.n) / (1 + t)
    numerator = Zbar.sum(axis=0) - p.k * np.diagonal(Zbar)
    return phi(s, p.k), c1k / (p.k - 1) * numerator / np.sqrt(p.n) + c2(t, p.k)


def _step2_violation(case: tuple[UFMPoint, float]) -> float:
    """Largest relative excess of the right side of (27) over phi(s_k), t = 10^log_t."""
    p, log_t = case
    lhs, rhs = _step2_sides(p, np.full(p.k, 10.0**log_t))
    return float(np.max((rhs - lhs) / np.maximum(1.0, np.abs(lhs))))


def _step2_equality(p: UFMPoint) -> float:
    """Largest relative difference of the sides of (27) at t_k of (28)."""
    lhs, rhs = _step2_sides(p, t_equality(class_exponents(p), p.k))
    return float(np.max(np.abs(lhs - rhs) / np.maximum(1.0, np.abs(lhs))))


def _step2_strict(case: tuple[UFMPoint, float]) -> float:
    """Smallest relative gap of (27) at t = t_k e^shift."""
    p, shift = case
    lhs, rhs = _step2_sides(p, t_equality(class_exponents(p), p.k) * np.exp(shift))
    return float(np.min((lhs - rhs) / np.maximum(1.0, np.abs(lhs))))


# ------------------------------------------------------------------------------ Step 3: (29)-(38)
def _eq29_sides(p: UFMPoint, c1: float) -> tuple[float, float, float]:
    """(29) with a common c_1 (t_k = sqrt(n_k)/c_1 - 1): its left side, its line 3 (from the logits)
    and its line 4 (from W and h^)."""
    t = np.sqrt(p.n) / c1 - 1
    lhs = (p.k - 1) / c1 * (g_of(p) - float(np.sum(p.n / p.n_total * c2(t, p.k))))
    line3 = float(np.sum(np.sqrt(p.n) * (p.k - 1) * class_exponents(p))) / p.n_total
    line4 = float(np.sum(p.W * h_hat(p).T)) / p.n_total
    return lhs, line3, line4


def _eq29_violation(case: tuple[UFMPoint, float]) -> float:
    """Violation of (29) (line 3 exceeding the left side) or of its regrouping (line 3 = line 4)."""
    p, fraction = case
    lhs, line3, line4 = _eq29_sides(p, fraction * float(np.sqrt(p.n.min())))
    return max(rel_excess(line3, lhs), rel_diff(line3, line4))


def _common_c1_configuration(p: UFMPoint, fraction: float) -> tuple[UFMPoint, float]:
    """The Thm 1 configuration whose class exponents meet (28) for t_k = sqrt(n_k)/c_1 - 1 with
    c_1 = fraction (K-1)/K sqrt(n_min): s_k is linear in x_k there, so x_k = s_k(target) / s_k(x = 1)."""
    c1 = fraction * (p.k - 1) / p.k * float(np.sqrt(p.n.min()))
    unit = class_exponents(at_norms(p, np.ones(p.k)))
    target = -np.log((p.k - 1) * (np.sqrt(p.n) / c1 - 1))
    return at_norms(p, target / unit), c1


def _eq29_equality(case: tuple[UFMPoint, float]) -> float:
    """Relative difference of the left side and line 3 of (29) where (28) holds at a common c_1."""
    q, c1 = _common_c1_configuration(*case)
    lhs, line3, _ = _eq29_sides(q, c1)
    return rel_diff(lhs, line3)


def _eq29_strict(case: tuple[UFMPoint, float]) -> float:
    """Relative gap of (29) on a generic instance."""
    p, fraction = case
    lhs, line3, _ = _eq29_sides(p, fraction * float(np.sqrt(p.n.min())))
    return -rel_excess(line3, lhs)


def _young_sides(p: UFMPoint, c3: float) -> tuple[float, float]:
    """Sum over m of the inequality before (30): sum_m <w_m, h^_m> and
    -c_3/2 ||W||^2 - 1/(2 c_3) sum_m ||h^_m||^2."""
    hh = h_hat(p)
    return float(np.sum(p.W * hh.T)), -c3 / 2 * float(np.sum(p.W**2)) - float(np.sum(hh**2)) / (2 * c3)


def _eq30_violation(case: tuple[UFMPoint, float]) -> float:
    """Relative excess of the right side of the inequality before (30) over its left side."""
    lhs, rhs = _young_sides(*case)
    return rel_excess(rhs, lhs)


def _eq30_equality(case: tuple[UFMPoint, float]) -> float:
    """Relative difference of the two sides at W = -h^/c_3 (31)."""
    p, c3 = case
    q = UFMPoint(p.counts, p.lambda_w, p.lambda_h, "eq. (31)", p.seed, -h_hat(p).T / c3, p.H)
    return rel_diff(*_young_sides(q, c3))


def _eq30_strict(case: tuple[UFMPoint, float]) -> float:
    """Relative gap of the inequality before (30) on a generic instance."""
    lhs, rhs = _young_sides(*case)
    return -rel_excess(rhs, lhs)


def _eq32(p: UFMPoint) -> float:
    """Relative difference of the two sides of (32)."""
    lhs = float(np.sum(h_hat(p) ** 2))
    weighted = p.means * np.sqrt(p.n)
    rhs = p.k**2 * float(np.sum(weighted**2)) - p.k * float(np.sum(weighted.sum(axis=1) ** 2))
    return rel_diff(lhs, rhs)


def _eq33_gap(p: UFMPoint) -> float:
    """||sum_k sqrt(n_k) h_k||^2 - sum_k n_k ||h_k||^2, relative (33)."""
    weighted = p.means * np.sqrt(p.n)
    lhs, rhs = float(np.sum(weighted.sum(axis=1) ** 2)), float(np.sum(weighted**2))
    return (lhs - rhs) / scale(lhs, rhs)


def _eq34_gap(p: UFMPoint) -> float:
    """K(K-1) sum_k n_k ||h_k||^2 - sum_m ||h^_m||^2, relative (34)."""
    lhs = float(np.sum(h_hat(p) ** 2))
    rhs = p.k * (p.k - 1) * float(np.sum(p.n * mean_norms_sq(p)))
    return (rhs - lhs) / scale(lhs, rhs)


def _lemma1_gap(p: UFMPoint) -> float:
    """lambda_W ||W||^2 - lambda_H sum_k n_k ||h_k||^2, relative (zero by (43) at KKT points)."""
    a = p.lambda_w * float(np.sum(p.W**2))
    b = p.lambda_h * float(np.sum(p.n * mean_norms_sq(p)))
    return (a - b) / max(a, b, 1e-300)


def _lemma1_mechanism(p: UFMPoint) -> float:
    """d/ds L_1(s W, H/s) at s = 1 (central differences) against lambda_W ||W||^2 - lambda_H sum n_k x_k:
    the trace identity <W, grad_W L_1> - <H, grad_H L_1> behind (43)."""
    eps = 1e-5
    derivative = (l1(p, (1 + eps) * p.W, 1 / (1 + eps)) - l1(p, (1 - eps) * p.W, 1 / (1 - eps))) / (2 * eps)
    a = p.lambda_w * float(np.sum(p.W**2))
    b = p.lambda_h * float(np.sum(p.n * mean_norms_sq(p)))
    return abs(derivative - (a - b)) / scale(a, b)


def _lemma1_at_minimizer(p: UFMPoint) -> float:
    """|(43)| relative at a certified KKT point (NOT_KKT otherwise)."""
    return abs(_lemma1_gap(p)) if _is_kkt(p) else NOT_KKT


def _eq36_sides(p: UFMPoint, c1: float, c3: float) -> tuple[float, float]:
    """(36): N(K-1)/c_1 [g - sum_k n_k/N c_{2,k}] and -(c_3 lambda_H/(2 lambda_W) + K(K-1)/(2 c_3)) sum n_k x_k."""
    t = np.sqrt(p.n) / c1 - 1
    lhs = p.n_total * (p.k - 1) / c1 * (g_of(p) - float(np.sum(p.n / p.n_total * c2(t, p.k))))
    total = float(np.sum(p.n * mean_norms_sq(p)))
    return lhs, -(c3 * p.lambda_h / (2 * p.lambda_w) + p.k * (p.k - 1) / (2 * c3)) * total


def _c3_star(p: UFMPoint) -> float:
    """c_3 of eq. (37): sqrt(lambda_W/lambda_H K(K-1))."""
    return float(np.sqrt(p.lambda_w / p.lambda_h * p.k * (p.k - 1)))


def _eq36_violation(case: tuple[UFMPoint, float, float]) -> float:
    """Relative excess of the right side of (36) over its left side at a KKT point."""
    p, fraction, log_c3 = case
    if not _is_kkt(p):
        return NOT_KKT
    lhs, rhs = _eq36_sides(p, fraction * float(np.sqrt(p.n.min())), 10.0**log_c3)
    return rel_excess(rhs, lhs)


def _eq36_equality(p: UFMPoint) -> float:
    """Relative difference of the sides of (36) with c_1 of (41) and c_3 of (37)."""
    if not _is_kkt(p):
        return NOT_KKT
    return rel_diff(*_eq36_sides(p, c1_star(p), _c3_star(p)))


def _eq37(p: UFMPoint) -> float:
    """c_3 measured as sqrt(sum ||h^_m||^2 / ||W||^2) against (37), and the residual of (31) with it."""
    if not _is_kkt(p):
        return NOT_KKT
    hh = h_hat(p)
    measured = float(np.sqrt(np.sum(hh**2) / np.sum(p.W**2)))
    residual = float(np.linalg.norm(_c3_star(p) * p.W + hh.T) / np.linalg.norm(hh))
    return max(rel_diff(measured, _c3_star(p)), residual)


def _eq37_best_c3(case: tuple[UFMPoint, float]) -> float:
    """Right side of (36) at c_3 of (37) minus at c_3 e^u (|u| >= 0.1): c_3 of (37) maximises the bound."""
    p, u = case
    _, best = _eq36_sides(p, c1_star(p), _c3_star(p))
    _, other = _eq36_sides(p, c1_star(p), _c3_star(p) * np.exp(u))
    return (best - other) / scale(best, other)


def _eq38_sides(p: UFMPoint, c1: float) -> tuple[float, float]:
    """(38): g(W H) and -c_1/N sqrt(lambda_H/lambda_W K/(K-1)) sum n_k x_k + sum n_k/N c_{2,k}."""
    t = np.sqrt(p.n) / c1 - 1
    total = float(np.sum(p.n * mean_norms_sq(p)))
    return g_of(p), -c1 / p.n_total * slope(p) * total + float(np.sum(p.n / p.n_total * c2(t, p.k)))


def _eq38_violation(case: tuple[UFMPoint, float]) -> float:
    """Relative excess of the right side of (38) over g at a KKT point, c_1 = fraction sqrt(n_min)."""
    p, fraction = case
    if not _is_kkt(p):
        return NOT_KKT
    lhs, rhs = _eq38_sides(p, fraction * float(np.sqrt(p.n.min())))
    return rel_excess(rhs, lhs)


def _eq38_equality(p: UFMPoint) -> float:
    """Relative difference of the sides of (38) at c_1 of (41)."""
    return rel_diff(*_eq38_sides(p, c1_star(p))) if _is_kkt(p) else NOT_KKT


def _eq38_strict(case: tuple[UFMPoint, float]) -> float:
    """Relative gap of (38) at c_1 = c_1* e^-u."""
    p, u = case
    lhs, rhs = _eq38_sides(p, c1_star(p) * np.exp(-u))
    return -rel_excess(rhs, lhs)


# ------------------------------------------------------------------------------ Step 4: (39)-(42)
def _xi(p: UFMPoint, c1: float, x: np.ndarray) -> float:
    """xi(c_1, x_1..x_K) of Step 4, with t_k = sqrt(n_k)/c_1 - 1."""
    t = np.sqrt(p.n) / c1 - 1
    total = float(np.sum(p.n * x))
    return -c1 / p.n_total * slope(p) * total + float(np.sum(p.n / p.n_total * c2(t, p.k))) + p.lambda_h * total


def _step4_l1(p: UFMPoint) -> float:
    """At a KKT point, L_1 = g + lambda_H sum n_k x_k (Lemma 1 in L_1)."""
    if not _is_kkt(p):
        return NOT_KKT
    rhs = g_of(p) + p.lambda_h * float(np.sum(p.n * mean_norms_sq(p)))
    return rel_diff(l1(p), rhs)


def _step4_xi_constant(case: tuple[UFMPoint, int]) -> float:
    """xi(c_1*, x) = sum_k n_k/N c_{2,k} for arbitrary x >= 0: the x-terms cancel at c_1 of (41)."""
    p, seed = case
    x = np.random.default_rng(seed).uniform(0, 5, p.k)
    t = np.sqrt(p.n) / c1_star(p) - 1
    return rel_diff(_xi(p, c1_star(p), x), float(np.sum(p.n / p.n_total * c2(t, p.k))))


def _step4_value_gap(p: UFMPoint) -> float:
    """L_0 at the minimiser minus xi(c_1*, .) = sum_k n_k/N c_{2,k}; zero iff no class collapses."""
    if not _is_kkt(p):
        return NOT_KKT
    t = np.sqrt(p.n) / c1_star(p) - 1
    bound = float(np.sum(p.n / p.n_total * c2(t, p.k)))
    return (p.objective - bound) / scale(p.objective, bound)


def _step4_unconstrained_value(p: UFMPoint) -> float:
    """sum_k n_k/N c_{2,k}(c_1*) = sum_k g_k(x_bar_k), x_bar of (42) (negative for collapsed classes)."""
    t = np.sqrt(p.n) / c1_star(p) - 1
    lhs = float(np.sum(p.n / p.n_total * c2(t, p.k)))
    rhs = float(np.sum(g_reduced(p, x_bar(p))))
    return rel_diff(lhs, rhs)


def _identity39(case: tuple[UFMPoint, float]) -> float:
    """The identity below (39): c_{2}(t) = log((K-1)t)/(1+t) + log((1+t)/t) for any t > 0, and
    log((K-1) t_k) = sqrt(lambda_H/lambda_W K/(K-1)) sqrt(n_k) x_k with t_k of (28) from the logits
    of the configuration (corrected: sqrt(n_k), erratum dang2024-step4-sqrt-n)."""
    p, log_t = case
    t = 10.0**log_t
    lhs = float(c2(t, p.k))
    first = np.log((p.k - 1) * t) / (1 + t) + np.log((1 + t) / t)
    t_k = t_equality(class_exponents(p), p.k)
    expected = slope(p) * np.sqrt(p.n) * mean_norms_sq(p)
    return max(rel_diff(lhs, first), float(np.max(np.abs(np.log((p.k - 1) * t_k) - expected) / scale(*expected))))


def _eq39_value(p: UFMPoint) -> float:
    """L_0 of eq. (22) at the configuration with norms x equals sum_k g_k(x_k), both in the printed form
    (39) (with t_k of (28) from the logits) and in the simplified form below it."""
    x = mean_norms_sq(p)
    t = t_equality(class_exponents(p), p.k)
    printed = (-slope(p) * p.n * np.sqrt(p.n) * x / (1 + t) / p.n_total
               + p.n / p.n_total * (np.log((p.k - 1) * (1 + t)) / (1 + t) + t / (1 + t) * np.log((1 + t) / t))
               + p.lambda_h * p.n * x)
    return max(rel_diff(p.objective, float(np.sum(printed))), rel_diff(p.objective, float(np.sum(g_reduced(p, x)))))


def dl0_dx(p: UFMPoint, x: np.ndarray, c: int, step: float = 1e-6) -> float:
    """d/dx_c of L_0 (eq. (22), the solver's objective) at the configuration with norms x, by central
    differences with step ``step * max(1, x_c)`` (x_c must exceed the step)."""
    h = step * max(1.0, float(x[c]))
    up, down = np.array(x, dtype=np.float64), np.array(x, dtype=np.float64)
    up[c] += h
    down[c] -= h
    return (at_norms(p, up).objective - at_norms(p, down).objective) / (2 * h)


def _eq40(p: UFMPoint) -> float:
    """g_k'(x_k) of (40) against central differences of L_0 along x_k at the configuration."""
    x = mean_norms_sq(p)
    formula = g_prime(p, x)
    numeric = np.array([dl0_dx(p, x, c) for c in range(p.k)])
    return gradient_error(numeric, formula)


def _eq41_42(p: UFMPoint) -> float:
    """At x* of (42): sqrt(n_k)/(1 + t_k) = c_1 of (41) with t_k of (28) from the logits, and the
    derivative of L_0 along every x_k (central differences, relative to lambda_H n_k) vanishes."""
    x = x_bar(p)
    q = at_norms(p, x)
    t = t_equality(class_exponents(q), p.k)
    c1_dev = float(np.max(np.abs(np.sqrt(p.n) / (1 + t) - c1_star(p)))) / c1_star(p)
    slopes = [abs(dl0_dx(p, x, c)) / (p.lambda_h * p.n[c]) for c in range(p.k)]
    return max(c1_dev, *slopes)


def _collapse_sign(p: UFMPoint) -> float:
    """Number of classes where 'x_bar_k > 0' disagrees with the printed condition
    N sqrt(lambda_W lambda_H)/sqrt(n_k) < sqrt((K-1)/K) (text after (42)); classes within rounding of
    the threshold (|x_bar_k| <= 1e-12 sqrt(lambda_W/lambda_H)) are not counted."""
    condition = p.n_total * np.sqrt(p.lambda_w * p.lambda_h) / np.sqrt(p.n) < np.sqrt((p.k - 1) / p.k)
    xb = np.nan_to_num(x_bar(p), nan=-1.0)
    decided = np.abs(xb) > ROUNDING * np.sqrt(p.lambda_w / p.lambda_h)
    return float(np.sum((condition != (xb > 0)) & decided))


def _collapsed_increasing(case: tuple[UFMPoint, float]) -> float:
    """For a collapsed class (n_k <= C): the derivative of L_0 along x_k at x_k = x > 0, the other
    norms at x*, central differences, relative to lambda_H n_k (must be > 0: g'(x) > 0)."""
    p, x_c = case
    x = np.maximum(np.nan_to_num(x_bar(p), nan=0.0), 0.0)
    gaps = []
    for c in np.flatnonzero(x == 0):
        at = x.copy()
        at[c] = x_c
        gaps.append(dl0_dx(p, at, c, step=1e-7) / (p.lambda_h * p.n[c]))
    return float(min(gaps)) if gaps else float("inf")


# ------------------------------------------------------------------------------ Step 5, Lemma 2, Prop. 1
def _optimal_value(p: UFMPoint) -> float:
    """sum_k g_k(x_k*) with x_k* = max(x_bar_k, 0) (the constant of Steps 4-5)."""
    return float(np.sum(g_reduced(p, np.maximum(np.nan_to_num(x_bar(p), nan=0.0), 0.0))))


def _step5_gap(case: tuple[UFMPoint, int, float]) -> float:
    """min(L_0, L_1) at a feasible point (the minimiser plus Gaussian noise of relative size rho, H
    clipped at 0) minus sum_k g_k(x_k*) (L_0 >= L_1, so this is L_1's gap)."""
    p, seed, rho = case
    rng = np.random.default_rng(seed)
    W = p.W + rho * scale(*p.W.ravel()) * rng.standard_normal(p.W.shape)
    H = np.maximum(p.H + rho * scale(*p.H.ravel()) * rng.standard_normal(p.H.shape), 0.0)
    q = UFMPoint(p.counts, p.lambda_w, p.lambda_h, "perturbed minimiser", seed, W, H)
    bound = _optimal_value(p)
    return min((value - bound) / scale(value, bound) for value in (q.objective, l1(q)))


def _step5_equality(p: UFMPoint) -> float:
    """Relative difference of L_0 and sum_k g_k(x_k*) (Step 5 equality)."""
    return rel_diff(p.objective, _optimal_value(p))


def _lemma2_configuration(p: UFMPoint) -> float:
    """At the configuration (orthogonal means, w_k of (10)): (48) sum_k w_k = 0; (49) z_k^(m) =
    -sqrt(1/(K(K-1))) sqrt(lambda_H/lambda_W) sqrt(n_k) x_k for all m != k; (50) sum_m z_k^(m) = 0 and
    K z_k^(k) = sqrt(K(K-1)) sqrt(lambda_H/lambda_W) sqrt(n_k) x_k; (46) t_k of (28) from the logits."""
    Zbar, x = p.W @ p.means, mean_norms_sq(p)
    k, root = p.k, float(np.sqrt(p.lambda_h / p.lambda_w))
    z_scale = scale(*Zbar.ravel())
    other = -root / np.sqrt(k * (k - 1)) * np.sqrt(p.n) * x
    wrong = ~np.eye(k, dtype=bool)
    dev = [float(np.linalg.norm(p.W.sum(axis=0)) / scale(*np.linalg.norm(p.W, axis=1))),
           float(np.max(np.abs((Zbar - other[None, :])[wrong])) / z_scale),
           float(np.max(np.abs(Zbar.sum(axis=0))) / z_scale),
           float(np.max(np.abs(k * np.diagonal(Zbar) - np.sqrt(k * (k - 1)) * root * np.sqrt(p.n) * x)) / z_scale)]
    t = t_equality(class_exponents(p), k)
    t46 = np.exp(np.sqrt(k / (k - 1)) * root * np.sqrt(p.n) * x) / (k - 1)
    dev.append(float(np.max(np.abs(t - t46) / t46)))
    return max(dev)


def _c1_spread(p: UFMPoint) -> float:
    """(47)/(51): relative spread of sqrt(n_k)/(1 + t_k) over the classes (t_k of (28) from the logits)."""
    c1 = np.sqrt(p.n) / (1 + t_equality(class_exponents(p), p.k))
    return float((c1.max() - c1.min()) / c1.max())


def _lemma2_at_minimizer(p: UFMPoint) -> float:
    """(44) orthogonality, (47)/(51) common c_1 and its value (41), at a certified KKT point."""
    if not _is_kkt(p):
        return NOT_KKT
    c1 = np.sqrt(p.n) / (1 + t_equality(class_exponents(p), p.k))
    gram = p.means.T @ p.means
    orth = float(np.max(np.abs(gram - np.diag(np.diagonal(gram))))) / scale(*np.diagonal(gram))
    return max(_c1_spread(p), float(np.max(np.abs(c1 - c1_star(p)))) / c1_star(p), orth)


def _prop1_deviation(p: UFMPoint, q: np.ndarray, factor: float) -> float:
    """max |W W^T - G| relative to max(1, max_k ||w_k||^2), G of the Prop. 1 derivation in weights q_m:
    G_kk = factor ((K-1)^2 q_k + sum_{m != k} q_m), G_kj = factor (-(K-1) q_k - (K-1) q_j + sum_{m != k,j} q_m)."""
    k, total = p.k, float(np.sum(q))
    expected = factor * (total - k * (q[:, None] + q[None, :]))
    np.fill_diagonal(expected, factor * ((k - 1) ** 2 * q + total - q))
    gram = p.W @ p.W.T
    return float(np.max(np.abs(gram - expected)) / scale(*np.diagonal(gram)))


def _prop1_in_x(p: UFMPoint) -> float:
    """W W^T at the configuration against the first lines of the Prop. 1 derivation (end of Sec. 7):
    ||w_k||^2 = (lambda_H/lambda_W)/(K(K-1)) ((K-1)^2 n_k x_k + sum_{m != k} n_m x_m) and, k != j,
    w_k^T w_j = (lambda_H/lambda_W)/(K(K-1)) (-(K-1) n_k x_k - (K-1) n_j x_j + sum_{m != k, j} n_m x_m)."""
    return _prop1_deviation(p, p.n * mean_norms_sq(p), p.lambda_h / p.lambda_w / (p.k * (p.k - 1)))


def _prop1_in_m(p: UFMPoint) -> float:
    """At the minimiser, W W^T against the last lines of the Prop. 1 derivation with M_k measured as
    the margin z_k^(k) - z_k^(m) of the class-mean logits: ||w_k||^2 = sqrt(lambda_H/lambda_W)
    ((K-1)^2 sqrt(n_k) M_k + sum_{m != k} sqrt(n_m) M_m) / (K sqrt(K(K-1))), and the same for w_k^T w_j."""
    if not _is_kkt(p):
        return NOT_KKT
    M = class_margins(p.W, p.H, p.labels)
    factor = float(np.sqrt(p.lambda_h / p.lambda_w)) / (p.k * np.sqrt(p.k * (p.k - 1)))
    return _prop1_deviation(p, np.sqrt(p.n) * M, factor)


# ------------------------------------------------------------------------------------ strategies
def _fractions() -> st.SearchStrategy[float]:
    """f in [0.05, 0.95]: c_1 = f sqrt(n_min) (or f (K-1)/K sqrt(n_min))."""
    return st.floats(0.05, 0.95)


_ASSUME = ("K >= 2 classes with n_k samples (N in total), d >= K, lambda_W, lambda_H > 0, features H >= 0; "
           "instances drawn by hypothesis (derandomised)")


def _claim(step: str, statement: str, checks: list, assumptions: str = _ASSUME,
           statement_tex: str | None = None) -> Claim:
    """A proof-step claim of dang2024 with id 'dang2024 proof <step>': a step of Sec. 7's proof of Thm 1,
    or of the derivation of Prop. 1."""
    proves = f"{PAPER} Prop. 1" if "Prop. 1" in step else f"{PAPER} Thm 1"
    return Claim(f"{PAPER} proof {step}", PAPER, statement, assumptions, tuple(checks), kind="proof step",
                 proves=proves, statement_tex=statement_tex)


CLAIMS: list[Claim] = [
    _claim("Step 1 (22)-(25) identities",
           "L_0 of (22) = (1/N) sum_k sum_i log(1 + sum_{m != k} exp(z_{k,i}^(m) - z_{k,i}^(k))) + regulariser; "
           "sum_{m != k} (z^(m) - z^(k))/(K-1) = (sum_m z^(m) - K z^(k))/(K-1); and the class average of these "
           "exponents is the exponent of z_k = W h_k (the equalities of the Step 1 chain)",
           bound_checks("L_0 from the solver's objective vs the rewritten sum; exponents two ways; class "
                        "average vs class-mean logits (max relative difference)",
                        lambda m: ufm_points(m, signed=True), _step1_rewrite),
           statement_tex=(r"$L_0$ of (22) $= \frac{1}{N}\sum_k\sum_i \log\bigl(1 + \sum_{m\ne k} e^{z_{k,i}^{(m)} - "
                          r"z_{k,i}^{(k)}}\bigr) +$ regulariser; $\sum_{m\ne k}(z^{(m)} - z^{(k)})/(K-1) = (\sum_m "
                          r"z^{(m)} - K z^{(k)})/(K-1)$; and the class average of these exponents is the exponent of "
                          r"$z_k = W h_k$ (the equalities of the Step 1 chain)")),
    _claim("(24)",
           "Jensen: sum_{m != k} exp(z^(m) - z^(k)) >= (K-1) exp(sum_{m != k} (z^(m) - z^(k))/(K-1)) for every "
           "sample, with equality iff z^(m) = z^(l) for all m, l != k",
           bound_checks("holds for every sample of generic (W, H) (relative excess of the right side)",
                        lambda m: ufm_points(m, signed=True), lambda p: -_eq24_gap(p))
           + bound_checks("equality on instances whose wrong-class logits are equal (relative difference)",
                          lambda m: ufm_points(m, features="equal_wrong_logits"), _eq24_difference)
           + strict_checks("strict for every sample when K >= 3 and the wrong-class logits differ (by >= 0.5)",
                           lambda m: ufm_points(m, features="separated", min_k=3), _eq24_gap),
           statement_tex=(r"Jensen: $\sum_{m\ne k} e^{z^{(m)} - z^{(k)}} \ge (K-1)\exp\bigl(\sum_{m\ne k}(z^{(m)} - "
                          r"z^{(k)})/(K-1)\bigr)$ for every sample, with equality iff $z^{(m)} = z^{(l)}$ for all $m, l "
                          r"\ne k$")),
    _claim("(25)",
           "Jensen for the convex phi(s) = log(1 + (K-1) e^s): sum_i phi(s_{k,i}) >= n_k phi((1/n_k) sum_i s_{k,i}) "
           "per class, with equality when the features of the class coincide (h_{k,i} = h_{k,j})",
           bound_checks("holds per class on generic (W, H)", lambda m: ufm_points(m, signed=True),
                        lambda p: -float(np.min(_eq25_gaps(p))))
           + bound_checks("equality on collapsed features", lambda m: ufm_points(m, features="collapsed"),
                          lambda p: float(np.max(np.abs(_eq25_gaps(p)))))
           + strict_checks("strict per class with n_k >= 2 samples whose exponents differ (by >= 0.5)",
                           lambda m: ufm_points(m, features="separated", min_n=2),
                           lambda p: _multi_sample_min(_eq25_gaps(p), p)),
           statement_tex=(r"Jensen for the convex $\phi(s) = \log(1 + (K-1)e^s)$: $\sum_i \phi(s_{k,i}) \ge "
                          r"n_k\,\phi\bigl(\frac{1}{n_k}\sum_i s_{k,i}\bigr)$ per class, with equality when the features "
                          r"of the class coincide ($h_{k,i} = h_{k,j}$)")),
    _claim("Step 1 feature norms",
           "sum_{i=1}^{n_k} ||h_{k,i}||^2 >= (1/n_k) ||sum_{i=1}^{n_k} h_{k,i}||^2 per class, with equality iff "
           "h_{k,i} = h_{k,j} for all i, j (corrected index: the paper prints sum_{k=1}^K h_{k,i}, erratum "
           "dang2024-step1-norm-index)",
           bound_checks("holds per class on generic H", lambda m: ufm_points(m, signed=True),
                        lambda p: -float(np.min(_norm_gaps(p))))
           + bound_checks("equality on collapsed features", lambda m: ufm_points(m, features="collapsed"),
                          lambda p: float(np.max(np.abs(_norm_gaps(p)))))
           + strict_checks("strict per class with n_k >= 2 distinct features", lambda m: ufm_points(m, min_n=2),
                           lambda p: _multi_sample_min(_norm_gaps(p), p)),
           statement_tex=(r"$\sum_{i=1}^{n_k}\lVert h_{k,i}\rVert^2 \ge \frac{1}{n_k}\bigl\lVert\sum_{i=1}^{n_k} "
                          r"h_{k,i}\bigr\rVert^2$ per class, with equality iff $h_{k,i} = h_{k,j}$ for all $i, j$ "
                          r"(corrected index: the paper prints $\sum_{k=1}^K h_{k,i}$, erratum "
                          r"dang2024-step1-norm-index)")),
    _claim("Step 1 L_0 >= L_1",
           "L_0(W, H) >= L_1(W, H) = g(W H) + lambda_W/2 ||W||^2 + lambda_H/2 sum_k n_k ||h_k||^2 (g of (23)), with "
           "equality when the features collapse to their class means and the wrong-class logits of each class "
           "mean are equal",
           bound_checks("holds on generic (W, H >= 0) (L_0 from the solver, L_1 from the class means)",
                        ufm_points, lambda p: -_l0_minus_l1(p))
           + bound_checks("equality on collapsed features with equal wrong-class logits",
                          lambda m: ufm_points(m, features="equal_wrong_logits"), lambda p: abs(_l0_minus_l1(p)))
           + strict_checks("strict on generic (W, H) with n_k >= 2", lambda m: ufm_points(m, min_n=2), _l0_minus_l1),
           statement_tex=(r"$L_0(W, H) \ge L_1(W, H) = g(WH) + \frac{\lambda_W}{2}\lVert W\rVert^2 + "
                          r"\frac{\lambda_H}{2}\sum_k n_k\lVert h_k\rVert^2$ ($g$ of (23)), with equality when the "
                          r"features collapse to their class means and the wrong-class logits of each class mean are "
                          r"equal")),
    _claim("(26)-(28)",
           "Step 2: for every t_k > 0, phi(s_k) >= c_{1,k}/(K-1) (sum_m z_k^(m) - K z_k^(k))/sqrt(n_k) + c_{2,k} with "
           "c_{1,k} = sqrt(n_k)/(1+t_k), c_{2,k} of (27); equality iff t_k = [(K-1) exp(s_k)]^{-1} (28)",
           bound_checks("holds for t in [1e-3, 1e3] (log scale) on generic class means",
                        lambda m: st.tuples(ufm_points(m, signed=True), st.floats(-3.0, 3.0)), _step2_violation)
           + bound_checks("equality at t_k of (28) computed from the logits",
                          lambda m: ufm_points(m, signed=True), _step2_equality)
           + strict_checks("strict at t = t_k e^u, 0.2 <= |u| <= 2 (moderate exponents: separated logits; for "
                           "|s| >> 1 the gap falls below rounding)",
                           lambda m: st.tuples(ufm_points(m, features="separated"), shifts()), _step2_strict),
           statement_tex=(r"Step 2: for every $t_k > 0$, $\phi(s_k) \ge \frac{c_{1,k}}{K-1}\,\frac{\sum_m z_k^{(m)} - K "
                          r"z_k^{(k)}}{\sqrt{n_k}} + c_{2,k}$ with $c_{1,k} = \sqrt{n_k}/(1+t_k)$, $c_{2,k}$ of (27); "
                          r"equality iff $t_k = [(K-1)e^{s_k}]^{-1}$ (28)")),
    _claim("(29)",
           "Step 3: with a common c_1 in (0, sqrt(n_min)) (t_k = sqrt(n_k)/c_1 - 1 > 0; the proof's 'any c_1 > 0' "
           "needs this, erratum dang2024-proof-gap-tk), (K-1)/c_1 [g(WH) - sum_k n_k/N c_{2,k}] >= (1/N) sum_k "
           "sqrt(n_k) (sum_m w_m h_k - K w_k h_k) = (1/N) sum_m w_m (sum_k sqrt(n_k) h_k - K sqrt(n_m) h_m), with "
           "equality iff every class meets (28) at the common c_1",
           bound_checks("inequality and the regrouping equality on generic (W, H), c_1 = f sqrt(n_min), "
                        "f in [0.05, 0.95]", lambda m: st.tuples(ufm_points(m, signed=True), _fractions()),
                        _eq29_violation)
           + bound_checks("equality on the Thm 1 configuration whose logits meet (28) at c_1 = f (K-1)/K sqrt(n_min)",
                          lambda m: st.tuples(ufm_configurations(m), _fractions()), _eq29_equality, CLOSED_FORM_AGREEMENT)
           + strict_checks("strict on generic (W, H)", lambda m: st.tuples(ufm_points(m, signed=True), _fractions()),
                           _eq29_strict),
           statement_tex=(r"Step 3: with a common $c_1 \in (0, \sqrt{n_{\min}})$ ($t_k = \sqrt{n_k}/c_1 - 1 > 0$; the "
                          r"proof's 'any $c_1 > 0$' needs this, erratum dang2024-proof-gap-tk), "
                          r"$\frac{K-1}{c_1}\bigl[g(WH) - \sum_k \frac{n_k}{N}c_{2,k}\bigr] \ge "
                          r"\frac{1}{N}\sum_k\sqrt{n_k}\bigl(\sum_m w_m^\top h_k - K w_k^\top h_k\bigr) = "
                          r"\frac{1}{N}\sum_m w_m^\top\bigl(\sum_k\sqrt{n_k}\,h_k - K\sqrt{n_m}\,h_m\bigr)$, with "
                          r"equality iff every class meets (28) at the common $c_1$")),
    _claim("(30)-(31)",
           "For c_3 > 0: sum_m <w_m, h^_m> >= -c_3/2 ||W||_F^2 - 1/(2 c_3) sum_m ||h^_m||^2, with equality iff "
           "c_3 w_m = -h^_m for every m (31) (u^T v >= -c/2 ||u||^2 - 1/(2c) ||v||^2 in R^d)",
           bound_checks("holds on generic (W, H), c_3 in [1e-2, 1e2]",
                        lambda m: st.tuples(ufm_points(m, signed=True), log_uniform(1e-2, 1e2)), _eq30_violation)
           + bound_checks("equality at W = -h^/c_3 (31)",
                          lambda m: st.tuples(ufm_points(m, signed=True), log_uniform(1e-2, 1e2)), _eq30_equality)
           + strict_checks("strict on generic (W, H)",
                           lambda m: st.tuples(ufm_points(m, signed=True), log_uniform(1e-2, 1e2)), _eq30_strict),
           statement_tex=(r"For $c_3 > 0$: $\sum_m\langle w_m, \hat{h}_m\rangle \ge -\frac{c_3}{2}\lVert W\rVert_F^2 - "
                          r"\frac{1}{2c_3}\sum_m\lVert\hat{h}_m\rVert^2$, with equality iff $c_3 w_m = -\hat{h}_m$ for "
                          r"every $m$ (31) ($u^\top v \ge -\frac{c}{2}\lVert u\rVert^2 - \frac{1}{2c}\lVert v\rVert^2$ "
                          r"in $\mathbb{R}^d$)")),
    _claim("(32)",
           "sum_m ||h^_m||^2 = K^2 sum_m n_m ||h_m||^2 - K ||sum_k sqrt(n_k) h_k||^2 for any class means",
           bound_checks("identity on generic (signed) class means", lambda m: ufm_points(m, signed=True), _eq32),
           statement_tex=(r"$\sum_m\lVert\hat{h}_m\rVert^2 = K^2\sum_m n_m\lVert h_m\rVert^2 - "
                          r"K\bigl\lVert\sum_k\sqrt{n_k}\,h_k\bigr\rVert^2$ for any class means")),
    _claim("(33)",
           "For non-negative features ||sum_k sqrt(n_k) h_k||^2 >= sum_k n_k ||h_k||^2, with equality iff "
           "<h_k, h_l> = 0 for all k != l",
           bound_checks("holds on generic H >= 0", ufm_points, lambda p: -_eq33_gap(p))
           + bound_checks("equality on pairwise orthogonal (disjoint-support) class means",
                          lambda m: ufm_points(m, features="orthogonal"), lambda p: abs(_eq33_gap(p)))
           + strict_checks("strict on generic H > 0", ufm_points, _eq33_gap),
           statement_tex=(r"For non-negative features $\bigl\lVert\sum_k\sqrt{n_k}\,h_k\bigr\rVert^2 \ge \sum_k "
                          r"n_k\lVert h_k\rVert^2$, with equality iff $\langle h_k, h_l\rangle = 0$ for all $k \ne l$")),
    _claim("(34)",
           "For non-negative features sum_m ||h^_m||^2 <= K(K-1) sum_k n_k ||h_k||^2, with equality iff the class "
           "means are pairwise orthogonal",
           bound_checks("holds on generic H >= 0", ufm_points, lambda p: -_eq34_gap(p))
           + bound_checks("equality on pairwise orthogonal class means",
                          lambda m: ufm_points(m, features="orthogonal"), lambda p: abs(_eq34_gap(p)))
           + strict_checks("strict on generic H > 0", ufm_points, _eq34_gap),
           statement_tex=(r"For non-negative features $\sum_m\lVert\hat{h}_m\rVert^2 \le K(K-1)\sum_k n_k\lVert "
                          r"h_k\rVert^2$, with equality iff the class means are pairwise orthogonal")),
    _claim("Lemma 1 (35)/(43)",
           "At KKT points of L_1 (H >= 0), ||W||_F^2 = lambda_H/lambda_W sum_k n_k ||h_k||^2. Corrected proof "
           "(erratum dang2024-dual-variables): not from grad_H L_1 = 0 but from lambda_W ||W||^2 - lambda_H sum_k "
           "n_k x_k = <W, grad_W L_1> - <H, grad_H L_1> = d/ds L_1(sW, H/s) at s = 1, zero at any KKT point "
           "(the direction (W, -H) is feasible both ways)",
           bound_checks("the trace identity d/ds L_1(sW, H/s) = lambda_W ||W||^2 - lambda_H sum n_k x_k on generic "
                        "(W, H) (central differences)", lambda m: ufm_points(m, signed=True), _lemma1_mechanism,
                        FINITE_DIFFERENCE)
           + bound_checks(f"(43) at closed-form minimisers certified as KKT points of (4) (residual <= {KKT_POINT:g})",
                          lambda m: ufm_minimizers(m), _lemma1_at_minimizer, CLOSED_FORM_AGREEMENT)
           + strict_checks("fails at generic (non-critical) points, so criticality is needed",
                           ufm_points, lambda p: abs(_lemma1_gap(p))),
           statement_tex=(r"At KKT points of $L_1$ ($H \ge 0$), $\lVert W\rVert_F^2 = \frac{\lambda_H}{\lambda_W}\sum_k "
                          r"n_k\lVert h_k\rVert^2$. Corrected proof (erratum dang2024-dual-variables): not from "
                          r"$\nabla_H L_1 = 0$ but from $\lambda_W\lVert W\rVert^2 - \lambda_H\sum_k n_k x_k = \langle "
                          r"W, \nabla_W L_1\rangle - \langle H, \nabla_H L_1\rangle = \frac{d}{ds}L_1(sW, "
                          r"H/s)\big|_{s=1}$, zero at any KKT point (the direction $(W, -H)$ is feasible both ways)")),
    _claim("(36)-(37)",
           "At KKT points, for c_1 in (0, sqrt(n_min)) and c_3 > 0: N(K-1)/c_1 [g - sum_k n_k/N c_{2,k}] >= "
           "-(c_3 lambda_H/(2 lambda_W) + K(K-1)/(2 c_3)) sum_k n_k x_k; c_3^2 = sum ||h^_k||^2/sum ||w_k||^2 = "
           "lambda_W/lambda_H K(K-1) at the equality conditions (37) (index corrected to K sqrt(n_m) h_m, erratum "
           "dang2024-lemma2-index), which is the c_3 maximising the bound; equality at the minimiser with c_1 of (41)",
           bound_checks("holds at KKT minimisers for c_1 = f sqrt(n_min), c_3 in [1e-2, 1e2]",
                        lambda m: st.tuples(ufm_minimizers(m), _fractions(), st.floats(-2.0, 2.0)), _eq36_violation)
           + bound_checks("equality at no-collapse minimisers with c_1 of (41) and c_3 of (37)",
                          lambda m: ufm_minimizers(m, "no_collapse"), _eq36_equality, CLOSED_FORM_AGREEMENT)
           + bound_checks("(37): c_3 measured from (W, h^) and the residual of (31) at no-collapse minimisers",
                          lambda m: ufm_minimizers(m, "no_collapse"), _eq37, CLOSED_FORM_AGREEMENT)
           + strict_checks("c_3 of (37) maximises the right side of (36): strictly larger than at c_3 e^u",
                           lambda m: st.tuples(ufm_minimizers(m, "no_collapse"), shifts()), _eq37_best_c3),
           statement_tex=(r"At KKT points, for $c_1 \in (0, \sqrt{n_{\min}})$ and $c_3 > 0$: $\frac{N(K-1)}{c_1}\bigl[g "
                          r"- \sum_k\frac{n_k}{N}c_{2,k}\bigr] \ge -\bigl(\frac{c_3\lambda_H}{2\lambda_W} + "
                          r"\frac{K(K-1)}{2c_3}\bigr)\sum_k n_k x_k$; $c_3^2 = "
                          r"\sum_k\lVert\hat{h}_k\rVert^2/\sum_k\lVert w_k\rVert^2 = \frac{\lambda_W}{\lambda_H}K(K-1)$ "
                          r"at the equality conditions (37) (index corrected to $K\sqrt{n_m}\,h_m$, erratum "
                          r"dang2024-lemma2-index), which is the $c_3$ maximising the bound; equality at the minimiser "
                          r"with $c_1$ of (41)")),
    _claim("(38)",
           "At KKT points, for c_1 in (0, sqrt(n_min)): g(WH) >= -c_1/N sqrt(lambda_H/lambda_W K/(K-1)) sum_k n_k x_k "
           "+ sum_k n_k/N c_{2,k}; equality at the minimiser iff c_1 = N sqrt((K-1)/K lambda_W lambda_H) (41) "
           "(square root corrected, erratum dang2024-mbar-sqrt) and no class collapses",
           bound_checks("holds at KKT minimisers (any regime) for c_1 = f sqrt(n_min)",
                        lambda m: st.tuples(ufm_minimizers(m), _fractions()), _eq38_violation)
           + bound_checks("equality at no-collapse minimisers with c_1 of (41)",
                          lambda m: ufm_minimizers(m, "no_collapse"), _eq38_equality, CLOSED_FORM_AGREEMENT)
           + strict_checks("strict at no-collapse minimisers for c_1 = c_1* e^-u, u in [0.2, 2]",
                           lambda m: st.tuples(ufm_minimizers(m, "no_collapse"), st.floats(0.2, 2.0)),
                           _eq38_strict),
           statement_tex=(r"At KKT points, for $c_1 \in (0, \sqrt{n_{\min}})$: $g(WH) \ge "
                          r"-\frac{c_1}{N}\sqrt{\frac{\lambda_H}{\lambda_W}\frac{K}{K-1}}\sum_k n_k x_k + "
                          r"\sum_k\frac{n_k}{N}c_{2,k}$; equality at the minimiser iff $c_1 = "
                          r"N\sqrt{\frac{K-1}{K}\lambda_W\lambda_H}$ (41) (square root corrected, erratum "
                          r"dang2024-mbar-sqrt) and no class collapses")),
    _claim("Step 4 xi",
           "At KKT points L_1 = g + lambda_H sum_k n_k x_k >= xi(c_1, x); at c_1 of (41) the x-terms cancel: "
           "xi(c_1, x) = sum_k n_k/N c_{2,k} = sum_k g_k(x_bar_k) for every x, which equals the minimum "
           "sum_k g_k(x_k*) of L_0 iff no class collapses. Corrected: with a collapsed class (n_k <= C, even with "
           "t_k > 0) x_bar_k < 0 and the bound is strictly below the minimum (erratum dang2024-step4-collapse)",
           bound_checks("L_1 = g + lambda_H sum n_k x_k at KKT minimisers (any regime)",
                        lambda m: ufm_minimizers(m), _step4_l1)
           + bound_checks("xi(c_1*, x) = sum_k n_k/N c_{2,k} for random x in [0, 5]^K (no-collapse settings)",
                          lambda m: st.tuples(ufm_minimizers(m, "no_collapse"), SEEDS),
                          _step4_xi_constant)
           + bound_checks("sum_k n_k/N c_{2,k}(c_1*) = sum_k g_k(x_bar_k), also with collapsed classes (t_k > 0)",
                          lambda m: st.one_of(ufm_minimizers(m, "no_collapse"),
                                              ufm_minimizers(m, "collapse_t_positive")),
                          _step4_unconstrained_value)
           + bound_checks("the bound equals L_0 at no-collapse minimisers", lambda m: ufm_minimizers(m, "no_collapse"),
                          lambda p: abs(_step4_value_gap(p)), CLOSED_FORM_AGREEMENT)
           + strict_checks("the bound is strictly below L_0 at minimisers with a collapsed class (t_k > 0)",
                           lambda m: ufm_minimizers(m, "collapse_t_positive"), _step4_value_gap),
           statement_tex=(r"At KKT points $L_1 = g + \lambda_H\sum_k n_k x_k \ge \xi(c_1, x)$; at $c_1$ of (41) the "
                          r"$x$-terms cancel: $\xi(c_1, x) = \sum_k\frac{n_k}{N}c_{2,k} = \sum_k g_k(\bar{x}_k)$ for "
                          r"every $x$, which equals the minimum $\sum_k g_k(x_k^*)$ of $L_0$ iff no class collapses. "
                          r"Corrected: with a collapsed class ($n_k \le C$, even with $t_k > 0$) $\bar{x}_k < 0$ and the "
                          r"bound is strictly below the minimum (erratum dang2024-step4-collapse)")),
    _claim("Step 4 identity below (39)",
           "c_{2,k} = log((K-1)t)/(1+t) + log((1+t)/t) for t > 0, and with t of (46), log((K-1)t) = "
           "sqrt(lambda_H/lambda_W K/(K-1)) sqrt(n_k) x (corrected: sqrt(n_k), not n_k; erratum "
           "dang2024-step4-sqrt-n)",
           bound_checks("identity in t in [1e-3, 1e3]; log((K-1) t_k) from the logits of the Thm 1 configuration",
                        lambda m: st.tuples(ufm_configurations(m), st.floats(-3.0, 3.0)), _identity39, LOG_RANGE_IDENTITY),
           statement_tex=(r"$c_{2,k} = \frac{\log((K-1)t)}{1+t} + \log\frac{1+t}{t}$ for $t > 0$, and with $t$ of (46), "
                          r"$\log((K-1)t) = \sqrt{\frac{\lambda_H}{\lambda_W}\frac{K}{K-1}}\sqrt{n_k}\,x$ (corrected: "
                          r"$\sqrt{n_k}$, not $n_k$; erratum dang2024-step4-sqrt-n)")),
    _claim("(39)-(40)",
           "On the configuration of Lemma 2 with norms x_k, L_0 = sum_k g_k(x_k) with g_k of (39) (t of (46)), "
           "= n_k/N log(1 + (K-1) exp(-sqrt(K/(K-1)) sqrt(lambda_H/lambda_W) sqrt(n_k) x)) + lambda_H n_k x, and "
           "g_k' is (40)",
           bound_checks("L_0 (solver) at the configuration vs sum_k g_k(x_k), printed (39) and simplified forms, "
                        "x_k in [1e-3, 3]",
                        ufm_configurations, _eq39_value)
           + bound_checks("(40) against central differences of L_0 along x_k", ufm_configurations, _eq40, FINITE_DIFFERENCE),
           statement_tex=(r"On the configuration of Lemma 2 with norms $x_k$, $L_0 = \sum_k g_k(x_k)$ with $g_k$ of (39) "
                          r"($t$ of (46)), $g_k(x) = \frac{n_k}{N}\log\bigl(1 + "
                          r"(K-1)\exp\bigl(-\sqrt{\tfrac{K}{K-1}}\sqrt{\tfrac{\lambda_H}{\lambda_W}}\sqrt{n_k}\,x\bigr)\bigr) "
                          r"+ \lambda_H n_k x$, and $g_k'$ is (40)")),
    _claim("(41)-(42)",
           "g_k'(x*) = 0 at x* = sqrt((K-1)/K lambda_W/lambda_H / n_k) log((K-1)(sqrt(n_k)/c_1 - 1)), c_1 = "
           "sqrt(n_k)/(1+t_k) = N sqrt((K-1)/K lambda_W lambda_H) (corrected square root, erratum "
           "dang2024-mbar-sqrt); x* > 0 iff N sqrt(lambda_W lambda_H)/sqrt(n_k) < sqrt((K-1)/K); otherwise "
           "g_k'(x) > 0 for all x > 0 and x_k* = 0",
           bound_checks("at x* (no-collapse settings): c_1 from the logits and the derivative of L_0 along x_k vanish",
                        lambda m: ufm_minimizers(m, "no_collapse"), _eq41_42, FINITE_DIFFERENCE)
           + bound_checks("sign of x_bar_k agrees with the printed condition (count of disagreements)",
                          lambda m: ufm_minimizers(m), _collapse_sign, 0.0)
           + strict_checks("collapsed classes: derivative of L_0 along x_k > 0 at x_k in [1e-3, 3]",
                           lambda m: st.tuples(ufm_minimizers(m, "collapse_t_positive"), st.floats(1e-3, 3.0)),
                           _collapsed_increasing),
           statement_tex=(r"$g_k'(x^*) = 0$ at $x^* = "
                          r"\sqrt{\frac{K-1}{K}\frac{\lambda_W}{\lambda_H}\frac{1}{n_k}}\log\bigl((K-1)(\sqrt{n_k}/c_1 - "
                          r"1)\bigr)$, $c_1 = \sqrt{n_k}/(1+t_k) = N\sqrt{\frac{K-1}{K}\lambda_W\lambda_H}$ (corrected "
                          r"square root, erratum dang2024-mbar-sqrt); $x^* > 0$ iff "
                          r"$N\sqrt{\lambda_W\lambda_H}/\sqrt{n_k} < \sqrt{(K-1)/K}$; otherwise $g_k'(x) > 0$ for all $x "
                          r"> 0$ and $x_k^* = 0$")),
    _claim("Step 5",
           "L_0(W, H) >= L_1(W, H) >= sum_k g_k(x_k*) for every feasible (W, H), with equality at the "
           "configuration of Thm 1 (x_k* = max(x_bar_k, 0), also when classes collapse); strict elsewhere",
           bound_checks("holds at perturbed minimisers (relative noise 1e-3..1, H clipped to >= 0)",
                        lambda m: st.tuples(ufm_minimizers(m), SEEDS, log_uniform(1e-3, 1.0)),
                        lambda case: -_step5_gap(case))
           + bound_checks("equality at the closed-form minimiser (any regime)", lambda m: ufm_minimizers(m),
                          _step5_equality)
           + strict_checks("strict at perturbed minimisers",
                           lambda m: st.tuples(ufm_minimizers(m), SEEDS, log_uniform(1e-2, 1.0)),
                           _step5_gap),
           statement_tex=(r"$L_0(W, H) \ge L_1(W, H) \ge \sum_k g_k(x_k^*)$ for every feasible $(W, H)$, with equality "
                          r"at the configuration of Thm 1 ($x_k^* = \max(\bar{x}_k, 0)$, also when classes collapse); "
                          r"strict elsewhere")),
    _claim("Lemma 2 (44)-(51)",
           "With orthogonal class means (44) and w_k of (45) read as eq. (10) (index corrected, erratum "
           "dang2024-lemma2-index): sum_k w_k = 0 (48); z_k^(m) = -sqrt(1/(K(K-1))) sqrt(lambda_H/lambda_W) "
           "sqrt(n_k) x_k for every m != k (49); sum_m z_k^(m) = 0, K z_k^(k) = sqrt(K(K-1)) "
           "sqrt(lambda_H/lambda_W) sqrt(n_k) x_k and t_k of (28) is (46) (50); c_1 = sqrt(n_k)/(1+t_k) is common "
           "to all classes (47)/(51) exactly at the minimiser",
           bound_checks("(48)-(50) and (46) at the configuration with x_k in [1e-3, 3]", ufm_configurations,
                        _lemma2_configuration, CLOSED_FORM_AGREEMENT)
           + bound_checks("(44), (47)/(51) at no-collapse minimisers: orthogonality, common c_1 = c_1 of (41)",
                          lambda m: ufm_minimizers(m, "no_collapse"), _lemma2_at_minimizer, CLOSED_FORM_AGREEMENT)
           + strict_checks("(47) fails at generic norms x (spread of sqrt(n_k)/(1+t_k))", ufm_configurations,
                           _c1_spread),
           statement_tex=(r"With orthogonal class means (44) and $w_k$ of (45) read as eq. (10) (index corrected, "
                          r"erratum dang2024-lemma2-index): $\sum_k w_k = 0$ (48); $z_k^{(m)} = "
                          r"-\sqrt{\frac{1}{K(K-1)}}\sqrt{\frac{\lambda_H}{\lambda_W}}\sqrt{n_k}\,x_k$ for every $m \ne "
                          r"k$ (49); $\sum_m z_k^{(m)} = 0$, $K z_k^{(k)} = "
                          r"\sqrt{K(K-1)}\sqrt{\frac{\lambda_H}{\lambda_W}}\sqrt{n_k}\,x_k$ and $t_k$ of (28) is (46) "
                          r"(50); $c_1 = \sqrt{n_k}/(1+t_k)$ is common to all classes (47)/(51) exactly at the minimiser")),
    _claim("Prop. 1 derivation",
           "End of Sec. 7: ||w_k||^2 and w_k^T w_j in terms of n_m ||h_m||^2, then of sqrt(n_m) M_m",
           bound_checks("W W^T at the configuration vs the x-form", ufm_configurations, _prop1_in_x, CLOSED_FORM_AGREEMENT)
           + bound_checks("W W^T at minimisers vs the M-form, M_k measured as margins of the logits",
                          lambda m: ufm_minimizers(m), _prop1_in_m, CLOSED_FORM_AGREEMENT),
           statement_tex=(r"End of Sec. 7: $\lVert w_k\rVert^2$ and $w_k^\top w_j$ in terms of $n_m\lVert h_m\rVert^2$, "
                          r"then of $\sqrt{n_m}\,M_m$")),
]
