"""yang2022: the gradient decompositions (8)-(13), the DR gradient (15), and every step of the proofs of
Thm 1 (Appendix A) and Thm 2 (Appendix B) as proof-step claims.

Derivatives are checked against central finite differences of the loss (numpy only, no autograd); the
other steps on random instances drawn by hypothesis (:mod:`proofs_check.claims._instances`): a fixed
simplex ETF W* (:mod:`theory.etf.simplex`, d x K, columns w_k), a feature h of class k (the paper's c) placed
in the ball, on the sphere ||h||^2 = E_H, in the cone cos(h, w_k) >= 0 of Appendix B, or in that cone
with equal wrong-class probabilities (Thm 2's assumption). Both sides of a step are computed from the
objects (h, W*, the softmax probabilities p(h), the projected step); corrected steps name their erratum
(ids of :mod:`proofs_check.errata.yang2022_errata` and :mod:`proofs_check.errata.yang2022_proofs`).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from proofs_check.claims._instances import (bound_checks, etf_points, lpm_points, SEEDS, shifts,
                                            strict_checks)
from proofs_check.model import Claim
from proofs_check.proof_objects.calculus import gradient_error, numeric_gradient, rel_diff, rel_excess, scale
from proofs_check.proof_objects.etf import (ce_gradient, ce_step, ce_terms, cross_entropy, dot_regression, dr_step,
                                            ETFPoint, LPMPoint, m_lines, optimum, probabilities, project, with_gamma,
                                            with_h, wrong_sum)
from theory.core.tolerances import CLOSED_FORM_AGREEMENT, FINITE_DIFFERENCE, ROUNDING
from theory.core.vocabulary import Paper

PAPER = Paper.YANG2022


# ------------------------------------------------------------------------- objects of the proofs


def kkt_multiplier(p: ETFPoint, n: int) -> tuple[float, float]:
    """(mu, residual) at the point's h: the least-squares multiplier of (23), grad (1/N) L_CE + 2 mu h = 0,
    with the gradient from central differences, and the relative residual of (23) with it."""
    grad = ce_gradient(p) / n
    mu = -float(grad @ p.h) / (2 * float(p.h @ p.h))
    return mu, float(np.linalg.norm(grad + 2 * mu * p.h) / np.linalg.norm(grad))


# --------------------------------------------------------------------- Sec. 4.2-4.3: (8)-(15)
def _classifier_gradient(q: LPMPoint) -> float:
    """(8) and (10)-(11) against central differences of sum_i L_CE(h_i, W) in W."""
    y = q.labels

    def total(W: np.ndarray) -> float:
        return sum(cross_entropy(W, q.H[:, i], int(y[i])) for i in range(y.size))

    numeric = numeric_gradient(total, q.W)
    P = np.stack([probabilities(q.W, q.H[:, i]) for i in range(y.size)], axis=1)   # K x N
    own = y[None, :] == np.arange(len(q.counts))[:, None]
    pull = ((1 - P) * own) @ q.H.T                                                   # K x d, row k
    push = -(P * ~own) @ q.H.T
    eq8 = -pull - push
    return max(gradient_error(numeric, eq8.T), gradient_error(-numeric, (pull + push).T))


def _feature_gradient(q: LPMPoint) -> float:
    """(12) and (13) against central differences of L_CE(h, W) in h, for every sample."""
    worst = 0.0
    for i, c in enumerate(q.labels):
        h = q.H[:, i]
        numeric = numeric_gradient(lambda v: cross_entropy(q.W, v, int(c)), h)
        prob = probabilities(q.W, h)
        mask = np.arange(len(q.counts)) != c
        pull = (1 - prob[c]) * q.W[:, c]
        push = -q.W[:, mask] @ prob[mask]
        worst = max(worst, gradient_error(numeric, -pull - push))
    return worst


def _dr_gradient_on_sphere(p: ETFPoint) -> float:
    """(15) on the sphere ||h||^2 = E_H: central differences against -(1 - cos(h, w_c)) w_c."""
    numeric = numeric_gradient(lambda v: dot_regression(p, v), p.h)
    return gradient_error(numeric, -(1 - p.cos) * p.w)


def _dr_gradient_anywhere(p: ETFPoint) -> float:
    """The gradient of (14) at any h: -(1 - w_c^T h / sqrt(E_W E_H)) w_c (which is (15) on the sphere)."""
    numeric = numeric_gradient(lambda v: dot_regression(p, v), p.h)
    return gradient_error(numeric, -(1 - p.w @ p.h / np.sqrt(p.e_w * p.e_h)) * p.w)


# ------------------------------------------------------------------------ Appendix A: (17)-(33)
def _midpoint_gap(case: tuple[ETFPoint, int, bool]) -> float:
    """(L_CE(h_1) + L_CE(h_2))/2 - L_CE((h_1 + h_2)/2), relative, for h_1 the point's feature and h_2 a
    random feature; with ``along_kernel`` h_2 - h_1 is orthogonal to every w_j (where L_CE is constant)."""
    p, seed, along_kernel = case
    v = np.random.default_rng(seed).standard_normal(p.d)
    if along_kernel:
        v -= p.W @ np.linalg.lstsq(p.W, v, rcond=None)[0]
    h2 = p.h + np.sqrt(p.e_h) * v / np.linalg.norm(v)
    ends = 0.5 * (cross_entropy(p.W, p.h, p.label) + cross_entropy(p.W, h2, p.label))
    mid = cross_entropy(p.W, 0.5 * (p.h + h2), p.label)
    return (ends - mid) / scale(ends, mid)


def _lagrangian_gradient(case: tuple[ETFPoint, int, float]) -> float:
    """(19) and its rearrangement (23) against central differences of the Lagrangian (18) of one sample."""
    p, n, mu = case

    def lagrangian(v: np.ndarray) -> float:
        return cross_entropy(p.W, v, p.label) / n + mu * (float(v @ v) - p.e_h)

    numeric = numeric_gradient(lagrangian, p.h)
    prob = probabilities(p.W, p.h)
    k = p.label
    eq19 = -(1 - prob[k]) * p.w / n + wrong_sum(p) / n + 2 * mu * p.h
    mask = np.arange(p.k) != k
    eq23 = (p.W[:, mask] - p.w[:, None]) @ prob[mask] / n + 2 * mu * p.h
    return max(gradient_error(numeric, eq19), gradient_error(numeric, eq23))


def _eq21_value(p: ETFPoint) -> tuple[float, float]:
    """(-w_k^T grad_h L_CE, E_W K/(K-1) sum_{j != k} p_j): w_k^T times the two sides' difference of (20)."""
    prob = probabilities(p.W, p.h)
    return -float(p.w @ ce_gradient(p)), p.e_w * p.k / (p.k - 1) * float(1 - prob[p.label])


