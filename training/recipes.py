"""The App. A.1 UFM setting of behnia2023 and the training recipes the convergence study compares.

Setting (behnia2023 App. A.1): k=10, R=10, rho=1/2, n_min=5, d=20, CDT and LDT at 13 gammas in
[-1.5, 1.5], full-batch GD for 6000 epochs. Recipes (:data:`RECIPES`):

- ``paper``: constant learning rate 5, no weight decay, float32: App. A.1 states "constant learning rate for
  6000 epochs" only; the step 5, float32 and full batch come from the authors' released script (where the
  paper is silent, a departure the registry lists: :mod:`proofs_check.claims.behnia2023_training`);
- ``paper+wd1e-5`` / ``paper+wd1e-4`` / ``paper+wd5e-4``: the same with weight decay (App. A.2 uses 1e-5
  for ResNets; the UFM value of the released experiments is not stated);
- ``best``: the best recipe found by the search reported in the README: loss-normalised steps
  lr / (L ||theta||^2) (GD on log L with a step that shrinks like the squared scale, lr = 3000) with
  Nesterov momentum 0.9, float32.

This module holds data and the two constructors only; :mod:`training.convergence` runs the study and
:mod:`training.figures` draws the figures.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from theory.core.vocabulary import SWEPT_LOSSES
from training.specs import RunSpec
from training.ufm import TrainConfig, UFMProblem

PAPER = dict(k=10, k_minor=5, R=10, n_min=5, d=20)
GAMMAS = tuple(float(g) for g in np.round(np.linspace(-1.5, 1.5, 13), 6))
RECIPES: dict[str, TrainConfig] = {
    "paper": TrainConfig(lr=5.0),
    "paper+wd1e-5": TrainConfig(lr=5.0, weight_decay=1e-5),
    "paper+wd1e-4": TrainConfig(lr=5.0, weight_decay=1e-4),
    "paper+wd5e-4": TrainConfig(lr=5.0, weight_decay=5e-4),
    "best": TrainConfig(lr=3000.0, momentum=0.9, nesterov=True, normalize="loss-norm"),
}
TARGET = 0.05


def paper_problem(R: float = 10) -> UFMProblem:
    """The App. A.1 UFM problem (R may be changed for Fig. 4)."""
    return UFMProblem.step(PAPER["k"], PAPER["k_minor"], R, PAPER["n_min"], PAPER["d"])


def paper_specs(losses: Sequence[str] = SWEPT_LOSSES, gammas: Sequence[float] = GAMMAS, seed: int = 0) -> list[RunSpec]:
    """One model per (loss, gamma)."""
    return [RunSpec(loss, g, seed) for loss in losses for g in gammas]
