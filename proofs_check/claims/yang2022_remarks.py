"""yang2022: the remarks around the gradient analysis (Sec. 4.2, Fig. 2, Remark 2) and Appendix C.

- Sec. 4.2.2 / Fig. 2: with the classifier fixed as a simplex ETF, the pull term (1 - p_c) w*_c of (13)
  points to w*_c, the push term -sum_{k != c} p_k w*_k "does not necessarily", and the DR gradient (15)
  "always directs to w*_c". Derived here: F_push^T w*_c = E_W (1 - p_c)/(K-1) > 0 always, and the
  Gram determinant ||F_push||^2 E_W - (F_push^T w*_c)^2 is a positive-definite quadratic form in the
  deviations p_k - mean_{j != c} p_j (SymPy, K = 3..6): the CE gradient leaves the direction of w*_c
  exactly when the wrong-class probabilities differ (never for K = 2, nor at h*). The DR direction holds
  on the ball ||h||^2 <= E_H of (5) and reverses outside it (the edge of its assumption).
- Remark 2: a learnable classifier under (K_A, K_B) STEP imbalance. At the balanced neural-collapse point
  (W and the class means along one simplex ETF) the negative gradients of two minority classifiers become
  parallel as R = n_A/n_B -> oo (SymPy limit from the differentiated loss), and a minority class's
  push/pull ratio grows without bound while a majority class's stays bounded.
- Appendix C: ||d L_DR / d h|| <= 2 sqrt(E_w_k) (tight at h = -h*, valid on the ball), the class lengths
  sqrt(E_w_k) = N/(K n_k) equalise the per-class bound 2 n_k sigma sqrt(E_w_k)/N = 2 sigma/K, and DR with
  a classifier of length s equals s times DR with a unit classifier (the "weighted loss").

Gradients of the numeric checks are central differences of the losses (no formula of the paper is used).
"""

from __future__ import annotations

import functools

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from numerics.dlpm import solve_dlpm, theorem1_deviation
from numerics.lpm import solve_lpm
from proofs_check.claims._instances import bound_checks, etf_points, log_uniform, strict_checks
from proofs_check.model import Check, Claim, Outcome
from proofs_check.proof_objects.calculus import numeric_gradient
from proofs_check.proof_objects.etf import cross_entropy, dot_regression, ETFPoint, probabilities, with_h
from proofs_check.runner import within
from theory.core.tolerances import DLPM_CE, FINITE_DIFFERENCE, LPM_SOLVER, STRICT_GAP
from theory.core.vocabulary import CheckLevel, Criterion, Paper
from theory.etf.identities import E_W, etf_gram_entries, K as K_SYM
from theory.etf.simplex import simplex_etf

PAPER = Paper.YANG2022
_ETF = "W* a simplex ETF (d >= K, ||w*_k||^2 = E_W), feature h of class c"


# ------------------------------------------------------------------------------ directions (Fig. 2)
def _cos(u: np.ndarray, v: np.ndarray) -> float:
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


def _neg_ce_gradient(p: ETFPoint) -> np.ndarray:
    return -numeric_gradient(lambda v: cross_entropy(p.W, v, p.label), p.h)


def _neg_dr_gradient(p: ETFPoint) -> np.ndarray:
    return -numeric_gradient(lambda v: dot_regression(p, v), p.h)


def _scaled(case: tuple[ETFPoint, float]) -> ETFPoint:
    p, radius = case
    return with_h(p, radius * p.h)


def _dr_misdirection(case: tuple[ETFPoint, float]) -> float:
    """1 - cos(-grad L_DR, w*_c) at a feature of norm radius * sqrt(E_H) (central differences)."""
    p = _scaled(case)
    return 1.0 - _cos(_neg_dr_gradient(p), p.w)


def _dr_outside(case: tuple[ETFPoint, float]) -> float:
    """1 + cos(-grad L_DR, w*_c) at h = rho h*, rho > 1 (outside the ball): 0 when it points away from w*_c."""
    p, rho = case
    q = with_h(p, rho * p.h_star)
    return 1.0 + _cos(_neg_dr_gradient(q), q.w)


def _ce_misdirection(p: ETFPoint) -> float:
    """1 - cos(-grad L_CE, w*_c) (central differences)."""
    return 1.0 - _cos(_neg_ce_gradient(p), p.w)


def _ce_misdirection_at_optimum(p: ETFPoint) -> float:
    return _ce_misdirection(with_h(p, p.h_star))