def _eq24_identity(case: tuple[ETFPoint, int, float]) -> float:
    """w_j'^T [N grad_h L~] = E_W p_j' K/(K-1) + 2 N mu <h, w_j'> for every j' != k (the left side of (24)
    before the optimality condition sets it to 0), gradient from central differences."""
    p, n, mu = case
    grad = ce_gradient(p) + 2 * n * mu * p.h
    prob = probabilities(p.W, p.h)
    worst = 0.0
    for j in range(p.k):
        if j != p.label:
            lhs = float(p.W[:, j] @ grad)
            rhs = p.e_w * prob[j] * p.k / (p.k - 1) + 2 * n * mu * float(p.h @ p.W[:, j])
            worst = max(worst, abs(lhs - rhs) / scale(p.e_w, 2 * n * mu * p.e_h))
    return worst


def _kkt_at_optimum(case: tuple[ETFPoint, int]) -> float:
    """(22)-(24) at h* = sqrt(E_H/E_W) w_k: ||h*||^2 = E_H, the residual of (23) with its multiplier mu,
    and (24) = 0 for every j' != k."""
    p, n = case
    q = optimum(p)
    mu, residual = kkt_multiplier(q, n)
    prob = probabilities(q.W, q.h)
    eq24 = [p.e_w * prob[j] * p.k / (p.k - 1) + 2 * n * mu * float(q.h @ q.W[:, j])
            for j in range(p.k) if j != p.label]
    return max(rel_diff(float(q.h @ q.h), p.e_h), residual, float(np.max(np.abs(eq24))) / (p.e_w * prob.max()))


def _multiplier_positive(case: tuple[ETFPoint, int]) -> float:
    """2 N mu E_H at h* relative to E_W: positive, so the constraint is active (22)."""
    p, n = case
    mu, _ = kkt_multiplier(optimum(p), n)
    return 2 * n * mu * p.e_h / p.e_w


def _eq25_identity(p: ETFPoint) -> float:
    """p_j/p_j' = exp(<h, w_j>)/exp(<h, w_j'>) for all j, j' (softmax, any h)."""
    prob = probabilities(p.W, p.h)
    z = p.W.T @ p.h
    return float(np.max(np.abs(prob[:, None] / prob[None, :] - np.exp(z[:, None] - z[None, :]))
                        / np.exp(np.abs(z[:, None] - z[None, :]))))


def _eq25_26_at_optimum(p: ETFPoint) -> float:
    """At h*: p_j/p_j' = <h*, w_j>/<h*, w_j'> (25) and <h*, w_j> = C, p_j = p for all j, j' != k (26)."""
    q = optimum(p)
    prob = probabilities(q.W, q.h)
    z = q.W.T @ q.h
    wrong = np.arange(p.k) != p.label
    ratio_dev = np.abs(prob[wrong][:, None] / prob[wrong][None, :] - z[wrong][:, None] / z[wrong][None, :])
    spread = (np.ptp(z[wrong]) / abs(z[wrong]).max(), np.ptp(prob[wrong]) / prob[wrong].max())
    return max(float(ratio_dev.max()), *spread)


def _exp_over_x_decreasing(case: tuple[float, float]) -> float:
    """f(x) = exp(x)/x at x_1 < x_2 < 0: the relative gap f(x_1) - f(x_2) (positive: strictly decreasing)."""
    x1, r = case
    x2 = r * x1
    f1, f2 = np.exp(x1) / x1, np.exp(x2) / x2
    return float((f1 - f2) / max(abs(f1), abs(f2)))


def _optimum_constants(case: tuple[ETFPoint, int]) -> tuple[ETFPoint, float, float, float, np.ndarray]:
    """(h*, mu, C, p, probabilities) at the optimum, measured: mu from (23), C = <h*, w_j>, p = p_j (j != k)."""
    p, n = case
    q = optimum(p)
    mu, _ = kkt_multiplier(q, n)
    prob = probabilities(q.W, q.h)
    j = (p.label + 1) % p.k
    return q, mu, float(q.h @ q.W[:, j]), float(prob[j]), prob


def _eq27_29(case: tuple[ETFPoint, int]) -> float:
    """(27) p = (1-K)/K 2 N mu C/E_W, (28) 1 - p_k = (K-1) p = (1-K)(K-1)/K 2 N mu C/E_W and
    (29) 1 - p_k + p = (1-K) 2 N mu C/E_W, every quantity measured at h*."""
    p, n = case
    q, mu, c, pj, prob = _optimum_constants(case)
    base = 2 * n * mu * c / p.e_w
    k, pk = p.k, float(prob[p.label])

    def relative(measured: float, formula: float) -> float:
        return abs(measured - formula) / abs(measured)

    return max(relative(pj, (1 - k) / k * base), relative(1 - pk, (k - 1) * pj),
               relative(1 - pk, (1 - k) * (k - 1) / k * base), relative(1 - pk + pj, (1 - k) * base))


