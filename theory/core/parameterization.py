"""Logit-scaling parameterizations of the cross-entropy loss and their CS-SVM margin constraints.

A parameterization is a positive k x k matrix A plus optional additive offsets iota. For a sample with
label y and logits z = W^T h the loss is (behnia2023 eq. 1 generalised)

    log(1 + sum_{c != y} exp(-(A[y, y] z_y - A[y, c] z_c) + iota_y - iota_c)).

CE: A = 1. CDT(delta) (eq. 2a): A[y, c] = delta_c. LDT(delta) (eq. 2b): A[y, c] = delta_y.
VS(delta, iota) (eq. 1): CDT with offsets. Any positive A is a "new parameterization". Gradient flow on
the unregularised UFM converges in direction to a KKT point of the CS-SVM (eq. 3)

    min ||W||_F^2 + ||H||_F^2  s.t.  A[y_i, y_i] Z[y_i, i] - A[y_i, c] Z[c, i] >= 1,  Z = W^T H,

whose constraints are linear in Z; the offsets iota do not enter it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from theory.core.validate import positive_int, positive_vector, real_array
from theory.core.vocabulary import CLOSED_FORM_LOSSES, PARAMETERIZATION_FAMILIES, Loss
from theory.core.errors import InputError

#: The one message for a CE setting with Delta != 1 (CE is CDT at delta = 1, behnia2023 eq. 2a).
CE_DELTA_ONE = "CE has Delta = 1 (no hyperparameter): use gamma = 0 (Delta = 1), or the loss CDT or LDT"


def require_ce_delta_one(loss: Loss | str, delta_is_one: bool) -> None:
    """InputError :data:`CE_DELTA_ONE` when ``loss`` is CE and its Delta (or gamma) is not the neutral value.

    The one place that enforces it: :class:`theory.seli.step_setting.StepSetting` (STEP settings),
    :class:`training.specs.RunSpec` (a trained model's loss) and the R -> infinity limits call it.
    """
    if Loss.parse(loss) == Loss.CE and not delta_is_one:
        raise InputError(CE_DELTA_ONE)


@dataclass(frozen=True, eq=False)
class Parameterization:
    """A positive k x k logit-scaling matrix ``scaling`` and optional offsets ``offsets`` (length k).

    ``family`` is one of :data:`theory.core.vocabulary.PARAMETERIZATION_FAMILIES`; ``delta`` holds the multiplicative hyperparameters of the CE,
    CDT, LDT and VS families (``None`` for a custom matrix). Build with the class methods.
    """

    scaling: np.ndarray
    offsets: np.ndarray | None = None
    family: Loss = Loss.CUSTOM
    delta: np.ndarray | None = field(default=None)

    def __post_init__(self) -> None:
        A = real_array("the logit-scaling matrix", self.scaling, ndim=2)
        if A.shape[0] != A.shape[1]:
            raise InputError(f"the logit-scaling matrix must be square k x k, got shape {A.shape}")
        if A.shape[0] < 2:
            raise InputError(f"need at least 2 classes, got a {A.shape[0]} x {A.shape[0]} scaling matrix")
        if not np.all(np.isfinite(A)):
            raise InputError("the logit-scaling matrix must have finite entries")
        if np.any(A <= 0):
            raise InputError("the logit-scaling matrix must have strictly positive entries")
        A.setflags(write=False)
        object.__setattr__(self, "scaling", A)
        k = A.shape[0]
        if self.offsets is not None:
            iota = real_array("offsets", self.offsets, ndim=1)
            if iota.shape[0] != k or not np.all(np.isfinite(iota)):
                raise InputError(f"offsets must be {k} finite real numbers")
            iota.setflags(write=False)
            object.__setattr__(self, "offsets", iota)
        family = Loss.parse(self.family)
        if family not in PARAMETERIZATION_FAMILIES:
            raise InputError(f"unknown family {self.family!r}; expected one of "
                             f"{', '.join(PARAMETERIZATION_FAMILIES)}")
        object.__setattr__(self, "family", family)
        if self.delta is not None:
            object.__setattr__(self, "delta", positive_vector("delta", self.delta, length=k))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def ce(cls, k: int) -> "Parameterization":
        """Plain cross-entropy: A = 1 (behnia2023 eq. 1 with delta = 1, iota = 0)."""
        k = positive_int("k", k, minimum=2)
        return cls(np.ones((k, k)), family=Loss.CE, delta=np.ones(k))

    @classmethod
    def cdt(cls, delta: object) -> "Parameterization":
        """Class-dependent temperature loss (behnia2023 eq. 2a): A[y, c] = delta_c."""
        d = positive_vector("delta", delta)
        return cls(np.tile(d, (d.size, 1)), family=Loss.CDT, delta=d)

    @classmethod
    def ldt(cls, delta: object) -> "Parameterization":
        """Label-dependent temperature loss (behnia2023 eq. 2b): A[y, c] = delta_y."""
        d = positive_vector("delta", delta)
        return cls(np.tile(d[:, None], (1, d.size)), family=Loss.LDT, delta=d)

    @classmethod
    def vs(cls, delta: object, iota: object) -> "Parameterization":
        """Vector-scaling loss (behnia2023 eq. 1): CDT scaling with additive offsets iota."""
        d = positive_vector("delta", delta)
        return cls(np.tile(d, (d.size, 1)), offsets=iota, family=Loss.VS, delta=d)

    @classmethod
    def custom(cls, scaling: object, offsets: object | None = None) -> "Parameterization":
        """Any positive k x k logit-scaling matrix: entry [y, c] multiplies logit c for label y."""
        return cls(np.asarray(scaling), offsets=offsets, family=Loss.CUSTOM)

    @classmethod
    def from_name(cls, loss: str, delta: object) -> "Parameterization":
        """CE, CDT or LDT by name (case-insensitive); ``delta`` is ignored for CE except for its length."""
        name = Loss.parse(loss)
        if name not in CLOSED_FORM_LOSSES:
            raise InputError(f"unknown loss {loss!r}; expected one of {', '.join(CLOSED_FORM_LOSSES)}")
        d = positive_vector("delta", delta)
        if name == Loss.CE:
            return cls.ce(d.size)
        return cls.cdt(d) if name == Loss.CDT else cls.ldt(d)

    # ------------------------------------------------------------------ properties
    def centering_weights(self) -> np.ndarray:
        """behnia2023 Remark 4: the weights w that centre the class means M (1) w / 1^T w. LDT's SELI
        geometry (eq. 7) centres with delta; CE's and CDT's (eq. 6) with ones, as every other family. The
        one implementation: a trained model's spec and a loss preset both ask their parameterization."""
        return np.array(self.delta) if self.family == Loss.LDT else np.ones(self.k)

    @property
    def k(self) -> int:
        """Number of classes."""
        return int(self.scaling.shape[0])

    @property
    def svm_family(self) -> Loss:
        """Family of the CS-SVM (offsets do not enter it): CE and VS share CDT's program."""
        return Loss.CDT if self.family in (Loss.CE, Loss.VS) else self.family

    # ------------------------------------------------------------------ CS-SVM constraints
    def check_labels(self, labels: object) -> np.ndarray:
        """Labels as an integer array in [0, k-1] (ValueError otherwise)."""
        y = np.asarray(labels)
        if y.ndim != 1 or y.size == 0 or not np.issubdtype(y.dtype, np.integer):
            raise InputError("labels must be a non-empty one-dimensional integer array")
        if y.min() < 0 or y.max() >= self.k:
            raise InputError(f"labels must lie in [0, {self.k - 1}]")
        return y

    def margins(self, Z: np.ndarray, labels: object) -> np.ndarray:
        """Margins A[y_i,y_i] Z[y_i,i] - A[y_i,c] Z[c,i] as an n x k array (+inf at c = y_i).

        behnia2023 eq. (3a)/(3b) in terms of Z = W^T H (k x n).
        """
        y = self.check_labels(labels)
        Z = np.asarray(Z, dtype=np.float64)
        if Z.shape != (self.k, y.size):
            raise InputError(f"Z must have shape (k, n) = ({self.k}, {y.size}), got {Z.shape}")
        idx = np.arange(y.size)
        own = self.scaling[y, y] * Z[y, idx]
        out = own[:, None] - self.scaling[y, :] * Z.T
        out[idx, y] = np.inf
        return out

    def margin_operator(self, labels: object) -> sp.csr_matrix:
        """Sparse L with (L @ Z.reshape(-1, order="F"))[i*(k-1) + j] = margin of sample i against the
        j-th class c != y_i; one row per constraint of eq. (3), built without Python loops over samples.
        """
        y = self.check_labels(labels)
        k, n = self.k, y.size
        others = np.array([np.delete(np.arange(k), c) for c in range(k)])  # (k, k-1)
        c_idx = others[y]  # (n, k-1)
        rows = np.arange(n * (k - 1))
        sample = np.repeat(np.arange(n), k - 1)
        y_rep = np.repeat(y, k - 1)
        c_flat = c_idx.reshape(-1)
        own_col = sample * k + y_rep  # column-major vec(Z): entry (r, i) at i*k + r
        other_col = sample * k + c_flat
        data = np.concatenate([self.scaling[y_rep, y_rep], -self.scaling[y_rep, c_flat]])
        L = sp.csr_matrix((data, (np.concatenate([rows, rows]), np.concatenate([own_col, other_col]))),
                          shape=(n * (k - 1), k * n))
        return L

    def __repr__(self) -> str:
        if self.family == Loss.CUSTOM:
            return f"Parameterization.custom({self.scaling.tolist()}, offsets={None if self.offsets is None else self.offsets.tolist()})"
        return f"Parameterization(family={self.family}, delta={None if self.delta is None else self.delta.tolist()})"
