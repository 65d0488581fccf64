"""Imbalance, Parameterization and the SEL matrix: construction, validation and Def. 1 identities."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory.core.imbalance import Imbalance
from theory.core.parameterization import Parameterization
from theory.seli.sel import class_logits, sel_matrix, z_hat


def test_step_counts_majority_first():
    im = Imbalance.step(10, 5, 10, 5)
    assert im.counts.tolist() == [50] * 5 + [5] * 5
    assert im.n == 275 and im.k == 10
    maj, mnr = im.groups()
    assert maj.tolist() == [0, 1, 2, 3, 4] and mnr.tolist() == [5, 6, 7, 8, 9]
    assert np.bincount(im.labels()).tolist() == im.counts.tolist()


@pytest.mark.parametrize("args, msg", [
    ((1, 1, 2, 1), "k must be >= 2"),
    ((4, 0, 2, 1), "k_minor must be >= 1"),
    ((4, 4, 2, 1), "k_minor must lie in"),
    ((4, 1, 0.0, 1), "R must be > 0"),
    ((4, 1, -3, 1), "R must be > 0"),
    ((4, 1, float("nan"), 1), "R must be finite"),
    ((4, 1, float("inf"), 1), "R must be finite"),
    ((4, 1, 2.5, 1), "must be a positive integer"),
    ((4, 1, "10", 1), "R must be a real number"),
    ((4, 1, 2, 0), "n_min must be >= 1"),
])
def test_step_rejects_bad_input(args, msg):
    with pytest.raises(ValueError, match=msg):
        Imbalance.step(*args)


def test_general_counts_validation_and_groups():
    with pytest.raises(ValueError, match="at least 2 classes"):
        Imbalance(np.array([3]))
    with pytest.raises(ValueError, match="must be >= 1"):
        Imbalance(np.array([3, 0]))
    with pytest.raises(ValueError, match="two distinct class sizes"):
        Imbalance(np.array([3, 2, 1])).groups()
    maj, mnr = Imbalance(np.array([2, 7, 2, 7])).groups()
    assert maj.tolist() == [1, 3] and mnr.tolist() == [0, 2]


def test_parameterization_families_match_their_definitions():
    d = np.array([2.0, 0.5, 1.5])
    cdt, ldt = Parameterization.cdt(d), Parameterization.ldt(d)
    for y in range(3):
        for c in range(3):
            assert cdt.scaling[y, c] == d[c]  # eq. (2a): delta of the classifier's class
            assert ldt.scaling[y, c] == d[y]  # eq. (2b): delta of the sample's label
    assert np.all(Parameterization.ce(3).scaling == 1)
    vs = Parameterization.vs(d, [0.1, 0.0, -0.2])
    assert vs.svm_family == "CDT" and vs.offsets.tolist() == [0.1, 0.0, -0.2]


@pytest.mark.parametrize("bad, msg", [
    (np.array([[1.0, -1.0], [1.0, 1.0]]), "strictly positive"),
    (np.array([[1.0, np.nan], [1.0, 1.0]]), "finite"),
    (np.ones((2, 3)), "square"),
    (np.ones((1, 1)), "at least 2 classes"),
])
def test_custom_scaling_validation(bad, msg):
    with pytest.raises(ValueError, match=msg):
        Parameterization.custom(bad)


def test_delta_validation():
    with pytest.raises(ValueError, match="strictly positive"):
        Parameterization.cdt([1.0, 0.0])
    with pytest.raises(ValueError, match="unknown loss"):
        Parameterization.from_name("focal", [1.0, 1.0])


def test_margins_against_plain_loop():
    rng = np.random.default_rng(3)
    A = rng.uniform(0.2, 3.0, size=(4, 4))
    p = Parameterization.custom(A)
    y = np.array([0, 0, 1, 2, 3, 3, 1])
    Z = rng.normal(size=(4, y.size))
    got = p.margins(Z, y)
    L = p.margin_operator(y)
    flat = L @ Z.reshape(-1, order="F")
    row = 0
    for i, yi in enumerate(y):
        for c in range(4):
            if c == yi:
                assert got[i, c] == np.inf
                continue
            expected = A[yi, yi] * Z[yi, i] - A[yi, c] * Z[c, i]
            assert got[i, c] == pytest.approx(expected, abs=1e-14)
            assert flat[row] == pytest.approx(expected, abs=1e-14)
            row += 1
    assert row == L.shape[0]


deltas = st.lists(st.floats(0.05, 20.0), min_size=2, max_size=12)


@given(deltas)
def test_sel_matrix_definition_and_kernel(delta):
    """Def. 1(a) entry by entry; Xi^T diag(delta)^{-1} 1 = 0; rank k - 1."""
    d = np.array(delta)
    Xi = sel_matrix(d)
    total = np.sum(d**-2.0)
    k = d.size
    for c in range(k):
        for j in range(k):
            expected = (float(c == j) - d[j] ** -2 / total) / d[c]
            assert Xi[c, j] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    kernel = Xi.T @ (1.0 / d)
    assert np.max(np.abs(kernel)) <= 1e-12 * np.max(np.abs(Xi)) * k
    sv = np.linalg.svd(Xi, compute_uv=False)
    assert sv[-1] <= 1e-12 * sv[0] and sv[-2] > 1e-9 * sv[0]


@given(deltas, st.lists(st.integers(1, 4), min_size=12, max_size=12))
def test_every_margin_is_one_at_z_hat(delta, reps):
    """Thm 2: CDT margins (3a) and LDT margins (3b) are all exactly 1 at the predicted logits."""
    d = np.array(delta)
    y = np.repeat(np.arange(d.size), reps[: d.size])
    for p in (Parameterization.cdt(d), Parameterization.ldt(d)):
        marg = p.margins(z_hat(y, p), y)
        finite = marg[np.isfinite(marg)]
        assert np.allclose(finite, 1.0, rtol=0, atol=1e-12)


def test_ce_sel_entries():
    Xi = class_logits(Parameterization.ce(5))
    assert np.allclose(np.diag(Xi), 1 - 1 / 5, atol=1e-15)
    assert np.allclose(Xi[~np.eye(5, dtype=bool)], -1 / 5, atol=1e-15)


def test_custom_parameterization_has_no_closed_form():
    with pytest.raises(ValueError, match="no closed-form"):
        class_logits(Parameterization.custom(np.ones((3, 3)) + np.eye(3)))
