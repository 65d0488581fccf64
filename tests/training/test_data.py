"""Loaders: STEP-imbalanced digits, and CIFAR-10 python-pickle batches from a fixture written here."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from theory.core.imbalance import Imbalance
from training.data import cifar10_step, digits_step, load_cifar10, step_split


def test_digits_step_counts_and_balanced_test_set() -> None:
    data = digits_step(k_minor=5, R=10, n_min=15, seed=3)
    counts = torch.bincount(data.y_train, minlength=10).numpy()
    assert counts.tolist() == [150] * 5 + [15] * 5
    assert data.imbalance == Imbalance.step(10, 5, 10, 15)
    assert torch.all(data.y_train[1:] >= data.y_train[:-1])  # ordered by class, majority first
    test_counts = torch.bincount(data.y_test, minlength=10).numpy()
    assert len(set(test_counts.tolist())) == 1 and test_counts[0] > 0
    assert data.X_train.shape[1:] == (1, 8, 8) and float(data.X_train.max()) <= 1.0 and float(data.X_train.min()) >= 0.0
    assert len(data.y_train) + len(data.y_test) <= 1797


def test_step_split_is_seeded_and_rejects_too_few_samples() -> None:
    labels = np.repeat(np.arange(3), [10, 10, 10])
    imb = Imbalance.step(3, 1, 4, 2)  # 8, 8, 2
    a, b = step_split(labels, imb, seed=1), step_split(labels, imb, seed=1)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert np.bincount(labels[a[0]]).tolist() == [8, 8, 2]
    assert np.bincount(labels[a[1]]).tolist() == [2, 2, 2]
    assert not set(a[0]) & set(a[1])
    with pytest.raises(ValueError, match="fewer than"):
        step_split(labels, Imbalance.step(3, 1, 6, 2), seed=0)


def _write_cifar_fixture(root, per_batch: int = 20) -> dict[str, np.ndarray]:
    """Standard layout: dict with b'data' (N x 3072 uint8: 1024 R, 1024 G, 1024 B, row-major) and b'labels'."""
    rng = np.random.default_rng(0)
    written = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8)
        labels = [int(c) for c in np.arange(per_batch) % 10]
        with open(root / name, "wb") as fh:
            pickle.dump({b"batch_label": name.encode(), b"labels": labels, b"data": data,
                         b"filenames": [b"x.png"] * per_batch}, fh)
        written[name] = data
    return written


def test_cifar10_loader_reads_pickle_batches(tmp_path) -> None:
    written = _write_cifar_fixture(tmp_path)
    X, y = load_cifar10(tmp_path, train=True)
    assert X.shape == (100, 3, 32, 32) and X.dtype == np.float32 and y.shape == (100,)
    first = written["data_batch_1"][0]
    # channel c, row r, column j of image 0 is byte c*1024 + r*32 + j of its row
    assert X[0, 1, 2, 3] == pytest.approx(first[1024 + 2 * 32 + 3] / 255.0)
    assert X[0, 2, 31, 31] == pytest.approx(first[3071] / 255.0)
    np.testing.assert_allclose(X[20].reshape(-1) * 255.0, written["data_batch_2"][0], atol=1e-4)
    assert y.tolist() == [int(c) for c in np.tile(np.arange(20) % 10, 5)]
    X_test, y_test = load_cifar10(tmp_path, train=False)
    assert X_test.shape == (20, 3, 32, 32)


def test_cifar10_step_subset(tmp_path) -> None:
    _write_cifar_fixture(tmp_path)
    data = cifar10_step(tmp_path, k_minor=5, R=5, n_min=2, seed=0)  # 10 per class available
    assert torch.bincount(data.y_train, minlength=10).tolist() == [10] * 5 + [2] * 5
    assert data.X_test.shape[0] == 20


def test_cifar10_loader_errors(tmp_path) -> None:
    with pytest.raises(ValueError, match="not found"):
        load_cifar10(tmp_path)
    (tmp_path / "data_batch_1").write_bytes(b"not a pickle")
    with pytest.raises(ValueError, match="not a CIFAR-10"):
        load_cifar10(tmp_path)
