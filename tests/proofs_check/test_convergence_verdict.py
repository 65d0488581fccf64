"""behnia2023's finite-time verdict on Thm 2 (:func:`proofs_check.claims.behnia2023_training.converged_within`)
on synthetic distance histories: within the tolerance it passes; above it, a run still falling over the
second half of training is inconclusive (a limit is not refuted while converging), a stalled one fails."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from proofs_check.claims.behnia2023_training import converged_within
from training.specs import RunSpec

TOL = 0.05


def _meas(history: list[list[float]], zero_error: list[bool] | None = None, gammas=(0.5, -1.0, 1.5)):
    """Measurements-like object: ``history[run]`` is the distance at epochs 0, 1000, ..., 5000 for W (M and
    WM smaller, so W is the largest); gamma 1.5 lies outside |gamma| <= 1 and is ignored."""
    d = np.array(history, dtype=float).T  # (epochs, runs)
    specs = [RunSpec("CDT", g, 1) for g in gammas[:d.shape[1]]]
    return SimpleNamespace(specs=specs, epochs=np.arange(d.shape[0]) * 1000,
                           distance={"W": d, "M": 0.5 * d, "WM": 0.5 * d},
                           zero_error=np.array(zero_error if zero_error is not None else [True] * d.shape[1]))


FALLING = [1.3, 0.2, 0.1, 0.069, 0.066, 0.063]
STALLED = [1.3, 0.2, 0.1, 0.063, 0.063, 0.063]
WITHIN = [1.3, 0.2, 0.1, 0.04, 0.035, 0.03]
OUTSIDE = [1.3, 1.2, 1.1, 1.0, 1.0, 1.0]  # gamma 1.5: not judged


def test_every_run_within_the_tolerance_passes_and_ignores_the_outer_gammas() -> None:
    out = converged_within(_meas([WITHIN, WITHIN, OUTSIDE]), TOL, "synthetic")
    assert out.passed and out.premise_met and out.figure == 0.03 and out.tolerance == TOL


def test_a_run_above_the_tolerance_still_falling_is_inconclusive() -> None:
    out = converged_within(_meas([FALLING, WITHIN, OUTSIDE]), TOL, "synthetic")
    assert not out.premise_met and not out.passed and (out.figure, out.tolerance) == (1.0, 0.0)
    assert "1 run(s) above 0.05: CDT gamma 0.5 seed 1 0.0690 -> 0.0660 -> 0.0630" in out.detail


def test_a_stalled_run_above_the_tolerance_fails() -> None:
    out = converged_within(_meas([STALLED, FALLING]), TOL, "synthetic")
    assert out.premise_met and not out.passed and out.figure == 0.063
    assert "stalled above the tolerance: CDT gamma 0.5 seed 1" in out.detail


def test_a_run_without_zero_training_error_counts_against_the_premise() -> None:
    out = converged_within(_meas([FALLING, WITHIN], zero_error=[True, False]), TOL, "synthetic")
    assert not out.premise_met and out.figure == 2.0 and "without zero training error: CDT gamma -1 seed 1" in out.detail
