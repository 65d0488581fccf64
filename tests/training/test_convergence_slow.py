"""Paper-size convergence (behnia2023 App. A.1 setting, 6000 epochs): slow, run with ``-m slow``."""

from __future__ import annotations

import numpy as np
import pytest

from training.recipes import GAMMAS, RECIPES, TARGET, paper_problem, paper_specs
from training.measurements import measure
from training.ufm import train_sweep


@pytest.mark.slow
def test_best_recipe_reaches_the_target_on_seed_0() -> None:
    """Measured (not a guarantee for every seed: seed 1 leaves CDT gamma=0.5 at W 0.063): the best
    recipe brings all three App. A.4 distances to <= 0.05 for every gamma in [-1, 1], CDT and LDT, with
    zero training error, within 6000 epochs."""
    inner = [g for g in GAMMAS if abs(g) <= 1.0]
    meas = measure(train_sweep(paper_problem(), paper_specs(gammas=inner), RECIPES["best"]))
    for key in ("W", "M", "WM"):
        assert np.all(meas.distance[key][-1] <= TARGET), (key, meas.distance[key][-1].round(3))
    assert meas.zero_error.all()


@pytest.mark.slow
def test_paper_recipe_is_far_from_the_target() -> None:
    """The plain constant-step GD of App. A.1 stays above 0.2 in W^T W somewhere in [-1, 1] after 6000
    epochs: the slow convergence the paper reports, measured."""
    inner = [g for g in GAMMAS if abs(g) <= 1.0]
    meas = measure(train_sweep(paper_problem(), paper_specs(gammas=inner), RECIPES["paper"]))
    assert meas.distance["W"][-1].max() > 0.2
