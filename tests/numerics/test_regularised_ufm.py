"""The class-level regularised UFM (numerics.regularised_ufm, docs/mathematics.md "The regularised UFM at
finite lambda"): reduction, certificate, solvers' agreement, refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from numerics import regularised_ufm as R
from theory.core.errors import ComputationError, InputError
from theory.core.presets import preset_loss

PRESETS = [("CE", {}), ("wCE", {"gamma": 1.0}), ("CDT", {"gamma": 0.5}), ("LDT", {"gamma": 0.7}),
           ("VS", {"gamma": 0.3, "tau": 1.0}), ("LA", {"tau": 1.0}), ("balanced-softmax", {}),
           ("LDAM", {"ldam_c": 1.5})]


def _random_problem(rng: np.random.Generator, k: int) -> R.RegularisedUFM:
    """A random preset (or a random custom A and B), random counts and weight decays."""
    counts = rng.integers(1, 60, size=k)
    lw, lh = 10.0 ** rng.uniform(-5, -2, size=2)
    j = int(rng.integers(0, len(PRESETS) + 1))
    if j == len(PRESETS):
        A = np.exp(rng.uniform(-0.7, 0.7, size=(k, k)))
        B = rng.uniform(-1.0, 1.0, size=(k, k))
        return R.RegularisedUFM(A, B, np.exp(rng.uniform(-0.5, 0.5, k)), counts, lw, lh)
    name, kw = PRESETS[j]
    return R.from_preset(preset_loss(name, counts, **kw), lw, lh)


def _cvxpy_sample_level(problem: R.RegularisedUFM, labels: np.ndarray) -> float:
    """Optimal value of the *sample-level* convex program min (1/N) sum_i l(z_i; y_i) + lambda ||Z||_*
    (Z k x N, no reduction), written sample by sample."""
    import cvxpy as cp

    from numerics.solve import solve_or_raise

    k, N = problem.k, labels.size
    Z = cp.Variable((k, N))
    terms = []
    for i, y in enumerate(labels):
        u = [0.0 if j == y else problem.scaling[y, j] * Z[j, i] - problem.scaling[y, y] * Z[y, i] + problem.offsets[y, j]
             for j in range(k)]
        terms.append(problem.class_weights[y] * cp.log_sum_exp(cp.hstack(u)))
    prob = cp.Problem(cp.Minimize(sum(terms) / N + problem.lam * cp.normNuc(Z)))
    solve_or_raise(prob, "sample level", solver="CLARABEL")
    return float(prob.value)


@pytest.mark.parametrize("name,kw", [PRESETS[0], PRESETS[2], PRESETS[5]])
def test_class_level_program_equals_sample_level_program(name, kw):
    """Collapse reduction with the sqrt(N) factor: the sample-level optimum (no symmetry assumed) equals
    the class-level optimum within the certificate's tolerance; the issue's normalisation
    lambda ||X diag(sqrt pi)||_* (without sqrt N) gives a different value."""
    counts = np.array([5, 3, 2])
    p = R.from_preset(preset_loss(name, counts, **kw), 2e-3, 8e-3)
    labels = np.repeat(np.arange(3), counts)
    sample = _cvxpy_sample_level(p, labels)
    cls = R.solve_cvxpy(p)
    assert abs(sample - cls.objective) <= 1e-6 * cls.objective
    wrong = R.RegularisedUFM(p.scaling, p.offsets, p.class_weights, p.counts / p.N, p.lambda_w, p.lambda_h)
    assert abs(R.solve_cvxpy(wrong).objective - cls.objective) > 1e-3 * cls.objective


def test_factors_attain_the_class_objective_at_sample_level():
    """The factors of the solution (W, class means repeated over samples) have sample-level UFM objective
    equal to the class-level optimum, W^T M = X, and any other factorisation W' = W T, H' = T^{-T} H of the
    same logits has a larger regularisation term (variational form of the nuclear norm)."""
    counts = np.array([7, 4, 2, 1])
    p = R.from_preset(preset_loss("CDT", counts, gamma=0.5), 1e-3, 4e-3)
    sol = R.solve_cvxpy(p)
    W, M = sol.factors()
    assert np.allclose(W.T @ M, sol.X, atol=1e-10 * np.abs(sol.X).max())
    labels = np.repeat(np.arange(4), counts)
    H = M[:, labels]
    value = p.sample_objective(W, H, labels)
    assert abs(value - sol.objective) <= 1e-9 * sol.objective
    rng = np.random.default_rng(3)
    for _ in range(5):
        T = np.eye(4) + 0.3 * rng.standard_normal((4, 4))
        assert p.sample_objective(W @ T, np.linalg.solve(T.T, H), labels) > value


def test_random_presets_and_counts_pass_their_certificates():
    """Property test: 10 random problems (presets, custom A/B, counts, decays; k in 3..25), both solvers
    certified at the default tolerance; the certified values agree to 1e-6 and the logits to 1e-6 of their
    size."""
    rng = np.random.default_rng(20251207)
    for _ in range(10):
        k = int(rng.integers(3, 26))
        p = _random_problem(rng, k)
        a = R.solve_cvxpy(p)
        b = R.solve_factored(p, seed=int(rng.integers(0, 1000)))
        for s in (a, b):
            assert s.certificate.holds and s.certificate.relative_gap <= R.DEFAULT_GAP_TOL
        assert abs(a.objective - b.objective) <= 1e-6 * a.objective
        assert np.abs(a.X - b.X).max() <= 1e-6 * max(1.0, np.abs(a.X).max())


def test_lower_bound_never_exceeds_the_optimum_and_a_perturbed_point_fails():
    """The certificate's lower bound at arbitrary points stays below the certified optimum (weak duality),
    and a point 1e-3 away from the minimiser does not pass."""
    counts = np.array([40, 10, 10, 3, 1])
    p = R.from_preset(preset_loss("LA", counts), 1e-4, 1e-3)
    sol = R.solve_cvxpy(p)
    opt_lower = sol.certificate.lower
    rng = np.random.default_rng(0)
    for scale in (1e-3, 1e-1, 1.0, 10.0):
        c = R.certify(p, sol.X + scale * rng.standard_normal(sol.X.shape))
        assert c.lower <= sol.objective * (1 + 1e-12)
        assert c.upper >= opt_lower * (1 - 1e-12)
        assert not c.holds
    with pytest.raises(ComputationError):
        R.certify(p, sol.X + 1e-3).require()


def test_symmetry_reduction_matches_the_full_program():
    """Classes with equal counts are exchangeable: the orbit-reduced solve and the full solve agree."""
    counts = np.array([50] * 3 + [5] * 4)
    p = R.from_preset(preset_loss("LDT", counts, gamma=0.5), 1e-4, 1e-4)
    sym = R.class_symmetry(p)
    assert sym.G == 2
    a = R.solve_factored(p)
    b = R.solve_factored(p, symmetric=False, seed=4)
    assert np.abs(a.X - b.X).max() <= 1e-6 * np.abs(a.X).max()
    custom = R.RegularisedUFM(np.exp(np.random.default_rng(1).uniform(-1, 1, (7, 7))), np.zeros((7, 7)),
                              np.ones(7), counts, 1e-4, 1e-4)
    assert R.class_symmetry(custom).G == 7  # a non-invariant A is not reduced


def test_focal_is_refused_with_a_curvature_witness():
    """Focal loss: InputError naming non-convexity; the witness has phi'' < 0 by the exact derivative."""
    with pytest.raises(InputError, match="not convex"):
        R.from_preset(preset_loss("focal", [10, 5, 2], focal_gamma=2.0), 1e-3, 1e-3)
    a_sym, g = sp.symbols("a g", real=True)
    phi = (1 / (1 + sp.exp(-a_sym))) ** g * sp.log(1 + sp.exp(a_sym))
    d2 = sp.lambdify((a_sym, g), sp.diff(phi, a_sym, 2))
    for gamma in (0.5, 1.0, 2.0):
        a0, value = R.focal_curvature_witness(gamma)
        assert d2(a0, gamma) < 0 and math.isclose(d2(a0, gamma), value, rel_tol=1e-4)
    # gamma_f = 0 is CE and is accepted
    R.from_preset(preset_loss("focal", [10, 5, 2], focal_gamma=0.0), 1e-3, 1e-3)


@pytest.mark.parametrize("bad", [0.0, -1e-3, float("nan"), float("inf"), "x"])
def test_bad_weight_decay_is_input_error(bad):
    with pytest.raises(InputError, match="lambda_w"):
        R.from_preset(preset_loss("CE", [3, 2]), bad, 1e-3)


def test_grouped_loss_equals_the_full_loss_at_invariant_points():
    """GroupedLoss (O(G^2)) against the k x k loss and its block-summed gradient at random invariant X."""
    counts = np.array([9, 9, 9, 4, 4, 1])
    for name, kw in PRESETS:
        p = R.from_preset(preset_loss(name, counts, **kw), 1e-3, 1e-3)
        sym = R.class_symmetry(p)
        gl = R.GroupedLoss(p, sym)
        rng = np.random.default_rng(5)
        a, Q = rng.standard_normal(sym.G), rng.standard_normal((sym.G, sym.G))
        a[sym.sizes == 1] = 0.0
        m = sym.sizes.astype(float)
        b = (Q - np.diag(a)) / np.sqrt(np.outer(m, m))
        X = sym.lift(a, Q)
        F, GX, _ = p.loss_and_grad(X)
        Fg, ga, gb = gl.value_and_grad(a, b)
        assert abs(F - Fg) <= 1e-13 * abs(F)
        S = sym.block_sums(GX)
        assert np.allclose(gb, S, rtol=1e-12, atol=1e-15)
        da = np.bincount(sym.group, weights=np.diag(GX), minlength=sym.G)
        assert np.allclose(ga, da, rtol=1e-12, atol=1e-15)
