"""yang2022 Def. 2 / Theorem 2: what Appendix B computes holds; the theorem's statement about the
projected-gradient eta-regularity numbers does not (erratum yang2022-thm2-eta)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import logsumexp

from theory.etf.simplex import simplex_etf
from numerics.eta_regularity import (ce_contraction_limit, contraction, eta_number, gradient, optimum,
                                     paper_bound, project_ball, sample_near)


def _ce(h, W, c):
    z = W.T @ h
    return logsumexp(z) - z[c]


def _dr(h, W, c, E_H):
    s = np.linalg.norm(W[:, c]) * np.sqrt(E_H)
    return (W[:, c] @ h - s) ** 2 / (2 * s)


settings = st.tuples(st.integers(3, 6), st.integers(0, 2), st.floats(0.2, 5.0), st.floats(0.2, 5.0),
                     st.floats(0.01, 1.0), st.integers(0, 50))


def _setup(K, extra, E_W, E_H, radius, seed):
    W = simplex_etf(K, K - 1 + extra, E_W, seed)
    c = seed % K
    return W, c, sample_near(W, c, E_H, radius * np.sqrt(E_H), seed)


@given(settings)
def test_gradients_by_taylor_remainder(setting):
    """eq. (12) and the gradient of eq. (14): the first-order Taylor remainder is O(t^2) (it drops
    by ~100 when t drops by 10), as pymanopt's check_gradient tests a derivative."""
    W, c, h = _setup(*setting)
    E_H = setting[3]
    u = np.random.default_rng(setting[-1]).standard_normal(h.size)
    for f, g in ((lambda x: _ce(x, W, c), gradient("CE", h, W, c, E_H)),
                 (lambda x: _dr(x, W, c, E_H), gradient("DR", h, W, c, E_H))):
        rem = [abs(f(h + t * u) - f(h) - t * g @ u) for t in (1e-2, 1e-3)]
        assert rem[1] <= 0.02 * rem[0] + 1e-13


@given(settings)
def test_dr_gradient_on_the_sphere_is_eq15(setting):
    """eq. (15): on ||h||^2 = E_H, grad L_DR = -(1 - cos angle(h, w_c)) w_c."""
    W, c, h = _setup(*setting)
    cos = 2 * paper_bound(h, W, c) - 1
    np.testing.assert_allclose(gradient("DR", h, W, c, setting[3]), -(1 - cos) * W[:, c], atol=1e-12)


@given(settings)
def test_appendix_b_pre_projection_identities(setting):
    """eq. (36): DR at gamma = sqrt(E_H/E_W) has pre-projection ratio exactly (1 + cos)/2; eq. (43): CE
    under the symmetric-p assumption reaches the same value at its h-dependent gamma (the corrected
    step of erratum yang2022-appB-step) and not below it at other steps; and the projection never
    increases the distance (non-expansiveness)."""
    K, _, E_W, E_H, _, _ = setting
    W, c, h = _setup(*setting)
    bound = paper_bound(h, W, c)
    assert contraction("DR", h, W, c, E_H, np.sqrt(E_H / E_W), projected=False) == pytest.approx(bound, rel=1e-9)
    p_c = np.exp(W[:, c] @ h) / np.sum(np.exp(W.T @ h))
    cos = 2 * bound - 1
    g_star = (K - 1) / K * np.sqrt(E_H / E_W) * (1 - cos) / (1 - p_c)
    for gamma in (0.5 * g_star, g_star, 2 * g_star):
        value = contraction("CE", h, W, c, E_H, gamma, projected=False, symmetric=True)
        assert value >= bound * (1 - 1e-9)
        if gamma == g_star:
            assert value == pytest.approx(bound, rel=1e-9)
        for loss, sym in (("CE", True), ("CE", False), ("DR", False)):
            if loss == "DR" and sym:
                continue
            assert contraction(loss, h, W, c, E_H, gamma, symmetric=sym) <= \
                contraction(loss, h, W, c, E_H, gamma, projected=False, symmetric=sym) * (1 + 1e-12)


