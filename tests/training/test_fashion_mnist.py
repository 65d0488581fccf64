"""Fashion-MNIST from Debian's package ``dataset-fashion-mnist`` (issue 21 item 4): the loader finds the
package's gzipped IDX files, reads them exactly (fixture files written here, pixel by pixel), and refuses with
an InputError naming the package when it is absent; the real files when the package is installed."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
import torch

import training.data as data
from theory.core.errors import InputError
from theory.core.imbalance import Imbalance


def _write_idx_gz(path, array: np.ndarray) -> None:
    """IDX (LeCun): bytes 0, 0, type 0x08 (unsigned byte), ndim; ndim big-endian uint32 sizes; the values."""
    raw = bytes([0, 0, 8, array.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in array.shape) + array.tobytes()
    with gzip.open(f"{path}.gz", "wb") as fh:
        fh.write(raw)


@pytest.fixture
def debian_folder(tmp_path, monkeypatch):
    """A fake package folder holding the four gzipped files, as ``dpkg -L dataset-fashion-mnist`` lists them,
    with 7 training and 3 test images per class; returns (folder, {"train": (images, labels), "t10k": ...})."""
    folder = tmp_path / "usr/share/datasets/fashion-mnist"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(5)
    written = {}
    for prefix, per_class in (("train", 7), ("t10k", 3)):
        labels = rng.permutation(np.repeat(np.arange(10, dtype=np.uint8), per_class))
        images = rng.integers(0, 256, size=(labels.size, 28, 28), dtype=np.uint8)
        _write_idx_gz(folder / f"{prefix}-images-idx3-ubyte", images)
        _write_idx_gz(folder / f"{prefix}-labels-idx1-ubyte", labels)
        written[prefix] = (images, labels)
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST", folder)
    return folder, written


def test_reads_the_package_files_pixel_by_pixel(debian_folder) -> None:
    folder, written = debian_folder
    assert data.fashion_mnist_installed() and data.fashion_mnist_folder() == folder
    for prefix, train in (("train", True), ("t10k", False)):
        X, y = data.load_fashion_mnist(train=train)
        images, labels = written[prefix]
        assert X.shape == (labels.size, 1, 28, 28) and X.dtype == np.float32
        assert np.array_equal(y, labels.astype(np.int64))
        assert np.array_equal(X[:, 0] * 255.0, images.astype(np.float32))  # k / 255 * 255 is exact in float32


def test_imbalanced_defaults_to_the_package(debian_folder) -> None:
    _, written = debian_folder
    d = data.imbalanced("fashion-mnist", Imbalance.step(10, 5, 3, 2), seed=1)
    assert torch.bincount(d.y_train, minlength=10).tolist() == [6] * 5 + [2] * 5
    assert d.X_test.shape == (30, 1, 28, 28)  # the whole official test set
    # each training image is one of the package's images of its class
    images, labels = written["train"]
    for x, c in zip(d.X_train, d.y_train):
        match = np.flatnonzero((images == np.round(x[0].numpy() * 255).astype(np.uint8)).all(axis=(1, 2)))
        assert match.size == 1 and labels[match[0]] == int(c)


def test_missing_package_is_refused_naming_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST", tmp_path / "absent")
    assert not data.fashion_mnist_installed()
    with pytest.raises(InputError, match=r"install Debian's package dataset-fashion-mnist .*nothing is downloaded"):
        data.load_fashion_mnist()
    with pytest.raises(InputError, match="dataset-fashion-mnist"):
        data.imbalanced("fashion-mnist", Imbalance.step(10, 5, 3, 2))
    # one file short is not installed either
    folder, _ = tmp_path / "partial", None
    folder.mkdir()
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte"):
        (folder / f"{name}.gz").write_bytes(b"")
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST", folder)
    with pytest.raises(InputError, match="dataset-fashion-mnist"):
        data.fashion_mnist_folder()


@pytest.mark.skipif(not data.fashion_mnist_installed(), reason="Debian's dataset-fashion-mnist is not installed")
def test_the_installed_package() -> None:
    """Xiao et al. 2017: 60000 training and 10000 test images of 28 x 28, 6000 / 1000 per class."""
    X, y = data.load_fashion_mnist(train=True)
    assert X.shape == (60000, 1, 28, 28) and np.bincount(y).tolist() == [6000] * 10
    assert 0.0 <= X.min() and X.max() <= 1.0
    X_test, y_test = data.load_fashion_mnist(train=False)
    assert X_test.shape == (10000, 1, 28, 28) and np.bincount(y_test).tolist() == [1000] * 10
