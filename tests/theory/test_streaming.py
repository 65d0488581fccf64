"""Streaming class statistics (theory.core.streaming) equal the one-shot computation to 1e-10."""

import numpy as np
import pytest

from theory.core.errors import ComputationError, InputError
from theory.core.collapse_metrics import nc1
from theory.core.streaming import ClassStatistics, NearestCentreAgreement

K, D, N = 5, 24, 4000


def _data(seed=0, offset=1e3):
    """Features with a large common offset (the case where sum h h^T - n mu mu^T cancels badly)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, K, N)
    centres = 3.0 * rng.standard_normal((K, D))
    return offset + centres[y] + rng.standard_normal((N, D)), y


def _one_shot(X, y):
    M = np.stack([X[y == c].mean(axis=0) for c in range(K)])
    C = X - M[y]
    return M, C.T @ C


@pytest.mark.parametrize("rows", [1, 7, 256, N])
def test_streaming_equals_one_shot(rows):
    X, y = _data()
    stats = ClassStatistics(K, D)
    for start in range(0, N, rows):
        stats.update(X[start:start + rows], y[start:start + rows])
    M, S = _one_shot(X, y)
    np.testing.assert_array_equal(stats.counts, np.bincount(y, minlength=K))
    assert np.abs(stats.means.T - M).max() <= 1e-10 * np.abs(M).max()
    assert np.abs(stats.within_scatter - S).max() <= 1e-10 * np.abs(S).max()
    assert stats.nc1() == pytest.approx(float(nc1(X.T, y, K)), rel=1e-10)


def test_float32_batches_accumulate_in_float64():
    X, y = _data(1, offset=10.0)
    X32 = X.astype(np.float32)
    stats = ClassStatistics(K, D).update(X32[:1000], y[:1000]).update(X32[1000:], y[1000:])
    _, S = _one_shot(X32.astype(np.float64), y)
    assert np.abs(stats.within_scatter - S).max() <= 1e-10 * np.abs(S).max()


def test_merge_equals_one_stream():
    X, y = _data(2)
    a = ClassStatistics(K, D).update(X[:1500], y[:1500])
    b = ClassStatistics(K, D).update(X[1500:], y[1500:])
    whole = ClassStatistics(K, D).update(X, y)
    a.merge(b)
    np.testing.assert_array_equal(a.counts, whole.counts)
    assert np.abs(a.within_scatter - whole.within_scatter).max() <= 1e-10 * np.abs(whole.within_scatter).max()


def test_nc1_is_zero_at_collapse_and_grows_with_noise():
    rng = np.random.default_rng(3)
    y = np.repeat(np.arange(K), 50)
    centres = rng.standard_normal((K, D))
    values = []
    for sigma in (0.0, 0.1, 0.3, 1.0):
        X = centres[y] + sigma * rng.standard_normal((y.size, D))
        values.append(ClassStatistics(K, D).update(X, y).nc1())
    assert values[0] < 1e-20 and all(a < b for a, b in zip(values, values[1:]))


def test_nc4_against_a_loop():
    X, y = _data(4, offset=0.0)
    M, _ = _one_shot(X, y)
    W = np.random.default_rng(5).standard_normal((K, D))
    disagree = 0
    for x in X:
        ncc = min(range(K), key=lambda c: float(np.sum((x - M[c]) ** 2)))
        clf = max(range(K), key=lambda c: float(W[c] @ x))
        disagree += ncc != clf
    agreement = NearestCentreAgreement(M.T, W)
    for start in range(0, N, 999):
        agreement.update(X[start:start + 999])
    assert agreement.value == disagree / N


@pytest.mark.parametrize("X,y,match", [
    (np.full((3, D), np.nan), [0, 1, 2], "NaN or inf"),
    (np.full((3, D), np.inf), [0, 1, 2], "NaN or inf"),
    (np.zeros((3, D)), [0, 1, K], "out of range"),
    (np.zeros((3, D)), [0, -1, 2], "out of range"),
    (np.zeros((3, D)), [0.0, 1.0, 2.0], "integers"),
    (np.zeros((3, D + 1)), [0, 1, 2], "b x 24"),
    (np.zeros((3, D)), [0, 1], "needs 3 labels"),
])
def test_bad_batches(X, y, match):
    with pytest.raises(InputError, match=match):
        ClassStatistics(K, D).update(X, np.asarray(y))


def test_empty_class_is_reported():
    stats = ClassStatistics(K, D).update(np.zeros((2, D)), np.array([0, 1]))
    with pytest.raises(InputError, match="class 2 has no sample"):
        stats.means


def test_nc1_is_undefined_when_class_means_coincide():
    """Sigma_B = 0 (every class mean equal): NC1 is 0/0 and raises, as theory.core.collapse_metrics.nc1 does."""
    X = np.array([[0.0, 1.0], [2.0, 1.0], [0.0, 1.0], [2.0, 1.0]])
    stats = ClassStatistics(2, 2).update(X, np.array([0, 0, 1, 1]))
    with pytest.raises(ComputationError, match="undefined"):
        stats.nc1()


def test_rejected_batch_leaves_the_statistics_unchanged():
    """NaN or inf found in a later batch (detected through the scatter's diagonal) is an InputError and the
    state is the one before the batch."""
    X, y = _data(6)
    stats = ClassStatistics(K, D).update(X[:2000], y[:2000])
    before = (stats.counts, stats.means, stats.within_scatter)
    bad = X[2000:].copy()
    bad[17, 3] = np.inf
    with pytest.raises(InputError, match="NaN or inf"):
        stats.update(bad, y[2000:])
    for a, b in zip(before, (stats.counts, stats.means, stats.within_scatter)):
        np.testing.assert_array_equal(a, b)


def test_overflowing_scatter_is_a_computation_error():
    """Finite float64 features whose squares exceed float64 (1e200^2) cannot be accumulated."""
    X = np.zeros((3, D))
    X[1, 0] = 1e200
    with pytest.raises(ComputationError, match="overflows"):
        ClassStatistics(K, D).update(X, np.array([0, 0, 1]))
