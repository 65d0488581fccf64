"""Fixed simplex-ETF classifier (yang2022 Def. 1) and the dot-regression experiment on the batched program."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from theory.core.errors import InputError
from theory.etf.simplex import etf_gram
from training.batched import SGDConfig
from training.data import digits_step
from training.deepnet import NetConfig
from training.fixed_etf import alignment, class_lengths, method_program, train_method

NET = NetConfig(arch="mlp", width=16, hidden=(32,), sgd=SGDConfig(epochs=15, lr=0.05, batch_size=32), log_every=15,
                device="cpu")


def test_class_lengths_appendix_c() -> None:
    counts = np.array([100, 100, 10, 10])
    np.testing.assert_allclose(class_lengths(counts), 220 / (4 * counts))


def test_fixed_classifier_is_the_scaled_etf_and_is_not_trained() -> None:
    """ETF+DR: the classifier's Gram matrix is diag(l) G_ETF diag(l) (yang2022 eq. 2, App. C lengths l),
    and training leaves it unchanged bit for bit."""
    data = digits_step(k_minor=5, R=5, n_min=10, seed=0)
    nets, obj = method_program("ETF+DR", data, [0, 1], NET)
    lengths = class_lengths(data.imbalance.counts)
    W = nets[0].classifier_matrix.detach().double().numpy()
    np.testing.assert_allclose(W.T @ W, lengths[:, None] * etf_gram(10) * lengths[None, :], atol=1e-5)
    before = [n.classifier.weight.detach().clone() for n in nets]
    from training.batched import train_batched

    hist = train_batched(nets, [0, 1], obj, data.X_train, data.y_train, SGDConfig(epochs=2, batch_size=32), [0])
    for b in range(2):
        assert torch.equal(hist.final["classifier.weight"][b], before[b])
    with pytest.raises(InputError, match="unknown method"):
        method_program("ETF+MSE", data, [0], NET)


def test_dr_features_align_with_the_fixed_etf() -> None:
    """yang2022 Thm 1 in practice: with the ETF fixed, DR training aligns the centred class means with
    their classifier vectors; after 15 epochs the mean cos(h_c - h_G, w_c) exceeds 0.8 for both seeds
    (about 0 for random features), and the balanced test accuracy exceeds 60 % (10 % is chance)."""
    data = digits_step(k_minor=5, R=5, n_min=10, seed=0)
    out = train_method("ETF+DR", data, [0, 1], NET)
    assert min(out["alignment"]) > 0.8 and min(out["balanced_test_accuracy"]) > 0.6 and not out["diverged"]


def test_alignment_definition() -> None:
    """cos(h_c - h_G, w_c) with h_G the count-weighted mean: 1 when w_c points along h_c - h_G."""
    M = np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 2.0]])
    counts = np.array([2, 2, 1])
    centred = M - (M @ counts / 5)[:, None]
    assert alignment(3 * centred, M, counts) == pytest.approx(1.0)
    assert alignment(-centred, M, counts) == pytest.approx(-1.0)
