"""How long the deep-net experiments take, before they start (issue 21: the CIFAR-10 route's time estimate).

The work of an experiment is a list of training programs (:func:`workload`): so many models of one network,
each trained for so many epochs on ``n`` images, and evaluated (forward passes only) on the training and test
sets at every logged epoch. Its time is that work times a cost per image of the network:

- on this CPU, measured here (:func:`cpu_seconds_per_image`): the faster of two timed SGD steps (forward,
  backward, update) of one model on a batch of 16 images of the input's shape, after one warm-up step, divided
  by 16 (the machine's load at the time scales it: it is printed with the estimate); a forward pass is counted
  as 1/3 of a step;
- on a GPU, from the one recorded GPU measurement (README, "GPU"): an epoch of 13 ResNet-18 models on
  n = 27 500 CIFAR-10 images took 143.7 s on an NVIDIA H100 with exact float32 kernels, one model at a time,
  i.e. :data:`H100_RESNET18_SECONDS_PER_IMAGE`; other networks scaled by their multiply-adds per image
  (:func:`multiply_adds`), which underestimates small networks (an MLP does not fill a GPU).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Sequence

import torch

from theory.core.imbalance import Imbalance
from training.data import DATASETS, long_tailed, make_imbalance
from training.deepnet import NetConfig
from training.nets import build

#: README "GPU": ResNet-18 x 13, one epoch of n = 27 500, exact float32, one model at a time: 143.7 s on an H100
H100_RESNET18_SECONDS_PER_IMAGE = 143.7 / (13 * 27_500)
#: a forward pass (evaluation) against a training step (forward, backward, update)
FORWARD_SHARE = 1.0 / 3.0
#: the official CIFAR-10 / MNIST-style test sets (images), evaluated at every logged epoch
TEST_IMAGES = {"cifar10": 10_000, "cifar100": 10_000, "mnist": 10_000, "fashion-mnist": 10_000}


@dataclass(frozen=True)
class Program:
    """``models`` networks ``net`` trained together for ``epochs`` epochs on ``n`` images of ``shape``, evaluated
    on ``n + n_test`` images at each of ``logs`` logged epochs."""

    name: str
    net: NetConfig
    shape: tuple[int, int, int]
    models: int
    n: int
    epochs: int
    logs: int
    n_test: int

    def images(self) -> tuple[float, float]:
        """(images through a training step, images through a forward pass), over all models."""
        return float(self.models * self.n * self.epochs), float(self.models * (self.n + self.n_test) * self.logs)


def _counts_n(imbalance: Imbalance) -> int:
    return int(imbalance.n)


def workload(config: Any) -> list[Program]:
    """The training programs of a GammaSweep, NCExperiment or ETFTable (as their ``run`` trains them)."""
    from training.experiments.etf_table import ETFTable
    from training.experiments.gamma_sweep import GammaSweep
    from training.experiments.nc_relu import NCExperiment

    k, shape = DATASETS[config.dataset][0], DATASETS[config.dataset][1]
    n_test = TEST_IMAGES.get(config.dataset, 0)
    logs = lambda net, epochs: len({0, epochs, *range(net.log_every, epochs + 1, net.log_every)})  # noqa: E731
    net = config.net
    if isinstance(config, GammaSweep):
        n = _counts_n(make_imbalance("step", k, config.R, config.n_min, config.k_minor))
        return [Program("deepnet-gamma", net, shape, len(config.specs()), n, net.sgd.epochs,
                        logs(net, net.sgd.epochs), n_test)]
    if isinstance(config, NCExperiment):
        out = [Program("nc-relu", net, shape, 1, _counts_n(config.imbalance()), net.sgd.epochs,
                       logs(net, net.sgd.epochs), n_test)]
        for R in config.collapse_R:
            n = _counts_n(Imbalance.step(k, k - k // 2, R, config.collapse_n_min))
            out.append(Program(f"nc-relu collapse R {R:g}", net, shape, 1, n, config.collapse_epochs, 2, n_test))
        return out
    if isinstance(config, ETFTable):
        return [Program(f"etf-dr R {R:g} {method}", net, shape, len(config.seeds),
                        _counts_n(long_tailed(k, R, config.n_max)), net.sgd.epochs, logs(net, net.sgd.epochs), n_test)
                for R in config.ratios for method in config.methods]
    raise TypeError(f"not a deep-net experiment configuration: {type(config).__name__}")


def _model(net: NetConfig, shape: tuple[int, int, int]) -> torch.nn.Module:
    return build(net.arch, shape, 10, 0, **net.model_kwargs())


def multiply_adds(net: NetConfig, shape: tuple[int, int, int]) -> int:
    """Multiply-adds of one image's forward pass through the convolutions and linear layers of ``net``."""
    model = _model(net, shape).eval()
    total = [0]

    def count(module: torch.nn.Module, _inputs: Any, output: torch.Tensor) -> None:
        if isinstance(module, torch.nn.Conv2d):
            c_in = module.in_channels // module.groups
            total[0] += output[0].numel() * c_in * module.kernel_size[0] * module.kernel_size[1]
        elif isinstance(module, torch.nn.Linear):
            total[0] += module.in_features * module.out_features

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    try:
        with torch.no_grad():
            model(torch.zeros(1, *shape))
    finally:
        for h in hooks:
            h.remove()
    return total[0]


