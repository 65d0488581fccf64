"""Relative figures and central finite differences: how two floating-point evaluations are compared."""

from __future__ import annotations

from typing import Callable

import numpy as np
from theory.core.tolerances import GRADIENT_SCALE_FLOOR


def scale(*values: float) -> float:
    """max(1, |v|...): the scale a difference of these values is measured against."""
    return max(1.0, *(abs(float(v)) for v in values))


def rel_diff(a: float, b: float) -> float:
    """|a - b| relative to :func:`scale` (an equality's violation)."""
    return abs(float(a) - float(b)) / scale(a, b)


def rel_excess(small: float, large: float) -> float:
    """(small - large) relative to :func:`scale`: the violation of ``small <= large`` (<= 0 when it holds)."""
    return (float(small) - float(large)) / scale(small, large)


def numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-6) -> np.ndarray:
    """Central finite differences of a scalar function of an array (no autograd): entry i uses the
    step ``step * max(1, |x_i|)``."""
    x = np.asarray(x, dtype=np.float64)
    grad = np.empty_like(x)
    flat, out = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        h = step * max(1.0, abs(flat[i]))
        up, down = flat.copy(), flat.copy()
        up[i] += h
        down[i] -= h
        out[i] = (f(up.reshape(x.shape)) - f(down.reshape(x.shape))) / (2 * h)
    return grad


def gradient_error(numeric: np.ndarray, formula: np.ndarray) -> float:
    """max |numeric - formula| relative to max(GRADIENT_SCALE_FLOOR, max |formula|) (a gradient's deviation)."""
    formula = np.asarray(formula, dtype=np.float64)
    return float(np.max(np.abs(numeric - formula)) / max(GRADIENT_SCALE_FLOOR, float(np.max(np.abs(formula)))))
