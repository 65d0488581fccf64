"""The deep-net claims' premises on tiny synthetic histories (no training): a check whose premise (zero
training error; for Cor. 4(a) on the classes the UFM+ minimiser fits) is not met is inconclusive, with the
number of runs that miss it as its figure; when the premise is met the claim's own logic decides."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from proofs_check.claims.deepnets import (COLLAPSED_MAX, NC_BOUNDS, collapse_outcome, final_errors, fitted,
                                          nc_outcome)
from proofs_check.model import Outcome
from training.specs import RunSpec


def test_fitted_passes_the_claims_outcome_through_only_at_zero_error() -> None:
    claim_fails = Outcome(False, 0.48, 0.9, "Spearman 0.48")
    assert fitted({"a": 0.0, "b": 0.0}, "zero error", claim_fails) is claim_fails  # premise met: still a failure
    out = fitted({"a": 0.0, "b": 0.03, "c": None}, "zero error", claim_fails)
    assert not out.premise_met and not out.passed and (out.figure, out.tolerance) == (2.0, 0.0)
    assert "premise not met (zero error)" in out.detail and "b: 0.03, c: n/a" in out.detail
    assert "the claim's figure would be 0.48 (tolerance 0.9)" in out.detail
    # the smallest error there is still misses an exact zero
    assert not fitted({"a": 1 / 825}, "zero error", Outcome(True, 1.0, 0.9, "")).premise_met


def test_final_errors_names_each_model_and_marks_the_diverged() -> None:
    meas = SimpleNamespace(specs=[RunSpec("CDT", 0.5, 0), RunSpec("LDT", -1.0, 0), RunSpec("CDT", 1.5, 0)],
                           diverged=np.array([False, False, True]),
                           train_error=np.array([[0.5, 0.5, 0.5], [0.0, 0.12, np.nan]]))
    assert final_errors(meas) == {"CDT gamma 0.5": 0.0, "LDT gamma -1": 0.12, "CDT gamma 1.5": None}


def _nc_report(final: dict[str, float], train_error: float) -> dict:
    start = {key: 2.0 for key in NC_BOUNDS}
    return {"epochs": [0, 10, 300], "nc": {key: [3.0, start[key], final[key]] for key in NC_BOUNDS},
            "final": {"train_error": train_error}}


def test_nc_claim_premise_is_the_terminal_phase() -> None:
    small = {key: 0.5 * bound for key, bound in NC_BOUNDS.items()}
    large = {"NC1": 0.039, "NC2": 0.38, "NC3": 0.67}  # README's digits figures: NC2, NC3 above their bounds
    assert nc_outcome(_nc_report(small, 0.0)).passed
    failed = nc_outcome(_nc_report(large, 0.0))
    assert failed.premise_met and not failed.passed and failed.figure == pytest.approx(0.67 / 0.2)
    unmet = nc_outcome(_nc_report(small, 0.02))
    assert not unmet.premise_met and (unmet.figure, unmet.tolerance) == (1.0, 0.0)


def _collapse(ratios: dict[float, float], errors: dict[float, float | None]) -> dict:
    return {"R_star": 5.12, "runs": [{"R": R, "ratio": ratios[R], "fitted_train_error": errors[R]} for R in ratios]}


def test_minority_collapse_premise_is_the_minimisers_fit() -> None:
    collapsed = {1.0: 1.0, 2.0: 0.9, 8.0: 0.05, 10.0: 0.0}
    fit = dict.fromkeys(collapsed, 0.0)
    assert collapse_outcome(_collapse(collapsed, fit)).passed
    measured = {1.0: 1.17, 2.0: 0.33, 8.0: 0.21, 10.0: 0.38}  # README's digits ratios
    failed = collapse_outcome(_collapse(measured, fit))
    assert failed.premise_met and not failed.passed and failed.figure == 0.38 and failed.tolerance == COLLAPSED_MAX
    unmet = collapse_outcome(_collapse(measured, {1.0: 0.75, 2.0: 0.0, 8.0: 0.6, 10.0: None}))
    assert not unmet.premise_met and not unmet.passed and (unmet.figure, unmet.tolerance) == (3.0, 0.0)
    assert "R 1: 0.75, R 8: 0.6, R 10: n/a" in unmet.detail


def test_fitted_error_counts_only_the_classes_the_ufm_plus_minimiser_classifies() -> None:
    from theory.ufm_plus.closed_form import predict
    from training.experiments.nc_relu import _fitted_error

    counts_far = np.array([150] * 5 + [15] * 5)  # R = 10 > R* = 5.12 at lambda 8e-3: the minority collapses
    pred = predict(counts_far, 8e-3, 8e-3)
    assert pred.collapsed.tolist() == [False] * 5 + [True] * 5
    majority_fit = np.array([1.0] * 5 + [0.0] * 5)
    assert _fitted_error(pred, majority_fit, counts_far) == 0.0
    assert _fitted_error(pred, np.array([0.9] * 5 + [1.0] * 5), counts_far) == pytest.approx(0.1)
    counts_near = np.array([15] * 10)  # R = 1: no collapse, every class must be fitted
    assert _fitted_error(predict(counts_near, 8e-3, 8e-3), majority_fit, counts_near) == pytest.approx(0.5)


def test_fig3_gram_outcome_discriminates():
    """dang2024 Fig. 3 (issue 23): orthogonal class means with block mass pass, a cosine of 0.61 (the digits MLP's)
    fails, a training error makes it inconclusive."""
    from proofs_check.claims.deepnets import gram_outcome

    good = {"final": {"class_mean_cosine_max": 0.05, "gram_mean_within_classes": 0.4,
                      "gram_mean_between_classes": 0.01, "train_error": 0.0}}
    assert gram_outcome(good).passed
    bad = {"final": dict(good["final"], class_mean_cosine_max=0.61)}
    assert not gram_outcome(bad).passed and gram_outcome(bad).premise_met
    unfit = {"final": dict(good["final"], train_error=0.1)}
    assert not gram_outcome(unfit).premise_met
