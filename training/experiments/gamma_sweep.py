"""behnia2023 Figs. 3 and 5 for deep nets: a CDT / LDT gamma sweep measured against Thm 2.

Setting (App. A.2): (R, rho)-STEP imbalance (default R = 10, rho = 1/2), Delta = R^gamma with delta
normalised to sum k, gammas -1.5:1.5:13, the paper's SGD recipe (:data:`training.deepnet.PAPER_RECIPE`).
The paper trains ResNet-18 on CIFAR-10; the default here is the digits MLP (:data:`DIGITS_NET`) on
sklearn digits (n_min = 15, n = 825), so that it runs offline on a CPU. All models of the sweep train as
one program (:mod:`training.batched`).

Report (``igeom experiment deepnet-gamma --json``): one entry per model at the last epoch (the measured
geometry with the class means centred per Remark 4, Thm 2's prediction, the three App. A.4 distances,
training error, balanced train / test accuracy, diverged flag) and ``trend``: for each loss and each
group quantity, Spearman's rank correlation over gamma between measured and predicted values (how well
the measured curves follow the predicted ones). Figures: ``fig3.png`` (Fig. 2/3 layout, measured markers
on the Thm 2 curves) and ``fig5.png`` (balanced training accuracy over epochs per gamma, Fig. 5).
"""

from __future__ import annotations

import dataclasses
import math
import time
from fractions import Fraction
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from theory.core.errors import InputError
from theory.core.vocabulary import SWEPT_LOSSES, Loss
from training.data import DATASETS, imbalanced, make_imbalance
from training.deepnet import PAPER_RECIPE, NetConfig, NetResult, train_nets
from training.experiments.job import Job
from training.experiments.plots import curves, pyplot, save_png
from training.experiments.setting import DATA_NAMES, describe_net, describe_sgd, differences, setting
from training.measurements import Measurements, measure
from training.specs import RunSpec
from training.ufm import resolve_device

#: The digits MLP: 64 -> 64 -> 64 -> 32 features (linear) -> 10, bias-free classifier.
DIGITS_NET = NetConfig(arch="mlp", width=32, hidden=(64, 64), sgd=PAPER_RECIPE, log_every=10)
#: The Fashion-MNIST MLP (2 CPU cores): 784 -> 128 -> 128 -> 32 features -> 10, the paper's schedule with lr 0.01:
#: at the paper's 0.1 this MLP (no batch norm, unlike ResNet-18) diverged for 3 of the 26 models (CDT, gamma <=
#: -1.25 and one more; measured with n_min 25); logged every 25 epochs (15 points of Fig. 5's curves)
FASHION_NET = NetConfig(arch="mlp", width=32, hidden=(128, 128), sgd=dataclasses.replace(PAPER_RECIPE, lr=0.01),
                        log_every=25)
#: behnia2023 App. A.2: ResNet-18, the recipe of :data:`PAPER_RECIPE` (``width`` and ``hidden``, which ResNet-18
#: does not use, left at the digits MLP's, as the CLI leaves them)
PAPER_NET = dataclasses.replace(DIGITS_NET, arch="resnet18")
#: where behnia2023 App. A.2 is silent, and what the experiment uses
PAPER_SILENT = ("n_min: not stated; the CIFAR-10 preset takes 500 (= 5000 / R: every image of the minority "
                "classes' share, 5000 per majority class)",
                "number of gammas in [-1.5, 1.5]: not stated (13 here, Fig. 3's markers)",
                "data augmentation: not stated (none here)")
GAMMAS = tuple(round(float(g), 6) for g in np.linspace(-1.5, 1.5, 13))
#: (block, key) of the group quantities whose trend over gamma is reported
TREND_KEYS = (("W", "norm_ratio"), ("W", "cos_maj_maj"), ("W", "cos_min_min"), ("W", "cos_maj_min"),
              ("M", "norm_ratio"), ("M", "cos_maj_maj"), ("M", "cos_min_min"), ("M", "cos_maj_min"))


