"""Class counts of a label-imbalanced training set.

behnia2023 Sec. 4 works with (R, rho)-STEP imbalance: rho*k minority classes with n_min samples and
(1 - rho)*k majority classes with R*n_min samples; majority classes come first (the ordering the paper
assumes "without loss of generality"). dang2024 and yang2022 allow arbitrary counts n_1..n_K.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from theory.core.errors import InputError
from theory.core.validate import positive_int, positive_real, step_shape

MAX_SAMPLES = 2**53
"""Largest class count and total n: every count and sum stays exact in float64 and in int64."""


@dataclass(frozen=True, eq=False)
class Imbalance:
    """Class counts ``n_1..n_k`` (k >= 2, every count a positive integer, n <= ``MAX_SAMPLES``).

    ``counts`` is stored as a read-only ``int64`` array. ``k_minor`` is set by :meth:`step` and names the
    trailing classes that form the minority group; for general counts it is ``None``.
    """

    counts: np.ndarray
    k_minor: int | None = field(default=None)

    def __post_init__(self) -> None:
        raw = np.asarray(self.counts)
        if raw.ndim != 1:
            raise InputError(f"counts must be a one-dimensional list of class sizes, got shape {raw.shape}")
        if raw.size < 2:
            raise InputError(f"need at least 2 classes, got {raw.size}")
        values = [positive_int(f"count of class {c + 1}", v) for c, v in enumerate(raw.tolist())]
        for c, v in enumerate(values):
            if v > MAX_SAMPLES:
                raise InputError(f"count of class {c + 1} must be <= 2^53 = {MAX_SAMPLES}, got {v}")
        if sum(values) > MAX_SAMPLES:
            raise InputError(f"the total number of samples must be <= 2^53 = {MAX_SAMPLES}, got {sum(values)}")
        counts = np.array(values, dtype=np.int64)
        counts.setflags(write=False)
        object.__setattr__(self, "counts", counts)
        if self.k_minor is not None:
            k_minor = positive_int("k_minor", self.k_minor)
            if k_minor > counts.size - 1:
                raise InputError(f"k_minor must lie in [1, k-1] = [1, {counts.size - 1}], got {k_minor}")
            object.__setattr__(self, "k_minor", k_minor)

    @classmethod
    def step(cls, k: int, k_minor: int, R: float, n_min: int) -> "Imbalance":
        """(R, rho)-STEP imbalance with rho = k_minor / k (behnia2023 Sec. 4).

        The first ``k - k_minor`` classes have ``R * n_min`` samples, the last ``k_minor`` have ``n_min``.
        ``R * n_min`` must be an integer (sample-level work needs whole samples). ``R < 1`` is accepted
        and means that the leading group is the smaller one; group names keep their positions.
        """
        k, k_minor = step_shape(k, k_minor)
        R = positive_real("R", R)
        n_min = positive_int("n_min", n_min)
        n_maj = R * n_min
        if n_maj > MAX_SAMPLES:
            raise InputError(f"n_min * R must be <= 2^53 = {MAX_SAMPLES}, got {n_maj:g}")
        if abs(n_maj - round(n_maj)) > 1e-9 * max(1.0, n_maj) or round(n_maj) < 1:
            raise InputError(f"n_min * R must be a positive integer for sample-level work, got {n_maj:g}")
        counts = [int(round(n_maj))] * (k - k_minor) + [n_min] * k_minor
        return cls(np.array(counts), k_minor=k_minor)

    @property
    def k(self) -> int:
        """Number of classes."""
        return int(self.counts.size)

    @property
    def n(self) -> int:
        """Number of samples."""
        return sum(self.counts.tolist())  # Python ints: no int64 wrap-around

    def labels(self) -> np.ndarray:
        """Sample labels 0..k-1, ordered by class (samples of class 0 first), as behnia2023 Sec. 3."""
        return np.repeat(np.arange(self.k), self.counts)

    def groups(self) -> tuple[np.ndarray, np.ndarray]:
        """Index arrays (majority, minority) of the two groups of a STEP imbalance.

        For counts built by :meth:`step` the minority group is the last ``k_minor`` classes. For general
        counts with exactly two distinct sizes the larger size is the majority; otherwise ``ValueError``.
        """
        if self.k_minor is not None:
            split = self.k - self.k_minor
            return np.arange(split), np.arange(split, self.k)
        sizes = np.unique(self.counts)
        if sizes.size != 2:
            raise InputError("majority/minority groups need exactly two distinct class sizes "
                             f"(STEP imbalance), got sizes {sizes.tolist()}")
        maj = np.flatnonzero(self.counts == sizes[1])
        mnr = np.flatnonzero(self.counts == sizes[0])
        return maj, mnr

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Imbalance):
            return NotImplemented
        return self.k_minor == other.k_minor and np.array_equal(self.counts, other.counts)

    def __hash__(self) -> int:
        return hash((tuple(self.counts.tolist()), self.k_minor))

    def __repr__(self) -> str:
        return f"Imbalance(counts={self.counts.tolist()}, k_minor={self.k_minor})"


def class_sizes(name: str, value: object) -> np.ndarray:
    """Class sizes n_1..n_k as a read-only float64 vector: an :class:`Imbalance`'s counts, or positive reals.

    The class-level forms of the CS-SVM (behnia2023 eq. 3 with one column per class, weighted by sqrt(n_c))
    and its closed-form geometry (Thm 2) are defined for any positive sizes, e.g. a STEP setting with a real
    ratio R; sample-level work needs whole samples and takes an ``Imbalance`` (:func:`require_imbalance`).
    """
    from theory.core.validate import positive_vector

    sizes = np.array(value.counts if isinstance(value, Imbalance) else positive_vector(name, value), dtype=np.float64)
    if sizes.ndim != 1 or sizes.size < 2:
        raise InputError(f"{name} must list at least 2 class sizes, got shape {sizes.shape}")
    sizes.setflags(write=False)
    return sizes


def require_imbalance(name: str, value: object) -> Imbalance:
    """``value`` itself when it is an :class:`Imbalance`; InputError otherwise.

    Functions below the application layer take class counts only as an ``Imbalance``: the text or list a
    person gives becomes one once, at the boundary (:func:`theory.core.profiles.parse_counts` for text,
    ``Imbalance(counts)`` for a list), so its validation (k >= 2, positive integer counts) runs once and a
    STEP profile keeps its minority group. A raw list here is refused, not converted.
    """
    if isinstance(value, Imbalance):
        return value
    raise InputError(f"{name} must be an Imbalance (theory.core.imbalance.Imbalance(counts), or "
                     f"theory.core.profiles.parse_counts(text)), got {type(value).__name__}")
