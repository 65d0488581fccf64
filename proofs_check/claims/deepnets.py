"""The papers' deep-net claims, checked by training on sklearn digits (``--level full``; minutes on a CPU).

Every tolerance is stated here before the run and is not tuned to the outcome; a claim that does not
reproduce is reported as a failure with its measured figure (a finding), never given a looser bound.

- behnia2023 Fig. 3 / App. A.2: the measured geometry of deep nets follows Thm 2's curves over gamma;
  the paper notes the prediction is best for the classifiers under CDT and for the class means under LDT.
  Figure: Spearman's rank correlation over the 13 gammas between the measured and predicted norm
  ratio (W for CDT, M for LDT), tolerance: >= 0.9 (near-monotone agreement of 13 points).
- behnia2023 Fig. 5: larger gamma lowers the balanced training accuracy under CDT. Figure: Spearman
  correlation, over gamma in [0, 1.5] (7 values), between gamma and the balanced training accuracy
  averaged over the logged epochs; tolerance: <= -0.8.
"""

from __future__ import annotations

import functools

import numpy as np

from proofs_check.registry import Check, Claim, Outcome
from theory.core.vocabulary import CheckLevel, Loss, Paper

TREND_MIN = 0.9
FIG5_MAX = -0.8


@functools.lru_cache(maxsize=4)
def _gamma_sweep(sweep=None):  # noqa: ANN001, ANN202 - a GammaSweep (default: the experiment's) -> (sweep, meas)
    """Train the deepnet-gamma experiment once per process (both behnia2023 checks use it)."""
    from training.data import DATASETS, imbalanced, make_imbalance
    from training.deepnet import train_nets
    from training.experiments.gamma_sweep import GammaSweep
    from training.measurements import measure

    sweep = GammaSweep() if sweep is None else sweep
    data = imbalanced(sweep.dataset, make_imbalance("step", DATASETS[sweep.dataset][0], sweep.R, sweep.n_min, sweep.k_minor), sweep.seed,
                      sweep.data_dir)
    return sweep, measure(train_nets(data, sweep.specs(), sweep.net))


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
    return Outcome(worst >= TREND_MIN, worst, TREND_MIN, detail + f" (figure: the smaller; must be >= {TREND_MIN})")


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


P = Paper.BEHNIA2023
CLAIMS = [
    Claim(f"{P} Fig. 3 deep nets", str(P), "Deep nets trained with CDT / LDT by SGD approach the Thm 2 geometry: the "
          "measured norm ratios follow the predicted curves over gamma (classifiers best under CDT, class means "
          "best under LDT, App. A.2).", "MLP on (10, 1/2)-STEP digits, App. A.2 recipe (350 epochs)",
          (Check(str(CheckLevel.TRAINING), "deepnet-gamma defaults: Spearman(measured, Thm 2) of the CDT W and LDT M "
                 f"norm ratios over 13 gammas >= {TREND_MIN}", behnia_trend, quick=False),)),
    Claim(f"{P} Fig. 5", str(P), "Larger gamma reduces the balanced training accuracy of CDT-trained deep nets "
          "(optimisation gets harder away from Delta = 1).", "MLP on (10, 1/2)-STEP digits, App. A.2 recipe",
          (Check(str(CheckLevel.TRAINING), f"Spearman(gamma, mean balanced training accuracy), CDT, gamma in [0, 1.5] "
                 f"<= {FIG5_MAX}", behnia_fig5, quick=False),)),
]
