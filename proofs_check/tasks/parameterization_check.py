"""Check a new logit-scaling parameterization against its predicted geometry (`igeom check-param`).

The prediction is the global minimiser of its CS-SVM (behnia2023 eq. 3 with the user's matrix A),
obtained from a certified solve of its convex form: :mod:`numerics.cs_svm` (SCS; sample-level when n is
small, class-level otherwise) or, for class-level programs with at least :data:`LARGE_K_MIN` classes,
the active-set Newton solver of :mod:`numerics.large_k` (same KKT certificate): Gram matrices G_W,
G_M, G_WM at the SVM normalisation (every margin >= 1, the active ones = 1). The implicit bias of gradient descent on the loss (behnia2023 Sec. 3: the direction of
(W, H) converges to a KKT point of that program) is then tested by training the UFM with
:func:`training.ufm.train_sweep` and measuring the App. A.4 distances between normalised Gram matrices.
Class means are uncentred on both sides (Remark 4's centering is specific to CDT and LDT).
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from theory.infra.atomic import write_atomic
from theory.infra.budget import Estimate, cs_svm, ufm_sweep
from theory.core.validate import positive_int
from theory.seli.seli_geometry import Geometry
from theory.core.imbalance import Imbalance, require_imbalance
from theory.core.collapse_metrics import class_means, normalized_distance
from theory.core.parameterization import Parameterization
from theory.core.errors import InputError
from theory.core.vocabulary import Loss, Normalization, Precision

if TYPE_CHECKING:
    from numerics.certificate import KKTCertificate

FULL_PROBLEM_MAX_N = 400
#: class-level programs with at least this many classes go to numerics.large_k instead of SCS. Measured
#: (python benchmarks/bench_large_k.py --sizes 4 10 20 --scs-max-k 20, near-CDT A, CPU seconds): Newton
#: 0.00 / 0.01 / 0.01 against SCS 0.02 / 0.09 / 0.53 at k = 4 / 10 / 20. Below 10 both are negligible and
#: SCS, the reference, also accepts minimisers of rank < k - 1, which Newton rejects.
LARGE_K_MIN = 10
PROGRAMS = ("sample-level", "class-level", "class-level (active-set Newton)")
# step of the loss-normalised recipe per unit of the initial squared parameter norm: README's best recipe
# uses lr 3000 at the paper's size, where E||theta_0||^2 = 0.1^2 * 20 * (10 + 275) = 57, i.e. ~50 per unit;
# a fixed lr 3000 diverges on small problems (measured: k = 3, n = 11 blew up in the first epoch)
LR_PER_SQ_NORM = 50.0
GRAMS = (("W", "G_W"), ("M", "G_M"), ("WM", "G_WM"))


def read_matrix(path: str | Path, what: str = "scaling matrix") -> np.ndarray:
    """A numeric array from a .json file (nested lists) or a .csv file (rows); ValueError otherwise."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{what} file {str(p)!r} does not exist")
    text = p.read_text()
    try:
        if p.suffix.lower() == ".json":
            data = json.loads(text)
        elif p.suffix.lower() == ".csv":
            data = [[float(x) for x in row if x.strip()] for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
        else:
            raise InputError(f"{what} file must end in .json or .csv, got {p.name!r}")
        arr = np.array(data, dtype=np.float64)
    except (json.JSONDecodeError, TypeError) as exc:
        raise InputError(f"cannot read the {what} from {p.name}: {exc}") from None
    except ValueError as exc:
        raise InputError(f"cannot read the {what} from {p.name}: {exc}") from None
    return arr


def count_number(value: object) -> int | float:
    """A class count as JSON/CSV print it: an ``int`` when it is a whole number (counts are sample numbers),
    the float otherwise (a Geometry may carry non-integral weights)."""
    x = float(value)
    return int(x) if x.is_integer() else x


@dataclass(frozen=True)
class CertifiedPrediction:
    """Certified CS-SVM prediction (behnia2023 eq. 3): Gram matrices at the SVM normalisation, the program
    that produced them (one of :data:`PROGRAMS`) and its KKT certificate."""

    geometry: Geometry
    program: str
    certificate: KKTCertificate
    seconds: float

    def class_rows(self) -> list[dict[str, float | int]]:
        """Per class c (numbered from 1): count, ||w_c||, ||mu_c|| and cos(w_c, mu_c) of the prediction."""
        geo = self.geometry
        w_norm, m_norm = np.sqrt(np.diag(geo.G_W)), np.sqrt(np.diag(geo.G_M))
        cosine = np.diag(geo.G_WM) / (w_norm * m_norm)
        return [{"class": c + 1, "count": count_number(geo.counts[c]), "w_norm": float(w_norm[c]),
                 "mu_norm": float(m_norm[c]), "cos_w_mu": float(cosine[c])} for c in range(geo.k)]

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of ``igeom check-param --predict-only --json``."""
        cert = self.certificate
        return {"counts": [count_number(c) for c in self.geometry.counts],
                "predicted": {g: getattr(self.geometry, g).tolist() for _, g in GRAMS},
                "program": self.program, "objective": cert.primal_objective,
                "certificate": {"relative_gap": cert.relative_gap, "lower_bound": cert.lower_bound,
                                "upper_bound": cert.upper_bound, "max_violation": cert.max_violation,
                                "spectral_norm": cert.spectral_norm, "rank": cert.rank},
                "seconds": self.seconds}


def predict(param: Parameterization, counts: Imbalance) -> CertifiedPrediction:
    """Certified prediction of ``param`` for class ``counts`` (an :class:`Imbalance`; InputError otherwise).

    Sample-level SCS program when n <= :data:`FULL_PROBLEM_MAX_N` (it also tests collapse), else the
    class-level program: active-set Newton (:func:`numerics.large_k.solve_large_k`) for k >=
    :data:`LARGE_K_MIN`, SCS below. :class:`ComputationError` when the solve is not certified.
    """
    from numerics.cs_svm import solve_cs_svm
    from numerics.large_k import solve_large_k

    imb = require_imbalance("counts", counts)
    if imb.k != param.k:
        raise InputError(f"the scaling matrix is {param.k} x {param.k} but there are {imb.k} class counts")
    start = time.perf_counter()
    if imb.n <= FULL_PROBLEM_MAX_N:
        solution, program = solve_cs_svm(imb, param), PROGRAMS[0]
    elif imb.k < LARGE_K_MIN:
        solution, program = solve_cs_svm(imb, param, reduced=True), PROGRAMS[1]
    else:
        solution, program = solve_large_k(imb, param), PROGRAMS[2]
    geometry = solution.geometry()
    return CertifiedPrediction(geometry, program, solution.certificate, time.perf_counter() - start)


@dataclass(frozen=True)
class ParamCheck:
    """Predicted Gram matrices (SVM normalisation), SGD's Gram matrices (Frobenius-normalised) and the
    per-class cosines cos(w_c, mu_c) after SGD, their distances, and how each side was obtained."""

    predicted: Geometry
    sgd: dict[str, np.ndarray]
    distance: dict[str, float]
    program: str
    certificate_gap: float
    train_error: float
    epochs: int
    sgd_cos_w_mu: np.ndarray

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of ``igeom check-param --json``."""
        return {"counts": [count_number(c) for c in self.predicted.counts],
                "predicted": {g: getattr(self.predicted, g).tolist() for _, g in GRAMS},
                "sgd": {g: self.sgd[g].tolist() for _, g in GRAMS},
                "distance": dict(self.distance), "program": self.program,
                "certificate_relative_gap": self.certificate_gap, "train_error": self.train_error,
                "epochs": self.epochs}


def predict_estimate(counts: Imbalance, printed: bool = False) -> Estimate:
    """Memory and time of :func:`predict` from the sizes alone: the program it will use (sample-level or
    class-level SCS, or active-set Newton for k >= :data:`LARGE_K_MIN`); ``printed``: the k x k Gram
    matrices also go out as JSON or CSV."""
    from theory.infra.budget import PRINTED_GRAM_ENTRY_BYTES, large_k_program

    imb = require_imbalance("counts", counts)
    if imb.n <= FULL_PROBLEM_MAX_N:
        est = cs_svm(imb.k, imb.n)
    elif imb.k < LARGE_K_MIN:
        est = cs_svm(imb.k, imb.k)
    else:
        return large_k_program(imb.k, printed)
    extra = PRINTED_GRAM_ENTRY_BYTES * float(imb.k) ** 2 if printed else 0.0
    return Estimate(est.what, est.memory + extra, est.seconds)


def estimate(counts: Imbalance, *, epochs: int = 3000, d: int | None = None) -> Estimate:
    """Memory and time of :func:`check_parameterization` from the sizes alone (validated here): the
    convex program at the level it will use, then one UFM of width d (default k) for ``epochs``."""
    imb = require_imbalance("counts", counts)
    epochs = positive_int("epochs", epochs)
    width = imb.k if d is None else positive_int("d", d)
    columns = imb.k if imb.n > FULL_PROBLEM_MAX_N else imb.n
    return cs_svm(imb.k, columns) + ufm_sweep(1, imb.k, imb.n, width, epochs, epochs)


def check_parameterization(scaling: object, counts: Imbalance, iota: object | None = None, *, epochs: int = 3000,
                           d: int | None = None, seed: int = 0, lr: float | None = None) -> ParamCheck:
    """Predicted geometry of a logit-scaling matrix ``scaling`` (k x k, positive; entry [y, c] multiplies
    logit c for label y) with optional offsets ``iota``, for class ``counts``, against SGD.

    SGD: full-batch gradient descent on the UFM (width ``d``, default k) in float64 with the loss-normalised
    step lr / (L ||theta||^2) and Nesterov momentum 0.9 (the recipe of README's convergence study); ``lr``
    defaults to LR_PER_SQ_NORM times the expected initial squared parameter norm.
    Raises ComputationError when the convex program is not certified or training diverges.
    """
    from training.specs import RunSpec
    from training.ufm import TrainConfig, UFMProblem, require_finite, train_sweep

    param = Parameterization.custom(np.asarray(scaling, dtype=np.float64), iota)
    imb = require_imbalance("counts", counts)
    prediction = predict(param, imb)
    predicted = prediction.geometry
    spec = RunSpec(Loss.CUSTOM, seed=seed, scaling=param.scaling.tolist(),
                   offsets=None if param.offsets is None else param.offsets.tolist())
    problem = UFMProblem(imb, imb.k if d is None else d)
    init_scale = TrainConfig.init_scale
    step = LR_PER_SQ_NORM * init_scale**2 * problem.d * (imb.k + imb.n) if lr is None else lr
    config = TrainConfig(epochs=epochs, lr=step, momentum=0.9, nesterov=True, normalize=Normalization.LOSS_NORM,
                         dtype=Precision.FLOAT64, log_every=epochs, init_scale=init_scale)
    result = require_finite(train_sweep(problem, [spec], config))
    W = result.final_W[0]
    M = class_means(result.final_H[0], imb.labels(), imb.k)
    raw = {"G_W": W.T @ W, "G_M": M.T @ M, "G_WM": W.T @ M}
    sgd = {g: G / np.linalg.norm(G) for g, G in raw.items()}
    distance = {key: float(normalized_distance(raw[g], getattr(predicted, g))) for key, g in GRAMS}
    acc = result.class_accuracy[-1, 0]
    train_error = float(1.0 - (acc * imb.counts).sum() / imb.n)
    cos_w_mu = np.diag(raw["G_WM"]) / np.sqrt(np.diag(raw["G_W"]) * np.diag(raw["G_M"]))
    return ParamCheck(predicted, sgd, distance, prediction.program, float(prediction.certificate.relative_gap),
                      max(train_error, 0.0), epochs, cos_w_mu)


def class_rows(check: ParamCheck) -> list[dict[str, float | int]]:
    """Per class c (numbered from 1): the predicted norms ||w_c||, ||mu_c|| (SVM normalisation, behnia2023
    eq. 3), the squared-norm ratio ||w_c||^2 / ||w_1||^2 predicted and measured after SGD, and
    cos(w_c, mu_c) predicted and measured (the ratios and cosines are scale-free, so SGD's are comparable)."""
    pred = check.predicted
    pw, pm, sw = np.diag(pred.G_W), np.diag(pred.G_M), np.diag(check.sgd["G_W"])
    p_cos = np.diag(pred.G_WM) / np.sqrt(pw * pm)
    s_cos = check.sgd_cos_w_mu
    return [{"class": c + 1, "count": count_number(pred.counts[c]), "predicted.w_norm": float(np.sqrt(pw[c])),
             "predicted.mu_norm": float(np.sqrt(pm[c])), "predicted.w_sq_norm_ratio": float(pw[c] / pw[0]),
             "sgd.w_sq_norm_ratio": float(sw[c] / sw[0]), "predicted.cos_w_mu": float(p_cos[c]),
             "sgd.cos_w_mu": float(s_cos[c])} for c in range(pred.counts.size)]


#: largest k whose heat maps get their values written in the cells (beyond it the digits overlap)
ANNOTATE_MAX_K = 16
#: most class-index tick labels on one heat-map axis (every j-th class beyond, 1-based like the tables)
MAX_TICKS = 16


def heat_map(ax: Any, mat: np.ndarray, title: str) -> Any:
    """One Gram heat map on ``ax``: symmetric colour scale, class indices 1..k as ticks, and the value
    in each cell (2 decimals) for k <= ANNOTATE_MAX_K; returns the image for a colour bar."""
    k = mat.shape[0]
    lim = float(np.abs(mat).max()) or 1.0
    im = ax.imshow(mat, cmap="RdBu_r", vmin=-lim, vmax=lim)
    ticks = np.arange(0, k, max(1, -(-k // MAX_TICKS)))  # at most MAX_TICKS labels: they never overlap
    ax.set_xticks(ticks, [str(i + 1) for i in ticks], fontsize=7)
    ax.set_yticks(ticks, [str(i + 1) for i in ticks], fontsize=7)
    ax.set_xlabel("class", fontsize=8)
    ax.set_ylabel("class", fontsize=8)
    if k <= ANNOTATE_MAX_K:
        size = max(4.0, 9.0 - 0.35 * k)
        for i in range(k):
            for j in range(k):
                ax.text(j, i, f"{mat[i, j]:.2f}", ha="center", va="center", fontsize=size,
                        color="white" if abs(mat[i, j]) > 0.6 * lim else "black")
    ax.set_title(title, fontsize=9)
    return im


def plot(check: ParamCheck, path: str | Path) -> Path:
    """Heat maps of the normalised predicted and SGD Gram matrices (class-index ticks, values in the
    cells), distances in the titles (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(12, 8), constrained_layout=True)
    for j, (key, g) in enumerate(GRAMS):
        pred = getattr(check.predicted, g)
        for i, (label, mat) in enumerate((("predicted", pred / np.linalg.norm(pred)), ("SGD", check.sgd[g]))):
            im = heat_map(axes[i, j], mat, f"{label} {g}" + (f"  (distance {check.distance[key]:.3f})" if i else ""))
            fig.colorbar(im, ax=axes[i, j], shrink=0.8)
    fig.suptitle(f"check-param: convex-program prediction ({check.program}) vs SGD after {check.epochs} epochs")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return write_atomic(path, buf.getvalue())


def predict_regularised(counts: object, lambda_w: float, lambda_h: float, *, preset: str | None = None,
                        options: dict[str, float] | None = None, scaling: object | None = None,
                        offsets: object | None = None) -> dict[str, Any]:
    """The certified finite-lambda prediction (:mod:`numerics.regularised_ufm`) as the JSON object of
    ``check-param --lambda-w --lambda-h --predict-only --json``: the fields of the max-margin case
    (counts, predicted Gram matrices, program, objective, certificate, seconds) plus lambda_w, lambda_h,
    lambda = sqrt(lambda_w lambda_h), lambda_eff = lambda sqrt(N) and the minority-collapse indicators.
    ``preset`` with its ``options`` (theory.core.loss_presets), or a custom ``scaling`` with optional ``offsets``."""
    from numerics.regularised_ufm import from_preset, solve
    from theory.core.loss_presets import preset_loss

    if preset is not None:
        loss = preset_loss(preset, counts, **(options or {}))
    else:
        loss = preset_loss("custom", counts, scaling=scaling, offsets=offsets)
    sol = solve(from_preset(loss, lambda_w, lambda_h))
    geo = sol.geometry()
    return {"counts": [count_number(c) for c in sol.problem.counts],
            "predicted": {g: getattr(geo, g).tolist() for _, g in GRAMS},
            "program": "regularised UFM (finite lambda, class level)", "preset": str(loss.preset),
            "X": sol.X.tolist(), **sol.as_dict()}