def _push_projection(p: ETFPoint) -> float:
    """F_push^T w*_c / E_W with F_push = -grad L_CE - (1 - p_c) w*_c (the pull of (13) removed from the
    central-difference gradient): positive, the push has a component towards w*_c."""
    pc = float(probabilities(p.W, p.h)[p.label])
    return float((_neg_ce_gradient(p) - (1 - pc) * p.w) @ p.w) / p.e_w


def fig2_setting(e_w: float = 1.0, e_h: float = 1.0) -> ETFPoint:
    """Fig. 2: K = 3 in the plane (d = 2), a feature of class 3 (label 2) on the sphere along w*_1."""
    W = simplex_etf(3, 2, e_w, seed=0)
    h = np.sqrt(e_h / e_w) * W[:, 0]
    return ETFPoint(3, 2, e_w, e_h, 2, 1.0, "fig2", 0, W, h)


def _fig2() -> Outcome:
    """Fig. 2's configuration: DR's negative gradient along w*_3 (1 - cos <= FINITE_DIFFERENCE) while CE's
    deviates from it (figure: 1 - cos for CE, which must exceed STRICT_GAP); the largest push term is class 1's."""
    p = fig2_setting()
    dr, ce = 1.0 - _cos(_neg_dr_gradient(p), p.w), _ce_misdirection(p)
    prob = probabilities(p.W, p.h)
    ok = dr <= FINITE_DIFFERENCE and ce > STRICT_GAP and prob[0] > prob[1]
    return Outcome(bool(ok), ce, STRICT_GAP,
                   f"K = 3, d = 2, E_W = E_H = 1, h of class 3 along w*_1: 1 - cos(-grad CE, w*_3) = {ce:.4f} "
                   f"(angle {np.degrees(np.arccos(1 - ce)):.1f} deg), 1 - cos(-grad DR, w*_3) = {dr:.1e}; "
                   f"p = ({prob[0]:.3f}, {prob[1]:.3f}, {prob[2]:.3f}), push dominated by class 1", Criterion.AT_LEAST)


def _push_gram_proof(k: int) -> tuple[bool, bool]:
    """SymPy, K = k, c = 0: (F_push^T w_c = E_W (1 - p_c)/(K-1) with p_c = 1 - sum_{j != c} p_j;
    det = ||F_push||^2 ||w_c||^2 - (F_push^T w_c)^2 positive definite in the deviations from equal p_j)."""
    same, other = (e.subs(K_SYM, k) for e in etf_gram_entries())
    G = sp.Matrix(k, k, lambda i, j: same if i == j else other)
    p = sp.symbols(f"p1:{k}", positive=True)
    a = sp.Matrix([0, *[-pj for pj in p]])            # F_push = sum_j a_j w_j
    e_c = sp.Matrix([1] + [0] * (k - 1))
    along = sp.simplify((a.T * G * e_c)[0])
    projection_ok = sp.simplify(along - E_W * sum(p) / (k - 1)) == 0 and bool(along.is_positive)
    det = sp.expand((a.T * G * a)[0] * G[0, 0] - along**2)
    mean = sp.Symbol("pbar", positive=True)
    dev = sp.symbols(f"e1:{k - 1}", real=True) if k > 2 else ()
    subs = {p[j]: mean + dev[j] for j in range(k - 2)}
    subs[p[k - 2]] = mean - sum(dev)
    quad = sp.expand(det.subs(subs))
    if k == 2:
        return projection_ok, quad == 0
    hess = sp.hessian(quad, dev)
    pd = bool(sp.simplify(quad.subs({d: 0 for d in dev})) == 0 and hess.free_symbols <= {E_W}
              and (hess / E_W**2).is_positive_definite)
    return projection_ok, pd


def _push_symbolic() -> Outcome:
    bad = []
    for k in range(2, 7):
        proj, pd = _push_gram_proof(k)
        if not proj:
            bad.append(f"K={k}: F_push^T w_c")
        if k == 2 and not pd:
            bad.append("K=2: push not parallel to w_c")
        if k > 2 and not pd:
            bad.append(f"K={k}: Gram determinant not positive definite")
    return Outcome(not bad, float(len(bad)), 0.0,
                   "K = 2..6: F_push^T w_c = E_W (1 - p_c)/(K-1) > 0; ||F_push||^2 E_W - (F_push^T w_c)^2 is a "
                   "positive-definite quadratic form in p_j - mean(p_j) for K >= 3 and identically 0 for K = 2"
                   if not bad else "; ".join(bad))


def _ball(m: int) -> st.SearchStrategy:
    return st.tuples(etf_points(m, "sphere"), st.floats(0.05, 1.0))


def _outside(m: int) -> st.SearchStrategy:
    return st.tuples(etf_points(m, "sphere"), st.floats(1.05, 3.0))