@pytest.mark.parametrize("in_span, index", [(True, 0), (False, 1)])
@pytest.mark.parametrize("gamma", [0.3, 1.0, 4.0])
def test_projected_ce_contraction_has_the_first_order_limit(in_span, index, gamma):
    """As h -> h*, the projected CE contraction tends to ce_contraction_limit (derived by hand; the
    error is O(||h - h*||)): within 1e-3 at radius 1e-4."""
    K, E_W, E_H = 5, 2.0, 0.5
    W = simplex_etf(K, K + 1, E_W, seed=4)
    h = sample_near(W, 1, E_H, 1e-4, seed=5, in_span=in_span)
    limit = ce_contraction_limit(K, E_W, E_H, gamma)[index]
    assert contraction("CE", h, W, 1, E_H, gamma) == pytest.approx(limit, abs=1e-3)


def test_theorem2_inequality_fails_for_projected_gradient():
    """Erratum yang2022-thm2-eta: near h* every fixed step gives eta_CE < (1 + cos)/2 (which -> 1),
    and DR's eta at the paper's step is strictly below (1 + cos)/2 while both tend to 1."""
    K, E_W, E_H = 4, 1.0, 1.0
    W = simplex_etf(K, K, E_W, seed=0)
    h = sample_near(W, 0, E_H, 1e-3, seed=3)
    bound = paper_bound(h, W, 0)
    assert bound > 1 - 1e-6
    for gamma in np.logspace(-2, 2, 9):
        assert contraction("CE", h, W, 0, E_H, gamma) < bound
    dr = contraction("DR", h, W, 0, E_H, 1.0)
    assert dr < bound and dr > 1 - 1e-5  # DR barely contracts near h*


def test_best_step_of_definition2():
    """Def. 2 with the step chosen to make eta smallest: DR's projected contraction keeps falling as
    gamma grows (the DR gradient is parallel to h*, so eta_DR -> 0), CE's has an interior minimum;
    both are far below (1 + cos)/2."""
    K, E_W, E_H = 5, 1.0, 1.0
    W = simplex_etf(K, K + 1, E_W, seed=2)
    h = sample_near(W, 3, E_H, 0.1, seed=4)
    gammas = np.logspace(-1, 6, 29)
    dr, dr_gamma = eta_number("DR", h, W, 3, E_H, gammas)
    ce, ce_gamma = eta_number("CE", h, W, 3, E_H, gammas)
    assert dr_gamma == gammas[-1] and dr < 1e-3
    assert gammas[0] < ce_gamma < gammas[-1]
    assert max(dr, ce) < 0.1 * paper_bound(h, W, 3)


def test_helpers():
    W = simplex_etf(3, 3, 4.0, seed=1)
    np.testing.assert_allclose(optimum(W, 2, 9.0), 1.5 * W[:, 2])
    x = np.array([3.0, 4.0, 0.0])
    np.testing.assert_allclose(project_ball(x, 1.0), x / 5)
    np.testing.assert_allclose(project_ball(x / 10, 1.0), x / 10)


@pytest.mark.parametrize("call, message", [
    (lambda W: gradient("MSE", np.ones(3), W, 0, 1.0), "loss"),
    (lambda W: gradient("DR", np.ones(3), W, 0, 1.0, symmetric=True), "CE only"),
    (lambda W: gradient("CE", np.ones(2), W, 0, 1.0), "length"),
    (lambda W: gradient("CE", np.ones(3), W, 3, 1.0), "label"),
    (lambda W: contraction("CE", optimum(W, 0, 1.0), W, 0, 1.0, 1.0), "undefined"),
    (lambda W: sample_near(W, 0, 1.0, 2.5), "radius"),
    (lambda W: sample_near(simplex_etf(3, 2), 0, 1.0, 0.1, in_span=False), "complement"),
])
def test_bad_input_is_a_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call(simplex_etf(3, 3, 1.0, seed=0))
