"""What one trained model is: a loss family, its hyperparameter gamma, and a seed.

behnia2023 Appendix A.1 parameterises a STEP experiment by Delta = delta_maj / delta_min = R^gamma with
delta normalised so that 1^T delta = k. The same gamma drives every family here:

- ``CE``: plain cross-entropy, no hyperparameter (gamma must be 0);
- ``wCE``: CE with per-sample weights omega_{y_i}, omega_maj / omega_min = R^gamma (gamma = -1 is
  inverse-frequency weighting); weights do not change the max-margin geometry, so the prediction
  is CE's;
- ``CDT`` / ``LDT``: eqs. (2a) / (2b) with Delta = R^gamma;
- ``VS``: CDT's delta plus additive offsets iota_c = -tau log(n_c / n) (logit adjustment written in
  eq. (1)'s sign convention); offsets do not change the geometry either, so the prediction is CDT's;
- ``custom``: any positive logit-scaling matrix (``scaling``) and offsets (``offsets``); no closed-form
  prediction (the convex program of ``numerics.cs_svm`` gives it; training does not import numerics).

Remark 4 centring of the class means: LDT uses weights delta, every other family weights 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory.core.validate import finite_real, seed_value
from theory.seli.seli_geometry import Geometry, seli_geometry
from theory.core.imbalance import Imbalance
from theory.core.parameterization import Parameterization, require_ce_delta_one
from theory.seli.step_setting import delta_from_gamma
from theory.core.vocabulary import Loss
from training.losses import class_weights
from theory.core.errors import InputError


def _ratio(imbalance: Imbalance, gamma: float) -> float:
    maj, mnr = imbalance.groups()
    R = float(imbalance.counts[maj][0]) / float(imbalance.counts[mnr][0])
    return delta_from_gamma(R, gamma)


def group_delta(imbalance: Imbalance, ratio: float) -> np.ndarray:
    """delta with delta_maj / delta_min = ``ratio`` on the two groups, normalised to 1^T delta = k."""
    maj, _ = imbalance.groups()
    raw = np.ones(imbalance.k)
    raw[maj] = ratio
    return raw * imbalance.k / raw.sum()


@dataclass(frozen=True)
class RunSpec:
    """One model of a sweep: loss family, gamma (Delta = R^gamma), seed, and VS offset strength tau.
    For ``loss="custom"``: ``scaling`` (k x k, nested tuples) and optional ``offsets`` (k).

    ``loss`` is any spelling :meth:`theory.core.vocabulary.Loss.parse` accepts and is stored as the
    canonical spelling, a plain ``str`` (the spec goes into JSON and into checkpoints)."""

    loss: str
    gamma: float = 0.0
    seed: int = 0
    tau: float = 1.0
    scaling: tuple[tuple[float, ...], ...] | None = None
    offsets: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "loss", Loss.parse(self.loss).value)
        if (self.loss == Loss.CUSTOM) != (self.scaling is not None):
            raise InputError("a scaling matrix is given exactly for loss 'custom'")
        if self.offsets is not None and self.loss != Loss.CUSTOM:
            raise InputError("offsets are given only for loss 'custom' (VS derives its own from tau)")
        if self.loss == Loss.CUSTOM:  # validate once, store as plain tuples (the spec is hashed into JSON)
            p = Parameterization.custom(np.asarray(self.scaling, dtype=np.float64), self.offsets)
            object.__setattr__(self, "scaling", tuple(map(tuple, p.scaling.tolist())))
            if p.offsets is not None:
                object.__setattr__(self, "offsets", tuple(p.offsets.tolist()))
        object.__setattr__(self, "gamma", finite_real("gamma", self.gamma))
        object.__setattr__(self, "seed", seed_value("seed", self.seed))
        object.__setattr__(self, "tau", finite_real("tau", self.tau))
        require_ce_delta_one(self.loss, self.gamma == 0.0)

    def delta(self, imbalance: Imbalance) -> np.ndarray:
        """Multiplicative hyperparameters delta (ones for CE, wCE and custom)."""
        if self.loss in (Loss.CE, Loss.WCE, Loss.CUSTOM):
            return np.ones(imbalance.k)
        return group_delta(imbalance, _ratio(imbalance, self.gamma))

    def parameterization(self, imbalance: Imbalance) -> Parameterization:
        """The logit-scaling matrix and offsets of this loss on ``imbalance``."""
        if self.loss == Loss.CUSTOM:
            if len(self.scaling) != imbalance.k:
                raise InputError(f"the scaling matrix is {len(self.scaling)} x {len(self.scaling)} but there are "
                                 f"{imbalance.k} classes")
            return Parameterization.custom(np.array(self.scaling), self.offsets)
        if self.loss in (Loss.CE, Loss.WCE):
            return Parameterization.ce(imbalance.k)
        delta = self.delta(imbalance)
        if self.loss == Loss.CDT:
            return Parameterization.cdt(delta)
        if self.loss == Loss.LDT:
            return Parameterization.ldt(delta)
        prior = imbalance.counts / imbalance.n
        return Parameterization.vs(delta, -self.tau * np.log(prior))

    def class_weights(self, imbalance: Imbalance) -> np.ndarray:
        """Per-class loss weights (mean per-sample weight 1); all ones except for wCE."""
        if self.loss != Loss.WCE:
            return np.ones(imbalance.k)
        return class_weights(imbalance.counts, _ratio(imbalance, self.gamma))

    def predicted(self, imbalance: Imbalance) -> Geometry:
        """Predicted CS-SVM geometry (behnia2023 Thm 2) from :func:`theory.seli.seli_geometry.seli_geometry`
        (ValueError for ``custom``: its prediction needs the convex program of ``numerics.cs_svm``)."""
        return seli_geometry(imbalance.counts, self.parameterization(imbalance))

    def label(self) -> str:
        """Short text label, e.g. ``CDT gamma=0.5 seed=0``."""
        return f"{self.loss} gamma={self.gamma:g} seed={self.seed}"
