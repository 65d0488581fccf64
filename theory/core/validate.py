"""Input validation shared by the public functions of ``theory`` (and re-used downstream).

Every public entry point of the suite raises :class:`ValueError` with a message a user understands;
the CLI turns that message into one line on stderr and exit status 2.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np


def positive_int(name: str, value: object, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` >= ``minimum`` or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (Integral, np.integer)):
        if isinstance(value, (Real, np.floating)) and math.isfinite(float(value)) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def finite_real(name: str, value: object) -> float:
    """Return ``value`` as a finite ``float`` or raise ``ValueError`` (rejects NaN, inf, strings)."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return out


def positive_real(name: str, value: object) -> float:
    """Return ``value`` as a finite ``float`` > 0 or raise ``ValueError``."""
    out = finite_real(name, value)
    if out <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return out


def positive_vector(name: str, values: object, length: int | None = None) -> np.ndarray:
    """Return a read-only float64 vector of finite, strictly positive entries."""
    try:
        arr = np.array(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a vector of positive numbers, got {values!r}") from None
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"{name} must have {length} entries, got {arr.shape[0]}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must have finite entries")
    if np.any(arr <= 0):
        raise ValueError(f"{name} must have strictly positive entries, got {arr.tolist()}")
    arr.setflags(write=False)
    return arr


def step_shape(k: object, k_minor: object) -> tuple[int, int]:
    """(k, k_minor) of a STEP imbalance: k >= 2 classes, k_minor in [1, k - 1] minority classes."""
    k = positive_int("k", k, minimum=2)
    k_minor = positive_int("k_minor", k_minor)
    if k_minor > k - 1:
        raise ValueError(f"k_minor must lie in [1, k-1] = [1, {k - 1}], got {k_minor}")
    return k, k_minor
