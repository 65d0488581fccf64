"""Real data for the deep-net experiments, made STEP or long-tailed imbalanced.

Datasets (nothing is ever downloaded):

- ``digits``: scikit-learn's handwritten digits (``sklearn.datasets.load_digits``: 1797 images 8 x 8, 10
  classes, shipped with scikit-learn, so always available offline); train and test are drawn from the one
  pool (a class-balanced test set from the samples left over);
- ``mnist`` / ``fashion-mnist``: the four IDX files (optionally gzipped) in ``--data DIR``; without a folder,
  ``fashion-mnist`` is read from Debian's package ``dataset-fashion-mnist`` (:data:`DEBIAN_FASHION_MNIST`,
  the gzipped IDX files of Xiao et al. 2017), refused with an InputError naming the package when absent;
- ``cifar10`` / ``cifar100``: the python-pickle batches (``data_batch_1..5`` and ``test_batch``; ``train``
  and ``test`` with fine labels) in ``--data DIR``.
  For these four the whole official test set (balanced) is the test set.

Imbalance profiles: (R, rho)-STEP (behnia2023 Sec. 4, App. A.2: the first ``k - k_minor`` classes keep
``R n_min`` samples, the last ``k_minor`` keep ``n_min``; yang2022 Sec. 5 uses the same with tau = 1/R) and
long-tailed (Cao et al. 2019, used by yang2022 and dang2024 Sec. 5: n_c = floor(n_max R^(-c/(k-1))),
decaying exponentially from n_max to n_max / R). :func:`step_split` draws each class's training samples at
random with a seed (majority first, ordered by class: the suite's convention).
"""

from __future__ import annotations

import gzip
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from theory.core.errors import InputError
from theory.core.vocabulary import Dataset
from theory.core.imbalance import Imbalance
from theory.core.validate import positive_int, positive_real

CIFAR_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR_TEST = "test_batch"
IDX_FILES = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
#: dataset name -> (number of classes, input shape (C, H, W), usual sub-folder of a local copy)
DATASETS: dict[Dataset, tuple[int, tuple[int, int, int], str | None]] = {
    Dataset.DIGITS: (10, (1, 8, 8), None),
    Dataset.MNIST: (10, (1, 28, 28), "MNIST/raw"),
    Dataset.FASHION_MNIST: (10, (1, 28, 28), "FashionMNIST/raw"),
    Dataset.CIFAR10: (10, (3, 32, 32), "cifar-10-batches-py"),
    Dataset.CIFAR100: (100, (3, 32, 32), "cifar-100-python"),
}
PROFILES = ("step", "long-tailed")
#: where Debian's package ``dataset-fashion-mnist`` installs the four gzipped IDX files (``dpkg -L``)
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_PACKAGE = "dataset-fashion-mnist"


@dataclass(frozen=True)
class ImbalancedData:
    """Train/test tensors (images N x C x H x W, float32 in [0, 1]; labels int64) and the train counts."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    imbalance: Imbalance


def long_tailed(k: int, R: float, n_max: int) -> Imbalance:
    """Long-tailed counts n_c = floor(n_max R^(-c/(k-1))), c = 0..k-1 (Cao et al. 2019, exponential
    profile): n_0 = n_max, n_{k-1} = floor(n_max / R); every count must stay >= 1."""
    k, R, n_max = positive_int("k", k, 2), positive_real("R", R), positive_int("n_max", n_max)
    if R < 1:
        raise InputError(f"a long-tailed imbalance needs R >= 1, got {R:g}")
    counts = np.floor(n_max * R ** (-np.arange(k) / (k - 1)) + 1e-9).astype(np.int64)
    if counts[-1] < 1:
        raise InputError(f"n_max / R = {n_max / R:g} < 1: the rarest class would have no sample")
    return Imbalance(counts)


def make_imbalance(profile: str, k: int, R: float, n_min: int, k_minor: int | None = None) -> Imbalance:
    """``step``: (R, k_minor / k)-STEP with n_min per minority class (k_minor default k / 2);
    ``long-tailed``: :func:`long_tailed` with n_max = R n_min."""
    if profile == "step":
        return Imbalance.step(k, k // 2 if k_minor is None else k_minor, R, n_min)
    if profile == "long-tailed":
        n_max = positive_real("R * n_min", R * n_min)
        if abs(n_max - round(n_max)) > 1e-9 * n_max:
            raise InputError(f"R * n_min must be an integer, got {n_max:g}")
        return long_tailed(k, R, int(round(n_max)))
    raise InputError(f"unknown imbalance profile {profile!r}; expected one of {', '.join(PROFILES)}")


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
            raise InputError(f"class {c} has {idx.size} samples, fewer than the {n_c} the imbalance asks for")
        train.append(np.sort(idx[:n_c]))
        rest.append(idx[n_c:])
    spare = min(r.size for r in rest)
    m = spare if test_per_class is None else test_per_class
    if m > spare or m < 0:
        raise InputError(f"test_per_class must lie in [0, {spare}], got {m}")
    return np.concatenate(train), np.concatenate([np.sort(r[:m]) for r in rest])


def _tensors(X: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.int64)


def digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """sklearn digits: images (1797, 1, 8, 8) scaled to [0, 1] and labels."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.images / 16.0)[:, None, :, :].astype(np.float32), digits.target.astype(np.int64)