@dataclass(frozen=True)
class GammaSweep:
    """What to train: dataset (``digits`` or a local copy under ``data_dir``), STEP imbalance, losses,
    gammas, seed and network."""

    dataset: str = "digits"
    data_dir: str | None = None
    losses: tuple[str, ...] = tuple(str(loss) for loss in SWEPT_LOSSES)
    gammas: tuple[float, ...] = GAMMAS
    R: float = 10.0
    k_minor: int = 5
    n_min: int = 15
    seed: int = 0
    net: NetConfig = DIGITS_NET

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise InputError(f"unknown dataset {self.dataset!r}; expected one of {', '.join(DATASETS)}")
        losses = tuple(str(Loss.parse(loss)) for loss in self.losses)
        if not losses or any(loss not in SWEPT_LOSSES for loss in losses):
            raise InputError(f"losses must be among {', '.join(map(str, SWEPT_LOSSES))}, got {', '.join(self.losses)}")
        object.__setattr__(self, "losses", losses)
        if not self.gammas:
            raise InputError("need at least one gamma")

    @classmethod
    def digits(cls) -> "GammaSweep":
        """sklearn digits, n_min 15, the digits MLP (:data:`DIGITS_NET`): the default tests (seconds)."""
        return cls()

    @classmethod
    def fashion_mnist(cls, data_dir: str | None = None) -> "GammaSweep":
        """Fashion-MNIST (Debian's package unless ``data_dir``), n_min 20 (n = 1100), :data:`FASHION_NET`:
        ``igeom verify --level full`` on 2 CPU cores."""
        return cls(dataset="fashion-mnist", data_dir=data_dir, n_min=20, net=FASHION_NET)

    @classmethod
    def cifar10(cls, data_dir: str) -> "GammaSweep":
        """behnia2023 App. A.2: ResNet-18 on (R = 10, rho = 1/2)-STEP CIFAR-10 (n_min 500, see
        :data:`PAPER_SILENT`), 350 epochs, lr 0.1 / 10 at epochs 116 and 232, batch 128, momentum 0.9, weight
        decay 1e-5, gamma in [-1.5, 1.5]."""
        return cls(dataset="cifar10", data_dir=data_dir, n_min=500, net=PAPER_NET)

    def quantities(self) -> dict[str, str]:
        """What behnia2023 App. A.2 states, as this configuration sets it."""
        return {"data": DATA_NAMES[self.dataset], "network": describe_net(self.net),
                "imbalance": f"(R = {self.R:g}, rho = {self.k_minor}/{DATASETS[self.dataset][0]})-STEP",
                "losses": ", ".join(self.losses),
                "gammas": f"{len(self.gammas)} in [{min(self.gammas):g}, {max(self.gammas):g}]",
                **describe_sgd(self.net.sgd)}

    def departures(self) -> tuple[str, ...]:
        """What this configuration changes from behnia2023 App. A.2 (empty: the paper's setting)."""
        return differences(self.quantities(), GammaSweep.cifar10("").quantities())

    def setting(self) -> str:
        """``paper`` or ``reduced`` (:func:`training.experiments.setting.setting`)."""
        return setting(self.departures())

    def specs(self) -> list[RunSpec]:
        """One RunSpec per (loss, gamma), loss-major."""
        return [RunSpec(loss, g, self.seed) for loss in self.losses for g in self.gammas]

    def settings(self) -> dict[str, Any]:
        """The JSON form stored in ``job.json`` (the experiment's identity for resume)."""
        return {"experiment": "deepnet-gamma", **dataclasses.asdict(self)}


def _number(x: float) -> float | None:
    v = float(x)
    return v if math.isfinite(v) else None


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman's rank correlation of finite pairs (None with < 3 pairs or a constant side)."""
    from scipy.stats import spearmanr

    keep = np.isfinite(x) & np.isfinite(y)
    if keep.sum() < 3 or np.ptp(x[keep]) == 0 or np.ptp(y[keep]) == 0:
        return None
    return _number(spearmanr(x[keep], y[keep]).statistic)