def _eq30_33(case: tuple[ETFPoint, int]) -> float:
    """(30) h* = [(1 - p_k) w_k - sum_{j != k} p_j w_j]/(2 N mu); (31) = (1-K) C/E_W w_k; (32) C =
    -sqrt(E_H E_W)/(K-1); (33)/(7) h*^T w_k' = sqrt(E_H E_W)(K/(K-1) delta_kk' - 1/(K-1)); measured at h*."""
    p, n = case
    q, mu, c, _, prob = _optimum_constants(case)
    norm = np.sqrt(p.e_h)
    eq30 = ((1 - prob[p.label]) * p.w - wrong_sum(q)) / (2 * n * mu)
    eq31 = (1 - p.k) * c / p.e_w * p.w
    root = np.sqrt(p.e_h * p.e_w)
    eq7 = root * (p.k / (p.k - 1) * (np.arange(p.k) == p.label) - 1 / (p.k - 1))
    return max(float(np.linalg.norm(eq30 - q.h)) / norm, float(np.linalg.norm(eq31 - q.h)) / norm,
               abs(c + root / (p.k - 1)) / root, float(np.max(np.abs(q.W.T @ q.h - eq7))) / root)


def _optimality_gap(p: ETFPoint) -> float:
    """L_CE(h) - L_CE(h*) for h in the ball (the point's feature projected onto it), relative."""
    h = project(p, p.h)
    a, b = cross_entropy(p.W, h, p.label), cross_entropy(p.W, p.h_star, p.label)
    return (a - b) / scale(a, b)


# ---------------------------------------------------------------------- Appendix B: (34)-(44)


def _eq34(p: ETFPoint) -> float:
    """(34) the DR step is h - gamma (cos - 1) w_k, and its squared norm is E_H - 2 sqrt(E_H E_W) gamma
    (cos - 1) cos + gamma^2 E_W (cos - 1)^2."""
    x, c, g = dr_step(p), p.cos, p.gamma
    expected = p.e_h - 2 * np.sqrt(p.e_h * p.e_w) * g * (c - 1) * c + g**2 * p.e_w * (c - 1) ** 2
    return max(float(np.linalg.norm(x - (p.h - g * (c - 1) * p.w)) / np.linalg.norm(x)),
               rel_diff(float(x @ x), expected))


def _dr_norm_gap(p: ETFPoint) -> float:
    """||h - gamma grad L_DR||^2 - E_H relative to E_H (>= 0 in the cone, so the projection normalises)."""
    x = dr_step(p)
    return (float(x @ x) - p.e_h) / p.e_h


def _dr_cone_invariant(p: ETFPoint) -> float:
    """cos(Proj(h - gamma grad L_DR), w_k) (>= 0: the iterates stay in the cone)."""
    x = project(p, dr_step(p))
    return float(x @ p.w / (np.linalg.norm(x) * np.linalg.norm(p.w)))


def _dr_iterates(p: ETFPoint, steps: int = 20) -> float:
    """Projected DR iterations at gamma = sqrt(E_H/E_W) from the point's feature: the largest of
    |‖h^t‖^2 - E_H|/E_H, -cos(h^t, w_k) and ‖h^{t+1} - h*‖^2/‖h^t - h*‖^2 - (1 + cos(h^t, w_k))/2 over the
    iterations (stopping once ‖h^t - h*‖ < 1e-6 sqrt(E_H)): the induction of Appendix B after (34)."""
    q, worst = with_gamma(p, float(np.sqrt(p.e_h / p.e_w))), 0.0
    for _ in range(steps):
        dist = float(np.sum((q.h - q.h_star) ** 2))
        if dist < ROUNDING * p.e_h:
            break
        nxt = with_h(q, project(q, dr_step(q)))
        ratio = float(np.sum((nxt.h - q.h_star) ** 2)) / dist
        worst = max(worst, abs(float(nxt.h @ nxt.h) - p.e_h) / p.e_h, -nxt.cos, ratio - (1 + q.cos) / 2)
        q = nxt
    return worst


def _nonexpansive_gap(p: ETFPoint) -> float:
    """||x - h*||^2 - ||Proj(x) - h*||^2 relative to ||h - h*||^2 for the DR step x (first line of (35))."""
    x = dr_step(p)
    before, after = float(np.sum((x - p.h_star) ** 2)), float(np.sum((project(p, x) - p.h_star) ** 2))
    return (before - after) / float(np.sum((p.h - p.h_star) ** 2))


def _eq35_expansion(p: ETFPoint) -> float:
    """(35): ||x - h*||^2 expanded, and =a: 2 E_H (1 - cos) - 2 gamma sqrt(E_W E_H)(cos - 1)^2 +
    gamma^2 E_W (cos - 1)^2, with ||h - h*||^2 = 2 E_H (1 - cos)."""
    x, c, g = dr_step(p), p.cos, p.gamma
    e = p.h - p.h_star
    lhs = float(np.sum((x - p.h_star) ** 2))
    line2 = float(e @ e) - 2 * g * (c - 1) * float(e @ p.w) + g**2 * p.e_w * (c - 1) ** 2
    line3 = 2 * p.e_h * (1 - c) - 2 * g * np.sqrt(p.e_w * p.e_h) * (c - 1) ** 2 + g**2 * p.e_w * (c - 1) ** 2
    ref = float(e @ e)
    return max(abs(lhs - line2) / ref, abs(lhs - line3) / ref, rel_diff(float(e @ e), 2 * p.e_h * (1 - c)))


def _dr_at_best_gamma(p: ETFPoint) -> float:
    """(36) at gamma = sqrt(E_H/E_W): ||x - h*||^2 = (1 + cos)/2 ||h - h*||^2 (relative difference)."""
    q = with_gamma(p, float(np.sqrt(p.e_h / p.e_w)))
    x = dr_step(q)
    e2 = float(np.sum((p.h - p.h_star) ** 2))
    return abs(float(np.sum((x - p.h_star) ** 2)) - (1 + p.cos) / 2 * e2) / e2


def _dr_gamma_optimal(case: tuple[ETFPoint, float]) -> float:
    """||x(gamma) - h*||^2 - ||x(gamma*) - h*||^2 for gamma = gamma* e^u, relative to ||h - h*||^2: the
    step of (36) minimises the bound (35) over gamma."""
    p, u = case
    best = float(np.sqrt(p.e_h / p.e_w))
    values = [float(np.sum((dr_step(with_gamma(p, g)) - p.h_star) ** 2)) for g in (best * np.exp(u), best)]
    return (values[0] - values[1]) / float(np.sum((p.h - p.h_star) ** 2))