def _unequal(m: int) -> st.SearchStrategy:
    """Sphere points with K >= 3 whose wrong-class probabilities are spread (relative spread >= 1e-3)."""
    return etf_points(m, "sphere", min_k=3).filter(lambda p: _spread(p) >= 1e-3)


def _spread(p: ETFPoint) -> float:
    prob = np.delete(probabilities(p.W, p.h), p.label)
    return float((prob.max() - prob.min()) / prob.mean())


# ------------------------------------------------------------------------------ Remark 2
def remark2_gradients(k_major: int, k_minor: int,
                      targets: tuple[int, ...]) -> tuple[sp.Symbol, dict[int, sp.Matrix], dict[int, sp.Matrix],
                                                         dict[int, sp.Matrix]]:
    """SymPy: at the balanced NC point (w_k = h_k = u_k, the unit simplex ETF in R^K), with n_A = R samples of
    each of the k_major first classes and n_B = 1 of the others, the negative gradients -d L / d w_k of
    L = sum_k n_k L_CE(h_k, W) (differentiated, then evaluated) and their pull / push parts (11).
    Returns (R, totals, pulls, pushes), each by classifier index in ``targets``."""
    k = k_major + k_minor
    R = sp.Symbol("R", positive=True)
    centred = sp.eye(k) - sp.ones(k, k) / k
    U = centred * sp.sqrt(sp.Rational(k, k - 1))          # columns: unit simplex ETF
    counts = [R] * k_major + [sp.Integer(1)] * k_minor
    t = sp.symbols(f"t0:{k}", real=True)                 # w_target = u_target + t, the other columns fixed
    totals, pulls, pushes = {}, {}, {}
    logits_at = (U.T * U)                                # z_j(h_c) = u_j^T u_c

    def p_of(j: int, c: int) -> sp.Expr:
        return sp.exp(logits_at[j, c]) / sum(sp.exp(logits_at[m, c]) for m in range(k))
    for target in targets:
        Wt = U + sp.Matrix(k, k, lambda i, j: t[i] if j == target else 0)
        loss = sum(counts[c] * (sp.log(sum(sp.exp((Wt[:, m].T * U[:, c])[0]) for m in range(k)))
                                - (Wt[:, c].T * U[:, c])[0]) for c in range(k))
        at_nc = {ti: 0 for ti in t}
        totals[target] = sp.Matrix([-sp.diff(loss, t[i]).subs(at_nc) for i in range(k)]).applyfunc(sp.cancel)
        pulls[target] = (counts[target] * (1 - p_of(target, target)) * U[:, target]).applyfunc(sp.cancel)
        pushes[target] = (-sum((counts[c] * p_of(target, c) * U[:, c] for c in range(k) if c != target),
                               sp.zeros(k, 1))).applyfunc(sp.cancel)
    return R, totals, pulls, pushes


def _vcos(u: sp.Matrix, v: sp.Matrix) -> sp.Expr:
    return (u.T * v)[0] / sp.sqrt((u.T * u)[0] * (v.T * v)[0])


@functools.lru_cache(maxsize=None)
def _remark2_limits(k_major: int = 2, k_minor: int = 2) -> dict[str, sp.Expr]:
    mi, mj, ma = k_major, k_major + 1, 0
    R, tot, pull, push = remark2_gradients(k_major, k_minor, (ma, mi, mj))
    cos_minor = sp.simplify(_vcos(tot[mi], tot[mj]))
    ratio_minor = sp.simplify(sp.sqrt((push[mi].T * push[mi])[0] / (pull[mi].T * pull[mi])[0]))
    ratio_major = sp.simplify(sp.sqrt((push[ma].T * push[ma])[0] / (pull[ma].T * pull[ma])[0]))
    split = all(sp.simplify(x) == 0 for c in (ma, mi, mj) for x in tot[c] - pull[c] - push[c])
    return {"R": R, "cos_minor": cos_minor, "cos_at_1": sp.simplify(cos_minor.subs(R, 1)),
            "cos_limit": sp.limit(cos_minor, R, sp.oo), "ratio_minor_limit": sp.limit(ratio_minor, R, sp.oo),
            "ratio_major_limit": sp.limit(ratio_major, R, sp.oo), "split": split,
            "dcos": sp.factor(sp.diff(cos_minor, R))}


