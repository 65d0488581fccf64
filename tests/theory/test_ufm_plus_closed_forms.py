"""dang2024 UFM+: the closed forms evaluated for given counts (theory.ufm_plus.closed_form).

Checks the vectorised evaluation against explicit vectors and against the defining equations: the
thresholds of Cor. 4 are exactly where M_k reaches 0, Cor. 2's ordering, Cor. 3's inequality.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory.ufm_plus.closed_form import (collapse_threshold, configuration, margins, minimizer, minority_collapse_ratio,
                             predict)

lambdas = st.floats(1e-4, 0.2)
count_lists = st.lists(st.integers(1, 40), min_size=2, max_size=7)


def _means(H: np.ndarray, counts: list[int]) -> np.ndarray:
    bounds = np.cumsum([0] + list(counts))
    return np.stack([H[:, bounds[i]:bounds[i + 1]].mean(axis=1) for i in range(len(counts))], axis=1)


@given(count_lists, lambdas, lambdas)
def test_prediction_matches_explicit_minimiser(counts: list[int], lw: float, lh: float) -> None:
    # Prop. 1 / Thm 1(e) from the span algebra == Gram matrices of explicit vectors (float64 rounding)
    pred = predict(counts, lw, lh)
    W, H = minimizer(counts, lw, lh, len(counts) + 1)
    Hb = _means(H, counts)
    scale = max(1.0, float(np.max(np.abs(pred.w_gram))))
    assert np.allclose(W @ W.T, pred.w_gram, rtol=0, atol=1e-12 * scale)
    assert np.allclose(W @ Hb, pred.logits, rtol=0, atol=1e-12 * max(1.0, float(pred.M.max())))
    assert np.allclose(np.sum(Hb * Hb, axis=0), pred.h_norm_sq, rtol=1e-13, atol=0)
    assert np.allclose(W.sum(axis=0), 0.0, atol=1e-12 * math.sqrt(scale))          # sum_k w_k = 0


@given(count_lists, lambdas, lambdas)
def test_margins_of_explicit_minimiser_equal_M(counts: list[int], lw: float, lh: float) -> None:
    pred = predict(counts, lw, lh)
    W, H = minimizer(counts, lw, lh, len(counts))
    Z = W @ _means(H, counts)
    k = len(counts)
    margin = np.array([Z[c, c] - max(Z[m, c] for m in range(k) if m != c) for c in range(k)])
    assert np.allclose(margin, pred.M, rtol=0, atol=1e-12 * max(1.0, float(pred.M.max())))


fractions = st.floats(0.01, 0.95)
ratios = st.floats(0.25, 4.0)
small = st.floats(1e-6, 1e-2)


def _lambdas(product: float, ratio: float) -> tuple[float, float]:
    """(lambda_W, lambda_H) with lambda_W lambda_H = product and lambda_W / lambda_H = ratio."""
    return math.sqrt(product * ratio), math.sqrt(product / ratio)


@given(st.integers(2, 7), st.floats(5.0, 200.0), fractions, ratios, small,
       st.lists(st.floats(0.1, 1.0), min_size=6, max_size=6))
def test_collapse_threshold_is_where_M_reaches_zero(k: int, total: float, u: float, ratio: float, eps: float,
                                                    weights: list[float]) -> None:
    # N fixed, lambda_W lambda_H chosen so that C = u N; class 0 gets n_0 = C (1 -/+ eps), the others
    # share the rest: M_0 = 0 below C, > 0 above, and M_0 -> 0 continuously at C
    lw, lh = _lambdas(u * (k - 1) / (k * total), ratio)
    C = collapse_threshold(total, k, lw, lh)
    assert C == pytest.approx(u * total, rel=1e-12)
    share = np.asarray(weights[: k - 1]) / sum(weights[: k - 1])
    for n0, positive in ((C * (1 - eps), False), (C * (1 + eps), True)):
        counts = np.concatenate([[n0], (total - n0) * share])
        assert (margins(counts, lw, lh)[0] > 0) == positive
    near = np.concatenate([[C * (1 + 1e-9)], (total - C * (1 + 1e-9)) * share])
    assert margins(near, lw, lh)[0] < 1e-6


@given(st.integers(1, 6), st.integers(1, 6), st.floats(0.5, 50.0), fractions, ratios, small)
def test_minority_collapse_ratio_is_where_minority_M_reaches_zero(ka: int, kb: int, nb: float, u: float,
                                                                  ratio: float, eps: float) -> None:
    k = ka + kb
    lw, lh = _lambdas(u * (k - 1) / (k * nb * k * k), ratio)         # then R* > 1
    R_star = minority_collapse_ratio(ka, kb, nb, lw, lh)
    assert R_star > 1.0
    for R_, collapsed in ((R_star * (1 - eps), False), (R_star * (1 + eps), True)):
        M = margins([R_ * nb] * ka + [nb] * kb, lw, lh)
        assert bool(M[-1] == 0.0) == collapsed


@given(count_lists, lambdas, lambdas)
def test_complete_collapse_iff_largest_class_below_threshold(counts: list[int], lw: float, lh: float) -> None:
    pred = predict(counts, lw, lh)
    n = np.asarray(counts, dtype=np.float64)
    condition_18 = n.sum() ** 2 / n.max() >= (n.size - 1) / (n.size * lw * lh)
    assert pred.complete_collapse == condition_18
    if pred.complete_collapse:
        assert np.all(pred.w_gram == 0) and np.all(pred.h_norm_sq == 0)


@given(count_lists, lambdas, lambdas)
def test_corollary2_classifier_norms_are_ordered_like_counts(counts: list[int], lw: float, lh: float) -> None:
    pred = predict(counts, lw, lh)
    n = np.asarray(counts)
    for i in range(n.size):
        for j in range(n.size):
            if n[i] >= n[j]:
                assert pred.w_norm_sq[i] >= pred.w_norm_sq[j] * (1 - 1e-12)


@given(st.integers(2, 5), st.integers(2, 5), st.integers(1, 20), st.integers(2, 30), st.floats(0.01, 0.99), ratios)
def test_corollary3_majority_angles_are_wider(ka: int, kb: int, nb: int, R_: int, u: float, ratio: float) -> None:
    counts = [R_ * nb] * ka + [nb] * kb
    k, total = ka + kb, sum(counts)
    lw, lh = _lambdas(u * R_ * nb * (k - 1) / (k * total**2), ratio)  # n_A > C: no complete collapse
    pred = predict(counts, lw, lh)
    assert not pred.complete_collapse
    assert pred.cos_w[0, 1] < pred.cos_w[-1, -2]


def test_minority_collapse_gives_equal_classifiers() -> None:
    # Cor. 4: classes with n_k <= C have h_k = 0 and identical classifiers
    pred = predict([8, 8, 2, 2], 0.08, 0.08)
    assert pred.collapsed.tolist() == [False, False, True, True]
    assert pred.w_norm_sq[2] == pytest.approx(pred.w_gram[2, 3], rel=1e-14)
    assert pred.cos_w[2, 3] == pytest.approx(1.0, abs=1e-14)


def test_minority_collapse_ratio_reported_for_two_level_counts_only() -> None:
    assert predict([8, 8, 2, 2], 5e-3, 5e-3).minority_collapse_R == pytest.approx(
        (math.sqrt(3 / (4 * 2 * 25e-6)) - 2) / 2, rel=1e-14)
    same_groups_reordered = predict([2, 8, 2, 8], 5e-3, 5e-3).minority_collapse_R
    assert same_groups_reordered == predict([8, 8, 2, 2], 5e-3, 5e-3).minority_collapse_R
    assert predict([5, 3, 1], 5e-3, 5e-3).minority_collapse_R is None
    assert predict([4, 4], 5e-3, 5e-3).minority_collapse_R is None


def test_complete_collapse_cosines_are_undefined() -> None:
    pred = predict([8, 8, 2, 2], 0.15, 0.15)
    assert pred.complete_collapse and np.all(np.isnan(pred.cos_w))


@pytest.mark.parametrize("call, message", [
    (lambda: predict([3], 1e-2, 1e-2), "at least 2 classes"),
    (lambda: predict([3, 0], 1e-2, 1e-2), "strictly positive"),
    (lambda: predict([3, 2], 0.0, 1e-2), "lambda_W"),
    (lambda: predict([3, 2], 1e-2, float("nan")), "lambda_H"),
    (lambda: minimizer([3, 2], 1e-2, 1e-2, 1), "d must be >= 2"),
    (lambda: minimizer([3, 2.5], 1e-2, 1e-2, 2), "integers"),
    (lambda: configuration([3, 2], [1.0, -1.0], 1e-2, 1e-2, 2), "non-negative"),
    (lambda: minority_collapse_ratio(0, 1, 2, 1e-2, 1e-2), "K_A"),
    (lambda: collapse_threshold(10, 1, 1e-2, 1e-2), "K must be >= 2"),
])
def test_bad_input_raises_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