def _eq37(p: ETFPoint) -> float:
    """(37): ||h - gamma grad L_CE - h*||^2 (central differences) against its expansion (first line) and
    against ||e||^2 + gamma^2 (p_k - 1)^2 E_W + ||gamma sum p_j w_j||^2 + M with M of (38), first line."""
    t, g = ce_terms(p), p.gamma
    pk = t["pk"]
    first = (t["e2"] - 2 * g * (pk - 1) * t["e_w"] + t["a2"] - 2 * g * t["e_sigma"]
             - 2 * g * (1 - pk) * g * t["w_sigma"] + t["b2"])
    m1 = 2 * g * (1 - pk) * t["e_w"] - 2 * g * (1 - pk) * g * t["w_sigma"] - 2 * g * t["e_sigma"]
    second = t["e2"] + g**2 * (pk - 1) ** 2 * p.e_w + t["b2"] + m1
    return max(abs(t["lhs"] - first), abs(t["lhs"] - second)) / scale(t["e2"], t["lhs"])


def _eq38(p: ETFPoint) -> float:
    """Lines 2-4 of (38) (3 and 4 corrected) against line 1, relative to max(1, ||e||^2, gamma^2 E_W)."""
    m = m_lines(p)
    return max(abs(m[key] - m["line1"]) for key in ("line2", "line3", "line4")) / m["scale"]


def _eq39_40(p: ETFPoint) -> float:
    """(39) chain and (40) under equal wrong-class probabilities: 2 gamma (1-p_k) <h, w_k> - 2 gamma
    <h, sum p_j w_j> = -2 gamma <h, (1-p_k) sum_{j != k} w_j + sum p_j w_j> =a -2 gamma <h, K(1-p_k)/(K-1)
    sum_{j != k} w_j> = -2K/(K-1)(1-p_k) gamma sqrt(E_H E_W) sum_{j != k} cos(h, w_j) =b 2K/(K-1)(1-p_k)
    gamma sqrt(E_H E_W) cos(h, w_k); and M (line 1 of (38)) = -2(1-p_k) K/(K-1) gamma sqrt(E_H E_W)
    (1 - cos) + 2 gamma^2 (1-p_k)^2 E_W/(K-1)."""
    prob = probabilities(p.W, p.h)
    pk, g, k, root = float(prob[p.label]), p.gamma, p.k, float(np.sqrt(p.e_h * p.e_w))
    mask = np.arange(k) != p.label
    others = p.W[:, mask].sum(axis=1)
    cos_all = p.W.T @ p.h / (np.linalg.norm(p.W, axis=0) * np.linalg.norm(p.h))
    chain = [2 * g * (1 - pk) * float(p.h @ p.w) - 2 * g * float(p.h @ wrong_sum(p)),
             -2 * g * float(p.h @ ((1 - pk) * others + wrong_sum(p))),
             -2 * g * float(p.h @ (k * (1 - pk) / (k - 1) * others)),
             -2 * k / (k - 1) * (1 - pk) * g * root * float(cos_all[mask].sum()),
             2 * k / (k - 1) * (1 - pk) * g * root * p.cos]
    m40 = -2 * (1 - pk) * k / (k - 1) * g * root * (1 - p.cos) + 2 * g**2 * (1 - pk) ** 2 * p.e_w / (k - 1)
    ref = scale(g * root, g**2 * p.e_w)
    return max(max(abs(c - chain[0]) for c in chain[1:]) / ref, abs(m_lines(p)["line1"] - m40) / ref,
               float(np.ptp(prob[mask]) / prob[mask].max()))


def _eq39a_gap(p: ETFPoint) -> float:
    """|(39) line 2 - line 3| relative: the step =a needs equal wrong-class probabilities."""
    prob = probabilities(p.W, p.h)
    pk, g, k = float(prob[p.label]), p.gamma, p.k
    others = p.W[:, np.arange(k) != p.label].sum(axis=1)
    line2 = -2 * g * float(p.h @ ((1 - pk) * others + wrong_sum(p)))
    line3 = -2 * g * float(p.h @ (k * (1 - pk) / (k - 1) * others))
    return abs(line2 - line3) / (g * np.sqrt(p.e_h * p.e_w) * (1 - pk))


def _s(p: ETFPoint) -> float:
    """s_k = gamma (1 - p_k) K/(K-1) of (41)-(42)."""
    return p.gamma * (1 - float(probabilities(p.W, p.h)[p.label])) * p.k / (p.k - 1)


def _eq41(p: ETFPoint) -> float:
    """(41): ||x - h*||^2 for the CE step (central differences) = 2 E_H (1-cos) - E_H (1-cos)^2 + [the
    objective of (42)], with the objective E_H (1-cos)^2 - 2 s sqrt(E_H E_W)(1-cos) + s^2 E_W; and the
    projected step is no farther from h* (non-expansiveness)."""
    x, c, s = ce_step(p), p.cos, _s(p)
    lhs = float(np.sum((x - p.h_star) ** 2))
    objective = p.e_h * (1 - c) ** 2 - 2 * s * np.sqrt(p.e_h * p.e_w) * (1 - c) + s**2 * p.e_w
    rhs = 2 * p.e_h * (1 - c) - p.e_h * (1 - c) ** 2 + objective
    projected = float(np.sum((project(p, x) - p.h_star) ** 2))
    return max(abs(lhs - rhs) / scale(lhs, rhs), rel_excess(projected, lhs))


def corrected_step(p: ETFPoint) -> float:
    """The gamma minimising (42): (K-1)/K sqrt(E_H/E_W) (1 - cos)/(1 - p_k) (erratum yang2022-appB-step)."""
    pk = float(probabilities(p.W, p.h)[p.label])
    return (p.k - 1) / p.k * float(np.sqrt(p.e_h / p.e_w)) * (1 - p.cos) / (1 - pk)


