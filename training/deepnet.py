"""Deep nets trained with the CE parameterizations, measured like the UFM (behnia2023 App. A.2, Figs. 3, 5).

The models of a sweep (one :class:`training.specs.RunSpec` each: loss, gamma, seed) share an architecture
and train together as one program (:func:`training.batched.train_batched`), by mini-batch SGD with
momentum, weight decay and a step learning-rate schedule. At the logged epochs the classifier W, the
class means of the penultimate features over the training set (network in eval mode), the per-class
training and test accuracies are recorded, so :func:`training.measurements.measure` applies unchanged.

:data:`PAPER_RECIPE` is behnia2023 App. A.2: 350 epochs, lr 0.1 divided by 10 at epochs 116 and 232,
momentum 0.9, weight decay 1e-5, batch 128 (delta normalised to sum k by :class:`RunSpec`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from theory.core.errors import InputError
from theory.infra.budget import Estimate
from theory.core.validate import positive_int
from training.batched import History, LogitScaling, SGDConfig, train_batched
from training.data import ImbalancedData
from training.losses import scaling_tensors
from training.measurements import Trajectory
from training.nets import ARCHS, build
from training.specs import RunSpec
from training.ufm import resolve_device

PAPER_RECIPE = SGDConfig(epochs=350, lr=0.1, momentum=0.9, weight_decay=1e-5, batch_size=128,
                         milestones=(116, 232), lr_factor=0.1)


@dataclass(frozen=True)
class NetConfig:
    """Architecture (``arch`` of :data:`training.nets.ARCHS`, feature ``width``, MLP ``hidden`` widths, ReLU
    on the features or not), SGD settings, logging interval and device."""

    arch: str = "mlp"
    width: int = 32
    hidden: tuple[int, ...] = (128, 128)
    relu_features: bool = False
    sgd: SGDConfig = PAPER_RECIPE
    log_every: int = 10
    device: str = "auto"

    def __post_init__(self) -> None:
        if self.arch not in ARCHS:
            raise InputError(f"arch must be one of {', '.join(ARCHS)}, got {self.arch!r}")
        object.__setattr__(self, "width", positive_int("width", self.width))
        object.__setattr__(self, "log_every", positive_int("log_every", self.log_every))
        object.__setattr__(self, "hidden", tuple(positive_int("hidden width", h) for h in self.hidden))

    def model_kwargs(self) -> dict[str, object]:
        """Constructor arguments: MLP / CNN feature width d (and the MLP's hidden widths), small-ResNet
        stage widths (w/2, w, 2w); ResNet-18 has its own widths."""
        kw: dict[str, object] = {"relu_features": self.relu_features}
        if self.arch == "mlp":
            kw.update(d=self.width, hidden=self.hidden)
        elif self.arch == "cnn":
            kw["d"] = self.width
        elif self.arch == "resnet":
            kw["widths"] = (self.width // 2, self.width, 2 * self.width)
        return kw

    def log_epochs(self) -> list[int]:
        """0, every ``log_every`` epochs, and the last epoch."""
        return sorted({0, self.sgd.epochs, *range(self.log_every, self.sgd.epochs + 1, self.log_every)})


@dataclass
class NetResult(Trajectory):
    """Trajectory of the nets plus ``test_class_accuracy`` (T, B, k) at the logged epochs (NaN where
    diverged), the extra per-model scalars of the ``measure`` callback and the final stacked state."""

    test_class_accuracy: np.ndarray | None = None
    extra: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    final: dict[str, torch.Tensor] = dataclasses.field(default_factory=dict)


def objective(data: ImbalancedData, specs: Sequence[RunSpec], feature_decay: float = 0.0) -> LogitScaling:
    """The stacked behnia2023 eq. (1) losses of ``specs`` on ``data``'s imbalance (plus dang2024's
    feature penalty lambda_H / 2 ||H||_F^2 when ``feature_decay`` > 0)."""
    imb = data.imbalance
    A, iota = scaling_tensors([s.parameterization(imb) for s in specs], dtype=torch.float32)
    weights = torch.as_tensor(np.stack([s.class_weights(imb) for s in specs]), dtype=torch.float32)
    return LogitScaling(A, iota, weights, feature_decay, int(data.y_train.numel()))


def networks(data: ImbalancedData, specs: Sequence[RunSpec], config: NetConfig) -> list[torch.nn.Module]:
    """One freshly initialised network per spec (seeded by the spec's seed)."""
    shape = tuple(data.X_train.shape[1:])
    return [build(config.arch, shape, data.imbalance.k, s.seed, **config.model_kwargs()) for s in specs]


def train_nets(data: ImbalancedData, specs: Sequence[RunSpec], config: NetConfig = NetConfig(), *,
               checkpoint: str | Path | None = None, resume: dict | None = None, progress: bool = False,
               measure=None, feature_decay: float = 0.0) -> NetResult:  # noqa: ANN001 - training.batched.MeasureFn
    """Train one net per spec on ``data`` as one batched program; NaN/inf losses are recorded per spec
    (that model's metrics are NaN, the others continue). ``feature_decay``: see :func:`objective`."""
    if not specs:
        raise InputError("need at least one RunSpec")
    device = resolve_device(config.device)
    hist: History = train_batched(networks(data, specs, config), [s.seed for s in specs], objective(data, specs, feature_decay),
                                  data.X_train, data.y_train, config.sgd, config.log_epochs(), data.X_test,
                                  data.y_test, device, checkpoint, resume, progress, measure)
    return NetResult(imbalance=data.imbalance, specs=tuple(specs), epochs=np.array(hist.epochs), W=hist.W, M=hist.M,
                     loss=hist.loss, class_accuracy=hist.train_acc, diverged_epoch=hist.diverged_epoch,
                     test_class_accuracy=hist.test_acc, extra=hist.extra, final=hist.final)


def member(net: torch.nn.Module, final: dict[str, torch.Tensor], b: int) -> torch.nn.Module:
    """``net`` (same architecture) loaded with model ``b`` of a program's final stacked state, in eval mode."""
    net.load_state_dict({name: t[b] for name, t in final.items()})
    return net.eval()


def program_estimate(in_shape: Sequence[int], k: int, n: int, models: int, config: NetConfig,
                     n_test: int | None = None) -> "Estimate":
    """Memory and time of :func:`train_nets` from the sizes alone (:func:`theory.infra.budget.deepnet_program`):
    the network is built on torch's ``meta`` device (no storage), its parameters counted and one forward
    pass of one sample measured with :class:`torch.utils.flop_counter.FlopCounterMode` (operations) and
    forward hooks (activation entries). Nothing is allocated, so a width of 10^7 is estimated in
    milliseconds."""
    from torch.utils.flop_counter import FlopCounterMode

    from theory.infra.budget import deepnet_program

    epochs, log_every = config.sgd.epochs, config.log_every
    logged = epochs // max(1, log_every) + 2
    with torch.device("meta"):
        net = build(config.arch, tuple(in_shape), k, 0, **config.model_kwargs())
        parameters = sum(p.numel() for p in net.parameters())
        sizes: list[int] = []
        hooks = [m.register_forward_hook(lambda _m, _i, out: sizes.append(out.numel()) if isinstance(out, torch.Tensor)
                                         else None) for m in net.modules() if not list(m.children())]
        counter = FlopCounterMode(display=False)
        with counter, torch.no_grad():
            net(torch.empty((1, *in_shape)))
        for h in hooks:
            h.remove()
    return deepnet_program(models, parameters, float(counter.get_total_flops()) or 2.0 * parameters, float(sum(sizes)),
                           n, n if n_test is None else n_test, config.sgd.batch_size, epochs, logged, config.width, k)
