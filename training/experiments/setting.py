"""The setting a deep-net experiment runs in, against its paper's (issue 21, item 3).

Each experiment configuration (:class:`training.experiments.gamma_sweep.GammaSweep`,
:class:`training.experiments.nc_relu.NCExperiment`, :class:`training.experiments.etf_table.ETFTable`) has
named presets ``.digits()`` (the default tests, seconds), ``.fashion_mnist()`` (``igeom verify --level full``
on 2 CPU cores, minutes) and ``.cifar10(DIR)`` (the paper's stated settings) and lists, as plain strings,
what it changes from its paper: :func:`differences` of the quantities the paper states (data, network,
counts, schedule, optimiser, loss), plus what the implementation lacks whatever the preset (e.g. data
augmentation). A configuration is in the ``paper`` setting when that list is empty and ``reduced`` otherwise;
where the paper is silent the experiment says what it uses instead (``PAPER_SILENT``), which is not a
departure.
"""

from __future__ import annotations

from typing import Mapping

from training.batched import SGDConfig
from training.deepnet import NetConfig

PAPER = "paper"
REDUCED = "reduced"
#: the data sets by the names the papers use
DATA_NAMES = {"digits": "sklearn digits (8 x 8)", "mnist": "MNIST", "fashion-mnist": "Fashion-MNIST (28 x 28)",
              "cifar10": "CIFAR-10", "cifar100": "CIFAR-100"}


def describe_net(net: NetConfig) -> str:
    """The network in words: ``ResNet-18``, ``ResNet-32``, or the MLP's widths, ReLU on the features or not."""
    if net.arch == "resnet18":
        return "ResNet-18"
    if net.arch == "resnet32":
        return "ResNet-32"
    relu = ", ReLU features" if net.relu_features else ""
    if net.arch == "mlp":
        return f"MLP, hidden widths {'-'.join(map(str, net.hidden))}, feature dimension {net.width}{relu}"
    return f"{net.arch}, width {net.width}{relu}"


def describe_sgd(sgd: SGDConfig) -> dict[str, str]:
    """The SGD quantities a paper states: epochs, learning rate and its steps, batch size, momentum, weight decay."""
    steps = ", ".join(map(str, sgd.milestones)) or "none"
    return {"epochs": str(sgd.epochs), "learning rate": f"{sgd.lr:g}, divided by {1 / sgd.lr_factor:g} at epochs {steps}",
            "batch size": str(sgd.batch_size), "momentum": f"{sgd.momentum:g}", "weight decay": f"{sgd.weight_decay:g}"}


def differences(mine: Mapping[str, str], paper: Mapping[str, str]) -> tuple[str, ...]:
    """``"quantity: mine (paper: theirs)"`` for every quantity of ``paper`` that ``mine`` states differently."""
    return tuple(f"{key}: {mine.get(key, 'n/a')} (paper: {value})" for key, value in paper.items()
                 if mine.get(key) != value)


def setting(departures: tuple[str, ...]) -> str:
    """``paper`` when nothing departs from the paper, else ``reduced``."""
    return REDUCED if departures else PAPER
