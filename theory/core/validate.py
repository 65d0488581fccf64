"""Input validation shared by the public functions of ``theory`` (and re-used downstream).

Every public entry point of the suite raises :class:`theory.core.errors.InputError` (a ``ValueError``)
with a message a user understands; the CLI turns that message into one line on stderr and exit status 2.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from theory.core.errors import InputError


def positive_int(name: str, value: object, minimum: int = 1, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` in [``minimum``, ``maximum``] or raise ``InputError``.

    Integral floats (``3.0``) are accepted; ``bool`` is not (``True`` is not the number 1 here).
    """
    if isinstance(value, (bool, np.bool_)):
        raise InputError(f"{name} must be an integer, got {value!r}")
    if not isinstance(value, (Integral, np.integer)):
        if isinstance(value, (Real, np.floating)) and math.isfinite(float(value)) and float(value).is_integer():
            value = int(value)
        else:
            raise InputError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < minimum:
        raise InputError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise InputError(f"{name} must be <= {maximum}, got {value}")
    return value


#: Largest seed: ``torch.manual_seed`` takes at most 2^64 - 1 (numpy's SeedSequence takes any size), and
#: one bound for every seed keeps a seed valid for the whole suite.
SEED_MAX = 2**64 - 1


def seed_value(name: str, value: object) -> int:
    """A random seed: an integer in [0, 2^64 - 1] (``InputError`` naming ``name`` otherwise)."""
    return positive_int(name, value, minimum=0, maximum=SEED_MAX)


def finite_real(name: str, value: object) -> float:
    """Return ``value`` as a finite ``float`` or raise ``InputError`` (rejects NaN, inf, strings, bools and
    integers too large for a float)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.floating, np.integer)):
        raise InputError(f"{name} must be a real number, got {value!r}")
    try:
        out = float(value)
    except OverflowError:
        out = math.inf
    if not math.isfinite(out):
        raise InputError(f"{name} must be finite, got {value!r}")
    return out


def positive_real(name: str, value: object) -> float:
    """Return ``value`` as a finite ``float`` > 0 or raise ``InputError``."""
    out = finite_real(name, value)
    if out <= 0:
        raise InputError(f"{name} must be > 0, got {value!r}")
    return out


def real_array(name: str, values: object, ndim: int) -> np.ndarray:
    """``values`` as a float64 array of ``ndim`` dimensions (entries not yet checked for finiteness).

    Entries must be real numbers: strings, bools and complex numbers are refused, not converted, and an
    array of another dimension is refused, not reshaped (``InputError`` naming ``name``).
    """
    bad = InputError(f"{name} must be a {ndim}-dimensional array of real numbers, got {values!r}")
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError):  # ragged nesting
        raise bad from None
    if raw.ndim != ndim:
        raise bad
    if raw.dtype.kind == "O":  # Python objects (e.g. Fraction, huge int): real numbers only
        if not all(isinstance(v, (Real, np.floating, np.integer)) and not isinstance(v, (bool, np.bool_))
                   for v in raw.reshape(-1).tolist()):
            raise bad
    elif raw.dtype.kind not in "iuf":  # b (bool), U/S (strings), c (complex), ...
        raise bad
    try:
        return raw.astype(np.float64)
    except (TypeError, ValueError, OverflowError):
        raise bad from None


def positive_vector(name: str, values: object, length: int | None = None) -> np.ndarray:
    """Return a read-only float64 vector of finite, strictly positive entries.

    ``values`` must be one-dimensional and hold real numbers: a matrix is not flattened, and strings
    and bools are not read as numbers (``InputError`` otherwise).
    """
    arr = real_array(name, values, ndim=1)
    if length is not None and arr.shape[0] != length:
        raise InputError(f"{name} must have {length} entries, got {arr.shape[0]}")
    if arr.size == 0:
        raise InputError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} must have finite entries")
    if np.any(arr <= 0):
        raise InputError(f"{name} must have strictly positive entries, got {arr.tolist()}")
    arr.setflags(write=False)
    return arr


def feature_dimension(d: object, k: int) -> int:
    """The feature dimension of a UFM with ``k`` classes: an integer d >= k - 1, the least dimension in
    which the CS-SVM minimiser of behnia2023 Thm 2 (rank k - 1) exists (``InputError`` otherwise)."""
    d = positive_int("d", d)
    if d < k - 1:
        raise InputError(f"d must be >= k - 1 = {k - 1} (behnia2023 Thm 2), got {d}")
    return d


def step_shape(k: object, k_minor: object) -> tuple[int, int]:
    """(k, k_minor) of a STEP imbalance: k >= 2 classes, k_minor in [1, k - 1] minority classes."""
    k = positive_int("k", k, minimum=2)
    k_minor = positive_int("k_minor", k_minor)
    if k_minor > k - 1:
        raise InputError(f"k_minor must lie in [1, k-1] = [1, {k - 1}], got {k_minor}")
    return k, k_minor