def _remark2_symbolic() -> Outcome:
    lim = _remark2_limits()
    k = 4
    dcos_positive = bool(lim["dcos"].is_positive)
    checks = {"-grad = F_pull + F_push (11)": lim["split"],
              "cos(g_minor, g_minor') = -1/(K-1) at R = 1": sp.simplify(lim["cos_at_1"] + sp.Rational(1, k - 1)) == 0,
              "cos -> 1 as R -> oo": sp.simplify(lim["cos_limit"] - 1) == 0,
              "d cos / dR > 0 for every R > 0": dcos_positive,
              "||F_push||/||F_pull|| -> oo for a minority class": lim["ratio_minor_limit"] == sp.oo,
              "... stays bounded for a majority class": bool(lim["ratio_major_limit"].is_finite)}
    bad = [name for name, ok in checks.items() if not ok]
    return Outcome(not bad, float(len(bad)), 0.0,
                   f"K_A = K_B = 2: majority push/pull -> {lim['ratio_major_limit']}; " +
                   ("all of: " + "; ".join(checks) if not bad else "fails: " + "; ".join(bad)))


def _remark2_numeric() -> Outcome:
    """Central differences of sum_k n_k L_CE(h_k, W) in W at the NC point against the SymPy cosine of two
    minority classifiers' negative gradients, for R in {1, 10, 100, 1000}; figure: largest difference."""
    lim = _remark2_limits()
    k = 4
    U = (np.eye(k) - 1.0 / k) * np.sqrt(k / (k - 1))
    worst, cosines = 0.0, []
    for r in (1.0, 10.0, 100.0, 1000.0):
        counts = [r, r, 1.0, 1.0]

        def total(W: np.ndarray) -> float:
            return sum(c * cross_entropy(W, U[:, j], j) for j, c in enumerate(counts))
        g = -numeric_gradient(total, U)
        measured = _cos(g[:, 2], g[:, 3])
        expected = float(lim["cos_minor"].subs(lim["R"], r))
        cosines.append(measured)
        worst = max(worst, abs(measured - expected))
    return within(worst, FINITE_DIFFERENCE, "cos(-grad_w3, -grad_w4) (minority classes) by central differences: "
                  + ", ".join(f"R = {r:g}: {c:.6f}" for r, c in zip((1, 10, 100, 1000), cosines))
                  + "; largest difference from the SymPy expression")


REMARK2_CONFIGS = ((1, 2), (2, 3), (3, 2), (4, 4))
"""(K_A, K_B) beyond the symbolic check's (2, 2): a single majority, more minorities, more majorities, K = 8."""


def _remark2_configurations() -> Outcome:
    """Remark 2 on more configurations, by central differences at the balanced NC point (W = class means = one
    simplex ETF, counts R for the K_A majorities, 1 for the K_B minorities): the cosine of two minority
    classifiers' negative gradients is -1/(K-1) at R = 1, grows with R over 1, 3, 10, 100, 1e4 and exceeds 0.99
    at R = 1e4, and the minority's ||F_push|| / ||F_pull|| grows with R. Figure: number of violated items."""
    bad, parts = [], []
    for ka, kb in REMARK2_CONFIGS:
        k = ka + kb
        U = (np.eye(k) - 1.0 / k) * np.sqrt(k / (k - 1))
        cosines, ratios = [], []
        for r in (1.0, 3.0, 10.0, 100.0, 1e4):
            counts = [r] * ka + [1.0] * kb

            def total(W: np.ndarray) -> float:
                return sum(c * cross_entropy(W, U[:, j], j) for j, c in enumerate(counts))
            g = -numeric_gradient(total, U)
            cosines.append(_cos(g[:, ka], g[:, ka + 1]))
            p_own = probabilities(U, U[:, ka])[ka]
            pull = counts[ka] * (1 - p_own) * U[:, ka]
            push = g[:, ka] - pull
            ratios.append(float(np.linalg.norm(push) / np.linalg.norm(pull)))
        if abs(cosines[0] + 1 / (k - 1)) > FINITE_DIFFERENCE:
            bad.append(f"({ka}, {kb}) cos at R = 1")
        if not all(b > a for a, b in zip(cosines, cosines[1:])) or cosines[-1] < 0.99:
            bad.append(f"({ka}, {kb}) cos not increasing to 1")
        if not all(b > a for a, b in zip(ratios, ratios[1:])):
            bad.append(f"({ka}, {kb}) push/pull not increasing")
        parts.append(f"({ka}, {kb}): cos " + ", ".join(f"{c:.4f}" for c in cosines))
    return within(float(len(bad)), 0.0, "; ".join(parts) + ("; violated: " + ", ".join(bad) if bad else ""))


# ------------------------------------------------------------------------------ Appendix C
def class_length(total: object, k: object, n_k: object) -> object:
    """sqrt(E_w_k) = N/(K n_k), the classifier length of App. C (numbers, arrays or SymPy symbols)."""
    return total / (k * n_k)