def cpu_seconds_per_image(net: NetConfig, shape: tuple[int, int, int], batch: int = 16) -> float:
    """Seconds per image of one SGD step of ``net`` on this CPU (the faster of 2 timed steps after a warm-up)."""
    model = _model(net, shape).train()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    x, y = torch.rand(batch, *shape), torch.arange(batch) % 10
    times = []
    for i in range(3):
        t0 = time.perf_counter()
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        if i:
            times.append(time.perf_counter() - t0)
    return min(times) / batch


@dataclass(frozen=True)
class Estimate:
    """Seconds on this CPU and on an H100-class GPU, per program and in total."""

    programs: tuple[Program, ...]
    cpu: tuple[float, ...]
    gpu: tuple[float, ...]

    @property
    def cpu_total(self) -> float:
        return float(sum(self.cpu))

    @property
    def gpu_total(self) -> float:
        return float(sum(self.gpu))


def estimate(configs: Sequence[Any], cpu_cost=None) -> Estimate:  # noqa: ANN001 - (NetConfig, shape) -> s per image
    """The time of ``configs``' programs: work (:meth:`Program.images`) times the cost per image, measured on
    this CPU by ``cpu_cost`` (default :func:`cpu_seconds_per_image`, once per network) and scaled from the H100
    ResNet-18 measurement for the GPU (module docstring)."""
    cpu_cost = cpu_seconds_per_image if cpu_cost is None else cpu_cost
    programs = tuple(p for c in configs for p in workload(c))
    resnet18 = multiply_adds(NetConfig(arch="resnet18"), (3, 32, 32))
    per_cpu: dict[Any, float] = {}
    per_gpu: dict[Any, float] = {}
    cpu, gpu = [], []
    for p in programs:
        key = (p.net.arch, p.net.width, p.net.hidden, p.shape)
        if key not in per_cpu:
            per_cpu[key] = float(cpu_cost(p.net, p.shape))
            per_gpu[key] = H100_RESNET18_SECONDS_PER_IMAGE * multiply_adds(p.net, p.shape) / resnet18
        step, forward = p.images()
        cpu.append((step + FORWARD_SHARE * forward) * per_cpu[key])
        gpu.append((step + FORWARD_SHARE * forward) * per_gpu[key])
    return Estimate(programs, tuple(cpu), tuple(gpu))


def duration(seconds: float) -> str:
    """``3.2 h``, ``4.1 days``, ``12 min``."""
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min"
