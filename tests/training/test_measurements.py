"""Measurements: an exact SELI geometry, planted in R^d, measures as the closed forms say."""

from __future__ import annotations

import numpy as np
import pytest

from theory.seli.closed_forms import evaluate
from theory.core.imbalance import Imbalance
from theory.seli.step_setting import step_delta
from training.measurements import Trajectory, measure
from training.specs import RunSpec


def _plant(G_W: np.ndarray, G_M: np.ndarray, G_WM: np.ndarray, d: int, rng: np.random.Generator):
    """W, M (d x k) with W^T W = G_W, M^T M = G_M, W^T M = G_WM, in a random orientation."""
    k = G_W.shape[0]
    joint = np.block([[G_W, G_WM], [G_WM.T, G_M]])
    vals, vecs = np.linalg.eigh(joint)
    keep = vals > 1e-10 * vals.max()
    X = (vecs[:, keep] * np.sqrt(vals[keep])).T  # rank x 2k, X^T X = joint
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    X = Q[:, :X.shape[0]] @ X
    return X[:, :k], X[:, k:]


@pytest.mark.parametrize("loss,gamma", [("CDT", 0.5), ("CDT", -1.0), ("LDT", 1.0), ("LDT", -0.5)])
def test_planted_seli_geometry_measures_like_the_closed_forms(loss: str, gamma: float) -> None:
    """Distances are 0 and the group summaries equal the SymPy closed forms, after a common shift v of
    every class mean (removed by Remark 4 centring: weights 1 for CDT, delta for LDT)."""
    rng = np.random.default_rng(0)
    imb = Imbalance.step(6, 2, 5, 1)
    spec = RunSpec(loss, gamma, 0)
    geo = spec.predicted(imb)
    W, M = _plant(geo.G_W, geo.G_M, geo.G_WM, d=8, rng=rng)
    M_shifted = M + rng.normal(size=(8, 1))
    traj = Trajectory(imbalance=imb, specs=(spec,), epochs=np.array([0]), W=W[None, None], M=M_shifted[None, None],
                      loss=np.zeros((1, 1)), class_accuracy=np.ones((1, 1, 6)), diverged_epoch=np.array([-1]))
    meas = measure(traj)
    for key in ("W", "M", "WM"):
        assert meas.distance[key][0, 0] == pytest.approx(0.0, abs=1e-10)
    closed = evaluate(loss, 6, 2, 5.0, 5.0 ** gamma)
    for blk in ("W", "M", "WM"):
        for key, v in meas.centred[blk].items():
            assert v[0, 0] == pytest.approx(closed[f"{blk}.{key}"], rel=1e-9, abs=1e-12)
    # without centring the shifted means are measurably off the prediction
    assert abs(meas.uncentred["M"]["norm_ratio"][0, 0] - closed["M.norm_ratio"]) > 1e-3
    assert meas.zero_error[0]


def test_ldt_centring_uses_delta_weights() -> None:
    """LDT (eq. 7): sum_c delta_c mu_c = 0 at the optimum, so the centring weights are delta."""
    imb = Imbalance.step(6, 2, 5, 1)
    spec = RunSpec("LDT", 0.7, 0)
    np.testing.assert_allclose(spec.parameterization(imb).centering_weights(), step_delta(6, 2, 5.0 ** 0.7), rtol=1e-14)
    geo = spec.predicted(imb)
    np.testing.assert_allclose(geo.G_M @ spec.parameterization(imb).centering_weights(), 0.0, atol=1e-10)
    np.testing.assert_allclose(RunSpec("CDT", 0.7, 0).predicted(imb).G_M.sum(1), 0.0, atol=1e-10)


def test_train_error_and_balanced_accuracy() -> None:
    imb = Imbalance.step(4, 2, 3, 2)  # counts 6, 6, 2, 2
    acc = np.array([[[1.0, 1.0, 0.5, 1.0]]])
    traj = Trajectory(imbalance=imb, specs=(RunSpec("CE", 0, 0),), epochs=np.array([5]),
                      W=np.ones((1, 1, 3, 4)), M=np.ones((1, 1, 3, 4)), loss=np.zeros((1, 1)),
                      class_accuracy=acc, diverged_epoch=np.array([-1]))
    meas = measure(traj)
    assert meas.train_error[0, 0] == pytest.approx(1 / 16)
    assert meas.balanced_accuracy[0, 0] == pytest.approx(0.875)
    assert not meas.zero_error[0]
    assert meas.run_json(0)["train_error"] == pytest.approx(1 / 16)
