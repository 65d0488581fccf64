"""The papers' deep-net claims, checked by training on sklearn digits (``--level full``; minutes on a CPU), or
on a local CIFAR-10 copy with the papers' settings (``igeom verify --level full --cifar10 DIR``; :func:`cifar10`).

Every tolerance is stated here before the run and is not tuned to the outcome; a claim that does not
reproduce is reported as a failure with its measured figure (a finding), never given a looser bound.

A claim about a regime (a theorem on the separable / terminal phase of training, or on the minimiser of
a regularised objective) states its premise: when the trained networks do not reach it, the check is
``inconclusive`` (:func:`proofs_check.runner.premise_not_met`; figure: the number of runs that miss it,
tolerance 0), with the claim's own figure quoted in the detail; the claim's logic is otherwise unchanged.

- behnia2023 Fig. 3 / App. A.2: the measured geometry of deep nets follows Thm 2's curves over gamma;
  the paper notes the prediction is best for the classifiers under CDT and for the class means under LDT.
  Figure: Spearman's rank correlation over the 13 gammas between the measured and predicted norm
  ratio (W for CDT, M for LDT), tolerance: >= 0.9 (near-monotone agreement of 13 points). Premise (Thm 2
  describes the separable regime, GD driven to zero training error, Sec. 3): every one of the 26 models
  ends with training error 0.
- behnia2023 Fig. 5: larger gamma lowers the balanced training accuracy under CDT. Figure: Spearman
  correlation, over gamma in [0, 1.5] (7 values), between gamma and the balanced training accuracy
  averaged over the logged epochs; tolerance: <= -0.8. No premise: the statement is about training
  itself (the accuracy reached), not about a limit.
- dang2024 Thm 1 / Figs. 1-2 for deep nets (ReLU features, weight decay): NC1, NC2 and NC3 decrease over
  training and end small. Figure: the largest of NC1 / 0.1, NC2 / 0.2, NC3 / 0.2 at the last epoch,
  tolerance 1 (so NC1 <= 0.1, NC2 <= 0.2, NC3 <= 0.2), and each metric must end below its value at the
  first logged epoch after initialisation. Premise (neural collapse is a terminal-phase statement, the
  network fitting its training set): training error 0 at the last epoch.
- dang2024 Cor. 4(a): minority collapse past R*. Figure: the largest measured ||h_min|| / ||h_maj|| over
  the runs with R >= 1.5 R*, tolerance 0.1; and every run with R <= R* / 2 must keep a ratio >= 0.5.
  Premise (the network is compared with the UFM+ minimiser): in every run, the classes the minimiser
  classifies correctly (every class below R*, the majority above it) have training error 0
  (``fitted_train_error`` of :mod:`training.experiments.nc_relu_training`).
- yang2022 Table 1: the fixed ETF with DR beats the learnable classifier with CE under strong imbalance
  (tau = 0.02, 0.01, i.e. R = 50, 100) and is comparable for R = 1, 10. Figure: the smallest of
  (ETF+DR - learnable+CE) in mean balanced test accuracy points at R = 50, 100 and of that difference
  + 2 at R = 1, 10; tolerance: >= 0. No premise (an empirical comparison of trained networks).
- yang2022 Fig. 4: ETF + DR aligns the centred class means with their classifiers better than the
  learnable classifier + CE. Figure: the smallest difference of the mean cos(h_c - h_G, w_c) at R >= 10;
  tolerance: >= 0. No premise (an empirical comparison, as Table 1).
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any, Iterator

import numpy as np

from proofs_check.model import Check, Claim, Outcome
from proofs_check.runner import premise_not_met
from theory.core.vocabulary import CheckLevel, Criterion, Loss, Paper

TREND_MIN = 0.9
FIG5_MAX = -0.8
NC_BOUNDS = {"NC1": 0.1, "NC2": 0.2, "NC3": 0.2}
COLLAPSED_MAX, ALIVE_MIN = 0.1, 0.5
COMPARABLE_POINTS = 2.0
#: runs named in an inconclusive outcome's detail (the rest are counted)
LISTED_RUNS = 8


#: the papers' CIFAR-10 settings as ``igeom experiment`` options (README's CIFAR-10 commands, kept equal by
#: tests/proofs_check/test_verify_cifar10.py): behnia2023 App. A.2 (ResNet-18, n_min 500), dang2024 Sec. 5
#: (6-layer MLP of width 1024, lr 1e-4, 4000 epochs), yang2022 Table 1 (ResNet-18, n_max 5000, R up to 200)
CIFAR10_SETTINGS: dict[str, tuple[str, ...]] = {
    "deepnet-gamma": ("--arch", "resnet18", "--n-min", "500"),
    "nc-relu": ("--n-min", "100", "--width", "1024", "--hidden", "1024,1024,1024,1024", "--lr", "1e-4",
                "--epochs", "4000", "--milestones", "2000"),
    "etf-dr": ("--arch", "resnet18", "--n-max", "5000", "--ratios", "1,10,50,100,200"),
}

#: where the deep-net claims train: None = sklearn's digits with each experiment's defaults; else the folder
#: of a local CIFAR-10 copy, with :data:`CIFAR10_SETTINGS` (set by :func:`cifar10`, i.e. ``verify --cifar10``)
_CIFAR10_DIR: str | None = None


@contextlib.contextmanager
def cifar10(data_dir: str) -> Iterator[None]:
    """Within the block the deep-net claims train on the CIFAR-10 copy in ``data_dir`` with the papers' settings
    (:data:`CIFAR10_SETTINGS`) instead of on digits."""
    global _CIFAR10_DIR
    previous, _CIFAR10_DIR = _CIFAR10_DIR, data_dir
    try:
        yield
    finally:
        _CIFAR10_DIR = previous


def experiment_config(name: str, data_dir: str) -> Any:
    """The configuration ``igeom experiment NAME --dataset cifar10 --data DATA_DIR`` + :data:`CIFAR10_SETTINGS`
    builds (the experiment module's own ``config``)."""
    import importlib

    from igeom.cli import build_parser

    args = build_parser().parse_args(["experiment", name, "--dataset", "cifar10", "--data", data_dir,
                                      *CIFAR10_SETTINGS[name]])
    return importlib.import_module(f"igeom.experiment_kinds.{name.replace('-', '_')}").config(args)


def _default(name: str, digits: Any) -> Any:
    """The configuration a claim trains with: ``digits()`` unless :func:`cifar10` is in effect."""
    return digits() if _CIFAR10_DIR is None else experiment_config(name, _CIFAR10_DIR)


def fitted(errors: dict[str, float | None], premise: str, outcome: Outcome) -> Outcome:
    """``outcome`` when every run of ``errors`` ({run: final training error, None when diverged or not
    measured}) ended with training error exactly 0, the premise stated by ``premise``; otherwise an
    inconclusive outcome: figure = the number of runs with an error (tolerance 0), the claim's own figure
    and detail quoted."""
    missed = {run: e for run, e in errors.items() if e is None or e != 0.0}
    if not missed:
        return outcome
    listed = ", ".join(f"{run}: {'n/a' if e is None else f'{e:.3g}'}" for run, e in list(missed.items())[:LISTED_RUNS])
    more = f" and {len(missed) - LISTED_RUNS} more" if len(missed) > LISTED_RUNS else ""
    claim = "n/a" if outcome.figure is None else f"{outcome.figure:.3g}"
    return premise_not_met(len(missed), 0.0, premise,
                           f"training error > 0 at the end in {len(missed)} of {len(errors)} runs ({listed}{more}); "
                           f"the claim's figure would be {claim} (tolerance {outcome.tolerance:g}): {outcome.detail}")


def _gamma_sweep(sweep=None):  # noqa: ANN001, ANN202 - a GammaSweep (default: the experiment's) -> (sweep, meas)
    """The deepnet-gamma experiment, trained once per process and configuration (both behnia2023 checks use it)."""
    from training.experiments.gamma_sweep import GammaSweep

    return _trained_gamma_sweep(_default("deepnet-gamma", GammaSweep) if sweep is None else sweep)


@functools.lru_cache(maxsize=4)
def _trained_gamma_sweep(sweep):  # noqa: ANN001, ANN202 - a GammaSweep -> (sweep, meas)
    from training.data import DATASETS, imbalanced, make_imbalance
    from training.deepnet import train_nets
    from training.measurements import measure

    data = imbalanced(sweep.dataset, make_imbalance("step", DATASETS[sweep.dataset][0], sweep.R, sweep.n_min, sweep.k_minor), sweep.seed,
                      sweep.data_dir)
    return sweep, measure(train_nets(data, sweep.specs(), sweep.net))


def final_errors(meas) -> dict[str, float | None]:  # noqa: ANN001 - a training.measurements.Measurements
    """{"<loss> gamma <g>": training error at the last epoch (None for a diverged model)} of a sweep."""
    return {f"{s.loss} gamma {s.gamma:g}": None if meas.diverged[b] else float(meas.train_error[-1, b])
            for b, s in enumerate(meas.specs)}


def behnia_trend(sweep=None) -> Outcome:  # noqa: ANN001 - a GammaSweep or None
    """Fig. 3: Spearman(measured, predicted) of the W norm ratio for CDT and the M norm ratio for LDT."""
    from training.experiments.gamma_sweep import trends

    sweep, meas = _gamma_sweep(sweep)
    rho = trends(meas, sweep.losses)
    pairs = {Loss.CDT: "W.norm_ratio", Loss.LDT: "M.norm_ratio"}
    figures = {str(loss): rho[str(loss)][key] for loss, key in pairs.items() if str(loss) in rho}
    worst = min((v if v is not None else -1.0) for v in figures.values())
    dist = {key: float(np.nanmax(meas.distance[key][-1])) for key in ("W", "M", "WM")}
    detail = (f"Spearman over {len(sweep.gammas)} gammas: " + ", ".join(f"{loss} {pairs[Loss(loss)]} {v}"
                                                                       for loss, v in figures.items())
              + f"; largest final App. A.4 distances W {dist['W']:.3f}, M {dist['M']:.3f}, WM {dist['WM']:.3f}; "
              + f"{int(meas.diverged.sum())} diverged")
    return fitted(final_errors(meas), "Thm 2's separable regime: every model at training error 0",
                  Outcome(worst >= TREND_MIN, worst, TREND_MIN, detail + f" (figure: the smaller; must be >= {TREND_MIN})",
                          Criterion.AT_LEAST))


def behnia_fig5(sweep=None) -> Outcome:  # noqa: ANN001 - a GammaSweep or None
    """Fig. 5: balanced training accuracy (mean over logged epochs) falls as gamma grows, CDT, gamma >= 0."""
    from training.experiments.gamma_sweep import spearman

    _, meas = _gamma_sweep(sweep)
    cols = [b for b, s in enumerate(meas.specs) if s.loss == Loss.CDT and s.gamma >= 0]
    gammas = np.array([meas.specs[b].gamma for b in cols])
    acc = meas.balanced_accuracy[:, cols].mean(0)
    rho = spearman(gammas, acc)
    figure = 1.0 if rho is None else rho
    detail = ("CDT mean balanced training accuracy over epochs: "
              + ", ".join(f"gamma {g:g}: {a:.3f}" for g, a in zip(gammas, acc))
              + f"; final: {', '.join(f'{a:.3f}' for a in meas.balanced_accuracy[-1, cols])}")
    return Outcome(figure <= FIG5_MAX, figure, FIG5_MAX, detail + f" (figure: Spearman(gamma, accuracy), must be <= {FIG5_MAX})")


def _nc_run(exp=None) -> dict:  # noqa: ANN001 - an NCExperiment (default: the experiment's)
    from training.experiments.nc_relu_training import NCExperiment

    return _trained_nc(_default("nc-relu", NCExperiment) if exp is None else exp)


@functools.lru_cache(maxsize=4)
def _trained_nc(exp) -> dict:  # noqa: ANN001 - an NCExperiment
    from training.experiments.nc_relu_training import run

    return run(exp)


def dang_nc(exp=None) -> Outcome:  # noqa: ANN001 - an NCExperiment or None
    """NC1-NC3 decrease and end below :data:`NC_BOUNDS` (:func:`nc_outcome` of the nc-relu run)."""
    return nc_outcome(_nc_run(exp))


def nc_outcome(rep: dict) -> Outcome:
    """NC1-NC3 of an nc-relu report (``nc``: each metric per logged epoch, ``epochs``, ``final.train_error``)
    decrease and end below :data:`NC_BOUNDS`; inconclusive when the training error does not end at 0."""
    nc = {key: np.array([np.nan if v is None else v for v in rep["nc"][key]]) for key in NC_BOUNDS}
    final = {key: float(v[-1]) for key, v in nc.items()}
    ratio = max((final[key] / bound if np.isfinite(final[key]) else np.inf) for key, bound in NC_BOUNDS.items())
    decreased = all(v[-1] < v[1] for v in nc.values())
    detail = (", ".join(f"{key}: {nc[key][1]:.3g} at epoch {rep['epochs'][1]} -> {final[key]:.3g}" for key in nc)
              + f" at epoch {rep['epochs'][-1]}; train error {rep['final']['train_error']}; figure: max NC / bound "
              + f"(bounds {NC_BOUNDS})")
    return fitted({"nc-relu run": rep["final"]["train_error"]}, "terminal phase: training error 0 at the end",
                  Outcome(bool(ratio <= 1.0 and decreased), ratio, 1.0, detail))


def dang_collapse(exp=None) -> Outcome:  # noqa: ANN001 - an NCExperiment or None
    """Minority collapse (:func:`collapse_outcome` of the nc-relu run's sweep over R)."""
    return collapse_outcome(_nc_run(exp)["minority_collapse"])


def collapse_outcome(mc: dict) -> Outcome:
    """Minority collapse: ratio <= 0.1 for R >= 1.5 R*, >= 0.5 for R <= R*/2 (``mc``: ``R_star`` and
    ``runs`` with ``R``, ``ratio``, ``fitted_train_error``); inconclusive when a run does not fit the
    classes the UFM+ minimiser fits."""
    R_star = mc["R_star"]
    far = [r["ratio"] for r in mc["runs"] if r["R"] >= 1.5 * R_star]
    near = [r["ratio"] for r in mc["runs"] if r["R"] <= 0.5 * R_star]
    if not far or not near:
        raise ValueError(f"the R values must reach beyond 1.5 R* and below R*/2 (R* = {R_star:.3g})")
    worst = max(np.inf if v is None else v for v in far)
    alive = min(-np.inf if v is None else v for v in near)
    detail = (f"R* = {R_star:.3g}; ||h_min||/||h_maj||: " + ", ".join(f"R {r['R']:g}: {r['ratio']}" for r in mc["runs"])
              + f"; figure: largest ratio at R >= 1.5 R* (must be <= {COLLAPSED_MAX}); smallest at R <= R*/2 "
              + f"{alive:.3g} (must be >= {ALIVE_MIN})")
    return fitted({f"R {r['R']:g}": r["fitted_train_error"] for r in mc["runs"]},
                  "at the UFM+ minimiser's fit: training error 0 on every class the minimiser classifies correctly",
                  Outcome(bool(worst <= COLLAPSED_MAX and alive >= ALIVE_MIN), worst, COLLAPSED_MAX, detail))


def _etf_run(table=None) -> dict:  # noqa: ANN001 - an ETFTable (default: the experiment's)
    from training.experiments.etf_table import ETFTable

    return _trained_etf(_default("etf-dr", ETFTable) if table is None else table)


@functools.lru_cache(maxsize=4)
def _trained_etf(table) -> dict:  # noqa: ANN001 - an ETFTable
    from training.experiments.etf_table import run

    return run(table)


def _gap(rep: dict, key: str) -> dict[float, float]:
    """{R: mean(ETF+DR) - mean(learnable+CE)} of ``key`` (NaN where a mean is missing)."""
    dr, ce = rep["table"]["ETF+DR"], rep["table"]["learnable+CE"]
    nan = float("nan")
    return {float(r): (nan if dr[r][key]["mean"] is None or ce[r][key]["mean"] is None
                       else dr[r][key]["mean"] - ce[r][key]["mean"]) for r in dr}


def yang_table1(table=None) -> Outcome:  # noqa: ANN001 - an ETFTable or None
    """ETF+DR >= learnable+CE at R >= 50; within 2 points at R <= 10."""
    gap = _gap(_etf_run(table), "balanced_test_accuracy")
    terms = [g if R >= 50 else g + COMPARABLE_POINTS for R, g in gap.items()]
    figure = float(np.nanmin(terms)) if np.isfinite(terms).any() else float("nan")
    detail = ("ETF+DR minus learnable+CE, balanced test accuracy (points): "
              + ", ".join(f"R {R:g}: {g:+.1f}" for R, g in gap.items())
              + f"; figure: min over R >= 50 of the gap and over R <= 10 of gap + {COMPARABLE_POINTS:g}")
    return Outcome(bool(np.isfinite(terms).all() and figure >= 0.0), figure, 0.0, detail, Criterion.AT_LEAST)


def yang_alignment(table=None) -> Outcome:  # noqa: ANN001 - an ETFTable or None
    """ETF+DR's mean cos(h_c - h_G, w_c) exceeds learnable+CE's at every R >= 10."""
    gap = {R: g for R, g in _gap(_etf_run(table), "alignment").items() if R >= 10}
    if not gap:
        raise ValueError("the comparison needs a ratio R >= 10")
    figure = float(min(gap.values()))
    detail = ("ETF+DR minus learnable+CE, mean cos(h_c - h_G, w_c): "
              + ", ".join(f"R {R:g}: {g:+.3f}" for R, g in gap.items()) + "; figure: the smallest")
    return Outcome(bool(np.isfinite(figure) and figure >= 0.0), figure, 0.0, detail, Criterion.AT_LEAST)


P = Paper.BEHNIA2023
D = Paper.DANG2024
Y = Paper.YANG2022
CLAIMS = [
    Claim(f"{P} Fig. 3 deep nets", str(P), "Deep nets trained with CDT / LDT by SGD approach the Thm 2 geometry: the "
          "measured norm ratios follow the predicted curves over gamma (classifiers best under CDT, class means "
          "best under LDT, App. A.2).", "MLP on (10, 1/2)-STEP digits, App. A.2 recipe (350 epochs); with verify --cifar10 the paper's "
          "ResNet-18 on CIFAR-10, n_min 500",
          (Check(str(CheckLevel.TRAINING), "deepnet-gamma defaults: Spearman(measured, Thm 2) of the CDT W and LDT M "
                 f"norm ratios over 13 gammas >= {TREND_MIN}; premise: every model at training error 0", behnia_trend,
                 quick=False),),
          statement_tex=(r"Deep nets trained with CDT / LDT by SGD approach the Thm 2 geometry: the measured norm "
                         r"ratios follow the predicted curves over $\gamma$ (classifiers best under CDT, class means "
                         r"best under LDT, App. A.2).")),
    Claim(f"{P} Fig. 5", str(P), "Larger gamma reduces the balanced training accuracy of CDT-trained deep nets "
          "(optimisation gets harder away from Delta = 1).", "MLP on (10, 1/2)-STEP digits, App. A.2 recipe; with verify --cifar10 the paper's ResNet-18 on "
          "CIFAR-10",
          (Check(str(CheckLevel.TRAINING), f"Spearman(gamma, mean balanced training accuracy), CDT, gamma in [0, 1.5] "
                 f"<= {FIG5_MAX}", behnia_fig5, quick=False),),
          statement_tex=(r"Larger $\gamma$ reduces the balanced training accuracy of CDT-trained deep nets "
                         r"(optimisation gets harder away from $\Delta = 1$).")),
    Claim(f"{D} NC deep nets", str(D), "Deep nets with ReLU features trained by SGD with CE and weight decay on "
          "imbalanced data exhibit neural collapse towards the UFM+ geometry: NC1, NC2 (W against W_UFM+(H)) and NC3 "
          "(logits against the UFM+ prediction) decrease to small values (Thm 1, Figs. 1-2).",
          "6-layer MLP with ReLU features on digits, counts 20 x (1,1,2,2,3,3,4,4,5,5), lambda_W 1e-4, lambda_H 1e-5; "
          "with verify --cifar10 width 1024 on CIFAR-10 (dang2024 Sec. 5)",
          (Check(str(CheckLevel.TRAINING), "nc-relu defaults: NC1 <= 0.1, NC2 <= 0.2, NC3 <= 0.2 at the end, each "
                 "decreasing; premise: training error 0", dang_nc, quick=False),),
          statement_tex=(r"Deep nets with ReLU features trained by SGD with CE and weight decay on imbalanced data "
                         r"exhibit neural collapse towards the UFM+ geometry: $\mathrm{NC}_1$, $\mathrm{NC}_2$ ($W$ "
                         r"against $W_{\mathrm{UFM+}}(H)$) and $\mathrm{NC}_3$ (logits against the UFM+ prediction) "
                         r"decrease to small values (Thm 1, Figs. 1-2).")),
    Claim(f"{D} Cor. 4(a) deep nets", str(D), "Minority collapse: with n_B and the lambdas fixed, the minority "
          "features collapse (h_k = 0) once R >= R*.", "same network, K_A = K_B = 5, n_B = 15, lambda = 8e-3 (R* = 5.1)",
          (Check(str(CheckLevel.TRAINING), f"||h_min||/||h_maj|| <= {COLLAPSED_MAX} for R >= 1.5 R*, >= {ALIVE_MIN} "
                 "for R <= R*/2; premise: training error 0 on the classes the UFM+ minimiser fits", dang_collapse,
                 quick=False),),
          statement_tex=(r"Minority collapse: with $n_B$ and the $\lambda$s fixed, the minority features collapse ($h_k "
                         r"= 0$) once $R \ge R^*$.")),
    Claim(f"{Y} Table 1 deep nets", str(Y), "Replacing the learnable classifier and CE by the fixed simplex ETF with the "
          "DR loss improves balanced accuracy under strong imbalance and is comparable for mild or no imbalance.",
          "MLP on long-tailed digits (n_max 150), R = 1, 10, 50, 100, 3 seeds, yang2022 App. D recipe; with verify "
          "--cifar10 ResNet-18 on CIFAR-10, n_max 5000, R up to 200",
          (Check(str(CheckLevel.TRAINING), f"etf-dr defaults: ETF+DR >= learnable+CE at R >= 50, >= it - "
                 f"{COMPARABLE_POINTS:g} points at R <= 10", yang_table1, quick=False),),
          statement_tex=(r"Replacing the learnable classifier and CE by the fixed simplex ETF with the DR loss improves "
                         r"balanced accuracy under strong imbalance (large $R$) and is comparable for mild or no "
                         r"imbalance.")),
    Claim(f"{Y} Fig. 4 deep nets", str(Y), "With the fixed ETF and DR, the centred class means align with their "
          "classifiers better than with a learnable classifier and CE.", "same runs",
          (Check(str(CheckLevel.TRAINING), "mean cos(h_c - h_G, w_c): ETF+DR > learnable+CE at every R >= 10",
                 yang_alignment, quick=False),),
          statement_tex=(r"With the fixed ETF and DR, the centred class means $h_c - h_G$ align with their classifiers "
                         r"$w_c$ better than with a learnable classifier and CE.")),
]
