"""The one JSON writer of the suite: a result holding NaN or an infinity is an error, never printed.

``json.dumps`` writes ``NaN`` / ``Infinity`` by default, which is not JSON and, worse, lets a failed
computation look like a successful one. Every ``--json`` output and every result file goes through
:func:`dumps` (``allow_nan=False``); a non-finite float raises :class:`ComputationError` naming the
field. A field whose value may legitimately be undefined (a cosine of a zero vector, the distance of a
diverged run) is written as ``null`` by its producer before it reaches this module.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import numpy as np

from theory.core.errors import ComputationError


def _plain(value: Any) -> Any:
    """numpy scalars and arrays as Python numbers and lists (``json`` cannot serialise them)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def non_finite_field(obj: Any, path: str = "$") -> str | None:
    """The JSON path (``$.numeric.M[2]``) of the first NaN/infinite number in ``obj``, or ``None``."""
    if isinstance(obj, dict):
        items: Any = ((f"{path}.{k}", v) for k, v in obj.items())
    elif isinstance(obj, (list, tuple)):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(obj))
    elif isinstance(obj, np.ndarray):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(obj.tolist()))
    elif isinstance(obj, (float, np.floating)) and not isinstance(obj, bool):
        return None if math.isfinite(float(obj)) else path
    else:
        return None
    for sub_path, value in items:
        found = non_finite_field(value, sub_path)
        if found is not None:
            return found
    return None


def require_finite(obj: Any) -> Any:
    """``obj`` unchanged, or :class:`ComputationError` naming the first field holding NaN or an infinity
    (for results printed as a table, which must obey the same rule as JSON)."""
    where = non_finite_field(obj)
    if where is not None:
        raise ComputationError(f"the result holds a non-finite number at {where}; refusing to report it")
    return obj


def dumps(obj: Any, indent: int | None = None) -> str:
    """``obj`` as strict JSON (numpy values converted); :class:`ComputationError` naming the first
    field that holds NaN or an infinity."""
    try:
        return json.dumps(obj, allow_nan=False, default=_plain, indent=indent)
    except ValueError:
        require_finite(obj)
        raise


def print_json(obj: Any) -> None:
    """Print ``obj`` as one line of strict JSON on stdout (see :func:`dumps`)."""
    text = dumps(obj)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
