"""Which loss presets change the implicit geometry, measured by SGD on the UFM.

For each preset (:mod:`theory.core.loss_presets`) a UFM trained by :func:`training.preset_training.train_ufm_presets`
is measured with :func:`proofs_check.tasks.feature_measurement.measure` against two predictions: its own (the CS-SVM of its
scaling, behnia2023 eq. 3) and CE's. The theory says offsets, label margins and weights leave the geometry
at CE's (wCE, LA, balanced softmax, LDAM) or CDT's (VS), while multiplicative scalings (CDT, LDT, VS's delta)
move it away from CE's. Focal has no derived prediction; its distance to CE's geometry is measured only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from proofs_check.tasks.feature_measurement import PredictionSpec, measure
from theory.core.imbalance import Imbalance
from theory.core.loss_presets import preset_loss
from theory.core.vocabulary import Preset

#: a geometry counts as changed when SGD ends farther than this from CE's prediction (own-prediction distances
#: measured here are <= 0.01, multiplicative scalings at gamma = 0.5 end >= 0.26 away from CE's)
CHANGED = 0.1
#: (preset, hyperparameters) of the table and the claims.
CASES: tuple[tuple[Preset, dict[str, float]], ...] = (
    (Preset.CE, {}), (Preset.WCE, {"gamma": 1.0}), (Preset.LA, {"tau": 1.0}), (Preset.BALANCED_SOFTMAX, {}),
    (Preset.LDAM, {"ldam_c": 0.5}), (Preset.VS, {"gamma": 0.5, "tau": 1.0}), (Preset.CDT, {"gamma": 0.5}),
    (Preset.LDT, {"gamma": 0.5}), (Preset.FOCAL, {"focal_gamma": 2.0}))


@dataclass(frozen=True)
class PresetRow:
    """Largest of the W / M / WM distances of one trained UFM to its own prediction (``None`` for focal)
    and to CE's, and its training error."""

    preset: Preset
    options: dict[str, float]
    own: float | None
    to_ce: float
    train_error: float

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"preset": str(self.preset), "options": dict(self.options), "distance_own": self.own,
                "distance_ce": self.to_ce, "train_error": self.train_error}


def sgd_rows(counts: Imbalance, cases: Sequence[tuple[Preset, dict[str, float]]] = CASES, *, d: int | None = None,
             epochs: int = 2000, seed: int = 0) -> list[PresetRow]:
    """Train one UFM per case (width ``d``, default k + 2) on integer ``counts`` and measure it."""
    from training.preset_training import train_ufm_presets

    losses = [preset_loss(p, counts, **hp) for p, hp in cases]
    run = train_ufm_presets(losses, counts.k + 2 if d is None else d, epochs=epochs, seed=seed)
    rows = []
    for b, ((preset, hp), loss) in enumerate(zip(cases, losses)):
        dist = lambda spec: max(measure(run.H[b].T, run.labels, run.W[b].T, spec).distance.values())  # noqa: E731
        own = dist(PredictionSpec(preset, hp)) if loss.has_prediction else None
        rows.append(PresetRow(Preset.parse(preset), dict(hp), own, dist(PredictionSpec(Preset.CE)),
                              float(run.train_error[b])))
    return rows
