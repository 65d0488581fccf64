"""Task kinds of ``igeom sweep``: small adapters over the library functions behind the other commands.

A kind declares its parameters (:class:`~igeom.sweep.params.Param`), checks one grid point
before anything runs (``check``, ``ValueError`` on a bad point), runs a batch of points
(``run``: one metrics dictionary per point, in order) and names the parameters that may differ
inside one batch (``batched``): the points of one task share everything else, so one batched
program computes them all (``ufm-train``: the losses, gammas and seeds of one UFM setting are one
:func:`training.ufm.train_sweep` call). Metric names are flat (nested JSON keys joined by ``.``);
NaN and infinities become ``None`` (Parquet null).

- ``ufm-train``: SGD on the UFM against behnia2023 Thm 2 (App. A.4 distances, training error);
- ``svm``: the certified CS-SVM of behnia2023 eq. (3) and its distance to the Thm 2 prediction;
- ``ufm-plus``: the dang2024 closed-form minimiser (Thm 1, Prop. 1, Cor. 4), optionally solved numerically;
- ``check-param``: a logit-scaling matrix's convex-program prediction against SGD;
- ``geometry``: behnia2023 Thm 2 closed forms (Appendix A.1 group averages) only;
- ``measure``: features and labels files against the geometry of a grid of loss presets (``igeom measure``);
- ``deepnet``: batched deep nets on an imbalanced image set against behnia2023 Thm 2 (Figs. 3, 5).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from igeom.sweep.params import Param
from theory.core.vocabulary import CLOSED_FORM_LOSSES, Device, Loss, Normalization, Precision, TaskOutcome

if TYPE_CHECKING:
    from theory.core.imbalance import Imbalance
    from theory.seli.step_setting import StepSetting

Point = dict[str, Any]
Metrics = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    """A task kind: parameters, a per-point check, a batch runner, the metric its figures show by
    default, the keys a batch may vary and the modules its runner imports (pre-imported once for the
    worker processes of an embedded cluster)."""

    name: str
    help: str
    declare: Callable[[], tuple[Param, ...]]
    check: Callable[[Point], None]
    run: Callable[[Sequence[Point]], list[Metrics]]
    metric: str
    batched: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    #: memory and time of one task from the sizes alone (:mod:`theory.infra.budget`); None: negligible
    estimate: Callable[[Sequence[Point]], Any] | None = None

    @functools.cached_property
    def params(self) -> tuple[Param, ...]:
        """The parameters, declared on first use (``ufm-train`` reads its defaults from ``TrainConfig``,
        which imports torch: a kind that is not used costs nothing)."""
        return self.declare()

    def param(self, name: str) -> Param | None:
        """The parameter called ``name`` (None when the kind has none)."""
        return next((p for p in self.params if p.name == name), None)


def flatten(nested: dict[str, Any], prefix: str = "") -> Metrics:
    """``{"a": {"b": 1.0}}`` -> ``{"a.b": 1.0}``; numbers that are NaN/inf -> None; numpy scalars -> Python."""
    out: Metrics = {}
    for key, value in nested.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = _scalar(value)
    return out


def _scalar(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def _each(points: Sequence[Point], one: Callable[[Point], Any]) -> Any:
    """The estimate of points run one after the other: the largest memory, the summed time."""
    from theory.infra.budget import Estimate

    ests = [one(p) for p in points]
    return Estimate(ests[0].what if len(ests) == 1 else f"{ests[0].what} and {len(ests) - 1} more points",
                    max(e.memory for e in ests), sum(e.seconds for e in ests))


def _step_n(p: Point) -> int:
    """Samples of a STEP point: (k - k_minor) R n_min + k_minor n_min."""
    return int(round((p["k"] - p["k_minor"]) * p["R"] * p.get("n_min", 1) + p["k_minor"] * p.get("n_min", 1)))


# ---------------------------------------------------------------------------------------------------
# STEP settings shared by svm and geometry: Delta = R^gamma (behnia2023 App. A.1)
# ---------------------------------------------------------------------------------------------------
def _step_params(default_R: float = 10.0) -> tuple[Param, ...]:
    return (Param("loss", "str", choices=tuple(str(x) for x in CLOSED_FORM_LOSSES), help="CE, CDT or LDT"),
            Param("k", "int", 10, help="classes"), Param("k_minor", "int", 5, help="minority classes"),
            Param("R", "float", default_R, help="imbalance ratio n_maj / n_min"),
            Param("gamma", "float", 0.0, help="Delta = R^gamma (0 for CE)"))


def _setting(point: Point) -> "StepSetting":
    """The STEP setting of a point, Delta = R^gamma (validated by StepSetting, CE's Delta = 1 included)."""
    from theory.seli.step_setting import StepSetting

    return StepSetting.from_gamma(point["loss"], point["k"], point["k_minor"], point["R"], point["gamma"])


# ---------------------------------------------------------------------------------------------------
# geometry: closed forms only
# ---------------------------------------------------------------------------------------------------
def _geometry_check(point: Point) -> None:
    _setting(point)


def _geometry_run(points: Sequence[Point]) -> list[Metrics]:
    from theory.seli.step_geometry import predict_step

    out = []
    for p in points:
        # force: the spec was estimated when it was loaded (parse_spec), with or without --force
        pred = predict_step(_setting(p), method=p["method"], force=True)
        out.append(flatten({"delta_ratio": pred["delta_ratio"], **{b: pred[b] for b in ("W", "M", "WM")}}))
    return out


def _geometry_estimate(p: Point) -> Any:
    from theory.infra.budget import Estimate, geometry_numeric

    return geometry_numeric(p["k"]) if p["method"] == "numeric" else Estimate("the closed forms", 0.0, 0.0)


GEOMETRY = Kind("geometry", "behnia2023 Thm 2 closed forms: group norm ratios and cosines of W, M and W-M",
                lambda: _step_params() + (Param("method", "str", "symbolic", ("symbolic", "numeric"),
                                                help="SymPy closed forms or the numeric eigen route"),),
                _geometry_check, _geometry_run, "W.cos_min_min", modules=("theory.seli.step_geometry",),
                estimate=lambda pts: _each(pts, _geometry_estimate))


# ---------------------------------------------------------------------------------------------------
# svm: certified convex CS-SVM (behnia2023 eq. 3)
# ---------------------------------------------------------------------------------------------------
def _svm_setting(point: Point) -> tuple[Any, Any]:
    from theory.core.imbalance import Imbalance
    from theory.seli.seli_geometry import step_counts

    setting = _setting(point)
    k, km, R, n_min = setting.k, setting.k_minor, setting.R, point["n_min"]
    counts = step_counts(k, km, R, n_min) if point["reduced"] else Imbalance.step(k, km, R, n_min)
    return counts, setting.parameterization()


def _svm_check(point: Point) -> None:
    _svm_setting(point)


def _svm_run(points: Sequence[Point]) -> list[Metrics]:
    from numerics.cs_svm import solve_cs_svm
    from theory.core.collapse_metrics import normalized_distance
    from theory.seli.seli_geometry import seli_geometry, step_groups

    out = []
    for p in points:
        counts, param = _svm_setting(p)
        sol = solve_cs_svm(counts, param, reduced=p["reduced"], max_iters=p["max_iters"])
        geo, pred = sol.geometry(), seli_geometry(counts, param)
        dist = {key: float(normalized_distance(getattr(geo, f"G_{key}"), getattr(pred, f"G_{key}")))
                for key in ("W", "M", "WM")}
        out.append(flatten({"objective": sol.objective, "max_violation": sol.certificate.max_violation,
                            "relative_gap": sol.certificate.relative_gap, "collapse_error": sol.collapse_error(),
                            "distance": dist, "geometry": geo.summary(*step_groups(p["k"], p["k_minor"]))}))
    return out


SVM = Kind("svm", "certified convex CS-SVM (behnia2023 eq. 3) and its App. A.4 distances to Thm 2",
           lambda: _step_params() + (Param("n_min", "int", 5, help="samples per minority class"),
                                     Param("reduced", "bool", False, help="class-level program"),
                                     Param("max_iters", "int", 100_000, help="SCS iteration limit")),
           _svm_check, _svm_run, "distance.W",
           modules=("numerics.cs_svm", "theory.seli.seli_geometry", "theory.seli.step_geometry"),
           estimate=lambda pts: _each(pts, lambda p: __import__("theory.infra.budget", fromlist=["cs_svm"]).cs_svm(
               p["k"], p["k"] if p["reduced"] else _step_n(p))))


# ---------------------------------------------------------------------------------------------------
# ufm-plus: dang2024 closed form (and optional numerical solve)
# ---------------------------------------------------------------------------------------------------
def _ufm_plus_counts(point: Point) -> Any:
    from theory.core.imbalance import Imbalance
    from theory.core.validate import positive_int, positive_real

    imb = Imbalance.step(point["k"], point["k_minor"], point["R"], point["n_min"])
    positive_real("lambda_w", point["lambda_w"])
    positive_real("lambda_h", point["lambda_h"])
    if point["d"] is not None:
        positive_int(f"d (needs d >= K = {imb.k})", point["d"], minimum=imb.k)
    positive_int("starts", point["starts"])
    positive_int("seed", point["seed"], minimum=0)
    return imb


def _ufm_plus_check(point: Point) -> None:
    _ufm_plus_counts(point)


def _ufm_plus_run(points: Sequence[Point]) -> list[Metrics]:
    from theory.core.collapse_metrics import group_summary
    from theory.ufm_plus.closed_form import predict

    out = []
    for p in points:
        imb = _ufm_plus_counts(p)
        pred = predict(imb.counts, p["lambda_w"], p["lambda_h"])
        maj, mnr = imb.groups()
        # only the classifier block is used: the closed form gives W W^T, not the Gram of the class means
        w = group_summary(pred.w_gram, pred.w_gram, pred.w_gram, maj, mnr)["W"]
        row = {"threshold": pred.threshold, "complete_collapse": pred.complete_collapse,
               "minority_collapsed": bool(pred.collapsed[mnr].all()),
               "majority_collapsed": bool(pred.collapsed[maj].all()),
               "minority_collapse_R": pred.minority_collapse_R,
               "M_maj": float(pred.M[maj].mean()), "M_min": float(pred.M[mnr].mean()),
               "h_norm_sq_maj": float(pred.h_norm_sq[maj].mean()), "h_norm_sq_min": float(pred.h_norm_sq[mnr].mean()),
               "W": w}
        if p["solve"]:
            row["numeric"] = _ufm_plus_numeric(p, imb, pred)
        out.append(flatten(row))
    return out


def _ufm_plus_numeric(p: Point, imb: Any, pred: Any) -> dict[str, Any]:
    from numerics.ufm_plus_solver import UFMPlusProblem, largest_deviation, solve

    d = 2 * imb.k if p["d"] is None else p["d"]
    sol = solve(UFMPlusProblem(imb, p["lambda_w"], p["lambda_h"], d), starts=p["starts"], seed=p["seed"])
    predicted = {"M": pred.M, "h_norm_sq": pred.h_norm_sq, "w_norm_sq": pred.w_norm_sq, "cos_w": pred.cos_w}
    return {"max_deviation": largest_deviation(sol.measure(), predicted), "objective": sol.objective,
            "kkt_residual": sol.kkt_residual, "converged_starts": sol.converged_starts}


def _ufm_plus_estimate(p: Point) -> Any:
    from theory.infra.budget import ufm_plus_closed_form, ufm_plus_solve

    est = ufm_plus_closed_form(p["k"])
    if p["solve"]:
        est = est + ufm_plus_solve(p["k"], _step_n(p), 2 * p["k"] if p["d"] is None else p["d"], p["starts"])
    return est


UFM_PLUS = Kind("ufm-plus", "dang2024 closed-form UFM+ minimiser on a STEP imbalance (collapse, margins, cos w)",
                lambda: (Param("k", "int", 10), Param("k_minor", "int", 5), Param("R", "float", 10.0),
                         Param("n_min", "int", 5), Param("lambda_w", "float", help="classifier decay"),
                         Param("lambda_h", "float", help="feature decay"),
                         Param("solve", "bool", False, help="also solve problem (4) numerically"),
                         Param("d", "int", None, help="feature dimension (default 2K)"), Param("starts", "int", 5),
                         Param("seed", "int", 0)),
                _ufm_plus_check, _ufm_plus_run, "W.cos_min_min",
                modules=("theory.ufm_plus.closed_form", "numerics.ufm_plus_solver"),
                estimate=lambda pts: _each(pts, _ufm_plus_estimate))


# ---------------------------------------------------------------------------------------------------
# check-param: a logit-scaling matrix against SGD
# ---------------------------------------------------------------------------------------------------
def _check_param_check(point: Point) -> None:
    from theory.core.imbalance import Imbalance
    from theory.core.parameterization import Parameterization
    from theory.core.validate import positive_int, positive_real

    param = Parameterization.custom(np.asarray(point["scaling"], dtype=np.float64), point["iota"])
    imb = Imbalance(np.asarray(point["counts"]))
    if imb.k != param.k:
        raise ValueError(f"the scaling matrix is {param.k} x {param.k} but there are {imb.k} class counts")
    positive_int("epochs", point["epochs"])
    positive_int("seed", point["seed"], minimum=0)
    if point["d"] is not None:
        positive_int(f"d (needs d >= k - 1 = {imb.k - 1})", point["d"], minimum=imb.k - 1)
    if point["lr"] is not None:
        positive_real("lr", point["lr"])


def _check_param_run(points: Sequence[Point]) -> list[Metrics]:
    from proofs_check.tasks.parameterization_check import check_parameterization
    from theory.core.imbalance import Imbalance

    out = []
    for p in points:
        res = check_parameterization(p["scaling"], Imbalance(np.asarray(p["counts"])), p["iota"], epochs=p["epochs"], d=p["d"],
                                     seed=p["seed"], lr=p["lr"])
        out.append(flatten({"distance": res.distance, "train_error": res.train_error, "program": res.program,
                            "certificate_relative_gap": res.certificate_gap}))
    return out


CHECK_PARAM = Kind("check-param", "a logit-scaling matrix: certified CS-SVM prediction vs SGD on the UFM",
                   lambda: (Param("scaling", "matrix", help="k x k positive matrix"), Param("counts", "int_list"),
                            Param("iota", "float_list", None, help="additive offsets"), Param("epochs", "int", 3000),
                            Param("d", "int", None), Param("seed", "int", 0), Param("lr", "float", None)),
                   _check_param_check, _check_param_run, "distance.W", modules=("proofs_check.tasks.parameterization_check",),
                   estimate=lambda pts: _each(pts, lambda p: __import__(
                       "proofs_check.tasks.parameterization_check", fromlist=["estimate"]).estimate(
                       p["counts"], epochs=p["epochs"], d=p["d"])))


# ---------------------------------------------------------------------------------------------------
# ufm-train: batched SGD on the UFM (behnia2023 App. A.1)
# ---------------------------------------------------------------------------------------------------
def _ufm_train_params() -> tuple[Param, ...]:
    from igeom.commands.train import RECIPE_NAMES
    from training.ufm import TrainConfig

    c = TrainConfig()
    return (Param("loss", "str", choices=tuple(str(x) for x in Loss if x != Loss.CUSTOM)),
            Param("gamma", "float", 0.0, help="Delta = R^gamma"), Param("seed", "int", 0),
            Param("tau", "float", 1.0, help="VS offsets"), Param("k", "int", 10), Param("k_minor", "int", 5),
            Param("R", "float", 10.0), Param("n_min", "int", 5), Param("d", "int", 20),
            Param("recipe", "str", DEFAULT_RECIPE, RECIPE_NAMES,
                  help="optimiser of training/recipes.py for lr, momentum, nesterov, normalize and weight_decay "
                  "(a key given explicitly overrides it): 'best' (default: loss-normalised steps, Nesterov "
                  "momentum, converges) or 'paper' (App. A.1's constant lr 5, still converging at 6000 epochs)"),
            Param("epochs", "int", c.epochs), Param("lr", "float", None), Param("momentum", "float", None),
            Param("nesterov", "bool", None), Param("weight_decay", "float", None),
            Param("batch_size", "int", None), Param("milestones", "int_list", list(c.milestones)),
            Param("lr_factor", "float", c.lr_factor), Param("normalize", "str", None, Normalization.names()),
            Param("init_scale", "float", c.init_scale), Param("dtype", "str", c.dtype, Precision.names()),
            Param("log_every", "int", c.log_every), Param("device", "str", Device.CPU.value, Device.names()))


#: the recipes a ``ufm-train`` point may name, the options a recipe sets, and the default: 'best', the recipe
#: that reaches the convergence target (training.recipes.TARGET) at the App. A.1 size; 'paper' (constant lr
#: 5) is still converging there (README, convergence study: worst distance 0.28-0.51 at 6000 epochs)
#: (the names and the options are igeom.commands.train's, shared with ``igeom train --recipe``)
DEFAULT_RECIPE = "best"
_RUN_KEYS = ("loss", "gamma", "seed", "tau")
_PROBLEM_KEYS = ("k", "k_minor", "R", "n_min", "d")


def _ufm_train_setting(point: Point) -> tuple[Any, Any, Any]:
    from training.specs import RunSpec
    from training.ufm import TrainConfig, UFMProblem, resolve_device

    problem = UFMProblem.step(*(point[key] for key in _PROBLEM_KEYS))
    spec = RunSpec(*(point[key] for key in _RUN_KEYS))
    from igeom.commands.train import RECIPE_FIELDS
    from training.recipes import RECIPES

    cfg = {key: point[key] for key in point if key not in _RUN_KEYS + _PROBLEM_KEYS + ("recipe",)}
    recipe = RECIPES[point.get("recipe") or DEFAULT_RECIPE]
    for key in RECIPE_FIELDS:  # an explicit key overrides the recipe
        if cfg.get(key) is None:
            cfg[key] = getattr(recipe, key)
    cfg["milestones"] = tuple(cfg["milestones"])
    config = TrainConfig(**cfg)
    resolve_device(config.device)
    if config.batch_size is not None and config.batch_size > problem.imbalance.n:
        raise ValueError(f"batch_size must be <= n = {problem.imbalance.n}, got {config.batch_size}")
    spec.predicted(problem.imbalance)  # e.g. R^gamma out of range
    return problem, spec, config


def _ufm_train_check(point: Point) -> None:
    _ufm_train_setting(point)


def _ufm_train_run(points: Sequence[Point]) -> list[Metrics]:
    from training.measurements import measure
    from training.ufm import train_sweep

    problem, _, config = _ufm_train_setting(points[0])
    specs = [_ufm_train_setting(p)[1] for p in points]
    result = train_sweep(problem, specs, config)
    return _training_rows(result, measure(result), "W or H")


def _training_rows(result: Any, meas: Any, where: str, extra: Sequence[Metrics] | None = None) -> list[Metrics]:
    """One row per trained model of ``result`` (:class:`training.measurements.Trajectory`) from its
    :class:`training.measurements.Measurements` at the last logged epoch: the final loss, App. A.4
    distances, training error, balanced accuracy, measured and predicted geometry (plus ``extra[b]``);
    a model with NaN/inf is ``diverged``, with the epoch and ``where`` in its message."""
    out = []
    for b in range(len(meas.specs)):
        run = meas.run_json(b)
        row = flatten({"final_loss": meas.loss[-1, b], **{key: run[key] for key in (
            "distance", "train_error", "balanced_accuracy", "zero_error", "geometry", "predicted")},
                       **(extra[b] if extra is not None else {})})
        if meas.diverged[b]:
            row.update(status=TaskOutcome.DIVERGED, error=f"NaN/inf in {where} by epoch {int(result.diverged_epoch[b])}")
        out.append(row)
    return out


UFM_TRAIN = Kind("ufm-train", "batched SGD on the UFM against behnia2023 Thm 2 (App. A.4 distances)",
                 _ufm_train_params, _ufm_train_check, _ufm_train_run, "distance.W",
                 batched=_RUN_KEYS, modules=("training.ufm", "training.measurements", "theory.seli.closed_forms"),
                 estimate=lambda pts: __import__("theory.infra.budget", fromlist=["ufm_sweep"]).ufm_sweep(
                     len(pts), pts[0]["k"], _step_n(pts[0]), pts[0]["d"], pts[0]["epochs"], pts[0]["log_every"]))



# ---------------------------------------------------------------------------------------------------
# measure: features and labels files against loss presets (igeom measure)
# ---------------------------------------------------------------------------------------------------
_PRESET_OPTIONS = ("gamma", "tau", "ldam_c")


def _measure_params() -> tuple[Param, ...]:
    from proofs_check.tasks.feature_measurement import DEFAULT_BATCH_ROWS
    from theory.core.vocabulary import Preset

    return (Param("features", "str", help="n x d features: .npy, .npz (FILE:KEY), .pt"),
            Param("labels", "str", help="n integer labels in [0, k)"),
            Param("classifier", "str", None, help="k x d classifier (rows w_c); W and WM distances, NC3, NC4"),
            Param("loss", "str", Preset.CE.value, tuple(p for p in Preset.names() if p != Preset.CUSTOM),
                  help="loss preset"),
            Param("gamma", "float", None, help="wCE, CDT, LDT, VS exponent"), Param("tau", "float", None, help="LA, VS"),
            Param("ldam_c", "float", None, help="LDAM margin constant"),
            Param("two_pass", "bool", False, help="second pass for NC4 (needs the classifier)"),
            Param("batch_rows", "int", DEFAULT_BATCH_ROWS, help="feature rows per batch"))


def _prediction_spec(point: Point) -> Any:
    from proofs_check.tasks.feature_measurement import PredictionSpec

    return PredictionSpec(point["loss"], {key: point[key] for key in _PRESET_OPTIONS if point[key] is not None})


@functools.lru_cache(maxsize=16)
def _measure_counts(features: str, labels: str, classifier: str | None) -> "Imbalance":
    """Class counts of the labels, after checking that the three files fit together (cached: the grid
    points of a spec share their files)."""
    from proofs_check.tasks.feature_measurement import open_files

    _, y, W = open_files(features, labels, classifier)
    if int(y.min()) < 0:
        raise ValueError(f"label {int(y.min())} out of range: labels must be >= 0")
    k = W.shape[0] if W is not None else int(y.max()) + 1
    if int(y.max()) >= k:
        raise ValueError(f"label {int(y.max())} out of range [0, {k - 1}] (k from the classifier's rows)")
    counts = np.bincount(y, minlength=k)
    if not counts.all():
        raise ValueError(f"class {int(np.flatnonzero(counts == 0)[0])} has no sample (k = {k})")
    from theory.core.imbalance import Imbalance

    return Imbalance(counts)


def _measure_check(point: Point) -> None:
    from theory.core.validate import positive_int

    counts = _measure_counts(point["features"], point["labels"], point["classifier"])
    if point["two_pass"] and point["classifier"] is None:
        raise ValueError("two_pass (NC4) needs the classifier")
    positive_int("batch_rows", point["batch_rows"])
    _prediction_spec(point).loss(counts).svm_parameterization()  # focal (no prediction), a missing option, ...


def _measure_run(points: Sequence[Point]) -> list[Metrics]:
    from proofs_check.tasks.feature_measurement import open_files, stream

    p0 = points[0]
    source, y, W = open_files(p0["features"], p0["labels"], p0["classifier"])
    streamed = stream(source, y, W, batch_rows=p0["batch_rows"], two_pass=p0["two_pass"])
    out = []
    for p in points:
        res = streamed.compare(_prediction_spec(p))
        summary = res.summary if np.unique(res.counts).size == 2 else {}
        out.append(flatten({"distance": res.distance, "nc": res.nc, "geometry": summary,
                            "prediction": res.prediction.name, "k": int(res.counts.size), "n": int(res.counts.sum())}))
    return out


MEASURE = Kind("measure", "features and labels files against the geometry each loss preset predicts (igeom measure)",
               _measure_params, _measure_check, _measure_run, "distance.M", batched=("loss",) + _PRESET_OPTIONS,
               modules=("proofs_check.tasks.feature_measurement", "proofs_check.tasks.feature_files", "theory.seli.seli_geometry",
                        "training.collapse_stream"))


# ---------------------------------------------------------------------------------------------------
# regularised-ufm: the certified finite-lambda prediction (numerics.regularised_ufm, issue 25; extension)
# ---------------------------------------------------------------------------------------------------
def _regularised_params() -> tuple[Param, ...]:
    from theory.core.vocabulary import Preset

    return (Param("loss", "str", Preset.CE.value,
                  tuple(p for p in Preset.names() if p not in (Preset.CUSTOM, Preset.FOCAL)), help="convex loss preset"),
            Param("counts", "str", help="class counts n1,n2,... or a profile step:... / exp:..."),
            Param("lambda_w", "float", help="weight decay of W"), Param("lambda_h", "float", help="weight decay of H"),
            Param("gamma", "float", None, help="wCE, CDT, LDT, VS exponent"), Param("tau", "float", None, help="LA, VS"),
            Param("ldam_c", "float", None, help="LDAM margin constant"))


def _regularised_problem(point: Point) -> Any:
    from numerics.regularised_ufm import from_preset
    from theory.core.loss_presets import preset_loss
    from theory.core.profiles import parse_counts

    options = {key: point[key] for key in _PRESET_OPTIONS if point[key] is not None}
    return from_preset(preset_loss(point["loss"], parse_counts(point["counts"]), **options),
                       point["lambda_w"], point["lambda_h"])


def _regularised_check(point: Point) -> None:
    _regularised_problem(point)


def _regularised_run(points: Sequence[Point]) -> list[Metrics]:
    from numerics.regularised_ufm import solve

    out = []
    for p in points:
        sol = solve(_regularised_problem(p))
        col = sol.collapse()
        wn, mn = np.array(col["classifier_norms"]), np.array(col["class_mean_norms"])
        alive = not col["complete_collapse"]
        out.append(flatten({"lambda": sol.problem.lam, "lambda_eff": sol.problem.lam_eff, "objective": sol.objective,
                            "certificate": {"relative_gap": sol.certificate.relative_gap},
                            "complete_collapse": col["complete_collapse"],
                            "aligned_groups": len(col["aligned_classifiers"]),
                            "coinciding_groups": len(col["coinciding_classifiers"]),
                            "zero_means": len(col["zero_class_means"]),
                            "zero_classifiers": len(col["zero_classifiers"]),
                            "max_classifier_cosine": col["max_classifier_cosine"] if alive else None,
                            "w_norm_ratio": float(wn.max() / wn.min()) if alive and not col["zero_classifiers"] else None,
                            "mu_norm_ratio": float(mn.max() / mn.min()) if alive and mn.min() > 0 else None}))
    return out


REGULARISED_UFM = Kind("regularised-ufm", "certified regularised UFM at finite weight decay (extension, "
                       "docs/finite-lambda.md): objective, certificate, minority-collapse indicators",
                       _regularised_params, _regularised_check, _regularised_run, "max_classifier_cosine",
                       modules=("numerics.regularised_ufm",))


# ---------------------------------------------------------------------------------------------------
# deepnet: batched deep nets on an imbalanced image set (training.experiments.gamma_sweep)
# ---------------------------------------------------------------------------------------------------
def _deepnet_params() -> tuple[Param, ...]:
    from training.data import DATASETS
    from training.experiments.gamma_sweep import GammaSweep
    from training.nets import ARCHS

    preset = GammaSweep.digits()  # the defaults: the deepnet-gamma experiment's digits preset
    net, sgd = preset.net, preset.net.sgd
    return (Param("loss", "str", choices=tuple(str(x) for x in Loss if x != Loss.CUSTOM)),
            Param("gamma", "float", 0.0, help="Delta = R^gamma"), Param("seed", "int", 0, help="initialisation, batches"),
            Param("tau", "float", 1.0, help="VS offsets"),
            Param("dataset", "str", "digits", tuple(str(d) for d in DATASETS)),
            Param("data_dir", "str", None, help="local copy of a dataset other than digits"),
            Param("data_seed", "int", 0, help="draw of the imbalanced training subset"),
            Param("R", "float", preset.R), Param("k_minor", "int", preset.k_minor), Param("n_min", "int", preset.n_min),
            Param("arch", "str", net.arch, tuple(ARCHS)), Param("width", "int", net.width),
            Param("hidden", "int_list", list(net.hidden), help="MLP hidden widths"),
            Param("epochs", "int", sgd.epochs), Param("lr", "float", sgd.lr), Param("momentum", "float", sgd.momentum),
            Param("weight_decay", "float", sgd.weight_decay), Param("batch_size", "int", sgd.batch_size),
            Param("milestones", "int_list", list(sgd.milestones)), Param("lr_factor", "float", sgd.lr_factor),
            Param("log_every", "int", net.log_every), Param("device", "str", Device.CPU.value, Device.names()))


_NET_RUN_KEYS = ("loss", "gamma", "seed", "tau")


def _deepnet_setting(point: Point) -> tuple[Any, Any, Any]:
    """The imbalance, the RunSpec and the NetConfig of a point (InputError, a ValueError, when invalid)."""
    from training.batched import SGDConfig
    from training.data import DATASETS, make_imbalance
    from training.deepnet import NetConfig
    from training.specs import RunSpec
    from training.ufm import resolve_device

    imbalance = make_imbalance("step", DATASETS[point["dataset"]][0], point["R"], point["n_min"], point["k_minor"])
    spec = RunSpec(*(point[key] for key in _NET_RUN_KEYS))
    spec.predicted(imbalance)  # e.g. R^gamma out of range
    sgd = SGDConfig(**{key: point[key] for key in ("epochs", "lr", "momentum", "weight_decay", "batch_size",
                                                   "lr_factor")}, milestones=tuple(point["milestones"]))
    net = NetConfig(arch=point["arch"], width=point["width"], hidden=tuple(point["hidden"]), sgd=sgd,
                    log_every=point["log_every"], device=point["device"])
    resolve_device(net.device)
    return imbalance, spec, net


@functools.lru_cache(maxsize=2)
def _deepnet_data(dataset: str, data_dir: str | None, imbalance_key: tuple, data_seed: int) -> Any:
    """The imbalanced training / test tensors (cached: the points of a spec share a few draws)."""
    from theory.core.imbalance import Imbalance
    from training.data import imbalanced

    return imbalanced(dataset, Imbalance(np.asarray(imbalance_key)), data_seed, data_dir)


def _deepnet_check(point: Point) -> None:
    from theory.core.validate import seed_value

    imbalance, _, _ = _deepnet_setting(point)
    seed_value("data_seed", point["data_seed"])
    if point["dataset"] == "digits":
        _deepnet_data("digits", None, tuple(imbalance.counts.tolist()), point["data_seed"])  # enough samples?
    elif point["data_dir"] is None:
        raise ValueError(f"{point['dataset']} is read from a local copy: give data_dir (nothing is downloaded)")
    elif not Path(point["data_dir"]).is_dir():
        raise ValueError(f"data_dir {point['data_dir']!r} is not a directory")


def _deepnet_run(points: Sequence[Point]) -> list[Metrics]:
    from training.deepnet import train_nets
    from training.measurements import measure

    imbalance, _, net = _deepnet_setting(points[0])
    p0 = points[0]
    data = _deepnet_data(p0["dataset"], p0["data_dir"], tuple(imbalance.counts.tolist()), p0["data_seed"])
    specs = [_deepnet_setting(p)[1] for p in points]
    result = train_nets(data, specs, net)
    test_balanced = result.test_class_accuracy[-1].mean(-1)
    return _training_rows(result, measure(result), "the loss",
                          [{"test_balanced_accuracy": test_balanced[b]} for b in range(len(specs))])


def _deepnet_estimate(points: Sequence[Point]) -> Any:
    from training.data import DATASETS
    from training.deepnet import program_estimate

    imbalance, _, net = _deepnet_setting(points[0])
    _, in_shape, _ = DATASETS[points[0]["dataset"]]
    return program_estimate(in_shape, imbalance.k, imbalance.n, len(points), net)


DEEPNET = Kind("deepnet", "batched deep nets on an imbalanced image set against behnia2023 Thm 2 (Figs. 3, 5)",
               _deepnet_params, _deepnet_check, _deepnet_run, "distance.W", batched=_NET_RUN_KEYS,
               estimate=lambda pts: _deepnet_estimate(pts),
               modules=("training.deepnet", "training.data", "training.measurements", "theory.seli.closed_forms",
                        "sklearn.datasets"))

KINDS: dict[str, Kind] = {k.name: k for k in (UFM_TRAIN, SVM, UFM_PLUS, CHECK_PARAM, GEOMETRY, MEASURE, DEEPNET,
                                                REGULARISED_UFM)}