def _dr_bound_excess(case: tuple[ETFPoint, float]) -> float:
    """||grad L_DR|| / (2 sqrt(E_W)) - 1 in the ball (central differences); <= 0 when the bound holds."""
    p = _scaled(case)
    return float(np.linalg.norm(_neg_dr_gradient(p)) / (2 * np.sqrt(p.e_w)) - 1.0)


def _dr_bound_tight(p: ETFPoint) -> float:
    """At h = -h* the bound is attained: | ||grad|| / (2 sqrt(E_W)) - 1 |."""
    return abs(float(np.linalg.norm(_neg_dr_gradient(with_h(p, -p.h_star))) / (2 * np.sqrt(p.e_w))) - 1.0)


def _dr_bound_outside(case: tuple[ETFPoint, float]) -> float:
    """Outside the ball at h = -rho h*, rho > 1: ||grad|| / (2 sqrt(E_W)) - 1 = (rho - 1)/2 > 0."""
    p, rho = case
    return float(np.linalg.norm(_neg_dr_gradient(with_h(p, -rho * p.h_star))) / (2 * np.sqrt(p.e_w))) - 1.0


def _weighted_equivalence() -> Outcome:
    """SymPy: L_DR(h; w = s u, E_w = s^2) = s L_DR(h; u, 1) for ||u|| = 1 (d = 3, symbolic entries) and the
    per-class bound (2/N) n_k sigma sqrt(E_w_k) at sqrt(E_w_k) = N/(K n_k) is 2 sigma/K for every k."""
    s, e_h, sigma, n_tot, k, n_k = sp.symbols("s E_H sigma N K n_k", positive=True)
    h = sp.Matrix(sp.symbols("h0:3", real=True))
    a, b = sp.symbols("a b", real=True)
    u = sp.Matrix([sp.cos(a) * sp.cos(b), sp.cos(a) * sp.sin(b), sp.sin(a)])      # a unit vector

    def dr(w: sp.Matrix, e_w: sp.Expr) -> sp.Expr:
        root = sp.sqrt(e_w * e_h)
        return ((w.T * h)[0] - root) ** 2 / (2 * root)
    weighted = sp.simplify(dr(s * u, s**2) - s * dr(u, sp.Integer(1)))
    per_class = sp.simplify(2 / n_tot * n_k * sigma * class_length(n_tot, k, n_k) - 2 * sigma / k)
    ok = weighted == 0 and per_class == 0
    return Outcome(ok, 0.0 if ok else 1.0, 0.0, "DR(h; s u, s^2) - s DR(h; u, 1) and (2/N) n_k sigma N/(K n_k) - "
                   "2 sigma/K simplify to 0" if ok else f"residuals {weighted}, {per_class}")


def _class_bound_case(m: int) -> st.SearchStrategy:
    return st.tuples(st.lists(st.integers(1, 50), min_size=2, max_size=max(2, m)), st.integers(0, 2**31),
                     log_uniform(0.25, 4.0))


def _class_bound_excess(case: tuple[list[int], int, float]) -> float:
    """Class lengths ||w*_k|| = N/(K n_k) (App. C), features drawn in the ball ||h||^2 <= E_H (four per class,
    the bound is per sample): figure max_k (n_k/N) max_i ||grad_h L_DR(h_{k,i})|| / (2/K) - 1, the per-class
    bound of App. C with sigma_max = 1 (<= 0 when it holds)."""
    counts, seed, e_h = case
    k, total = len(counts), sum(counts)
    rng = np.random.default_rng(seed)
    W = simplex_etf(k, k, 1.0, seed=seed % 1000) * class_length(total, k, np.asarray(counts, dtype=float))
    worst = -np.inf
    for c, n in enumerate(counts):
        largest = 0.0
        for _ in range(4):
            v = rng.standard_normal(k)
            h = np.sqrt(e_h) * rng.uniform(0.0, 1.0) * v / np.linalg.norm(v)
            p = ETFPoint(k, k, float(W[:, c] @ W[:, c]), e_h, c, 1.0, "app-c", seed, W, h)
            largest = max(largest, float(np.linalg.norm(_neg_dr_gradient(p))))
        worst = max(worst, n / total * largest / (2.0 / k) - 1.0)
    return float(worst)


# ------------------------------------------------------------------------------ footnote 1 and Remark 1
_BALANCED, _STEP, _EXTREME = (5, 5, 5, 5), (5, 5, 1, 1), (50, 50, 1, 1)


