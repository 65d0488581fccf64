"""Loaders: STEP-imbalanced digits, and CIFAR-10 python-pickle batches from a fixture written here."""

from __future__ import annotations

import gzip
import pickle

import numpy as np
import pytest
import torch

from theory.core.imbalance import Imbalance
from theory.core.errors import InputError
from training.data import (cifar10_step, digits_step, imbalanced, load_cifar, load_cifar10, load_idx_dataset, long_tailed,
                           make_imbalance, read_idx, step_split)


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
    with pytest.raises(InputError, match="cifar10 not found in .*put data_batch_1.*test_batch"):
        load_cifar10(tmp_path)
    _write_cifar_fixture(tmp_path)
    (tmp_path / "data_batch_1").write_bytes(b"not a pickle")
    with pytest.raises(InputError, match="not a CIFAR python-pickle batch"):
        load_cifar10(tmp_path)


def _write_idx(path, array: np.ndarray, gz: bool = False) -> None:
    """IDX: two zero bytes, type 0x08 (unsigned byte), ndim, big-endian uint32 sizes, row-major data."""
    raw = bytes([0, 0, 8, array.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in array.shape) + array.tobytes()
    if gz:
        with gzip.open(str(path) + ".gz", "wb") as fh:
            fh.write(raw)
    else:
        path.write_bytes(raw)


def _write_mnist_fixture(root, per_class: int = 6, gz: bool = False) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    root.mkdir(parents=True, exist_ok=True)
    out = {}
    for prefix, n in (("train", 10 * per_class), ("t10k", 20)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        _write_idx(root / f"{prefix}-images-idx3-ubyte", images, gz)
        _write_idx(root / f"{prefix}-labels-idx1-ubyte", labels, gz)
        out[prefix] = images
    return out


@pytest.mark.parametrize("gz,sub", [(False, ""), (True, "FashionMNIST/raw")])
def test_idx_loader_reads_mnist_layout(tmp_path, gz: bool, sub: str) -> None:
    name = "fashion-mnist" if sub else "mnist"
    written = _write_mnist_fixture(tmp_path / sub if sub else tmp_path, gz=gz)
    X, y = load_idx_dataset(name, tmp_path, train=True)
    assert X.shape == (60, 1, 28, 28) and X.dtype == np.float32 and y.tolist() == [i % 10 for i in range(60)]
    assert X[7, 0, 3, 5] == pytest.approx(written["train"][7, 3, 5] / 255.0)  # image 7, row 3, column 5
    X_test, _ = load_idx_dataset(name, tmp_path, train=False)
    assert X_test.shape == (20, 1, 28, 28)
    data = imbalanced(name, Imbalance.step(10, 5, 3, 2), seed=0, root=tmp_path)
    assert torch.bincount(data.y_train, minlength=10).tolist() == [6] * 5 + [2] * 5 and data.X_test.shape[0] == 20


def test_idx_loader_errors(tmp_path) -> None:
    with pytest.raises(InputError, match="mnist not found in .*train-images-idx3-ubyte"):
        load_idx_dataset("mnist", tmp_path)
    _write_mnist_fixture(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 9, 1, 2]))
    with pytest.raises(InputError, match="data bytes for shape"):
        load_idx_dataset("mnist", tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x0d\x01")
    with pytest.raises(InputError, match="not an unsigned-byte IDX"):
        read_idx(tmp_path / "train-labels-idx1-ubyte")


def test_cifar100_fine_labels(tmp_path) -> None:
    rng = np.random.default_rng(2)
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    for name, n in (("train", 300), ("test", 100)):
        with open(folder / name, "wb") as fh:
            pickle.dump({b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8),
                         b"fine_labels": [i % 100 for i in range(n)], b"coarse_labels": [0] * n}, fh)
    X, y = load_cifar("cifar100", tmp_path, train=True)
    assert X.shape == (300, 3, 32, 32) and y.max() == 99
    data = imbalanced("cifar100", long_tailed(100, 3, 3), seed=0, root=tmp_path)
    assert data.imbalance.counts[0] == 3 and data.imbalance.counts[-1] == 1 and data.X_test.shape[0] == 100


def test_long_tailed_profile() -> None:
    """n_c = floor(n_max R^(-c/(k-1))): first n_max, last n_max / R, geometric in between."""
    imb = long_tailed(10, 100, 500)
    assert imb.counts[0] == 500 and imb.counts[-1] == 5
    assert imb.counts.tolist() == [int(np.floor(500 * 100 ** (-c / 9) + 1e-9)) for c in range(10)]
    assert np.all(np.diff(imb.counts) < 0)
    assert make_imbalance("long-tailed", 10, 10, 15).counts[0] == 150
    assert make_imbalance("step", 10, 10, 15).counts.tolist() == [150] * 5 + [15] * 5
    with pytest.raises(InputError, match="rarest class"):
        long_tailed(10, 1000, 500)
    with pytest.raises(InputError, match="profile"):
        make_imbalance("pareto", 10, 10, 15)


def test_dataset_errors() -> None:
    with pytest.raises(InputError, match="give --data DIR"):
        imbalanced("cifar10", Imbalance.step(10, 5, 10, 5))
    with pytest.raises(InputError, match="unknown dataset"):
        imbalanced("svhn", Imbalance.step(10, 5, 10, 5))
    with pytest.raises(InputError, match="has 10 classes"):
        imbalanced("digits", Imbalance.step(4, 2, 2, 5))
