"""Projected gradient descent on yang2022's DLPM (training.dlpm_gd): feasibility and bad input."""

import numpy as np
import pytest

from theory.core.errors import InputError
from theory.core.imbalance import Imbalance
from training.dlpm_gd import train_dlpm


@pytest.mark.parametrize("loss", ["CE", "DR"])
def test_distances_start_at_the_initial_point_and_decrease(loss: str) -> None:
    run = train_dlpm(loss, Imbalance([3, 1, 1]), d=3, epochs=50, lr=0.5)
    assert run.distance.shape == (51,) and run.per_class.shape == (3,)
    assert run.distance[-1] < run.distance[0]
    assert run.per_class.max() == pytest.approx(run.distance[-1], rel=1e-12)


def test_projection_keeps_the_norm_constraint_with_a_huge_step() -> None:
    run = train_dlpm("CE", Imbalance([2, 2]), d=2, epochs=5, lr=1e6, e_h=4.0)
    # every feature stays in the ball of radius 2 = sqrt(E_H): distances to h* are at most 2 + 2 = 4 (relative 2)
    assert np.all(run.distance <= 2.0 + 1e-12)


@pytest.mark.parametrize("kwargs", [dict(loss="MSE"), dict(d=1), dict(epochs=0), dict(lr=0.0), dict(e_w=-1.0)])
def test_bad_input(kwargs) -> None:
    args = dict(loss="CE", counts=Imbalance([3, 2, 2]), d=3, epochs=5, lr=0.1)
    args.update(kwargs)
    with pytest.raises(InputError):
        train_dlpm(**args)
