"""Measure a trained network's last layer against the geometry its loss predicts (``igeom measure``).

Pipeline: features (streamed in row batches) -> :class:`training.collapse_stream.CollapseAccumulator` (counts,
class means, within-class scatter in float64; the same accumulator as the training monitor) -> the prediction
for the counts found in the labels -> :meth:`~training.collapse_stream.CollapseAccumulator.compute`: Gram
matrices, the App. A.4 distances and NC1-NC4 (:func:`theory.core.collapse_metrics.collapse_metrics`).

Prediction (:func:`predict`): a loss preset (:mod:`theory.core.loss_presets`) predicts the minimiser of its
CS-SVM (behnia2023 eq. 3): the SELI closed form (Thm 2, :func:`theory.seli.seli_geometry.seli_geometry`) when
its scaling is CE / CDT / LDT-type, for any counts; the certified class-level convex program
(:func:`numerics.cs_svm.solve_cs_svm`) for any other positive A. With ``relu`` (dang2024's UFM+,
non-negative features and weight decay lambda_W, lambda_H) the closed form of dang2024 Thm 1.

Gram matrices: G_W = W W^T (rows w_c), G_M = M~^T M~, G_WM = W M~, where M~ are the class means centred
as the prediction calls for: behnia2023 Remark 4 (sum_c mu_c = 0, eq. 6; sum_c delta_c mu_c = 0 for LDT,
eq. 7) on both the measured and the predicted side for the CS-SVM route (centring is a linear map P on the
means, so the predicted Grams become P^T G_M P and G_WM P); uncentred for UFM+ (its class means are the
non-negative h_k of Thm 1).

NC metrics: NC1 = tr(Sigma_W Sigma_B^+)/k (dang2024 eq. 19); NC2 = the M distance to the *predicted* G_M
(``nc2_etf``: the distance of the globally centred means to the simplex ETF, the balanced-case NC2);
NC3 = || W / ||W||_F - M~^T / ||M~||_F ||_F (classifier-mean duality, Papyan et al. 2020); NC4 = fraction of
samples whose classifier decision differs from the nearest class centre (a second pass). Every metric is
0 at an exact match.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from theory.core.errors import InputError
from theory.core.imbalance import Imbalance, class_sizes
from theory.core.collapse_metrics import cosines, group_summary, summary_to_json
from theory.core.loss_presets import PresetLoss, preset_loss
from theory.core.vocabulary import Loss, Preset
from theory.seli.seli_geometry import Geometry

#: Feature rows per batch: 16384 x 512 float64 is 64 MiB per buffer.
DEFAULT_BATCH_ROWS = 16384
GRAMS = (("W", "G_W"), ("M", "G_M"), ("WM", "G_WM"))


@dataclass(frozen=True)
class PredictionSpec:
    """What to predict: a loss preset with its hyperparameters (:func:`theory.core.loss_presets.preset_loss`),
    or dang2024's UFM+ closed form when ``relu = (lambda_W, lambda_H)``."""

    preset: Preset | str = Preset.CE
    options: dict[str, Any] = field(default_factory=dict)
    relu: tuple[float, float] | None = None
    decay: tuple[float, float] | None = None

    def loss(self, counts: Imbalance | np.ndarray) -> PresetLoss:
        """The preset evaluated for class ``counts``."""
        return preset_loss(self.preset, counts, **self.options)


@dataclass(frozen=True, eq=False)
class Prediction:
    """Predicted Gram matrices (centred as the prediction calls for), the name of the route, and the
    centring weights applied to the measured class means (``None``: uncentred)."""

    name: str
    geometry: Geometry
    centering: np.ndarray | None
    rationale: str


def _centred(geometry: Geometry, weights: np.ndarray) -> Geometry:
    """Grams of the centred means M P, P = I - w 1^T / sum(w) (so M P = center(M, w))."""
    k = geometry.k
    P = np.eye(k) - np.outer(weights, np.ones(k)) / weights.sum()
    return Geometry(G_W=geometry.G_W, G_M=P.T @ geometry.G_M @ P, G_WM=geometry.G_WM @ P, counts=geometry.counts)


