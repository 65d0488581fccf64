"""Real data for the deep-net experiments, made (R, rho)-STEP imbalanced (behnia2023 Sec. 4, App. A.2).

- scikit-learn's handwritten digits (``sklearn.datasets.load_digits``: 1797 images 8 x 8, 10 classes,
  shipped with scikit-learn, so available offline);
- CIFAR-10 from the standard python-pickle batches (``data_batch_1..5``, ``test_batch``) in a local
  folder (nothing is downloaded).

:func:`step_split` keeps ``R n_min`` samples of each of the first ``k - k_minor`` classes and ``n_min`` of
each of the last ``k_minor`` (majority first, the suite's convention), chosen at random with a seed; a
class-balanced test set is drawn from the samples left over.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from theory.core.imbalance import Imbalance

CIFAR_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR_TEST = "test_batch"


@dataclass(frozen=True)
class ImbalancedData:
    """Train/test tensors (images N x C x H x W, float32 in [0, 1]; labels int64) and the train counts."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    imbalance: Imbalance


def step_split(labels: np.ndarray, imbalance: Imbalance, seed: int,
               test_per_class: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) sample indices: ``imbalance.counts[c]`` random samples of class c for training
    (ordered by class), and ``test_per_class`` (default: as many as every class can spare) of the rest."""
    y = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, rest = [], []
    for c, n_c in enumerate(imbalance.counts):
        idx = rng.permutation(np.flatnonzero(y == c))
        if idx.size < n_c:
            raise ValueError(f"class {c} has {idx.size} samples, fewer than the {n_c} the imbalance asks for")
        train.append(np.sort(idx[:n_c]))
        rest.append(idx[n_c:])
    spare = min(r.size for r in rest)
    m = spare if test_per_class is None else test_per_class
    if m > spare or m < 0:
        raise ValueError(f"test_per_class must lie in [0, {spare}], got {m}")
    return np.concatenate(train), np.concatenate([np.sort(r[:m]) for r in rest])


def _split(X: np.ndarray, y: np.ndarray, imbalance: Imbalance, seed: int, test_per_class: int | None) -> ImbalancedData:
    tr, te = step_split(y, imbalance, seed, test_per_class)
    as_x = lambda idx: torch.as_tensor(X[idx], dtype=torch.float32)  # noqa: E731
    as_y = lambda idx: torch.as_tensor(y[idx], dtype=torch.int64)  # noqa: E731
    return ImbalancedData(as_x(tr), as_y(tr), as_x(te), as_y(te), imbalance)


def digits_step(k_minor: int = 5, R: float = 10, n_min: int = 15, seed: int = 0,
                test_per_class: int | None = None) -> ImbalancedData:
    """STEP-imbalanced sklearn digits (k = 10), images 1 x 8 x 8 scaled to [0, 1]."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    imb = Imbalance.step(10, k_minor, R, n_min)
    X = (digits.images / 16.0)[:, None, :, :]
    return _split(X, digits.target.astype(np.int64), imb, seed, test_per_class)


def _read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    if not path.is_file():
        raise ValueError(f"CIFAR-10 batch not found: {path} (expected the python-pickle batches of "
                         "cifar-10-batches-py)")
    with path.open("rb") as fh:
        try:
            batch = pickle.load(fh, encoding="bytes")
        except (pickle.UnpicklingError, EOFError, ValueError) as exc:
            raise ValueError(f"{path} is not a CIFAR-10 python-pickle batch: {exc}") from None
    get = lambda key: batch.get(key.encode(), batch.get(key))  # noqa: E731
    data, labels = get("data"), get("labels")
    if data is None or labels is None:
        raise ValueError(f"{path} has no 'data'/'labels' entries")
    data = np.asarray(data, dtype=np.uint8)
    if data.ndim != 2 or data.shape[1] != 3072 or data.shape[0] != len(labels):
        raise ValueError(f"{path}: data must be N x 3072 with one label per row, got {data.shape}")
    return data, np.asarray(labels, dtype=np.int64)


def load_cifar10(root: str | Path, train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10 images (N, 3, 32, 32) float32 in [0, 1] and labels (N,) from the pickle batches in ``root``.

    Each row of a batch holds the 1024 red, then green, then blue values of a 32 x 32 image, row-major.
    """
    folder = Path(root)
    names = CIFAR_TRAIN if train else (CIFAR_TEST,)
    parts = [_read_batch(folder / name) for name in names]
    data = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError("CIFAR-10 labels must lie in 0..9")
    return data.reshape(-1, 3, 32, 32).astype(np.float32) / 255.0, labels


def cifar10_step(root: str | Path, k_minor: int = 5, R: float = 10, n_min: int = 500, seed: int = 0) -> ImbalancedData:
    """STEP-imbalanced CIFAR-10 (behnia2023 App. A.2 uses R = 10, rho = 1/2): a seeded training subset
    of the five training batches and the whole (balanced) ``test_batch`` as test set."""
    X, y = load_cifar10(root, train=True)
    imb = Imbalance.step(10, k_minor, R, n_min)
    tr, _ = step_split(y, imb, seed, test_per_class=0)
    X_test, y_test = load_cifar10(root, train=False)
    return ImbalancedData(torch.as_tensor(X[tr]), torch.as_tensor(y[tr]), torch.as_tensor(X_test),
                          torch.as_tensor(y_test), imb)