def digits_step(k_minor: int = 5, R: float = 10, n_min: int = 15, seed: int = 0,
                test_per_class: int | None = None) -> ImbalancedData:
    """STEP-imbalanced sklearn digits (k = 10), images 1 x 8 x 8 scaled to [0, 1]."""
    return imbalanced("digits", Imbalance.step(10, k_minor, R, n_min), seed, test_per_class=test_per_class)


def _folder(name: str, root: str | Path, needed: tuple[str, ...]) -> Path:
    """The folder holding ``needed`` (``root`` itself or its usual sub-folder); InputError saying what to put
    where otherwise."""
    base = Path(root)
    sub = DATASETS[name][2]
    for cand in (base, base / sub) if sub else (base,):
        if all((cand / f).is_file() or (cand / f"{f}.gz").is_file() for f in needed):
            return cand
    raise InputError(f"{name} not found in {base}: put {', '.join(needed)} (gzipped or not) in that folder "
                     f"or in {base / sub if sub else base} (nothing is downloaded)")


def cifar10_folder(root: str | Path) -> Path:
    """The folder under ``root`` holding CIFAR-10's python batches (``data_batch_1..5``, ``test_batch``), checked
    without reading them; InputError saying what to put where otherwise."""
    return _folder("cifar10", root, CIFAR_TRAIN + (CIFAR_TEST,))


def fashion_mnist_installed(folder: str | Path | None = None) -> bool:
    """Whether the four Fashion-MNIST IDX files (gzipped or not) are in ``folder`` (default: Debian's
    :data:`DEBIAN_FASHION_MNIST`); nothing is read."""
    base = Path(DEBIAN_FASHION_MNIST if folder is None else folder)
    return all((base / f).is_file() or (base / f"{f}.gz").is_file() for f in IDX_FILES[True] + IDX_FILES[False])


def fashion_mnist_folder(root: str | Path | None = None) -> Path:
    """The folder holding Fashion-MNIST's IDX files: under ``root`` when given (see :func:`_folder`), else
    Debian's :data:`DEBIAN_FASHION_MNIST`; InputError naming the package to install otherwise (nothing is
    ever downloaded)."""
    if root is not None:
        return _folder("fashion-mnist", root, IDX_FILES[True] + IDX_FILES[False])
    if not fashion_mnist_installed(DEBIAN_FASHION_MNIST):
        raise InputError(f"fashion-mnist not found in {DEBIAN_FASHION_MNIST}: install Debian's package "
                         f"{FASHION_MNIST_PACKAGE} (apt-get install {FASHION_MNIST_PACKAGE}) or give --data DIR "
                         "holding the four IDX files (nothing is downloaded)")
    return DEBIAN_FASHION_MNIST