def _ce_ratio_gap(p: ETFPoint) -> float:
    """||x - h*||^2 / ||h - h*||^2 - (1 + cos)/2 for the (unprojected) CE step: >= 0 for every gamma by
    (42)-(44), = 0 iff gamma is the step of (42)."""
    x = ce_step(p)
    return float(np.sum((x - p.h_star) ** 2) / np.sum((p.h - p.h_star) ** 2)) - (1 + p.cos) / 2


def _cone_symmetric(max_k: int, **kw: object) -> object:
    """Features in the cone with equal wrong-class probabilities (Thm 2's assumption)."""
    return etf_points(max_k, "symmetric", **kw)


def _samples() -> st.SearchStrategy[int]:
    """N in [1, 50] (the 1/N of (17)-(19))."""
    return st.integers(1, 50)


_ETF = ("W* a simplex ETF (d x K, d in [K, K+2], squared column norm E_W in [0.25, 4]), feature bound "
        "E_H in [0.25, 4], N in [1, 50] samples; instances drawn by hypothesis (derandomised)")
_CONE = _ETF + "; h on the sphere ||h||^2 = E_H with cos(h, w_k) >= 0 (Appendix B), gamma in sqrt(E_H/E_W)[1e-2, 10]"


def _proves(step: str) -> str | None:
    """Appendix A ((17)-(33)) proves Thm 1, Appendix B ((34)-(44)) Thm 2; (8)-(15) are the gradient
    derivations of Sec. 4.2, part of no theorem's proof."""
    first = int(step.lstrip("(").split(")")[0])
    if first >= 34:
        return f"{PAPER} Thm 2"
    return f"{PAPER} Thm 1" if first >= 17 else None


def _claim(step: str, statement: str, checks: list, assumptions: str = _ETF,
           statement_tex: str | None = None) -> Claim:
    """A proof-step claim of yang2022 with id 'yang2022 proof <step>'."""
    return Claim(f"{PAPER} proof {step}", PAPER, statement, assumptions, tuple(checks), kind="proof step",
                 proves=_proves(step), statement_tex=statement_tex)