def predict(counts: Imbalance | np.ndarray, spec: PredictionSpec) -> Prediction:
    """The predicted geometry for class ``counts`` (module docstring): an :class:`Imbalance` or positive class
    sizes (:func:`theory.core.imbalance.class_sizes`, validated there); InputError for focal (no prediction)."""
    n = np.array(class_sizes("counts", counts))
    if spec.relu is not None:
        from theory.ufm_plus.closed_form import predict as ufm_plus

        try:
            p = ufm_plus(n, *spec.relu)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        if p.complete_collapse:
            raise InputError("the UFM+ minimiser is (W, H) = (0, 0) for these counts and lambdas (dang2024 Cor. 4(b)): "
                             "no geometry to compare with")
        geometry = Geometry(G_W=p.w_gram, G_M=np.diag(p.h_norm_sq), G_WM=p.logits, counts=n)
        return Prediction("UFM+ (dang2024 Thm 1)", geometry, None, "closed-form UFM+ minimiser, uncentred class means")
    loss = spec.loss(counts)
    if spec.decay is not None:  # finite weight decay: the certified regularised UFM (numerics.regularised_ufm)
        from numerics.regularised_ufm import from_preset, solve

        sol = solve(from_preset(loss, *spec.decay))
        if sol.collapse()["complete_collapse"]:
            raise InputError("the regularised UFM's minimiser is W = H = 0 at these weight decays (complete "
                             "collapse): no geometry to compare with")
        return Prediction(f"{loss.preset}: regularised UFM at lambda_W = {spec.decay[0]:g}, lambda_H = "
                          f"{spec.decay[1]:g} (certified, gap {sol.certificate.relative_gap:.1e})", sol.geometry(),
                          None, "finite-lambda minimiser of the regularised UFM, uncentred class means")
    param = loss.svm_parameterization()
    if param.family in (Loss.CE, Loss.CDT, Loss.LDT):
        from theory.seli.seli_geometry import seli_geometry

        geometry = seli_geometry(n, param)
        route = f"SELI closed form ({param.family})"
    else:
        from numerics.cs_svm import solve_cs_svm

        geometry = solve_cs_svm(n, param, reduced=True).geometry()
        route = "certified convex program"
    weights = param.centering_weights()
    return Prediction(f"{loss.preset}: {route}", _centred(geometry, weights), weights, loss.rationale)