def _etf_value(counts: tuple[int, ...], e_w: float, e_h: float) -> float:
    """The LPM objective at the neural-collapse configuration: W a simplex ETF, h_k = sqrt(E_H/E_W) w_k."""
    k = len(counts)
    W = simplex_etf(k, k, e_w, seed=0)
    return sum(n * cross_entropy(W, np.sqrt(e_h / e_w) * W[:, c], c) for c, n in enumerate(counts)) / sum(counts)


def _activity(W: np.ndarray, H: np.ndarray, e_w: float, e_h: float) -> float:
    """max_k | ||w_k||^2 / E_W - 1 |, | ||h_k||^2 / E_H - 1 |: 0 when every per-item constraint is active."""
    return float(max(np.max(np.abs(np.sum(W**2, axis=0) / e_w - 1)), np.max(np.abs(np.sum(H**2, axis=0) / e_h - 1))))


def _footnote1_balanced() -> Outcome:
    """Balanced counts: the per-item LPM (4) and the overall-constraint LPM of [5] reach the same optimum (the
    neural-collapse value), with every per-item constraint active. Figure: largest relative deviation."""
    item, overall = solve_lpm(_BALANCED, 1.0, 1.0, "per_item"), solve_lpm(_BALANCED, 1.0, 1.0, "overall")
    nc = _etf_value(_BALANCED, 1.0, 1.0)
    figure = max(abs(item.objective - overall.objective) / nc, abs(item.objective - nc) / nc,
                 _activity(item.W, item.H, 1.0, 1.0))
    return within(figure, LPM_SOLVER, f"counts {_BALANCED}, E_W = E_H = 1: per-item {item.objective:.10f}, overall "
                  f"{overall.objective:.10f}, at the ETF {nc:.10f}; per-item norms active")


def _footnote1_imbalanced() -> Outcome:
    """The printed statement at imbalanced counts: 'the same global optimality' of the per-item LPM (4) and the
    overall-constraint LPM of [5]. Figure: (per-item - overall) / per-item optimum, held to LPM_SOLVER (the
    solver's agreement); it fails (erratum yang2022-footnote1-optimality) since the overall problem reaches a
    lower value with unequal classifier norms. The per-item constraints must stay active (the first half of the
    footnote), else the check fails on that."""
    item, overall = solve_lpm(_STEP, 1.0, 1.0, "per_item"), solve_lpm(_STEP, 1.0, 1.0, "overall")
    gap = (item.objective - overall.objective) / item.objective
    active = _activity(item.W, item.H, 1.0, 1.0)
    norms = np.sqrt(np.sum(overall.W**2, axis=0))
    return Outcome(bool(abs(gap) <= LPM_SOLVER and active <= LPM_SOLVER), abs(gap), LPM_SOLVER,
                   f"counts {_STEP}: per-item optimum {item.objective:.6f} (norms active to {active:.1e}), overall "
                   f"{overall.objective:.6f}, whose classifier norms are {np.round(norms, 4).tolist()} (figure: "
                   f"relative gap of the optima)")


def _minority_cosine(W: np.ndarray) -> float:
    return _cos(W[:, 2], W[:, 3])


def _remark1_lpm() -> Outcome:
    """Per-item LPM (4): the two minority classifiers merge at R = 50 (cos = 1) and form the ETF angle at R = 1.
    Figure: max(|1 - cos| at R = 50, |cos + 1/(K-1)| at R = 1)."""
    extreme, balanced = solve_lpm(_EXTREME, 1.0, 1.0, "per_item"), solve_lpm(_BALANCED, 1.0, 1.0, "per_item")
    c_extreme, c_balanced = _minority_cosine(extreme.W), _minority_cosine(balanced.W)
    return within(max(abs(1 - c_extreme), abs(c_balanced + 1 / 3)), LPM_SOLVER,
                  f"learnable W: cos(w_3, w_4) = {c_extreme:.8f} at counts {_EXTREME}, {c_balanced:.8f} at {_BALANCED}")


def _remark1_dlpm() -> Outcome:
    """The same counts with the ETF classifier fixed (DLPM (5), cvxpy): Thm 1's features, minority ones apart."""
    W = simplex_etf(4, 4, 1.0, seed=0)
    H = solve_dlpm(list(_EXTREME), W, 1.0, "CE")
    dev = theorem1_deviation(H, list(_EXTREME), W, 1.0)
    minority = _cos(H[:, 100], H[:, 101])
    return within(dev, DLPM_CE, f"fixed ETF at {_EXTREME}: deviation from Thm 1 {dev:.1e}; cos of the two minority "
                  f"features {minority:.6f} (the ETF angle -1/3)")