CLAIMS: list[Claim] = [
    _claim("(8)-(11)",
           "grad_{w_k} sum_{k,i} L_CE(h_{k,i}, W) = sum_i -(1 - p_k(h_{k,i})) h_{k,i} + sum_{k' != k} sum_j "
           "p_k(h_{k',j}) h_{k',j} (8) (the gradient of the sum of per-sample losses, N times that of (4)), "
           "and -grad = F_pull + F_push of (11)",
           bound_checks("(8) and (10)-(11) against central differences (relative to the largest entry)",
                        lpm_points, _classifier_gradient, FINITE_DIFFERENCE),
           assumptions="learnable W (d x K, d in [2, 6]), features H (d x N, any sign), counts in 1..4",
           statement_tex=(r"$\nabla_{w_k}\sum_{k,i} L_{\mathrm{CE}}(h_{k,i}, W) = \sum_i -(1 - p_k(h_{k,i}))\,h_{k,i} + "
                          r"\sum_{k'\ne k}\sum_j p_k(h_{k',j})\,h_{k',j}$ (8) (the gradient of the sum of per-sample "
                          r"losses, $N$ times that of (4)), and $-\nabla = F_{\mathrm{pull}} + F_{\mathrm{push}}$ of "
                          r"(11)")),
    _claim("(12)-(13)",
           "grad_h L_CE(h, W) = -(1 - p_c(h)) w_c + sum_{k != c} p_k(h) w_k (12), and -grad = F_pull + F_push (13)",
           bound_checks("(12)-(13) against central differences for every sample", lpm_points, _feature_gradient,
                        FINITE_DIFFERENCE),
           assumptions="learnable W (d x K, d in [2, 6]), features H (d x N, any sign), counts in 1..4",
           statement_tex=(r"$\nabla_h L_{\mathrm{CE}}(h, W) = -(1 - p_c(h))\,w_c + \sum_{k\ne c} p_k(h)\,w_k$ (12), and "
                          r"$-\nabla = F_{\mathrm{pull}} + F_{\mathrm{push}}$ (13)")),
    _claim("(15)",
           "grad_h L_DR = -(1 - cos angle(h, w_c*)) w_c* holds on the sphere ||h||^2 = E_H (where the DLPM's "
           "projected iterates live); at any h the gradient of (14) is -(1 - w_c*^T h / sqrt(E_W E_H)) w_c* "
           "(missing condition, erratum yang2022-dr-gradient-sphere)",
           bound_checks("(15) against central differences on the sphere", lambda m: etf_points(m, "sphere"),
                        _dr_gradient_on_sphere, FINITE_DIFFERENCE)
           + bound_checks("the general form against central differences, ||h|| in [0.2, 2] sqrt(E_H)",
                          lambda m: etf_points(m, "free"), _dr_gradient_anywhere, FINITE_DIFFERENCE),
           statement_tex=(r"$\nabla_h L_{\mathrm{DR}} = -(1 - \cos\angle(h, w_c^*))\,w_c^*$ holds on the sphere $\lVert "
                          r"h\rVert^2 = E_H$ (where the DLPM's projected iterates live); at any $h$ the gradient of (14) "
                          r"is $-\bigl(1 - w_c^{*\top}h/\sqrt{E_W E_H}\bigr)\,w_c^*$ (missing condition, erratum "
                          r"yang2022-dr-gradient-sphere)")),
    _claim("(17)",
           "The per-class problem (17) is convex: L_CE(h, W*) is a log-sum-exp of linear functions minus a linear "
           "function (midpoint convexity), with equality along directions orthogonal to every w_j* (where L_CE is "
           "constant)",
           bound_checks("midpoint convexity for random pairs of features",
                        lambda m: st.tuples(etf_points(m, "free"), SEEDS, st.just(False)),
                        lambda case: -_midpoint_gap(case))
           + bound_checks("equality along directions orthogonal to span(W*)",
                          lambda m: st.tuples(etf_points(m, "free"), SEEDS, st.just(True)),
                          lambda case: abs(_midpoint_gap(case))),
           statement_tex=(r"The per-class problem (17) is convex: $L_{\mathrm{CE}}(h, W^*)$ is a log-sum-exp of linear "
                          r"functions minus a linear function (midpoint convexity), with equality along directions "
                          r"orthogonal to every $w_j^*$ (where $L_{\mathrm{CE}}$ is constant)")),
    _claim("(19), (23)",
           "The gradient of the Lagrangian (18) in h_{k,i} is -(1 - p_k) w_k/N + (1/N) sum_{j != k} p_j w_j + "
           "2 mu_i h_{k,i} (19) = (1/N) sum_{j != k} p_j (w_j - w_k) + 2 mu_i h_{k,i} (the form of (23))",
           bound_checks("(19) and (23) against central differences of (18), mu in [0, 10], N in [1, 50]",
                        lambda m: st.tuples(etf_points(m, "free"), _samples(), st.floats(0.0, 10.0)),
                        _lagrangian_gradient, FINITE_DIFFERENCE),
           statement_tex=(r"The gradient of the Lagrangian (18) in $h_{k,i}$ is $-(1 - p_k)\,w_k/N + "
                          r"\frac{1}{N}\sum_{j\ne k}p_j w_j + 2\mu_i h_{k,i}$ (19) $= \frac{1}{N}\sum_{j\ne k}p_j(w_j - "
                          r"w_k) + 2\mu_i h_{k,i}$ (the form of (23))")),
    _claim("(20)-(21)",
           "With mu_i = 0, stationarity is (20); its two sides' difference times w_k is E_W K/(K-1) sum_{j != k} "
           "p_j (the paper drops the factor E_W > 0 in (21)), which is positive, so mu_i > 0",
           bound_checks("-w_k^T grad_h L_CE = E_W K/(K-1) sum_{j != k} p_j (central differences)",
                        lambda m: etf_points(m, "free"), lambda p: rel_diff(*_eq21_value(p)), FINITE_DIFFERENCE)
           + strict_checks("it is positive: no stationary point with mu = 0 (relative to E_W)",
                           lambda m: etf_points(m, "free"), lambda p: _eq21_value(p)[1] / p.e_w),
           statement_tex=(r"With $\mu_i = 0$, stationarity is (20); its two sides' difference times $w_k$ is "
                          r"$E_W\frac{K}{K-1}\sum_{j\ne k}p_j$ (the paper drops the factor $E_W > 0$ in (21)), which is "
                          r"positive, so $\mu_i > 0$")),
    _claim("(22)-(24)",
           "At the optimum h* = sqrt(E_H/E_W) w_k: ||h*||^2 = E_H (22); (23) holds with a multiplier mu > 0; and "
           "w_j'^T [N grad L~] = E_W p_j' (1 + 1/(K-1)) + 2 N mu <h, w_j'> for every h (the left side of (24)), "
           "which vanishes at h*",
           bound_checks("the identity behind (24) at generic h, mu in [0, 10] (central differences)",
                        lambda m: st.tuples(etf_points(m, "free"), _samples(), st.floats(0.0, 10.0)),
                        _eq24_identity, FINITE_DIFFERENCE)
           + bound_checks("(22), (23) with its least-squares mu, and (24) = 0 at h*",
                          lambda m: st.tuples(etf_points(m), _samples()), _kkt_at_optimum, FINITE_DIFFERENCE)
           + strict_checks("mu > 0 at h* (figure 2 N mu E_H / E_W)", lambda m: st.tuples(etf_points(m), _samples()),
                           _multiplier_positive),
           statement_tex=(r"At the optimum $h^* = \sqrt{E_H/E_W}\,w_k$: $\lVert h^*\rVert^2 = E_H$ (22); (23) holds with "
                          r"a multiplier $\mu > 0$; and $w_{j'}^\top[N\nabla\tilde{L}] = E_W p_{j'}\bigl(1 + "
                          r"\frac{1}{K-1}\bigr) + 2N\mu\langle h, w_{j'}\rangle$ for every $h$ (the left side of (24)), "
                          r"which vanishes at $h^*$")),
    _claim("(25)-(26)",
           "p_j/p_j' = exp(<h, w_j>)/exp(<h, w_j'>) for every h, and at the optimum also = <h*, w_j>/<h*, w_j'>; "
           "f(x) = exp(x)/x is strictly monotone on x < 0 (decreasing, not increasing as printed: erratum "
           "yang2022-thm1-monotone), hence injective, so <h*, w_j> = C and p_j = p for all j, j' != k (26)",
           bound_checks("softmax ratio identity at generic h (relative to exp|z_j - z_j'|)",
                        lambda m: etf_points(m, "free"), _eq25_identity)
           + bound_checks("(25) with inner products, and (26), at h*", etf_points, _eq25_26_at_optimum, CLOSED_FORM_AGREEMENT)
           + strict_checks("f(x_1) > f(x_2) for x_1 < x_2 < 0 (strictly decreasing)",
                           lambda m: st.tuples(st.floats(-20.0, -0.01), st.floats(0.05, 0.95)),
                           _exp_over_x_decreasing),
           statement_tex=(r"$p_j/p_{j'} = e^{\langle h, w_j\rangle}/e^{\langle h, w_{j'}\rangle}$ for every $h$, and at "
                          r"the optimum also $= \langle h^*, w_j\rangle/\langle h^*, w_{j'}\rangle$; $f(x) = e^x/x$ is "
                          r"strictly monotone on $x < 0$ (decreasing, not increasing as printed: erratum "
                          r"yang2022-thm1-monotone), hence injective, so $\langle h^*, w_j\rangle = C$ and $p_j = p$ for "
                          r"all $j, j' \ne k$ (26)")),
    _claim("(27)-(29)",
           "At h*, with C = <h*, w_j> and p = p_j (j != k): p = (1-K)/K 2 N mu C/E_W (27), 1 - p_k = (K-1) p = "
           "(1-K)(K-1)/K 2 N mu C/E_W (28), 1 - p_k + p = (1-K) 2 N mu C/E_W (29)",
           bound_checks("(27)-(29) with mu, C, p and p_k measured at h* (relative)",
                        lambda m: st.tuples(etf_points(m), _samples()), _eq27_29, FINITE_DIFFERENCE),
           statement_tex=(r"At $h^*$, with $C = \langle h^*, w_j\rangle$ and $p = p_j$ ($j \ne k$): $p = "
                          r"\frac{1-K}{K}\,\frac{2N\mu C}{E_W}$ (27), $1 - p_k = (K-1)p = "
                          r"\frac{(1-K)(K-1)}{K}\,\frac{2N\mu C}{E_W}$ (28), $1 - p_k + p = (1-K)\,\frac{2N\mu C}{E_W}$ "
                          r"(29)")),
    _claim("(30)-(33)",
           "At h*: h* = [(1 - p_k) w_k - sum_{j != k} p_j w_j]/(2 N mu) (30) = (1-K) C/E_W w_k (31), C = "
           "-sqrt(E_H E_W)/(K-1) (32), h* = sqrt(E_H/E_W) w_k (33), i.e. eq. (7); and h* minimises L_CE over "
           "the ball ||h||^2 <= E_H (Thm 1), strictly",
           bound_checks("(30)-(33) and (7) with mu, C, p measured at h*",
                        lambda m: st.tuples(etf_points(m), _samples()), _eq30_33, FINITE_DIFFERENCE)
           + bound_checks("L_CE(h) >= L_CE(h*) for h in the ball", lambda m: etf_points(m, "free"),
                          lambda p: -_optimality_gap(p))
           + strict_checks("strict for h != h* (random h in the ball)", lambda m: etf_points(m, "free"),
                           _optimality_gap),
           statement_tex=(r"At $h^*$: $h^* = \bigl[(1 - p_k)\,w_k - \sum_{j\ne k}p_j w_j\bigr]/(2N\mu)$ (30) $= "
                          r"(1-K)\,\frac{C}{E_W}\,w_k$ (31), $C = -\sqrt{E_H E_W}/(K-1)$ (32), $h^* = "
                          r"\sqrt{E_H/E_W}\,w_k$ (33), i.e. eq. (7); and $h^*$ minimises $L_{\mathrm{CE}}$ over the ball "
                          r"$\lVert h\rVert^2 \le E_H$ (Thm 1), strictly")),
    _claim("(34)",
           "DR projected step in the cone: h - gamma grad L_DR = h - gamma (cos - 1) w_k, with squared norm "
           "E_H - 2 sqrt(E_H E_W) gamma (cos - 1) cos + gamma^2 E_W (cos - 1)^2 >= E_H (equality iff cos = 1), so "
           "||h^{t+1}||^2 = E_H; and cos(h^{t+1}, w_k) >= 0",
           bound_checks("the step and its squared norm (gradient by central differences)",
                        lambda m: etf_points(m, "cone"), _eq34, FINITE_DIFFERENCE)
           + bound_checks("equality ||step||^2 = E_H at h = h* (cos = 1)",
                          lambda m: etf_points(m, "cone"), lambda p: abs(_dr_norm_gap(optimum(p))), FINITE_DIFFERENCE)
           + strict_checks("||step||^2 > E_H for cos < 1", lambda m: etf_points(m, "cone"), _dr_norm_gap)
           + bound_checks("the iterate stays in the cone (figure: -cos(h^{t+1}, w_k))",
                          lambda m: etf_points(m, "cone"), lambda p: -_dr_cone_invariant(p), 0.0)
           + bound_checks("20 projected DR iterations stay on the sphere and in the cone, each contracting by at "
                          "most (1 + cos)/2 (the induction after (34))", lambda m: etf_points(m, "cone"),
                          _dr_iterates, FINITE_DIFFERENCE),
           assumptions=_CONE,
           statement_tex=(r"DR projected step in the cone: $h - \gamma\nabla L_{\mathrm{DR}} = h - \gamma(\cos - "
                          r"1)\,w_k$, with squared norm $E_H - 2\sqrt{E_H E_W}\,\gamma(\cos - 1)\cos + \gamma^2 E_W(\cos "
                          r"- 1)^2 \ge E_H$ (equality iff $\cos = 1$), so $\lVert h^{t+1}\rVert^2 = E_H$; and "
                          r"$\cos(h^{t+1}, w_k) \ge 0$")),
    _claim("(35)-(36)",
           "||Proj(x) - h*||^2 <= ||x - h*||^2 (non-expansiveness, strict since ||x||^2 > E_H) = 2 E_H (1-cos) - "
           "2 gamma sqrt(E_W E_H)(cos-1)^2 + gamma^2 E_W (cos-1)^2 (35); at gamma = sqrt(E_H/E_W), the minimiser "
           "over gamma of this bound, it equals (1 + cos)/2 ||h - h*||^2 (36)",
           bound_checks("the expansion (35) and ||h - h*||^2 = 2 E_H (1 - cos)", lambda m: etf_points(m, "cone"),
                        _eq35_expansion, FINITE_DIFFERENCE)
           + strict_checks("projection strictly shortens the distance to h* (relative to ||h - h*||^2)",
                           lambda m: etf_points(m, "cone"), _nonexpansive_gap)
           + bound_checks("(36) at gamma = sqrt(E_H/E_W)", lambda m: etf_points(m, "cone"), _dr_at_best_gamma,
                          FINITE_DIFFERENCE)
           + strict_checks("gamma = sqrt(E_H/E_W) strictly minimises the bound (vs gamma e^u, 0.2 <= |u| <= 2)",
                           lambda m: st.tuples(etf_points(m, "cone"), shifts()), _dr_gamma_optimal),
           assumptions=_CONE,
           statement_tex=(r"$\lVert\mathrm{Proj}(x) - h^*\rVert^2 \le \lVert x - h^*\rVert^2$ (non-expansiveness, strict "
                          r"since $\lVert x\rVert^2 > E_H$) $= 2E_H(1-\cos) - 2\gamma\sqrt{E_W E_H}(\cos-1)^2 + \gamma^2 "
                          r"E_W(\cos-1)^2$ (35); at $\gamma = \sqrt{E_H/E_W}$, the minimiser over $\gamma$ of this "
                          r"bound, it equals $\frac{1 + \cos}{2}\lVert h - h^*\rVert^2$ (36)")),
    _claim("(37)-(38)",
           "CE step: ||h - gamma grad L_CE - h*||^2 expands as the first line of (37) and equals ||e||^2 + "
           "gamma^2 (p_k-1)^2 E_W + ||gamma sum p_j w_j||^2 + M, M of (38); lines 2-4 of (38) equal M with "
           "<h^t, w_k> in place of <h^t - h*, w_k> in lines 3-4 (erratum yang2022-eq38-term); no assumption on p",
           bound_checks("(37): the step (central differences) against both expansions",
                        lambda m: etf_points(m, "cone"), _eq37, FINITE_DIFFERENCE)
           + bound_checks("(38): lines 2-4 (corrected) against line 1", lambda m: etf_points(m, "cone"), _eq38,
                          CLOSED_FORM_AGREEMENT),
           assumptions=_CONE,
           statement_tex=(r"CE step: $\lVert h - \gamma\nabla L_{\mathrm{CE}} - h^*\rVert^2$ expands as the first line "
                          r"of (37) and equals $\lVert e\rVert^2 + \gamma^2(p_k-1)^2 E_W + \bigl\lVert\gamma\sum_j p_j "
                          r"w_j\bigr\rVert^2 + M$, $M$ of (38); lines 2-4 of (38) equal $M$ with $\langle h^t, "
                          r"w_k\rangle$ in place of $\langle h^t - h^*, w_k\rangle$ in lines 3-4 (erratum "
                          r"yang2022-eq38-term); no assumption on $p$")),
    _claim("(39)-(40)",
           "Under Thm 2's assumption p_j = (1 - p_k)/(K-1) for j != k: the chain (39) (=a uses the assumption, =b "
           "uses sum_i w_i = 0) and M = -2(1-p_k) K/(K-1) gamma sqrt(E_H E_W)(1 - cos) + 2 gamma^2 (1-p_k)^2 "
           "E_W/(K-1) (40)",
           bound_checks("(39)-(40) on features with equal wrong-class probabilities (and that equality)",
                        _cone_symmetric, _eq39_40, CLOSED_FORM_AGREEMENT)
           + strict_checks("=a fails without the assumption (generic h in the cone, K >= 3)",
                           lambda m: etf_points(m, "cone", min_k=3), _eq39a_gap),
           assumptions=_CONE + "; wrong-class probabilities equal (h - h.w w/E_W orthogonal to every w_j)",
           statement_tex=(r"Under Thm 2's assumption $p_j = (1 - p_k)/(K-1)$ for $j \ne k$: the chain (39) "
                          r"($\overset{a}{=}$ uses the assumption, $\overset{b}{=}$ uses $\sum_i w_i = 0$) and $M = "
                          r"-2(1-p_k)\frac{K}{K-1}\gamma\sqrt{E_H E_W}(1 - \cos) + 2\gamma^2(1-p_k)^2\frac{E_W}{K-1}$ "
                          r"(40)")),
    _claim("(41)-(44)",
           "Under the assumption, ||Proj(x) - h*||^2 <= ||x - h*||^2 = 2 E_H (1-cos) - E_H (1-cos)^2 + [the "
           "objective of (42) in s = gamma (1-p_k) K/(K-1)] (41); the objective is >= 0, = 0 iff gamma = (K-1)/K "
           "sqrt(E_H/E_W)(1 - cos)/(1 - p_k) (square root corrected, erratum yang2022-appB-step), so the "
           "pre-projection ratio is >= (1 + cos)/2 for every fixed gamma (43)-(44). What this orders is the "
           "pre-projection bound, not the projected contraction of Def. 2 (erratum yang2022-thm2-eta)",
           bound_checks("(41) and non-expansiveness for the CE step (central differences)", _cone_symmetric,
                        _eq41, FINITE_DIFFERENCE)
           + bound_checks("(43)-(44): ratio >= (1 + cos)/2 at every gamma", _cone_symmetric,
                          lambda p: -_ce_ratio_gap(p), FINITE_DIFFERENCE)
           + bound_checks("equality at the corrected step of (42)", _cone_symmetric,
                          lambda p: abs(_ce_ratio_gap(with_gamma(p, corrected_step(p)))), FINITE_DIFFERENCE)
           + strict_checks("strict at gamma = corrected step times e^u, 0.2 <= |u| <= 2",
                           lambda m: st.tuples(_cone_symmetric(m), shifts()),
                           lambda case: _ce_ratio_gap(with_gamma(case[0], corrected_step(case[0]) * np.exp(case[1])))),
           assumptions=_CONE + "; wrong-class probabilities equal (h - h.w w/E_W orthogonal to every w_j)",
           statement_tex=(r"Under the assumption, $\lVert\mathrm{Proj}(x) - h^*\rVert^2 \le \lVert x - h^*\rVert^2 = "
                          r"2E_H(1-\cos) - E_H(1-\cos)^2 +$ [the objective of (42) in $s = \gamma(1-p_k)\frac{K}{K-1}$] "
                          r"(41); the objective is $\ge 0$, $= 0$ iff $\gamma = \frac{K-1}{K}\sqrt{E_H/E_W}\,\frac{1 - "
                          r"\cos}{1 - p_k}$ (square root corrected, erratum yang2022-appB-step), so the pre-projection "
                          r"ratio is $\ge \frac{1 + \cos}{2}$ for every fixed $\gamma$ (43)-(44). What this orders is "
                          r"the pre-projection bound, not the projected contraction of Def. 2 (erratum "
                          r"yang2022-thm2-eta)")),
]