@dataclass(frozen=True, eq=False)
class MeasureResult:
    """Measured and predicted Gram matrices, distances, NC metrics and the group summary (JSON via
    :meth:`as_dict`). Entries that need the classifier are ``None`` without one; ``nc4`` needs two passes."""

    counts: np.ndarray
    measured: dict[str, np.ndarray | None]
    summary: dict[str, Any]
    prediction: Prediction
    distance: dict[str, float | None]
    nc: dict[str, float | None]

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of ``igeom measure --json`` (no NaN: undefined numbers are ``null``)."""
        g = self.prediction.geometry
        as_list = lambda a: None if a is None else np.asarray(a).tolist()  # noqa: E731
        return {"counts": self.counts.tolist(),
                "measured": {**{name: as_list(self.measured[name]) for _, name in GRAMS}, "summary": self.summary},
                "predicted": {"loss": self.prediction.name, "rationale": self.prediction.rationale,
                              **{name: getattr(g, name).tolist() for _, name in GRAMS}},
                "distance": dict(self.distance), "nc": dict(self.nc)}


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(float(value)) else None


def _summary(G_W: np.ndarray | None, G_M: np.ndarray, G_WM: np.ndarray | None, counts: np.ndarray) -> dict[str, Any]:
    """Group summary of ``igeom geometry`` when the counts take two values, else per-class norms and cosines."""
    if np.unique(counts).size == 2:
        maj, mnr = Imbalance(counts).groups()
        if G_W is None:  # only the class-mean block is measured without a classifier
            return {"M": summary_to_json(group_summary(G_M, G_M, G_M, maj, mnr))["M"]}
        return summary_to_json(group_summary(G_W, G_M, G_WM, maj, mnr))
    out: dict[str, Any] = {}
    for name, G in (("W", G_W), ("M", G_M)):
        if G is not None:
            norms = np.sqrt(np.clip(np.diagonal(G), 0.0, None))
            with np.errstate(invalid="ignore", divide="ignore"):
                C = cosines(G)
            out[name] = {"norms": [_finite(v) for v in norms], "cosines": [[_finite(v) for v in row] for row in C]}
    return out


def measure_statistics(stats: Any, classifier: np.ndarray | None, spec: PredictionSpec,
                       nc4: Any = None) -> MeasureResult:
    """Compare streamed statistics (a :class:`training.collapse_stream.CollapseAccumulator`; the classifier,
    k x d rows w_c; ``nc4`` its :class:`training.collapse_stream.DecisionAccumulator`) with the prediction for
    their counts: :meth:`CollapseAccumulator.compute` gives every number (one code path with the monitor).
    Arguments of other types (a float for ``nc4``, None for ``stats``) are InputError."""
    from training.collapse_stream import CollapseAccumulator, DecisionAccumulator

    if not isinstance(stats, CollapseAccumulator):
        raise InputError(f"stats must be a CollapseAccumulator, got {type(stats).__name__}")
    if not isinstance(spec, PredictionSpec):
        raise InputError(f"spec must be a PredictionSpec, got {type(spec).__name__}")
    if nc4 is not None and not isinstance(nc4, DecisionAccumulator):
        raise InputError(f"nc4 must be a DecisionAccumulator (the second pass) or None, got {nc4!r}")
    counts = stats.counts
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        raise InputError(f"class {int(empty[0])} has no sample (k = {stats.k})")
    W = None
    if classifier is not None:
        W = np.asarray(classifier, dtype=np.float64)
        if W.shape != (stats.k, stats.d):
            raise InputError(f"classifier must be k x d = {stats.k} x {stats.d} (from the labels and features), "
                             f"got {W.shape[0]} x {W.shape[1] if W.ndim == 2 else '?'}")
        if not np.all(np.isfinite(W)):
            raise InputError("classifier contains NaN or inf")
    prediction = predict(Imbalance(counts), spec)  # the counts found in the labels
    metrics = stats.compute(W, nc4, prediction.geometry, prediction.centering)
    measured: dict[str, np.ndarray | None] = {"G_M": metrics.G_M, "G_W": metrics.G_W, "G_WM": metrics.G_WM}
    distance = dict(metrics.distance)
    nc = {"nc1": _finite(metrics.nc1), "nc1_cdnv": _finite(metrics.nc1_cdnv), "nc2": distance["M"],
          "nc2_etf": _finite(metrics.nc2_etf), "nc3": metrics.nc3, "nc4": metrics.nc4}
    summary = _summary(measured["G_W"], measured["G_M"], measured["G_WM"], counts)
    return MeasureResult(counts, measured, summary, prediction, distance, nc)


def _batches(features: object, rows: int) -> Iterable[np.ndarray]:
    from proofs_check.tasks.feature_files import FeatureSource

    if isinstance(features, FeatureSource):
        yield from features.batches(rows)
        return
    X = features if isinstance(features, np.ndarray) else np.asarray(features)
    if X.ndim != 2:
        raise InputError(f"features must be an n x d matrix, got shape {X.shape}")
    for start in range(0, X.shape[0], rows):
        yield np.asarray(X[start:start + rows])


@dataclass(frozen=True, eq=False)
class Streamed:
    """What one read of the features gives every prediction: the class statistics (a
    :class:`training.collapse_stream.CollapseAccumulator`), the classifier (float64, or ``None``) and the
    NC4 decisions (a :class:`training.collapse_stream.DecisionAccumulator`; ``None`` without the second
    pass)."""

    stats: Any
    classifier: np.ndarray | None
    nc4: Any

    def compare(self, spec: PredictionSpec) -> MeasureResult:
        """The statistics against the prediction of ``spec`` (:func:`measure_statistics`)."""
        return measure_statistics(self.stats, self.classifier, spec, self.nc4)


def stream(features: object, labels: object, classifier: object | None = None, *, k: int | None = None,
           batch_rows: int = DEFAULT_BATCH_ROWS, two_pass: bool = False, force: bool = False) -> Streamed:
    """Stream ``features`` (n x d array, memory map or :class:`proofs_check.tasks.feature_files.FeatureSource`) with
    their integer ``labels`` through :class:`training.collapse_stream.CollapseAccumulator` on the CPU in
    float64 (and a second pass for NC4 when ``two_pass``).

    ``k``: number of classes (default: the classifier's rows, else max label + 1). ``two_pass`` needs the
    classifier. InputError on any bad input (shapes, labels, NaN/inf), and when the number of classes the
    labels imply (or ``k``) needs more memory or time than :mod:`theory.infra.budget` allows (``force``
    runs it anyway).
    """
    from theory.core.validate import positive_int
    from theory.infra import budget

    y = np.asarray(labels)
    if y.ndim != 1 or y.size == 0 or not np.issubdtype(y.dtype, np.integer):
        raise InputError("labels must be a non-empty vector of integers")
    batch_rows = positive_int("batch_rows", batch_rows)
    W = None if classifier is None else np.asarray(classifier, dtype=np.float64)
    if W is not None and W.ndim != 2:
        raise InputError(f"classifier must be a k x d matrix, got shape {W.shape}")
    if W is not None and not np.all(np.isfinite(W)):
        raise InputError("classifier contains NaN or inf")
    if int(y.min()) < 0:
        raise InputError(f"label {int(y.min())} out of range: labels must be >= 0")
    kk = positive_int("k", k) if k is not None else (W.shape[0] if W is not None else int(y.max()) + 1)
    if int(y.max()) >= kk:
        raise InputError(f"label {int(y.max())} out of range [0, {kk - 1}]" +
                         (" (k from the classifier's rows)" if W is not None and k is None else ""))
    if kk < 2:
        raise InputError(f"need at least 2 classes, got k = {kk}")
    if two_pass and W is None:
        raise InputError("NC4 (two passes) needs the classifier")
    shape = getattr(features, "shape", None)
    if shape is not None and len(shape) == 2:
        budget.require_within(budget.feature_measurement(kk, int(shape[1]), y.size, batch_rows, 1 + int(two_pass)),
                              force)
    from training.collapse_stream import CollapseAccumulator

    stats: CollapseAccumulator | None = None
    start = 0
    for X in _batches(features, batch_rows):
        if stats is None:
            if X.ndim != 2:
                raise InputError(f"features must be an n x d matrix, got shape {X.shape}")
            stats = CollapseAccumulator(kk, X.shape[1], device="cpu")
        stats.update(X, y[start:start + X.shape[0]])
        start += X.shape[0]
    if stats is None or start != y.size:
        raise InputError(f"features have {start} rows but there are {y.size} labels")
    if W is not None and W.shape[1] != stats.d:
        raise InputError(f"classifier has d = {W.shape[1]} but the features have d = {stats.d}")
    nc4 = None
    if two_pass:
        empty = np.flatnonzero(stats.counts == 0)
        if empty.size:
            raise InputError(f"class {int(empty[0])} has no sample (k = {stats.k})")
        nc4 = stats.decisions(W)
        start = 0
        for X in _batches(features, batch_rows):
            nc4.update(X, y[start:start + X.shape[0]])
            start += X.shape[0]
    return Streamed(stats, W, nc4)


def measure(features: object, labels: object, classifier: object | None = None,
            spec: PredictionSpec = PredictionSpec(), *, k: int | None = None,
            batch_rows: int = DEFAULT_BATCH_ROWS, two_pass: bool = False, force: bool = False) -> MeasureResult:
    """:func:`stream` the features, then compare with the prediction of ``spec`` (an empty class is an
    InputError)."""
    if not isinstance(spec, PredictionSpec):
        raise InputError(f"spec must be a PredictionSpec, got {type(spec).__name__}")
    return stream(features, labels, classifier, k=k, batch_rows=batch_rows, two_pass=two_pass,
                  force=force).compare(spec)


def open_files(features: str, labels: str, classifier: str | None = None) -> tuple[Any, np.ndarray, np.ndarray | None]:
    """The files of ``igeom measure`` (:mod:`proofs_check.tasks.feature_files` specs): the feature source (shape
    checked, not read), the labels and the classifier; InputError when their sizes disagree."""
    from proofs_check.tasks.feature_files import FeatureSource, read_classifier, read_labels

    source = FeatureSource.open(features)
    y = read_labels(labels)
    if y.size != source.shape[0]:
        raise InputError(f"features have {source.shape[0]} rows but {Path(labels).name} has {y.size} labels")
    W = None if classifier is None else read_classifier(classifier)
    if W is not None and W.shape[1] != source.shape[1]:
        hint = (f"; it looks transposed: --classifier takes k x d (one row w_c per class), so save its transpose "
                f"({W.shape[1]} x {W.shape[0]})" if W.shape[0] == source.shape[1] else "")
        raise InputError(f"classifier is {W.shape[0]} x {W.shape[1]} but the features have d = {source.shape[1]}{hint}")
    return source, y, W


def plot(result: MeasureResult, path: str | Path) -> Path:
    """PNG: measured vs predicted normalised Gram heat maps (class indices, values written when k <= 12),
    and per-class norms against counts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    from proofs_check.tasks.parameterization_check import heat_map
    from theory.infra.atomic import write_atomic

    blocks = [(key, name) for key, name in GRAMS if result.measured[name] is not None]
    fig, axes = plt.subplots(2, len(blocks) + 1, figsize=(3.6 * (len(blocks) + 1), 6.6), constrained_layout=True,
                             squeeze=False)
    for j, (key, name) in enumerate(blocks):
        for i, (label, G) in enumerate((("measured", result.measured[name]),
                                        ("predicted", getattr(result.prediction.geometry, name)))):
            mat = np.asarray(G) / np.linalg.norm(G)
            dist = result.distance[key]
            # check-param's heat map: classes numbered 1..k as in its tables, ticks thinned so they never overlap
            im = heat_map(axes[i, j], mat, f"{label} {name}" + (f" (distance {dist:.3f})" if i == 0 and dist is not None
                                                               else ""))
            fig.colorbar(im, ax=axes[i, j], shrink=0.8)
    order = np.argsort(-result.counts)
    for i, (label, G_M, G_W) in enumerate((("measured", result.measured["G_M"], result.measured["G_W"]),
                                           ("predicted", result.prediction.geometry.G_M, result.prediction.geometry.G_W))):
        ax = axes[i, -1]
        for name, G in (("||mu_c||", G_M), ("||w_c||", G_W)):
            if G is not None:
                norms = np.sqrt(np.clip(np.diagonal(G), 0, None))
                ax.plot(result.counts[order], norms[order] / norms.max(), "o-", label=name, ms=3)
        ax.set_xscale("log")
        # no minor-tick labels (2x10^1, 3x10^1, ... ran into each other): the counts themselves, or decades
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        values = np.unique(result.counts)
        if values.size <= 6:
            ax.set_xticks(values, [f"{v:g}" for v in values])
        ax.set_xlabel("class count n_c")
        ax.set_title(f"{label} norms / max", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(f"igeom measure: {result.prediction.name}", fontsize=10)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return write_atomic(path, buf.getvalue())
