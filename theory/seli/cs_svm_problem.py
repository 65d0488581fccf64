"""The UFM CS-SVM of behnia2023 eq. (3a)/(3b) as one object, validated once.

    min ||W||_F^2 + sum_j w_j^2 ||h_j||^2  s.t.  A[y_j, y_j] z_{y_j, j} - A[y_j, c] z_{c, j} >= 1,  Z = W^T H,

for a logit-scaling matrix A (:class:`theory.core.parameterization.Parameterization`), at one of two levels:

* **sample level** (``reduced=False``): one column per sample, weights w_j = 1; needs whole samples;
* **class level** (``reduced=True``): one column per class (the class mean), weights w_c = sqrt(n_c);
  the counts may be any positive reals. Same optimum (see :mod:`numerics.cs_svm`).

``d`` is the feature dimension (default k), at least k - 1 (Thm 2). Every solver of :mod:`numerics`
takes this object, so counts are converted and ``d`` is checked in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from theory.core.errors import InputError
from theory.core.imbalance import Imbalance, class_sizes, require_imbalance
from theory.core.parameterization import Parameterization
from theory.core.validate import feature_dimension, positive_vector


@dataclass(frozen=True, eq=False)
class CSSVMProblem:
    """behnia2023 eq. (3) for class ``counts`` (an :class:`Imbalance`; at the class level also
    positive real sizes, :func:`theory.core.imbalance.class_sizes`), ``param``, the
    level (``reduced``) and the feature dimension ``d``; see the module docstring.

    After construction ``counts`` is a read-only float64 vector of class sizes and ``d`` an int;
    ``labels`` (the class of each column) and ``weights`` (the column weights w_j) are derived once.
    """

    counts: np.ndarray
    param: Parameterization
    reduced: bool = False
    d: int | None = None
    labels: np.ndarray = field(init=False, repr=False)
    weights: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.param, Parameterization):
            raise InputError("param must be a theory.core.parameterization.Parameterization")
        if not isinstance(self.reduced, (bool, np.bool_)):
            raise InputError(f"reduced must be True (class level) or False (sample level), got {self.reduced!r}")
        reduced = bool(self.reduced)
        k = self.param.k
        n = class_sizes("counts", self.counts)
        if n.size != k:
            raise InputError(f"counts has {n.size} classes but the parameterization has {k}")
        if reduced:
            labels, weights = np.arange(k), np.sqrt(n)
        else:  # whole samples: Imbalance checks that every count is a positive integer
            imb = require_imbalance("counts (sample level: whole samples)", self.counts)
            labels, weights, n = imb.labels(), np.ones(imb.n), imb.counts.astype(np.float64)
        for arr in (labels, weights, n):
            arr.setflags(write=False)
        object.__setattr__(self, "counts", n)
        object.__setattr__(self, "reduced", reduced)
        object.__setattr__(self, "d", k if self.d is None else feature_dimension(self.d, k))
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "weights", weights)

    @property
    def k(self) -> int:
        """Number of classes."""
        return self.param.k

    @property
    def columns(self) -> int:
        """Number of columns of Z: samples (sample level) or classes (class level)."""
        return int(self.labels.size)

    def same_program(self, other: "CSSVMProblem") -> bool:
        """True when ``other`` has the same constraints and objective (d may differ: it does not change
        the optimum for d >= k - 1)."""
        return (self.reduced == other.reduced and np.array_equal(self.counts, other.counts)
                and np.array_equal(self.param.scaling, other.param.scaling))
