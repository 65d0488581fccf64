"""One (R, rho)-STEP setting of behnia2023 Sec. 4 with its loss: the typed value of ``--k --k-minor --R
--gamma/--delta-ratio``.

A STEP setting has k classes, the last k_minor of them minorities (rho = k_minor / k), imbalance ratio
R = n_maj / n_min, and for CDT / LDT the ratio Delta = delta_maj / delta_min of the logit scalings
(Appendix A.1; Delta = R^gamma in the paper's experiments). CE is CDT at delta = 1, so CE has Delta = 1:
the value refuses any other Delta here, once (:func:`theory.core.parameterization.require_ce_delta_one`),
and every function that takes a :class:`StepSetting` relies on it without checking again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory.core.parameterization import Parameterization, require_ce_delta_one
from theory.core.validate import finite_real, positive_real, step_shape
from theory.core.vocabulary import CLOSED_FORM_LOSSES, Loss


def step_delta(k: int, k_minor: int, delta_ratio: float) -> np.ndarray:
    """delta with delta_maj / delta_min = Delta, normalised so that 1^T delta = k (Appendix A.1)."""
    k, k_minor = step_shape(k, k_minor)
    delta_ratio = positive_real("delta_ratio (Delta)", delta_ratio)
    raw = np.array([delta_ratio] * (k - k_minor) + [1.0] * k_minor)
    return raw * k / raw.sum()


def delta_from_gamma(R: object, gamma: object) -> float:
    """Delta = R^gamma (behnia2023 Sec. 4, Appendix A.1); InputError unless it is a positive finite number."""
    return _power(positive_real("R", R), finite_real("gamma", gamma))


def _power(R: float, gamma: float) -> float:
    """R^gamma for validated R > 0 and finite gamma; InputError when it over- or underflows."""
    import math

    from theory.core.errors import InputError

    try:
        value = R**gamma
    except OverflowError:
        value = math.inf
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"R^gamma = {R}^{gamma} is not a positive finite number")
    return value


@dataclass(frozen=True)
class StepSetting:
    """The loss (CE, CDT or LDT) and (k, k_minor, R, Delta) of a STEP setting, validated on construction.

    ``k >= 2``, ``1 <= k_minor <= k - 1``, ``R > 0`` (R < 1 is accepted: the leading group is then the
    smaller one), and Delta > 0 given as ``delta_ratio`` or as ``gamma`` (Delta = R^gamma), at most one of
    them (neither: Delta = 1); Delta = 1 for CE. InputError otherwise. After construction ``delta_ratio``
    holds Delta and ``gamma`` what was given (None when Delta was given directly).
    """

    loss: Loss
    k: int
    k_minor: int
    R: float
    delta_ratio: float | None = None
    gamma: float | None = None

    def __post_init__(self) -> None:
        from theory.core.errors import InputError

        loss = Loss.parse(self.loss, CLOSED_FORM_LOSSES)
        k, k_minor = step_shape(self.k, self.k_minor)
        R = positive_real("R", self.R)  # the one validation of R
        if self.gamma is not None and self.delta_ratio is not None:
            raise InputError("give Delta as delta_ratio or as gamma (Delta = R^gamma), not both")
        gamma = None if self.gamma is None else finite_real("gamma", self.gamma)
        if gamma is not None:
            require_ce_delta_one(loss, gamma == 0.0)
            delta = _power(R, gamma)
        else:
            delta = 1.0 if self.delta_ratio is None else positive_real("delta_ratio (Delta)", self.delta_ratio)
            require_ce_delta_one(loss, delta == 1.0)
        for name, value in (("loss", loss), ("k", k), ("k_minor", k_minor), ("R", R), ("delta_ratio", delta),
                            ("gamma", gamma)):
            object.__setattr__(self, name, value)

    @classmethod
    def from_gamma(cls, loss: Loss | str, k: int, k_minor: int, R: float, gamma: float) -> "StepSetting":
        """The setting with Delta = R^gamma (behnia2023 App. A.1); CE takes only gamma = 0."""
        return cls(loss, k, k_minor, R, gamma=gamma)

    def delta(self) -> np.ndarray:
        """delta (k numbers, 1^T delta = k) with delta_maj / delta_min = Delta."""
        return step_delta(self.k, self.k_minor, self.delta_ratio)

    def class_sizes(self) -> np.ndarray:
        """Real STEP class sizes at n_min = 1, majority first: k - k_minor entries R, k_minor entries 1."""
        return np.array([self.R] * (self.k - self.k_minor) + [1.0] * self.k_minor)

    def parameterization(self) -> Parameterization:
        """The logit scaling of this loss and delta (behnia2023 eq. 2a / 2b; CE: all ones)."""
        return Parameterization.from_name(self.loss, self.delta())

    def as_dict(self) -> dict[str, object]:
        """The setting's keys of ``igeom geometry --json``."""
        return {"loss": self.loss, "k": self.k, "k_minor": self.k_minor, "R": self.R, "delta_ratio": self.delta_ratio}