def trends(meas: Measurements, losses: Sequence[str]) -> dict[str, dict[str, float | None]]:
    """{loss: {"W.norm_ratio": rho, ...}}: Spearman over gamma, last epoch, measured vs predicted; norm
    ratios are compared on a log scale (ranks are unchanged by it)."""
    out: dict[str, dict[str, float | None]] = {}
    for loss in losses:
        cols = np.array([s.loss == loss for s in meas.specs])
        out[loss] = {f"{blk}.{key}": spearman(meas.centred[blk][key][-1, cols], meas.predicted[blk][key][cols])
                     for blk, key in TREND_KEYS}
    return out


def report(sweep: GammaSweep, result: NetResult, meas: Measurements, device: str, seconds: float) -> dict[str, Any]:
    """The ``--json`` object (module docstring)."""
    test_bal = result.test_class_accuracy[-1].mean(-1)
    runs = []
    for b in range(len(meas.specs)):
        entry = meas.run_json(b)
        entry["test_balanced_accuracy"] = _number(test_bal[b])
        runs.append(entry)
    return {"experiment": "deepnet-gamma", "paper": "behnia2023", "dataset": sweep.dataset,
            "counts": result.imbalance.counts.tolist(), "arch": sweep.net.arch, "settings": sweep.settings(),
            "device": device, "seconds": round(seconds, 1), "runs": runs, "trend": trends(meas, sweep.losses),
            "diverged": [s.label() for s, d in zip(meas.specs, meas.diverged) if d]}


def figure5(meas: Measurements, path: str | Path, title: str) -> Path:
    """behnia2023 Fig. 5: balanced training accuracy over epochs, one line per gamma, a panel per loss."""
    plt = pyplot()
    losses = list(dict.fromkeys(s.loss for s in meas.specs))
    fig, axes = plt.subplots(1, len(losses), figsize=(5.5 * len(losses), 4), constrained_layout=True, squeeze=False)
    for ax, loss in zip(axes[0], losses):
        cols = [b for b, s in enumerate(meas.specs) if s.loss == loss]
        curves(ax, meas.epochs, meas.balanced_accuracy[:, cols].T, [f"gamma={meas.specs[b].gamma:g}" for b in cols],
               cmap="coolwarm")
        ax.set_xlabel("epoch")
        ax.set_ylabel("balanced training accuracy")
        ax.set_title(loss)
        ax.set_ylim(0, 1.02)
    axes[0][-1].legend(fontsize=7, ncol=2, loc="lower right")
    fig.suptitle(title)
    return save_png(fig, path)


def run(sweep: GammaSweep, out: str | Path | None = None, progress: bool = False) -> dict[str, Any]:
    """Train (or resume, or reload) the sweep; returns the report."""
    job = Job(out, sweep.settings())
    stored = job.finished()
    if stored is not None:
        return stored
    device = resolve_device(sweep.net.device)
    k = DATASETS[sweep.dataset][0]
    data = imbalanced(sweep.dataset, make_imbalance("step", k, sweep.R, sweep.n_min, sweep.k_minor), sweep.seed,
                      sweep.data_dir)
    ckpt, resume = job.checkpoint("sweep")
    t0 = time.perf_counter()
    result = train_nets(data, sweep.specs(), sweep.net, checkpoint=ckpt, resume=resume, progress=progress)
    meas = measure(result)
    rep = report(sweep, result, meas, str(device), time.perf_counter() - t0)
    fig3, fig5 = job.path("fig3.png"), job.path("fig5.png")
    if fig3 is not None and fig5 is not None:
        from training.figures import figure2

        where = f"{sweep.net.arch} on ({sweep.R:g}, {Fraction(sweep.k_minor, k)})-STEP {sweep.dataset}"
        figure2(meas, data.imbalance, fig3, title=f"{where}, epoch {int(meas.epochs[-1])}: measured vs Thm 2")
        figure5(meas, fig5, f"{where}: balanced training accuracy")
    return job.finish(rep)
