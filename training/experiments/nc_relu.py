"""dang2024 Sec. 6 (Figs. 1-3) for deep nets: neural collapse with ReLU features and weight decay.

Setting: an MLP whose penultimate features pass through a ReLU (the UFM+ setting, H >= 0), trained with
plain CE, weight decay lambda_W on every weight and the feature penalty lambda_H / 2 ||H||_F^2 of problem
(4) (dang2024 use lambda_W = 1e-4, lambda_H = 1e-5, SGD with batch 32). Imbalance: class counts in the
proportions 1:1:2:2:3:3:4:4:5:5 of dang2024's CIFAR-10 subset (100, 100, 200, ..., 500), scaled to
``n_min`` (default 20 on digits: n = 600). The default network is dang2024's 6-layer MLP (five ReLU
layers of width w and the classifier) with w = 64 on digits (1024 or 2048 on CIFAR-10 there).

Measured at the logged epochs (training set, eval mode) with :mod:`theory.core.measure`: NC1 (eq. 19),
NC2 (eq. 20, against W_UFM+(H)) and NC3 (eq. 21, against the class-mean logits predicted for the
trained network's counts and lambdas by :func:`theory.ufm_plus.closed_form.predict`). At the end: the
normalised Gram matrix H^T H of the training features sorted by class (Fig. 3: orthogonal blocks), the
class-mean feature norms against the UFM+ prediction ||h_k||^2.

Minority collapse (dang2024 Cor. 4(a)): with K_A = K_B = 5, n_B = ``n_min`` fixed and R growing, the
minority features collapse (h_k = 0) once R >= R*; ``collapse_R`` trains one network per R with
lambda_W (on the classifier) = lambda_H (on the features) = ``collapse_lambda``, chosen so that R* falls
inside the range, the backbone keeping the main run's weight decay (the same lambda on every layer of the
deep backbone collapses the whole network: measured train error 0.82-0.88 at every R with 8e-3), and
reports the minority/majority ratio of class-mean feature norms against R*.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from theory.core.errors import ComputationError, InputError
from theory.core.imbalance import Imbalance
from theory.core.measure import class_means, nc1, nc2, nc3
from theory.core.validate import positive_int, positive_real
from theory.ufm_plus.closed_form import UFMPlusPrediction, minority_collapse_ratio, predict
from training.batched import SGDConfig
from training.data import DATASETS, imbalanced
from training.deepnet import NetConfig, NetResult, member, networks, train_nets
from training.experiments.job import Job
from training.experiments.plots import curves, pyplot, save_png
from training.experiments.setting import DATA_NAMES, describe_net, describe_sgd, differences, setting
from training.specs import RunSpec
from training.ufm import resolve_device

COUNT_PATTERN = (1, 1, 2, 2, 3, 3, 4, 4, 5, 5)
NC_KEYS = ("NC1", "NC2", "NC3")
#: dang2024's 6-layer MLP (width 64 on digits), ReLU features, lambda_W = 1e-4, batch 32; lr 0.01 with
#: momentum 0.9 divided by 10 at half time (dang2024: lr 1e-4 for 4000 epochs; 300 epochs here)
DIGITS_NC_NET = NetConfig(arch="mlp", width=64, hidden=(64,) * 4, relu_features=True,
                          sgd=SGDConfig(epochs=300, lr=0.01, momentum=0.9, weight_decay=1e-4, batch_size=32,
                                        milestones=(150,)), log_every=10)

#: the Fashion-MNIST network (2 CPU cores): the same 6-layer MLP at width 128, the digits schedule
FASHION_NC_NET = dataclasses.replace(DIGITS_NC_NET, width=128, hidden=(128,) * 4)
#: dang2024 Sec. 6: the 6-layer MLP of width 1024 (five ReLU layers and the classifier), SGD for 4000 epochs,
#: batch 32, lr 1e-4 divided by 10 at epoch 2000, lambda_W = 1e-4 (momentum: see :data:`PAPER_SILENT`)
PAPER_NC_NET = NetConfig(arch="mlp", width=1024, hidden=(1024,) * 4, relu_features=True,
                         sgd=SGDConfig(epochs=4000, lr=1e-4, momentum=0.9, weight_decay=1e-4, batch_size=32,
                                       milestones=(2000,)), log_every=10)
#: where dang2024 Sec. 6 is silent, and what the experiment uses
PAPER_SILENT = ("momentum: not stated (0.9 here)", "data augmentation: not stated (none here)")
#: the minority-collapse sweep is this suite's: dang2024 has no deep-net experiment for Cor. 4(a)
COLLAPSE_DEPARTURE = ("minority collapse: dang2024 states Cor. 4(a) for the UFM+ and shows no deep-net experiment; "
                      "the sweep over R (K_A = K_B = k/2, lambda_W = lambda_H on the classifier and features) is "
                      "this suite's")


@dataclass(frozen=True)
class NCExperiment:
    """What to train (see the module docstring); ``collapse_R`` empty skips the minority-collapse sweep."""

    dataset: str = "digits"
    data_dir: str | None = None
    n_min: int = 20
    feature_decay: float = 1e-5
    seed: int = 0
    net: NetConfig = DIGITS_NC_NET
    collapse_R: tuple[float, ...] = (1.0, 2.0, 4.0, 6.0, 8.0, 10.0)
    collapse_n_min: int = 15
    collapse_lambda: float = 8e-3
    collapse_epochs: int = 150

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise InputError(f"unknown dataset {self.dataset!r}; expected one of {', '.join(DATASETS)}")
        positive_int("n_min", self.n_min)
        positive_real("feature_decay (lambda_H)", self.feature_decay)
        positive_real("weight decay (lambda_W)", self.net.sgd.weight_decay)
        positive_real("collapse_lambda", self.collapse_lambda)
        positive_int("collapse_epochs", self.collapse_epochs)
        for R in self.collapse_R:
            positive_real("collapse R", R)

    @classmethod
    def digits(cls) -> "NCExperiment":
        """sklearn digits, n_min 20 (n = 600), the width-64 MLP (:data:`DIGITS_NC_NET`): the default tests."""
        return cls()

    @classmethod
    def fashion_mnist(cls, data_dir: str | None = None) -> "NCExperiment":
        """Fashion-MNIST (Debian's package unless ``data_dir``), n_min 20, the width-128 MLP
        (:data:`FASHION_NC_NET`): ``igeom verify --level full`` on 2 CPU cores."""
        return cls(dataset="fashion-mnist", data_dir=data_dir, n_min=20, net=FASHION_NC_NET)

    @classmethod
    def cifar10(cls, data_dir: str) -> "NCExperiment":
        """dang2024 Sec. 6: CIFAR-10 with counts (100, 100, 200, ..., 500, 500), the 6-layer MLP of width 1024
        (:data:`PAPER_NC_NET`), lambda_W 1e-4, lambda_H 1e-5."""
        return cls(dataset="cifar10", data_dir=data_dir, n_min=100, feature_decay=1e-5, net=PAPER_NC_NET)

    def quantities(self) -> dict[str, str]:
        """What dang2024 Sec. 6 states for the MLP experiment, as this configuration sets it."""
        return {"data": DATA_NAMES[self.dataset], "network": describe_net(self.net),
                "counts": ", ".join(map(str, self.imbalance().counts.tolist())), "loss": "CE",
                "lambda_W": f"{self.net.sgd.weight_decay:g}", "lambda_H": f"{self.feature_decay:g}",
                **{k: v for k, v in describe_sgd(self.net.sgd).items() if k not in ("momentum", "weight decay")}}

    def departures(self) -> tuple[str, ...]:
        """What the NC run changes from dang2024 Sec. 6 (empty: the paper's setting)."""
        return differences(self.quantities(), NCExperiment.cifar10("").quantities())

    def collapse_departures(self) -> tuple[str, ...]:
        """The minority-collapse sweep's departures: never a paper experiment (:data:`COLLAPSE_DEPARTURE`)."""
        return (COLLAPSE_DEPARTURE, *self.departures())

    def setting(self) -> str:
        """``paper`` or ``reduced`` of the NC run (:func:`training.experiments.setting.setting`)."""
        return setting(self.departures())

    def imbalance(self) -> Imbalance:
        """Counts n_min x (1, 1, 2, 2, 3, 3, 4, 4, 5, 5) (10 classes), repeated for 100 classes."""
        k = DATASETS[self.dataset][0]
        return Imbalance(np.array([self.n_min * COUNT_PATTERN[c * 10 // k] for c in range(k)]))

    def settings(self) -> dict[str, Any]:
        """The JSON form stored in ``job.json``."""
        return {"experiment": "nc-relu", **dataclasses.asdict(self)}


def _number(x: float) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None


def nc_metrics(counts: np.ndarray, lambda_w: float, lambda_h: float) -> Callable[[np.ndarray, np.ndarray, np.ndarray], dict[str, float]]:
    """The ``measure`` callback: NC1, NC2, NC3 of (W (K x d), H (d x N), labels); NC3 against the UFM+
    margins M of ``predict(counts, lambda_W, lambda_H)``. NaN where a metric is undefined (all class
    means equal: NC1; all zero: NC2; every M_k = 0: NC3)."""
    M = predict(counts, lambda_w, lambda_h).M
    k = len(counts)

    def measure(W: np.ndarray, H: np.ndarray, labels: np.ndarray) -> dict[str, float]:
        out = {}
        for name, fn in (("NC1", lambda: nc1(H, labels, k)), ("NC2", lambda: nc2(W, H, labels)),
                         ("NC3", lambda: nc3(W, H, labels, M))):
            try:
                out[name] = float(fn())
            except ComputationError:  # 0/0 where the class means coincide (theory.core.measure)
                out[name] = float("nan")
        return out

    return measure


def _features(net: torch.nn.Module, X: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        return net.features(X).double().numpy().T  # type: ignore[operator]


def _train_one(data, config: NetConfig, lambda_h: float, seed: int, ckpt, resume, progress: bool,  # noqa: ANN001
               measure=None) -> tuple[NetResult, np.ndarray]:  # noqa: ANN001
    """(result, final training features H (d x N)) of one CE-trained network."""
    spec = RunSpec("CE", 0.0, seed)
    result = train_nets(data, [spec], config, checkpoint=ckpt, resume=resume, progress=progress, measure=measure,
                        feature_decay=lambda_h)
    if result.diverged[0]:
        return result, np.full((1, data.y_train.numel()), np.nan)
    net = member(networks(data, [spec], dataclasses.replace(config, device="cpu"))[0], result.final, 0)
    return result, _features(net, data.X_train)


def run(exp: NCExperiment, out: str | Path | None = None, progress: bool = False) -> dict[str, Any]:
    """Train (or resume, or reload); returns the report (module docstring)."""
    job = Job(out, exp.settings())
    stored = job.finished()
    if stored is not None:
        return stored
    device = resolve_device(exp.net.device)
    t0 = time.perf_counter()
    imb = exp.imbalance()
    data = imbalanced(exp.dataset, imb, exp.seed, exp.data_dir)
    lw, lh = exp.net.sgd.weight_decay, exp.feature_decay
    pred = predict(imb.counts, lw, lh)
    collapse_data = _collapse_data(exp)  # validated (and found) before any training
    ckpt, resume = job.checkpoint("nc")
    result, H = _train_one(data, exp.net, lh, exp.seed, ckpt, resume, progress, nc_metrics(imb.counts, lw, lh))
    labels = data.y_train.numpy()
    means = class_means(H, labels, imb.k)
    mean_norms = np.linalg.norm(means, axis=0)
    gram = H.T @ H
    gram_n = gram / np.abs(gram).max() if np.isfinite(gram).all() and np.abs(gram).max() > 0 else gram
    same = labels[:, None] == labels[None, :]
    nc = {key: [_number(v) for v in result.extra[key][:, 0]] for key in NC_KEYS}
    rep: dict[str, Any] = {
        "experiment": "nc-relu", "paper": "dang2024", "dataset": exp.dataset, "counts": imb.counts.tolist(),
        "settings": exp.settings(), "device": str(device), "diverged": bool(result.diverged[0]),
        "epochs": result.epochs.tolist(), "nc": nc,
        "final": {key: nc[key][-1] for key in NC_KEYS} | {
            "train_error": _number(1 - (result.class_accuracy[-1, 0] * imb.counts).sum() / imb.n),
            "test_balanced_accuracy": _number(np.mean(result.test_class_accuracy[-1, 0])),
            "gram_mean_between_classes": _number(np.mean(gram_n[~same])),
            "gram_mean_within_classes": _number(np.mean(gram_n[same])),
            "class_mean_cosine_max": _number(_max_cosine(means))},
        "ufm_plus": {"lambda_W": lw, "lambda_H": lh, "M": pred.M.tolist(), "h_norm_sq": pred.h_norm_sq.tolist(),
                     "collapse_threshold": pred.threshold,
                     "predicted_mean_norm_profile": (np.sqrt(pred.h_norm_sq) / np.sqrt(pred.h_norm_sq).max()).tolist(),
                     "measured_mean_norm_profile": [_number(v) for v in mean_norms / mean_norms.max()]},
    }
    if collapse_data:
        rep["minority_collapse"] = _collapse_sweep(exp, collapse_data, job, progress)
    rep["seconds"] = round(time.perf_counter() - t0, 1)
    fig = job.path("fig-nc.png")
    if fig is not None:
        _figure(rep, gram_n, labels, fig)
    return job.finish(rep)


def _collapse_data(exp: NCExperiment) -> list[tuple[float, Any]]:
    """(R, data) of the minority-collapse sweep: K_A = K_B = k/2, n_B = ``collapse_n_min``."""
    k = DATASETS[exp.dataset][0]
    return [(R, imbalanced(exp.dataset, Imbalance.step(k, k - k // 2, R, exp.collapse_n_min), exp.seed, exp.data_dir))
            for R in exp.collapse_R]


def _fitted_error(pred: UFMPlusPrediction, class_accuracy: np.ndarray, counts: np.ndarray) -> float | None:
    """Training error over the classes that the UFM+ minimiser ``pred`` classifies correctly: the classes k
    whose true logit (dang2024 eq. 11) exceeds every other logit of their features (eq. 12); a collapsed
    class (h_k = 0) has all its logits 0 and is not among them. 0 when the network fits every class the
    minimiser fits, the premise of comparing the network with the minimiser (Cor. 4(a))."""
    logits = np.asarray(pred.logits)
    others = np.where(np.eye(len(counts), dtype=bool), -np.inf, logits).max(axis=0)
    fits = np.diag(logits) > others
    return _number(1 - (class_accuracy[fits] * counts[fits]).sum() / counts[fits].sum())


def _collapse_sweep(exp: NCExperiment, datasets: list[tuple[float, Any]], job: Job, progress: bool) -> dict[str, Any]:
    """Minority/majority class-mean feature norm ratio against R, with R* of Cor. 4(a)."""
    lam = exp.collapse_lambda
    config = dataclasses.replace(exp.net, sgd=dataclasses.replace(exp.net.sgd, epochs=exp.collapse_epochs,
                                                                   classifier_weight_decay=lam, milestones=()),
                                 log_every=exp.collapse_epochs)
    k = DATASETS[exp.dataset][0]
    R_star = minority_collapse_ratio(k // 2, k - k // 2, exp.collapse_n_min, lam, lam)
    rows = []
    for R, data in datasets:
        imb = data.imbalance
        ckpt, resume = job.checkpoint(f"collapse-R{R:g}")
        result, H = _train_one(data, config, lam, exp.seed, ckpt, resume, progress)
        norms = np.linalg.norm(class_means(H, data.y_train.numpy(), k), axis=0)
        maj, mnr = imb.groups()
        pred = predict(imb.counts, lam, lam)
        rows.append({"R": R, "ratio": _number(norms[mnr].mean() / norms[maj].mean()) if norms[maj].mean() > 0 else None,
                     "predicted_ratio": _number(np.sqrt(pred.h_norm_sq[mnr]).mean() / np.sqrt(pred.h_norm_sq[maj]).mean()),
                     "minority_collapsed_predicted": bool(pred.collapsed[mnr].all()),
                     "train_error": _number(1 - (result.class_accuracy[-1, 0] * imb.counts).sum() / imb.n),
                     "fitted_train_error": _fitted_error(pred, result.class_accuracy[-1, 0], imb.counts)})
    return {"lambda": lam, "n_min": exp.collapse_n_min, "R_star": R_star, "epochs": exp.collapse_epochs, "runs": rows}


def _max_cosine(means: np.ndarray) -> float:
    """The largest cosine between two class means (dang2024 Fig. 3: 0 for orthogonal class means)."""
    norms = np.linalg.norm(means, axis=0)
    cos = (means.T @ means) / np.outer(norms, norms)
    return float(np.max(cos[~np.eye(cos.shape[0], dtype=bool)]))


def _figure(rep: dict[str, Any], gram: np.ndarray, labels: np.ndarray, path: Path) -> None:
    plt = pyplot()
    panels = 3 if "minority_collapse" in rep else 2
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.2), constrained_layout=True)
    epochs = np.array(rep["epochs"])
    ys = np.array([[np.nan if v is None else v for v in rep["nc"][key]] for key in NC_KEYS])
    curves(axes[0], epochs, ys, list(NC_KEYS), cmap="tab10")
    axes[0].set_yscale("log")
    axes[0].set_xlabel("epoch")
    axes[0].set_title("NC metrics (dang2024 eqs. 19-21)")
    axes[0].legend()
    im = axes[1].imshow(gram, cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
    fig.colorbar(im, ax=axes[1], shrink=0.8)
    axes[1].set_title("H^T H / max, last epoch (sorted by class)")
    if panels == 3:
        mc = rep["minority_collapse"]
        Rs = [r["R"] for r in mc["runs"]]
        axes[2].plot(Rs, [np.nan if r["ratio"] is None else r["ratio"] for r in mc["runs"]], "o-", label="measured")
        axes[2].plot(Rs, [r["predicted_ratio"] for r in mc["runs"]], "s--", label="UFM+ (Thm 1)")
        axes[2].axvline(mc["R_star"], color="k", ls=":", label=f"R* = {mc['R_star']:.2f}")
        axes[2].set_xlabel("R = n_maj / n_min")
        axes[2].set_title(f"||h_min|| / ||h_maj|| (lambda = {mc['lambda']:g})")
        axes[2].legend()
    fig.suptitle(f"dang2024 on {rep['dataset']}: counts {rep['counts']}")
    save_png(fig, path)
