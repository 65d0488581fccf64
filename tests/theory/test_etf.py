"""theory.etf.simplex: the simplex ETF of yang2022 Def. 1 (eqs. (1), (2), (6))."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory.etf.simplex import etf_gram, simplex_etf


@given(k=st.integers(2, 9), extra=st.integers(-1, 3), e_w=st.floats(0.1, 10.0), seed=st.integers(0, 2**31))
def test_gram_matrix_is_eq6(k, extra, e_w, seed):
    W = simplex_etf(k, k + extra, e_w, seed)
    assert W.shape == (k + extra, k)
    gram = W.T @ W
    expected = e_w * (k / (k - 1) * np.eye(k) - np.ones((k, k)) / (k - 1))
    assert np.max(np.abs(gram - expected)) <= 1e-12 * e_w * k
    assert np.max(np.abs(etf_gram(k, e_w) - expected)) <= 1e-15 * e_w
    assert np.linalg.norm(W.sum(axis=1)) <= 1e-12 * np.sqrt(e_w) * k      # sum_k w_k = 0


def test_seed_rotates_the_frame():
    assert not np.allclose(simplex_etf(4, 6, 1.0, 0), simplex_etf(4, 6, 1.0, 1))
    assert np.array_equal(simplex_etf(4, 6, 1.0, 5), simplex_etf(4, 6, 1.0, 5))


@pytest.mark.parametrize("args, msg", [
    ((1, 3), "K must be >= 2"),
    ((4, 2), "needs d >= K - 1 = 3"),
    ((3, 3, 0.0), "E_W must be > 0"),
    ((3, 3, 1.0, -1), "seed must be a non-negative integer"),
    ((3, 3, 1.0, 1.5), "seed must be a non-negative integer"),
])
def test_rejects_bad_input(args, msg):
    with pytest.raises(ValueError, match=msg):
        simplex_etf(*args)
