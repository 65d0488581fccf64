"""behnia2023 App. A.3 checks on synthetic App. A.1 sweeps (issue 21): decided over the seeds on the converged
runs at zero training error; where the statement holds they pass, where its opposite holds they fail, and a
trend that holds on one side of gamma = 0 only fails the |gamma| statement, which is read per sign."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import proofs_check.claims.behnia2023_training as bt
from theory.core.vocabulary import Setting
from training.specs import RunSpec

GAMMAS = np.linspace(-1.5, 1.5, 13)


def _specs() -> list[RunSpec]:
    return [RunSpec(loss, float(g), seed) for seed in (0, 1, 2) for loss in ("CDT", "LDT") for g in GAMMAS]


def _sweep(w: dict[str, np.ndarray], m: dict[str, np.ndarray], zero: np.ndarray | None = None,
           moving: np.ndarray | None = None) -> SimpleNamespace:
    """A Measurements stand-in: 13 gammas x CDT, LDT x 3 seeds, logged at epochs 0, 3000, 6000; the final W and M
    distances given per loss (39 runs each, seed-major; WM the smaller), unchanged since epoch 3000 (converged)
    except the ``moving`` runs, which fell by 0.1 since then (still converging)."""
    specs = _specs()
    losses = np.array([s.loss for s in specs])
    dW, dM = np.empty(len(specs)), np.empty(len(specs))
    for loss in ("CDT", "LDT"):
        dW[losses == loss], dM[losses == loss] = w[loss], m[loss]
    fell = np.where(np.zeros(len(specs), bool) if moving is None else moving, 0.1, 0.0)
    hist = lambda d: np.stack([np.ones_like(d), d + fell, d])  # noqa: E731
    dist = {"W": hist(dW), "M": hist(dM), "WM": hist(np.minimum(dW, dM))}
    return SimpleNamespace(specs=specs, distance=dist, epochs=np.array([0, 3000, 6000]),
                           zero_error=np.ones(len(specs), bool) if zero is None else zero)


def _better(meas):  # noqa: ANN001, ANN202
    return bt.a3_better_prediction(meas, "synthetic", Setting.PAPER, bt.PAPER_RECIPE_SILENT)


def _strong(meas):  # noqa: ANN001, ANN202
    return bt.a3_strong_parameterization(meas, "synthetic", Setting.PAPER, bt.PAPER_RECIPE_SILENT)


def test_better_prediction_passes_when_the_stated_geometry_is_closer() -> None:
    rng = np.random.default_rng(0)
    noise = lambda: 0.01 * rng.standard_normal(39)  # noqa: E731
    out = _better(_sweep({"CDT": 0.1 + noise(), "LDT": 0.3 + noise()}, {"CDT": 0.3 + noise(), "LDT": 0.1 + noise()}))
    assert out.passed and out.interval[0] > 0 and out.seeds == (0, 1, 2), out.detail


def test_better_prediction_fails_when_the_other_geometry_is_closer() -> None:
    """The planted misprint (CDT's means and LDT's classifiers closer) fails."""
    out = _better(_sweep({"CDT": np.full(39, 0.3), "LDT": np.full(39, 0.1)}, {"CDT": np.full(39, 0.1), "LDT": np.full(39, 0.3)}))
    assert out.premise_met and not out.passed and out.interval[1] < 0, out.detail


def test_better_prediction_decided_by_the_sign_of_gamma_does_not_pass() -> None:
    side = np.tile(np.sign(GAMMAS), 3)  # W closer for gamma < 0, M closer for gamma > 0, both losses
    out = _better(_sweep({"CDT": 0.2 - 0.05 * side, "LDT": 0.2 - 0.05 * side},
                         {"CDT": 0.2 + 0.05 * side, "LDT": 0.2 + 0.05 * side}))
    assert not out.passed, out.detail


def test_strong_parameterization_is_read_per_sign_of_gamma() -> None:
    grows = np.tile(0.1 + 0.1 * np.abs(GAMMAS), 3)
    assert _strong(_sweep({"CDT": grows, "LDT": grows}, {"CDT": grows, "LDT": grows})).passed
    # CDT grows with |gamma| for gamma < 0 and falls for gamma > 0: pooled over |gamma| the ranks would mix;
    # per sign the gamma >= 0 side fails
    one_side = np.tile(np.where(GAMMAS <= 0, 0.1 + 0.1 * np.abs(GAMMAS), 0.3 - 0.1 * GAMMAS), 3)
    out = _strong(_sweep({"CDT": one_side, "LDT": grows}, {"CDT": one_side, "LDT": grows}))
    assert out.premise_met and not out.passed and "CDT gamma >= 0: fail" in out.detail, out.detail


def test_strong_parameterization_leaves_out_runs_still_converging_and_without_zero_error() -> None:
    grows = np.tile(0.1 + 0.1 * np.abs(GAMMAS), 3)
    falls = np.tile(0.05 - 0.01 * np.abs(GAMMAS), 3)  # below every inner run: the trend breaks if kept
    outer = np.tile(np.abs(GAMMAS) >= 1.0, 3)
    mixed = np.where(outer, falls, grows)
    for kw in ({"zero": np.array([not (s.loss == "CDT" and abs(s.gamma) >= 1.0) for s in _specs()])},
               {"moving": np.array([s.loss == "CDT" and abs(s.gamma) >= 1.0 for s in _specs()])}):
        out = _strong(_sweep({"CDT": mixed, "LDT": grows}, {"CDT": mixed, "LDT": grows}, **kw))
        assert out.passed and "left out" in out.detail, out.detail
    # included, the falling outer runs break the trend
    assert not _strong(_sweep({"CDT": mixed, "LDT": grows}, {"CDT": mixed, "LDT": grows})).passed


@pytest.mark.parametrize("name", ["_a3_better_paper", "_a3_better_best", "_a3_strong_paper", "_a3_strong_best"])
def test_the_registry_checks_read_the_shared_sweeps(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    grows = np.tile(0.1 + 0.1 * np.abs(GAMMAS), 3)
    meas = _sweep({"CDT": grows, "LDT": grows}, {"CDT": grows + 0.05, "LDT": grows - 0.05})
    asked = []
    monkeypatch.setattr(bt, "_paper_sweep", lambda recipe, **k: asked.append((recipe, k["seeds"])) or (GAMMAS, meas))
    out = getattr(bt, name)()
    recipe = "paper" if "paper" in name else "best"
    assert asked == [(recipe, bt.PAPER_SEEDS if recipe == "paper" else bt.BEST_SEEDS)]
    assert out.setting == (Setting.PAPER if recipe == "paper" else Setting.REDUCED)
