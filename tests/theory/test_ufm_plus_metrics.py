"""dang2024 NC1 (19), NC2 (20), NC3 (21) and the margin (13) in theory.core.collapse_metrics.

Oracles: direct loops over samples and classes written from the paper's definitions; the explicit
closed-form minimiser, at which all three metrics vanish.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory.core.errors import ComputationError, InputError
from theory.core.collapse_metrics import class_margins, nc1, nc2, nc3, ufm_plus_classifier, ufm_plus_logits
from theory.ufm_plus.closed_form import minimizer, predict

count_lists = st.lists(st.integers(1, 6), min_size=2, max_size=5)


def _random(counts: list[int], d: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(counts)), counts)
    return rng.standard_normal((len(counts), d)), rng.random((d, labels.size)), labels


def _loop_nc1(H: np.ndarray, labels: np.ndarray, k: int) -> float:
    d, n = H.shape
    means = [H[:, labels == c].mean(axis=1) for c in range(k)]
    h_G = H.sum(axis=1) / n
    sw = sum(np.outer(H[:, i] - means[labels[i]], H[:, i] - means[labels[i]]) for i in range(n)) / n
    sb = sum(np.outer(m - h_G, m - h_G) for m in means) / k
    return float(np.trace(sw @ np.linalg.pinv(sb)) / k)


def _loop_nc2(W: np.ndarray, H: np.ndarray, labels: np.ndarray) -> float:
    k = W.shape[0]
    means = [H[:, labels == c].mean(axis=1) for c in range(k)]
    n = [np.sum(labels == c) for c in range(k)]
    total = sum(np.sqrt(n[m]) * means[m] for m in range(k))
    ref = np.stack([k * np.sqrt(n[c]) * means[c] - total for c in range(k)])
    return float(np.linalg.norm(W / np.linalg.norm(W) - ref / np.linalg.norm(ref)))


@given(count_lists, st.integers(2, 6), st.integers(0, 10**6))
def test_nc1_and_nc2_match_definitions(counts: list[int], extra: int, seed: int) -> None:
    W, H, labels = _random(counts, len(counts) + extra, seed)
    assert nc1(H, labels, len(counts)) == pytest.approx(_loop_nc1(H, labels, len(counts)), rel=1e-8, abs=1e-12)
    assert nc2(W, H, labels) == pytest.approx(_loop_nc2(W, H, labels), rel=1e-12, abs=1e-14)


@given(count_lists, st.floats(1e-3, 0.05), st.floats(1e-3, 0.05))
def test_metrics_vanish_at_the_closed_form_minimiser(counts: list[int], lw: float, lh: float) -> None:
    pred = predict(counts, lw, lh)
    if pred.complete_collapse:
        return  # NC2/NC3 undefined (tested below)
    W, H = minimizer(counts, lw, lh, len(counts) + 2)
    labels = np.repeat(np.arange(len(counts)), counts)
    assert nc1(H, labels, len(counts)) < 1e-20               # collapse: Sigma_W = 0 up to rounding
    assert nc2(W, H, labels) < 1e-12
    assert nc3(W, H, labels, pred.M) < 1e-12
    assert np.allclose(class_margins(W, H, labels), pred.M, rtol=0, atol=1e-12 * max(1.0, pred.M.max()))


def test_metrics_detect_departures_from_the_minimiser() -> None:
    counts = [5, 3, 2]
    pred = predict(counts, 1e-2, 1e-2)
    W, H = minimizer(counts, 1e-2, 1e-2, 4)
    labels = np.repeat(np.arange(3), counts)
    rng = np.random.default_rng(0)
    H2 = H + 0.1 * rng.random(H.shape)
    W2 = W + 0.1 * rng.standard_normal(W.shape)
    assert nc1(H2, labels, 3) > 1e-4
    assert nc2(W2, H, labels) > 1e-3
    assert nc3(W2, H, labels, pred.M) > 1e-3


def test_batched_metrics_equal_per_item_metrics() -> None:
    counts = [4, 2, 3]
    labels = np.repeat(np.arange(3), counts)
    rng = np.random.default_rng(1)
    W = rng.standard_normal((5, 3, 4))
    H = rng.random((5, 4, labels.size))
    M = np.array([2.0, 1.0, 0.5])
    for fn, args in ((nc1, (H, labels, 3)), (nc2, (W, H, labels)), (nc3, (W, H, labels, M)),
                     (class_margins, (W, H, labels))):
        batched = fn(*args)
        single = np.stack([fn(*[a[b] if isinstance(a, np.ndarray) and a.ndim == 3 else a for a in args])
                           for b in range(5)])
        assert np.allclose(batched, single, rtol=1e-12, atol=1e-14)


def test_nc2_nc3_are_scale_invariant_and_bounded() -> None:
    W, H, labels = _random([3, 2, 4], 5, 2)
    M = np.array([1.0, 2.0, 0.0])
    assert nc2(7.5 * W, H, labels) == pytest.approx(nc2(W, H, labels), rel=1e-13)
    assert nc3(7.5 * W, H, labels, M) == pytest.approx(nc3(W, H, labels, M), rel=1e-13)
    assert 0.0 <= nc2(W, H, labels) <= 2.0


def test_ufm_plus_logits_rows_sum_to_zero_and_reference_classifier_sums_to_zero() -> None:
    Z = ufm_plus_logits(np.array([3.0, 1.0, 0.5, 0.0]))
    assert np.allclose(Z.sum(axis=0), 0.0, atol=1e-15)                  # sum_m z_k^(m) = 0 (Thm 1(e))
    assert Z[0, 0] == pytest.approx(3.0 * 3 / 4) and Z[1, 0] == pytest.approx(-3.0 / 4)
    _, H, labels = _random([3, 1, 2], 4, 3)
    assert np.allclose(ufm_plus_classifier(H, labels, 3).sum(axis=0), 0.0, atol=1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda: nc1(np.ones((3, 4)), np.array([0, 0, 1, 1]), 3), "every class"),
    (lambda: nc1(np.ones((3, 4)), np.array([0, 0, 1]), 2), "len\\(labels\\)"),
    (lambda: nc1(np.ones((3, 4)), np.array([0.0, 0.0, 1.0, 1.0]), 2), "integer"),
    (lambda: nc2(np.ones((2, 5)), np.ones((3, 4)), np.array([0, 0, 1, 1])), "the d of H"),
    (lambda: nc3(np.ones((2, 3)), np.ones((3, 4)), np.array([0, 0, 1, 1]), np.ones(3)), "margins"),
    (lambda: ufm_plus_logits(np.array([1.0, -1.0])), "non-negative"),
])
def test_bad_input_raises_value_error(call, message: str) -> None:
    with pytest.raises(InputError, match=message):
        call()


@pytest.mark.parametrize("call", [
    lambda: nc1(np.zeros((3, 4)), np.array([0, 0, 1, 1]), 2),
    lambda: nc2(np.ones((2, 3)), np.zeros((3, 4)), np.array([0, 0, 1, 1])),
    lambda: nc3(np.ones((2, 3)), np.ones((3, 4)), np.array([0, 0, 1, 1]), np.zeros(2)),
])
def test_undefined_metric_is_a_computation_error_not_bad_input(call) -> None:
    """NC2 at W_UFM+(H) = 0 and NC3 at M = 0 (dang2024 eqs. 20-21 divide by zero): a failed measurement
    of well-formed arrays, so ComputationError (CLI exit 1), never InputError (exit 2)."""
    with pytest.raises(ComputationError, match="undefined") as info:
        call()
    assert not isinstance(info.value, ValueError)


def test_metrics_at_the_complete_collapse_are_undefined_not_zero() -> None:
    """dang2024 Cor. 4(b): below the threshold for every class the minimiser is W = H = 0 (eq. (18)); NC1-NC3
    are 0/0 there and raise, whereas tr(Sigma_W 0^+) would have returned 0 ("perfect collapse")."""
    counts, lam = [3, 2, 2], 0.5
    pred = predict(counts, lam, lam)
    assert pred.complete_collapse
    W, H = minimizer(counts, lam, lam, 4)
    assert not np.any(W) and not np.any(H)
    labels = np.repeat(np.arange(3), counts)
    for call in (lambda: nc1(H, labels, 3), lambda: nc2(W, H, labels), lambda: nc3(W, H, labels, pred.M)):
        with pytest.raises(ComputationError, match="undefined"):
            call()


def test_nc1_is_undefined_when_class_means_coincide_despite_spread() -> None:
    """Equal class means with a large within-class spread: Sigma_B = 0, so the pseudo-inverse would give
    NC1 = 0 for features that are not collapsed at all; it raises instead. A batch with one such item raises."""
    H = np.array([[0.0, 2.0, 0.0, 2.0], [1.0, 1.0, 1.0, 1.0]])       # both class means (1, 1)
    labels = np.array([0, 0, 1, 1])
    with pytest.raises(ComputationError, match="Sigma_B = 0"):
        nc1(H, labels, 2)
    good = np.array([[0.0, 2.0, 3.0, 5.0], [1.0, 1.0, 1.0, 1.0]])
    assert nc1(good, labels, 2) > 0.1
    with pytest.raises(ComputationError):
        nc1(np.stack([good, H]), labels, 2)
