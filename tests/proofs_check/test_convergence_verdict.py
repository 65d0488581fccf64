"""behnia2023's Fig. 2 / Thm 2 decision on an App. A.1 sweep (:func:`proofs_check.claims.behnia2023_training.fig2_decision`)
on synthetic distance histories: the runs that converged (changed by at most CONVERGED_CHANGE over the last
doubling, :func:`converged_runs`) decide through the t-interval over seeds; a run still falling is left out
and named; converged runs far from the prediction fail the check (it can fail, issue 21)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from proofs_check.claims.behnia2023_training import PAPER_RECIPE_SILENT, converged_runs, fig2_decision
from theory.core.tolerances import CONVERGED_CHANGE
from theory.core.vocabulary import Setting
from training.specs import RunSpec

TOL = 0.05


def _meas(histories: dict[int, list[list[float]]], zero_error: bool = True, gammas=(0.5, -1.0, 1.5)):
    """Measurements-like object: ``histories[seed][run]`` is the W distance at epochs 0, 1000, ..., 6000 (M and
    WM smaller, so W is the largest); gamma 1.5 lies outside |gamma| <= 1 and is ignored."""
    cols, specs = [], []
    for seed, runs in histories.items():
        for g, h in zip(gammas, runs):
            cols.append(h)
            specs.append(RunSpec("CDT", g, seed))
    d = np.array(cols, dtype=float).T  # (epochs, runs)
    return SimpleNamespace(specs=specs, epochs=np.arange(d.shape[0]) * 1000,
                           distance={"W": d, "M": 0.5 * d, "WM": 0.5 * d},
                           zero_error=np.full(d.shape[1], zero_error))


WITHIN = [1.3, 0.2, 0.1, 0.036, 0.034, 0.032, 0.03]     # converged (0.036 -> 0.03 since epoch 3000)
FALLING = [1.3, 0.5, 0.3, 0.2, 0.15, 0.12, 0.10]         # still converging: left out
STALLED = [1.3, 0.5, 0.3, 0.257, 0.254, 0.252, 0.25]     # converged far from the prediction
OUTSIDE = [1.3, 1.2, 1.1, 1.0, 1.0, 1.0, 1.0]            # gamma 1.5: not judged


def _decide(histories: dict[int, list[list[float]]], **kw):
    return fig2_decision(_meas(histories, **kw), "synthetic", Setting.PAPER, PAPER_RECIPE_SILENT)


def test_the_convergence_criterion_reads_the_last_doubling() -> None:
    meas = _meas({0: [WITHIN, FALLING, STALLED]})
    assert converged_runs(meas).tolist() == [True, False, True]
    assert abs(STALLED[3] - STALLED[-1]) <= CONVERGED_CHANGE < abs(FALLING[3] - FALLING[-1])
    odd = SimpleNamespace(**{**vars(meas), "epochs": np.arange(7) * 1000 + 500})
    with pytest.raises(ValueError, match="needs epoch"):
        converged_runs(odd)


def test_converged_runs_within_the_tolerance_pass_and_a_falling_one_is_named() -> None:
    out = _decide({s: [WITHIN, FALLING, OUTSIDE] for s in (0, 1, 2)})
    assert out.passed and out.premise_met and out.figure == pytest.approx(0.03) and out.interval[1] < TOL
    assert out.setting == Setting.PAPER and out.seeds == (0, 1, 2)
    assert "still converging" in out.detail and "CDT gamma -1 seed 0 (0.100)" in out.detail


def test_converged_runs_far_from_the_prediction_fail_the_check() -> None:
    out = _decide({s: [STALLED, WITHIN, OUTSIDE] for s in (0, 1, 2)})
    assert out.premise_met and not out.passed and out.interval[0] > TOL


def test_a_seed_with_no_converged_run_is_inconclusive() -> None:
    out = _decide({0: [WITHIN, WITHIN, OUTSIDE], 1: [FALLING, FALLING, OUTSIDE], 2: [WITHIN, WITHIN, OUTSIDE]})
    assert not out.premise_met and out.figure == 1.0 and "seed 1: no converged run" in out.detail


def test_runs_without_zero_training_error_are_left_out() -> None:
    out = _decide({s: [STALLED, STALLED, OUTSIDE] for s in (0, 1, 2)}, zero_error=False)
    assert not out.premise_met and "without zero training error: CDT gamma 0.5 seed 0" in out.detail
