"""Readers of the files ``igeom measure`` takes: features (n x d), labels (n), a classifier (k x d).

Formats: ``.npy`` (features are read in row batches straight from the file, never whole), ``.npz``
(``FILE.npz:KEY``; the key may be omitted when the archive holds one array), ``.pt`` (a tensor, or
``FILE.pt:KEY`` for a dict of tensors; loaded with ``weights_only=True``), and for labels and classifiers
also ``.csv`` / ``.txt`` (numbers separated by commas or white space; a classifier one row per line).
Every unreadable or malformed file raises :class:`theory.core.errors.InputError` with one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from theory.core.errors import InputError

BINARY = (".npy", ".npz", ".pt")
TEXT = (".csv", ".txt")


def split_spec(spec: str) -> tuple[Path, str | None]:
    """``FILE`` or ``FILE:KEY`` -> (path, key); the file must exist and be non-empty."""
    text = str(spec)
    path, key = Path(text), None
    if not path.exists() and ":" in text:
        head, _, tail = text.rpartition(":")
        path, key = Path(head), tail or None
    if path.is_dir():
        raise InputError(f"{str(path)!r} is a directory, not a file")
    if not path.is_file():
        raise InputError(f"file {str(path)!r} does not exist")
    if path.stat().st_size == 0:
        raise InputError(f"file {str(path)!r} is empty")
    return path, key


NPY_MAGIC = b"\x93NUMPY"
ZIP_MAGIC = b"PK\x03\x04"


def _require_magic(path: Path, magic: bytes, what: str) -> None:
    """InputError naming ``path`` unless it starts with ``magic`` (a file of another format, random bytes or a
    plain pickle is refused before any reader sees it: numpy would suggest allow_pickle, torch weights_only)."""
    with open(path, "rb") as fh:
        head = fh.read(len(magic))
    if head != magic:
        raise InputError(f"{path.name} is not a {what} file (it does not start with the {what} header)")


def _torch_load(path: Path) -> object:
    """``torch.load(weights_only=True)`` of a zip-format ``.pt`` file, with torch's warnings silenced (a
    legacy or plain-pickle file is refused by :func:`_require_magic` first)."""
    import warnings

    import torch

    _require_magic(path, ZIP_MAGIC, "torch .pt (zip)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - weights_only refuses anything but tensors and plain types
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"{path.name} holds no plain tensors ({type(exc).__name__}: {first[:120]})") from None


def _pick(container: dict, key: str | None, path: Path) -> object:
    names = list(container.keys())
    if key is None:
        if len(names) != 1:
            raise InputError(f"{path.name} holds {len(names)} arrays ({', '.join(map(str, names[:8]))}); "
                             f"name one as {path.name}:KEY")
        key = names[0]
    if key not in container:
        raise InputError(f"{path.name} has no key {key!r}; keys: {', '.join(map(str, names[:8]))}")
    return container[key]


def read_array(spec: str, what: str) -> np.ndarray:
    """The whole array named by ``spec`` (any supported format) as numpy; InputError when unreadable."""
    path, key = split_spec(spec)
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            if key is not None:
                raise InputError(f"{path.name} is a .npy file: it has no key {key!r}")
            _require_magic(path, NPY_MAGIC, ".npy")
            return np.load(path, mmap_mode="r", allow_pickle=False)
        if suffix == ".npz":
            _require_magic(path, ZIP_MAGIC, ".npz (zip)")
            with np.load(path, allow_pickle=False) as archive:
                return np.asarray(_pick(dict(archive), key, path))
        if suffix == ".pt":
            import torch

            obj = _torch_load(path)
            if isinstance(obj, dict):
                obj = _pick(obj, key, path)
            elif key is not None:
                raise InputError(f"{path.name} holds a single tensor: it has no key {key!r}")
            if not isinstance(obj, torch.Tensor):
                raise InputError(f"{what} in {path.name} is a {type(obj).__name__}, not a tensor")
            return obj.detach().cpu().numpy()
        if suffix in TEXT:
            rows = [line.replace(",", " ").split() for line in path.read_text().splitlines() if line.strip()]
            if not rows:
                raise InputError(f"file {str(path)!r} has no numbers")
            try:
                flat = np.array([tok for row in rows for tok in row])
                out = flat.astype(np.int64) if what == "labels" else flat.astype(np.float64)
            except ValueError:
                raise InputError(f"{what} in {path.name} must be {'integers' if what == 'labels' else 'numbers'}") from None
            widths = {len(row) for row in rows}
            if what == "labels" or len(rows) == 1:
                return out.reshape(-1) if what == "labels" else out.reshape(1, -1)
            if len(widths) != 1:
                raise InputError(f"rows of {path.name} have different lengths {sorted(widths)}")
            return out.reshape(len(rows), -1)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a corrupt file is bad input, reported in one line
        raise InputError(f"cannot read {what} from {path.name}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    raise InputError(f"{what} file must end in {', '.join(BINARY + (TEXT if what != 'features' else ()))}, got {path.name!r}")


@dataclass(frozen=True)
class FeatureSource:
    """Features n x d behind a file: ``batches(rows)`` yields consecutive float row blocks.

    A C-ordered ``.npy`` is read with plain file reads into a fresh buffer per batch (a memory map would
    keep every page it touched resident); other formats are loaded once by :func:`read_array`.
    """

    spec: str
    shape: tuple[int, int]
    dtype: np.dtype
    _offset: int | None  # byte offset of the data in a C-ordered .npy, else None

    @classmethod
    def open(cls, spec: str) -> "FeatureSource":
        """Check the file and its shape (n x d, real numbers); InputError otherwise."""
        path, key = split_spec(spec)
        offset = None
        if path.suffix.lower() == ".npy" and key is None:
            _require_magic(path, NPY_MAGIC, ".npy")
            try:
                mapped = np.load(path, mmap_mode="r", allow_pickle=False)  # reads the header only
            except ValueError as exc:
                raise InputError(f"cannot read features from {path.name}: {exc}") from None
            shape, dtype = mapped.shape, mapped.dtype
            fortran = mapped.ndim == 2 and not mapped.flags.c_contiguous
            offset = None if fortran or not isinstance(mapped, np.memmap) else int(mapped.offset)
            del mapped
            if offset is not None and path.stat().st_size < offset + int(np.prod(shape)) * dtype.itemsize:
                raise InputError(f"{path.name} is truncated")
        else:
            arr = read_array(spec, "features")
            shape, dtype = arr.shape, arr.dtype
        if len(shape) != 2 or shape[0] == 0 or shape[1] == 0:
            raise InputError(f"features must be a non-empty n x d matrix, got shape {tuple(shape)}")
        if dtype.kind not in "fiu":
            raise InputError(f"features must be real numbers, got dtype {dtype}")
        return cls(str(spec), (int(shape[0]), int(shape[1])), np.dtype(dtype), offset)

    def batches(self, rows: int) -> Iterator[np.ndarray]:
        """Row blocks of at most ``rows`` rows, in order."""
        n, d = self.shape
        if self._offset is None:
            arr = read_array(self.spec, "features")
            for start in range(0, n, rows):
                yield np.asarray(arr[start:start + rows])
            return
        path, _ = split_spec(self.spec)
        with open(path, "rb") as fh:
            fh.seek(self._offset)
            for start in range(0, n, rows):
                count = min(rows, n - start)
                block = np.fromfile(fh, dtype=self.dtype, count=count * d)
                if block.size != count * d:
                    raise InputError(f"{path.name} ended after {start} of {n} rows")
                yield block.reshape(count, d)


def read_labels(spec: str) -> np.ndarray:
    """Integer labels (int64, one dimension); InputError for a non-integer or empty vector."""
    y = read_array(spec, "labels")
    if y.ndim == 2 and 1 in y.shape:
        y = y.reshape(-1)
    if y.ndim != 1 or y.size == 0:
        raise InputError(f"labels must be a non-empty vector, got shape {y.shape}")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
            raise InputError("labels must be integers")
        if np.any(y < 0):
            raise InputError(f"label {float(y.min()):g} out of range: labels must be >= 0")
        if float(y.max()) >= 2.0**63:  # beyond int64: would wrap to a negative number
            raise InputError(f"label {float(y.max()):g} out of range: labels must be < 2^63")
        return y.astype(np.int64)
    if y.dtype.kind not in "iu":
        raise InputError(f"labels must be integers, got dtype {y.dtype}")
    if y.dtype.kind == "u" and int(y.max()) > np.iinfo(np.int64).max:
        raise InputError(f"label {int(y.max())} out of range: labels must be < 2^63")
    return np.asarray(y, dtype=np.int64)


def read_classifier(spec: str) -> np.ndarray:
    """Classifier k x d (rows w_c), float64, finite; InputError otherwise."""
    W = np.asarray(read_array(spec, "classifier"), dtype=np.float64)
    if W.ndim != 2:
        raise InputError(f"classifier must be a k x d matrix, got shape {W.shape}")
    if not np.all(np.isfinite(W)):
        raise InputError("classifier contains NaN or inf")
    return W
