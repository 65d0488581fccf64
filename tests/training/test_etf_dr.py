"""Fixed simplex-ETF classifier (yang2022 Def. 1) and the dot-regression experiment."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from training.data import digits_step
from training.etf_dr import ETFConfig, class_lengths, train_method


def test_class_lengths_appendix_c() -> None:
    counts = np.array([100, 100, 10, 10])
    np.testing.assert_allclose(class_lengths(counts), 220 / (4 * counts))


def test_dr_features_align_with_the_fixed_etf() -> None:
    """yang2022 Thm 1 in practice: with the ETF fixed, DR training pulls every (l2-normalised) training
    feature towards its class vector; after 15 epochs the mean cosine exceeds 0.8 (0 at random)."""
    data = digits_step(k_minor=5, R=5, n_min=10, seed=0)
    out = train_method("ETF+DR", data, seed=0, config=ETFConfig(epochs=15))
    assert out["feature_classifier_cosine"] > 0.8
    with pytest.raises(ValueError):
        train_method("ETF+MSE", data, seed=0)
