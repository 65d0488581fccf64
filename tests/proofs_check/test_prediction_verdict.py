"""The verdict sentences of check-param and measure (issue 22 item 4) at and around their thresholds."""

from __future__ import annotations

from proofs_check.tasks.prediction_verdict import check_param_verdict, measure_verdict
from theory.core.tolerances import NC1_COLLAPSED, PREDICTION_MATCH

T = PREDICTION_MATCH


def test_match_is_every_distance_within_the_threshold() -> None:
    assert check_param_verdict({"W": T, "M": 0.0, "WM": 0.0}, 0.0).matches  # the bound is inclusive
    v = check_param_verdict({"W": 0.01, "M": T * 1.01, "WM": 0.0}, 0.0)
    assert not v.matches and f"distance M {T * 1.01:.3f} > {T:g}" in v.sentence
    assert v.thresholds == {"distance": T}


def test_a_run_with_training_error_is_told_it_is_outside_the_separable_regime() -> None:
    v = check_param_verdict({"W": 0.3, "M": 0.2, "WM": 0.1}, 0.125)
    assert not v.matches and "12.5%" in v.sentence and "separable" in v.sentence


def test_measure_distinguishes_collapsed_from_not_collapsed() -> None:
    far = {"W": 0.4, "M": 0.3, "WM": 0.2}
    assert "though collapsed" in measure_verdict(far, NC1_COLLAPSED).sentence
    assert "and not collapsed (NC1 0.92" in measure_verdict(far, 0.92).sentence
    v = measure_verdict({"W": None, "M": 0.01, "WM": None}, 0.5)
    assert v.matches and "W and WM need --classifier" in v.sentence
    assert v.as_dict()["thresholds"] == {"distance": T, "nc1_collapsed": NC1_COLLAPSED}
