"""One sentence that says whether a measured geometry matches its prediction (``igeom check-param`` and
``igeom measure``), against the thresholds of :mod:`theory.core.tolerances`.

The distances are behnia2023 App. A.4's normalised Gram distances (W, M, WM); "matches" means every
distance that was measured is at most :data:`theory.core.tolerances.PREDICTION_MATCH`. NC1 (dang2024
eq. 19) tells a network that converged elsewhere (collapsed, NC1 <= :data:`NC1_COLLAPSED`) from one that
did not reach the terminal phase.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from theory.core.tolerances import NC1_COLLAPSED, PREDICTION_MATCH


@dataclass(frozen=True)
class Verdict:
    """``matches``: every measured distance is within the threshold; ``sentence``: the verdict in words;
    ``thresholds``: the bounds the sentence is stated against (JSON: ``verdict``, ``thresholds``)."""

    matches: bool
    sentence: str
    thresholds: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        """``{"verdict": sentence, "matches": bool, "thresholds": {...}}`` for a command's JSON."""
        return {"verdict": self.sentence, "matches": self.matches, "thresholds": dict(self.thresholds)}


def _measured(distance: Mapping[str, float | None]) -> dict[str, float]:
    return {key: float(value) for key, value in distance.items() if value is not None}


def _listing(distance: Mapping[str, float]) -> str:
    return ", ".join(f"{key} {value:.3f}" for key, value in distance.items())


def check_param_verdict(distance: Mapping[str, float], train_error: float) -> Verdict:
    """Verdict of ``igeom check-param``: SGD's Gram matrices against the certified CS-SVM prediction.
    A run that keeps a training error has not reached the separable regime the prediction is about."""
    d = _measured(distance)
    thresholds = {"distance": PREDICTION_MATCH}
    worst = max(d, key=d.get)
    if all(v <= PREDICTION_MATCH for v in d.values()):
        return Verdict(True, f"SGD matches the prediction: every distance <= {PREDICTION_MATCH:g} "
                       f"({_listing(d)}).", thresholds)
    if train_error > 0:
        return Verdict(False, f"SGD is far from the prediction (distance {worst} {d[worst]:.3f} > "
                       f"{PREDICTION_MATCH:g}) and still misclassifies {train_error:.1%} of the training samples: "
                       "the prediction is about separable data; train longer (--epochs).", thresholds)
    return Verdict(False, f"SGD is far from the prediction: distance {worst} {d[worst]:.3f} > {PREDICTION_MATCH:g} "
                   f"({_listing(d)}); it approaches the max-margin direction like 1/log t, so more --epochs may "
                   "close the gap.", thresholds)


def measure_verdict(distance: Mapping[str, float | None], nc1: float | None) -> Verdict:
    """Verdict of ``igeom measure``: the features' Gram matrices against the loss's prediction; when they are
    far from it, NC1 says whether they collapsed (to another geometry) or did not reach the terminal phase."""
    d = _measured(distance)
    thresholds = {"distance": PREDICTION_MATCH, "nc1_collapsed": NC1_COLLAPSED}
    unmeasured = [key for key, value in distance.items() if value is None]
    note = f" ({' and '.join(unmeasured)} need --classifier)" if unmeasured else ""
    worst = max(d, key=d.get)
    if all(v <= PREDICTION_MATCH for v in d.values()):
        return Verdict(True, f"The features match the prediction: every distance <= {PREDICTION_MATCH:g} "
                       f"({_listing(d)}){note}.", thresholds)
    far = f"far from the prediction (distance {worst} {d[worst]:.3f} > {PREDICTION_MATCH:g})"
    if nc1 is None:
        return Verdict(False, f"The features are {far}; NC1 is undefined.", thresholds)
    if nc1 <= NC1_COLLAPSED:
        return Verdict(False, f"The features are {far}, though collapsed (NC1 {nc1:.3g} <= {NC1_COLLAPSED:g}): "
                       f"they converged to another geometry{note}.", thresholds)
    return Verdict(False, f"The features are {far}, and not collapsed (NC1 {nc1:.3g} > {NC1_COLLAPSED:g}): the "
                   f"network has not reached the terminal phase of training{note}.", thresholds)