# ------------------------------------------------------------------------------ registry
CLAIMS: list[Claim] = [
    Claim(f"{PAPER} Sec. 4.2.2 and Fig. 2", PAPER,
          "With the ETF classifier fixed, the pull gradient (1 - p_c) w*_c points to w*_c while the push gradient "
          "'does not necessarily direct to the optimality'; DR's negative gradient 'always directs to w*_c'; in "
          "Fig. 2 (h of class 3 close to w*_1) the CE gradient deviates from w*_3. Derived: the push has the "
          "positive component E_W (1 - p_c)/(K-1) along w*_c and leaves its direction iff the wrong-class "
          "probabilities differ (never for K = 2 nor at h*); DR's direction needs ||h||^2 <= E_H.", _ETF,
          (Check(CheckLevel.SYMBOLIC, "F_push^T w_c and the Gram determinant of (F_push, w_c), K = 2..6",
                 _push_symbolic),
           Check(CheckLevel.NUMERIC, "Fig. 2 configuration (K = 3, d = 2): CE deviates from w*_3, DR does not",
                 _fig2),
           *bound_checks("DR: 1 - cos(-grad, w*_c) = 0 in the ball (norm in [0.05, 1] sqrt(E_H))", _ball,
                         _dr_misdirection, FINITE_DIFFERENCE),
           *bound_checks("edge: outside the ball (h = rho h*, rho in [1.05, 3]) DR points away: 1 + cos = 0",
                         _outside, _dr_outside, FINITE_DIFFERENCE),
           *strict_checks("CE: 1 - cos(-grad, w*_c) > 0 when the wrong-class probabilities differ (K >= 3)",
                          _unequal, _ce_misdirection),
           *bound_checks("edge: CE along w*_c when they are equal (Thm 2's assumption), K >= 3",
                         lambda m: etf_points(m, "symmetric", min_k=3), _ce_misdirection, FINITE_DIFFERENCE),
           *bound_checks("edge: CE along w*_c at h = h*", lambda m: etf_points(m, "sphere"),
                         _ce_misdirection_at_optimum, FINITE_DIFFERENCE),
           *bound_checks("edge: CE along w*_c for K = 2 at any h", lambda m: etf_points(2, "free"),
                         _ce_misdirection, FINITE_DIFFERENCE),
           *strict_checks("F_push^T w*_c / E_W > 0 at any h (central differences)", lambda m: etf_points(m, "free"),
                          _push_projection)),
          statement_tex=(r"With the ETF classifier fixed, the pull gradient $(1 - p_c)\,w^*_c$ points to $w^*_c$ while "
                         r"the push gradient 'does not necessarily direct to the optimality'; DR's negative gradient "
                         r"'always directs to $w^*_c$'; in Fig. 2 ($h$ of class 3 close to $w^*_1$) the CE gradient "
                         r"deviates from $w^*_3$. Derived: the push has the positive component $E_W(1 - p_c)/(K-1)$ "
                         r"along $w^*_c$ and leaves its direction iff the wrong-class probabilities differ (never for "
                         r"$K = 2$ nor at $h^*$); DR's direction needs $\lVert h\rVert^2 \le E_H$.")),
    Claim(f"{PAPER} footnote 1", PAPER,
          "The sample-wise constraint of H and the class-wise constraint of W in eq. (4) are more strict than the "
          "overall constraints of [5] 'but are still active with the same global optimality'.",
          "K = 4, E_W = E_H = 1, class features (collapse w.l.o.g.); the paper's setting is imbalanced counts",
          (Check(CheckLevel.NUMERIC, "balanced (5, 5, 5, 5): equal optima = NC value, per-item norms active",
                 _footnote1_balanced, quick=False),
           Check(CheckLevel.NUMERIC, "as printed, imbalanced (5, 5, 1, 1): per-item constraints active, same optimum",
                 _footnote1_imbalanced, quick=False, erratum="yang2022-footnote1-optimality")),
          statement_tex=(r"The sample-wise constraint of $H$ and the class-wise constraint of $W$ in eq. (4) are more "
                         r"strict than the overall constraints of [5] ‘but are still active with the same global "
                         r"optimality’.")),
    Claim(f"{PAPER} Remark 1", PAPER,
          "LPM in the extreme imbalance case suffers minority collapse (minority classifiers close or merged); "
          "DLPM with the fixed ETF classifier produces the neural-collapse solution even on imbalanced data.",
          "eq. (4) with per-item constraints, K = 4, E_W = E_H = 1, counts (50, 50, 1, 1) against (5, 5, 5, 5)",
          (Check(CheckLevel.NUMERIC, "learnable W: minority classifiers merge at R = 50, ETF angle at R = 1",
                 _remark1_lpm, quick=False),
           Check(CheckLevel.NUMERIC, "fixed ETF classifier at R = 50: Thm 1's features (DLPM, cvxpy)", _remark1_dlpm,
                 quick=False)),
          statement_tex=(r"LPM in the extreme imbalance case suffers minority collapse (minority classifiers close or "
                         r"merged); DLPM with the fixed ETF classifier produces the neural-collapse solution even on "
                         r"imbalanced data.")),
    Claim(f"{PAPER} Remark 2", PAPER,
          "With a learnable classifier and extreme imbalance, -dL/dw_k of a minority class is dominated by the push "
          "term F_push^(w) (n_k small, N - n_k large), so the classifiers of two minority classes are driven in "
          "nearly the same direction. Made exact at the balanced neural-collapse point (W and class means along one "
          "simplex ETF, K_A = K_B = 2, n_A = R n_B): cos of two minority gradients is -1/(K-1) at R = 1, grows with "
          "R and tends to 1; ||F_push||/||F_pull|| -> oo for a minority class, bounded for a majority class.",
          "learnable W, CE, (K_A, K_B) = (2, 2) STEP counts, features collapsed to their class means",
          (Check(CheckLevel.SYMBOLIC, "SymPy gradient of sum_k n_k L_CE(h_k, W) at the NC point: cosines and limits",
                 _remark2_symbolic),
           Check(CheckLevel.NUMERIC, "central differences agree with the SymPy cosine for R = 1, 10, 100, 1000",
                 _remark2_numeric),
           Check(CheckLevel.NUMERIC, "(K_A, K_B) = (1, 2), (2, 3), (3, 2), (4, 4): -1/(K-1) at R = 1, increasing to 1, "
                 "push/pull growing", _remark2_configurations)),
          statement_tex=(r"With a learnable classifier and extreme imbalance, $-\partial L/\partial w_k$ of a minority "
                         r"class is dominated by the push term $F^{(w)}_{\mathrm{push}}$ ($n_k$ small, $N - n_k$ "
                         r"large), so the classifiers of two minority classes are driven in nearly the same direction. "
                         r"Made exact at the balanced neural-collapse point ($W$ and class means along one simplex "
                         r"ETF, $K_A = K_B = 2$, $n_A = R\,n_B$): $\cos$ of two minority gradients is $-1/(K-1)$ at "
                         r"$R = 1$, grows with $R$ and tends to $1$; $\lVert F_{\mathrm{push}}\rVert/\lVert "
                         r"F_{\mathrm{pull}}\rVert \to \infty$ for a minority class, bounded for a majority class.")),
    Claim(f"{PAPER} App. C", PAPER,
          "||d L_DR/d h_{k,i}|| <= 2 sqrt(E_w_k) by (15), so (1/N)||d L_DR/d W_{1:L-1}|| <= (2/N) sum_{k,i} sigma_max "
          "sqrt(E_w_k); setting sqrt(E_w_k) = N/(K n_k) balances the per-class bound (2 sigma_max/K for every class) "
          "and 'is equivalent to performing a weighted loss function on different classes'.",
          "fixed ETF directions with class lengths sqrt(E_w_k), ||h||^2 <= E_H",
          (Check(CheckLevel.SYMBOLIC, "DR with length s = s x DR with a unit classifier; per-class bound = 2 sigma/K",
                 _weighted_equivalence),
           *bound_checks("||grad L_DR|| <= 2 sqrt(E_W) in the ball (central differences)", _ball, _dr_bound_excess,
                         FINITE_DIFFERENCE),
           *bound_checks("the bound is attained at h = -h*", lambda m: etf_points(m, "sphere"), _dr_bound_tight,
                         FINITE_DIFFERENCE),
           *strict_checks("edge: outside the ball (h = -rho h*, rho in [1.05, 3]) the bound fails",
                          _outside, _dr_bound_outside),
           *bound_checks("class lengths N/(K n_k): per-class (1/N) sum_i ||grad_h L_DR|| <= 2/K for random counts",
                         _class_bound_case, _class_bound_excess, FINITE_DIFFERENCE)),
          statement_tex=(r"$\lVert \partial L_{\mathrm{DR}}/\partial h_{k,i}\rVert \le 2\sqrt{E_{w_k}}$ by (15), so "
                         r"$\frac{1}{N}\lVert \partial L_{\mathrm{DR}}/\partial W_{1:L-1}\rVert \le "
                         r"\frac{2}{N}\sum_{k,i}\sigma_{\max}\sqrt{E_{w_k}}$; setting $\sqrt{E_{w_k}} = N/(K n_k)$ "
                         r"balances the per-class bound ($2\sigma_{\max}/K$ for every class) and 'is equivalent to "
                         r"performing a weighted loss function on different classes'.")),
]