def load_fashion_mnist(root: str | Path | None = None, train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST (Xiao et al. 2017: 60000 training and 10000 test images 28 x 28, 10 balanced classes)
    from ``root`` or Debian's package (:func:`fashion_mnist_folder`), as :func:`load_idx_dataset`."""
    return load_idx_dataset("fashion-mnist", fashion_mnist_folder(root), train)


def _open(path: Path):  # noqa: ANN202 - a binary file object
    return gzip.open(path.with_name(path.name + ".gz"), "rb") if not path.is_file() else path.open("rb")


def read_idx(path: str | Path) -> np.ndarray:
    """An IDX file (LeCun's MNIST format, unsigned bytes): magic 0x00 0x00 0x08 ndim, ndim big-endian
    uint32 sizes, then the values row-major. ``path`` may also name a ``.gz`` beside it."""
    p = Path(path)
    with _open(p) as fh:
        raw = fh.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise InputError(f"{p} is not an unsigned-byte IDX file")
    ndim = raw[3]
    head = 4 + 4 * ndim
    if ndim == 0 or len(raw) < head:
        raise InputError(f"{p}: truncated IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    if len(raw) - head != int(np.prod(shape)):
        raise InputError(f"{p}: {len(raw) - head} data bytes for shape {shape}")
    return np.frombuffer(raw, dtype=np.uint8, offset=head).reshape(shape)


def load_idx_dataset(name: str, root: str | Path, train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """MNIST / Fashion-MNIST images (N, 1, 28, 28) float32 in [0, 1] and labels from the IDX files."""
    files = IDX_FILES[train]
    folder = _folder(name, root, IDX_FILES[True] + IDX_FILES[False])
    images, labels = read_idx(folder / files[0]), read_idx(folder / files[1]).astype(np.int64)
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.size:
        raise InputError(f"{folder}: {files[0]} must be N x H x W with one label per image in {files[1]}")
    if labels.size and labels.max() > 9:
        raise InputError(f"{folder / files[1]}: labels must lie in 0..9")
    return images[:, None].astype(np.float32) / 255.0, labels


def _read_batch(path: Path, label_key: str) -> tuple[np.ndarray, np.ndarray]:
    with _open(path) as fh:
        try:
            batch = pickle.load(fh, encoding="bytes")
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
            raise InputError(f"{path} is not a CIFAR python-pickle batch: {exc}") from None
    if not isinstance(batch, dict):
        raise InputError(f"{path} is not a CIFAR python-pickle batch (no dict inside)")
    get = lambda key: batch.get(key.encode(), batch.get(key))  # noqa: E731
    data, labels = get("data"), get(label_key)
    if data is None or labels is None:
        raise InputError(f"{path} has no 'data'/'{label_key}' entries")
    data = np.asarray(data, dtype=np.uint8)
    if data.ndim != 2 or data.shape[1] != 3072 or data.shape[0] != len(labels):
        raise InputError(f"{path}: data must be N x 3072 with one label per row, got {data.shape}")
    return data, np.asarray(labels, dtype=np.int64)


def load_cifar(name: str, root: str | Path, train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10 / CIFAR-100 (fine labels) images (N, 3, 32, 32) float32 in [0, 1] and labels.

    Each row of a batch holds the 1024 red, then green, then blue values of a 32 x 32 image, row-major.
    """
    if name == "cifar10":
        needed, label_key = CIFAR_TRAIN + (CIFAR_TEST,), "labels"
        names = CIFAR_TRAIN if train else (CIFAR_TEST,)
    else:
        needed, label_key = ("train", "test"), "fine_labels"
        names = ("train",) if train else ("test",)
    folder = _folder(name, root, needed)
    parts = [_read_batch(folder / n, label_key) for n in names]
    data = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    k = DATASETS[name][0]
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise InputError(f"{name} labels must lie in 0..{k - 1}")
    return data.reshape(-1, 3, 32, 32).astype(np.float32) / 255.0, labels


def load_cifar10(root: str | Path, train: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10 from the pickle batches in ``root`` (see :func:`load_cifar`)."""
    return load_cifar("cifar10", root, train)


def imbalanced(name: str, imbalance: Imbalance, seed: int = 0, root: str | Path | None = None,
               test_per_class: int | None = None) -> ImbalancedData:
    """Dataset ``name`` with ``imbalance.counts[c]`` seeded training samples of class c.

    ``digits`` draws a class-balanced test set from the leftovers (``test_per_class``, default all that
    every class can spare); the others need ``root`` (``fashion-mnist``: default Debian's package, see
    :func:`fashion_mnist_folder`) and test on their whole official test set.
    """
    if name not in DATASETS:
        raise InputError(f"unknown dataset {name!r}; expected one of {', '.join(DATASETS)}")
    if imbalance.k != DATASETS[name][0]:
        raise InputError(f"{name} has {DATASETS[name][0]} classes, the imbalance has {imbalance.k}")
    if name == "digits":
        X, y = digits_arrays()
        tr, te = step_split(y, imbalance, seed, test_per_class)
        return ImbalancedData(*_tensors(X[tr], y[tr]), *_tensors(X[te], y[te]), imbalance)
    if root is None and name == "fashion-mnist":
        root = fashion_mnist_folder()
    if root is None:
        raise InputError(f"{name} is read from a local copy: give --data DIR (nothing is downloaded)")
    load = load_cifar if name.startswith("cifar") else load_idx_dataset
    X, y = load(name, root, True)
    tr, _ = step_split(y, imbalance, seed, test_per_class=0)
    X_test, y_test = load(name, root, False)
    return ImbalancedData(*_tensors(X[tr], y[tr]), *_tensors(X_test, y_test), imbalance)


def cifar10_step(root: str | Path, k_minor: int = 5, R: float = 10, n_min: int = 500, seed: int = 0) -> ImbalancedData:
    """STEP-imbalanced CIFAR-10 (behnia2023 App. A.2 uses R = 10, rho = 1/2): a seeded training subset
    of the five training batches and the whole (balanced) ``test_batch`` as test set."""
    return imbalanced("cifar10", Imbalance.step(10, k_minor, R, n_min), seed, root)
