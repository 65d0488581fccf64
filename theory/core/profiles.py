"""Class-count profiles: the text a user types for n_1..n_k, parsed into integer class counts.

Three forms (issue 12, part 2):

* ``500,500,50,50``: the counts themselves (k >= 2 positive integers);
* ``step:K,K_MINOR,R[,N_MIN]``: the (R, rho)-STEP imbalance of behnia2023 Sec. 4, majority classes first,
  K - K_MINOR classes of R * N_MIN samples and K_MINOR of N_MIN (N_MIN defaults to 1; R * N_MIN must be
  an integer), built by :meth:`theory.core.imbalance.Imbalance.step`;
* ``exp:K,R[,N_MAX]``: the exponential long tail of CIFAR-10-LT (Cao et al. 2019, Sec. 4),
  n_c = N_MAX * R^(-c / (K - 1)) for c = 0..K-1 rounded down, so n_0 = N_MAX and n_{K-1} = N_MAX / R
  (N_MAX defaults to 5000, CIFAR-10's class size). Rounding down, as the CIFAR-10-LT construction does,
  reproduces its published counts (5000, 2997, 1796, ..., 50 for exp:10,100; rounding to nearest would give
  1797, 646); every count must be >= 1.

Every malformed profile raises :class:`theory.core.errors.InputError` naming the form expected.
"""

from __future__ import annotations

import math

import numpy as np

from theory.core.errors import InputError
from theory.core.imbalance import MAX_SAMPLES, Imbalance

#: N_MAX of ``exp:`` when omitted: CIFAR-10 has 5000 training images per class.
DEFAULT_N_MAX = 5000
PROFILE_FORMS = "N1,N2,... | step:K,K_MINOR,R[,N_MIN] | exp:K,R[,N_MAX]"


def _numbers(body: str, form: str, low: int, high: int) -> list[float]:
    parts = [p.strip() for p in body.split(",")]
    if not low <= len(parts) <= high:
        raise InputError(f"counts profile {form} takes {low} to {high} numbers, got {len(parts)}")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InputError(f"counts profile {form}: not a number in {body!r}") from None
    if not all(math.isfinite(v) for v in values):
        raise InputError(f"counts profile {form}: numbers must be finite, got {body!r}")
    return values


def _integer(name: str, value: float) -> int:
    if not float(value).is_integer():
        raise InputError(f"{name} must be an integer, got {value:g}")
    return int(value)


def exponential_counts(k: int, R: float, n_max: float = DEFAULT_N_MAX) -> np.ndarray:
    """Long-tailed counts n_c = floor(n_max R^(-c/(k-1))), c = 0..k-1 (CIFAR-10-LT's profile; a relative
    1e-9 guard keeps an exact integer such as 5000 / 100 = 50 from rounding down to 49 on a last-bit error)."""
    if k < 2:
        raise InputError(f"exp: needs K >= 2 classes, got {k}")
    if not (R >= 1 and math.isfinite(R)):
        raise InputError(f"exp: the imbalance ratio R must be a finite number >= 1, got {R:g}")
    if not (n_max >= 1 and math.isfinite(n_max)):
        raise InputError(f"exp: N_MAX must be >= 1, got {n_max:g}")
    counts = np.floor(n_max * R ** (-np.arange(k) / (k - 1)) * (1.0 + 1e-9)).astype(np.int64)
    if counts.min() < 1:
        raise InputError(f"exp:{k},{R:g},{n_max:g} rounds the smallest class to 0 samples; raise N_MAX or lower R")
    return counts


def parse_counts(text: str) -> Imbalance:
    """The :class:`Imbalance` a profile in one of the forms of the module docstring describes (k >= 2 classes).

    This is the one place where the text of ``--counts`` becomes a value: a ``step:`` profile keeps its
    minority group (``Imbalance.k_minor``), so the groups of a STEP setting are never guessed again below.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"counts must be given as {PROFILE_FORMS}")
    body = text.strip()
    head, sep, rest = body.partition(":")
    if not sep:
        try:
            values = _numbers(body, "N1,N2,...", 2, 10**9)
            counts = [_integer(f"count of class {c}", v) for c, v in enumerate(values)]
        except InputError as exc:
            raise InputError(f"counts must be comma-separated integers or a profile ({PROFILE_FORMS}), "
                             f"got {body!r}: {exc}") from None
        if min(counts) < 1:
            raise InputError(f"every class count must be >= 1, got {min(counts)}")
        if max(counts) > MAX_SAMPLES:
            raise InputError(f"class counts must be <= 2^53 (exact in float64), got {max(counts):.3g}")
        return Imbalance(np.array(counts, dtype=np.int64))
    form = head.strip().lower()
    if form == "step":
        values = _numbers(rest, "step:K,K_MINOR,R[,N_MIN]", 3, 4)
        k, k_minor = _integer("K", values[0]), _integer("K_MINOR", values[1])
        n_min = _integer("N_MIN", values[3]) if len(values) == 4 else 1
        try:
            return Imbalance.step(k, k_minor, values[2], n_min)
        except ValueError as exc:
            raise InputError(f"counts profile step: {exc}") from None
    if form == "exp":
        values = _numbers(rest, "exp:K,R[,N_MAX]", 2, 3)
        n_max = values[2] if len(values) == 3 else DEFAULT_N_MAX
        return Imbalance(exponential_counts(_integer("K", values[0]), values[1], n_max))
    raise InputError(f"unknown counts profile {head!r}; expected {PROFILE_FORMS}")
