"""yang2022 Def. 1 (simplex ETF) and Theorem 1 (DLPM with a fixed ETF classifier, any imbalance).

Tolerances: Clarabel's default gap tolerance is 1e-8. For CE the minimiser lies on the sphere with a
positive multiplier (well conditioned): measured deviation from eq. (33) 3e-6..2e-5, asserted 1e-4. For DR
the optimal value is 0 with a zero multiplier and the objective grows only like theta^4 in the angle
theta to w*_c on the sphere, so an objective accuracy eps moves h by ~eps^(1/4): measured 4e-5..7e-5,
asserted 1e-3.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numerics.dlpm import solve_dlpm, theorem1_deviation
from theory.core.errors import InputError
from theory.etf.simplex import simplex_etf
from theory.core.imbalance import Imbalance


@given(st.integers(2, 7), st.integers(0, 3), st.floats(0.1, 10.0), st.integers(0, 100))
def test_simplex_etf_inner_products(K, extra, E_W, seed):
    """eq. (6): w_k^T w_k' = E_W (K/(K-1) delta_kk' - 1/(K-1)), for every d >= K - 1."""
    W = simplex_etf(K, K - 1 + extra, E_W, seed)
    target = E_W * (K / (K - 1) * np.eye(K) - 1 / (K - 1))
    np.testing.assert_allclose(W.T @ W, target, atol=1e-12 * E_W)


@pytest.mark.parametrize("loss, tol", [("CE", 1e-4), ("DR", 1e-3)])
@pytest.mark.parametrize("counts, d, E_W, E_H", [
    ([20, 10, 3, 1, 1], 4, 1.0, 1.0),   # d = K - 1, strong imbalance
    ([1, 1, 30, 2], 6, 2.0, 0.5),       # d > K, minority first
    ([5, 5, 5], 2, 0.3, 3.0),           # balanced
])
def test_theorem1_every_feature_is_the_scaled_classifier(loss, tol, counts, d, E_W, E_H):
    """Thm 1 / eq. (33) (CE) and Sec. 4.3 (DR): h_i* = sqrt(E_H/E_W) w*_{y_i} for every sample,
    whatever the class counts."""
    W = simplex_etf(len(counts), d, E_W, seed=len(counts))
    H = solve_dlpm(Imbalance(counts), W, E_H, loss)
    assert theorem1_deviation(H, Imbalance(counts), W, E_H) <= tol


def test_dlpm_refuses_raw_counts():
    """Class counts are an Imbalance below the application layer: a list is refused (InputError), not converted."""
    with pytest.raises(InputError, match="must be an Imbalance"):
        solve_dlpm([2, 1, 1], simplex_etf(3, 2))


def test_a_non_etf_classifier_breaks_theorem1():
    """The ETF is what makes eq. (33) hold: with unequal classifier norms the CE minimiser is not
    aligned with w_{y_i} (measured deviation 0.11), so the check above can fail."""
    W = simplex_etf(3, 2, 1.0, seed=0) * np.array([1.0, 2.0, 0.5])
    H = solve_dlpm(Imbalance([2, 1, 1]), W, 1.0, "CE")
    assert theorem1_deviation(H, Imbalance([2, 1, 1]), W, 1.0) > 0.05


@pytest.mark.parametrize("call, message", [
    (lambda: simplex_etf(4, 2), "d >= K - 1"),
    (lambda: solve_dlpm(Imbalance([1, 2]), simplex_etf(3, 2)), "classes"),
    (lambda: solve_dlpm(Imbalance([1, 2, 3]), simplex_etf(3, 2), loss="MSE"), "loss"),
    (lambda: solve_dlpm(Imbalance([1, 2, 3]), simplex_etf(3, 2), E_H=0.0), "E_H"),
    (lambda: solve_dlpm(Imbalance([1, 2, 3]), simplex_etf(3, 2) * np.array([1, 2, 1]), loss="DR"), "equal norm"),
])
def test_bad_input_is_a_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
