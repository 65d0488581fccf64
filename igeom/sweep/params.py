"""Typed parameters of a task kind: how a TOML value is checked and normalised (one line on error)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from theory.core.errors import InputError
from theory.core.vocabulary import did_you_mean

#: value types a parameter may have; lists are TOML arrays (class counts, a scaling matrix, milestones)
TYPES = ("int", "float", "bool", "str", "int_list", "float_list", "matrix")
REQUIRED = object()


@dataclass(frozen=True)
class Param:
    """One key of a task kind: its type, its default (``REQUIRED`` when it has none; ``None`` = absent),
    the allowed spellings of a ``str`` parameter, and a one-line help text."""

    name: str
    type: str
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()
    help: str = ""

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"parameter {self.name}: type must be one of {', '.join(TYPES)}, got {self.type!r}")

    def coerce(self, value: Any, where: str) -> Any:
        """``value`` as this parameter's type (ints accepted for floats); :class:`InputError` otherwise."""
        try:
            return _coerce(self, value)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{where}: {exc}") from None


def _number(value: Any, kind: type) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and isinstance(value, float)):
        raise TypeError(f"expected {'an integer' if kind is int else 'a number'}, got {value!r}")
    if kind is float:
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"must be finite, got {value!r}")
    return value


def _coerce(p: Param, value: Any) -> Any:
    if p.type in ("int", "float"):
        return _number(value, int if p.type == "int" else float)
    if p.type == "bool":
        if not isinstance(value, bool):
            raise TypeError(f"expected true or false, got {value!r}")
        return value
    if p.type == "str":
        if not isinstance(value, str):
            raise TypeError(f"expected a string, got {value!r}")
        if p.choices:
            match = [c for c in p.choices if c.lower() == value.strip().lower()]
            if not match:
                raise ValueError(f"expected one of {', '.join(p.choices)}, got {value!r}{did_you_mean(value, p.choices)}")
            return match[0]
        return value
    if not isinstance(value, list):
        raise TypeError(f"expected an array, got {value!r}")
    if p.type == "int_list":
        return [_number(v, int) for v in value]
    if p.type == "float_list":
        return [_number(v, float) for v in value]
    if not value or not all(isinstance(row, list) for row in value):
        raise TypeError("expected an array of arrays (matrix rows)")
    return [[_number(v, float) for v in row] for row in value]
