"""Geometry of trained models over epochs, measured with the shared code of :mod:`theory.core.collapse_metrics`.

Input is a :class:`Trajectory`: classifiers W and uncentred class means M (each (T, B, d, k)) of B
models at T logged epochs, with per-class training accuracies. Output (:class:`Measurements`):

- group norm ratios and cosines (behnia2023 Appendix A.1) of W, of the class means centred per Remark 4
  (CDT, CE, wCE, VS: sum_c mu_c = 0, eq. 6; LDT: sum_c delta_c mu_c = 0, eq. 7) and of the uncentred
  class means, plus the W-M alignment cos(w_c, mu_c);
- the three distances of Appendix A.4, ||G / ||G||_F - G* / ||G*||_F||_F for G = W^T W, M^T M and W^T M
  (M centred) against the prediction G* of :func:`theory.seli.seli_geometry.seli_geometry`;
- per-class, balanced and overall training accuracy and a zero-training-error flag.

Centring uses :func:`theory.core.collapse_metrics.center` on M itself (the Gram of the centred means is formed
afterwards).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from theory.core.imbalance import Imbalance
from theory.core.collapse_metrics import center, group_summary, normalized_distance, summary_to_json
from training.specs import RunSpec
from theory.core.errors import InputError

DISTANCES = ("W", "M", "WM")


@dataclass
class Trajectory:
    """Logged state of B models: ``W``, ``M`` (T, B, d, k), ``loss`` (T, B), ``class_accuracy`` (T, B, k)."""

    imbalance: Imbalance
    specs: tuple[RunSpec, ...]
    epochs: np.ndarray
    W: np.ndarray
    M: np.ndarray
    loss: np.ndarray
    class_accuracy: np.ndarray
    diverged_epoch: np.ndarray

    @property
    def diverged(self) -> np.ndarray:
        """(B,) boolean: the model produced NaN/inf."""
        return np.asarray(self.diverged_epoch) >= 0

    def diverged_report(self) -> str:
        """One line naming the diverged configurations ("" when none)."""
        bad = [f"{s.label()} (epoch {int(e)})" for s, e in zip(self.specs, self.diverged_epoch) if e >= 0]
        return "" if not bad else f"{len(bad)} of {len(self.specs)} runs diverged (NaN/inf): " + "; ".join(bad)


@dataclass
class Measurements:
    """Measured geometry, (T, B) arrays unless noted; ``predicted`` holds (B,) arrays."""

    specs: tuple[RunSpec, ...]
    epochs: np.ndarray
    centred: dict[str, dict[str, np.ndarray]]
    uncentred: dict[str, dict[str, np.ndarray]]
    predicted: dict[str, dict[str, np.ndarray]]
    distance: dict[str, np.ndarray]
    loss: np.ndarray
    class_accuracy: np.ndarray
    balanced_accuracy: np.ndarray
    train_error: np.ndarray
    diverged: np.ndarray

    @property
    def zero_error(self) -> np.ndarray:
        """(B,) True where the final training error is exactly zero (and the run did not diverge)."""
        return (self.train_error[-1] == 0.0) & ~self.diverged

    def run_json(self, b: int, t: int = -1) -> dict[str, Any]:
        """Entry of ``igeom train --json``'s ``runs`` for model ``b`` at logged epoch index ``t``."""
        spec = self.specs[b]
        pick = lambda summ: summary_to_json({blk: {key: v[t, b] if v.ndim == 2 else v[b]  # noqa: E731
                                                   for key, v in vals.items()} for blk, vals in summ.items()})
        return {"gamma": spec.gamma, "seed": spec.seed, "loss": spec.loss, "epoch": int(self.epochs[t]),
                "geometry": pick(self.centred), "geometry_uncentred": pick(self.uncentred),
                "predicted": pick(self.predicted),
                "distance": {key: finite_or_none(self.distance[key][t, b]) for key in DISTANCES},
                "train_error": finite_or_none(self.train_error[t, b]),
                "balanced_accuracy": finite_or_none(self.balanced_accuracy[t, b]),
                "zero_error": bool(self.train_error[t, b] == 0.0 and not self.diverged[b]),
                "diverged": bool(self.diverged[b])}


def finite_or_none(x: float) -> float | None:
    """``x`` as a float, or ``None`` when it is NaN or infinite (JSON carries no NaN/Infinity)."""
    v = float(x)
    return None if not math.isfinite(v) else v


def _gram(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return np.swapaxes(A, -1, -2) @ B


def measure(traj: Trajectory) -> Measurements:
    """All measurements of the module docstring for every model and logged epoch of ``traj``."""
    if not isinstance(traj, Trajectory):
        raise InputError(f"traj must be a Trajectory (a train_sweep or train_nets result), got {type(traj).__name__}")
    imb, specs = traj.imbalance, tuple(traj.specs)
    W = np.asarray(traj.W, dtype=np.float64)
    M = np.asarray(traj.M, dtype=np.float64)
    T, B = W.shape[:2]
    if W.ndim != 4 or M.shape != W.shape or len(specs) != B or W.shape[-1] != imb.k:
        raise InputError(f"W and M must both be (T, B, d, k) with B = {len(specs)} specs and k = {imb.k}")
    maj, mnr = imb.groups()
    weights = np.stack([s.parameterization(imb).centering_weights() for s in specs])  # (B, k)
    Mc = center(M, weights)
    G_W = _gram(W, W)
    with np.errstate(invalid="ignore", divide="ignore"):
        centred = group_summary(G_W, _gram(Mc, Mc), _gram(W, Mc), maj, mnr)
        uncentred = group_summary(G_W, _gram(M, M), _gram(W, M), maj, mnr)
    preds = [s.predicted(imb) for s in specs]
    P = {key: np.stack([getattr(g, f"G_{key}") for g in preds]) for key in DISTANCES}
    predicted = group_summary(P["W"], P["M"], P["WM"], maj, mnr)
    distance = {"W": normalized_distance(G_W, P["W"]), "M": normalized_distance(_gram(Mc, Mc), P["M"]),
                "WM": normalized_distance(_gram(W, Mc), P["WM"])}
    acc = np.asarray(traj.class_accuracy, dtype=np.float64)
    counts = imb.counts.astype(np.float64)
    train_error = 1.0 - (acc * counts).sum(-1) / counts.sum()
    train_error = np.where(np.abs(train_error) < 0.5 / counts.sum(), 0.0, train_error)  # exact 0 when all correct
    return Measurements(specs=specs, epochs=np.asarray(traj.epochs), centred=centred, uncentred=uncentred,
                        predicted=predicted, distance=distance, loss=np.asarray(traj.loss, dtype=np.float64),
                        class_accuracy=acc, balanced_accuracy=acc.mean(-1), train_error=train_error,
                        diverged=traj.diverged.copy())
