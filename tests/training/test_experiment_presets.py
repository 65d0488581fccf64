"""The deep-net experiments' presets (issue 22) and their departures from the papers (issue 21).

The CIFAR-10 presets are compared with the settings as the papers state them, written here from the papers
(/work/shared/papers), not from the code: behnia2023 App. A.2, dang2024 Sec. 6 ("Training details", "MLP
experiment"), yang2022 Table 1 and App. D."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from training.experiments.etf_table import ETFTable
from training.experiments.gamma_sweep import GammaSweep
from training.experiments.nc_relu import NCExperiment
from training.experiments.setting import PAPER, REDUCED


def test_behnia2023_cifar10_preset_is_app_a2() -> None:
    """"We train a ResNet-18 on imbalanced CIFAR-10 with R = 10. We train the model for 350 epochs with an initial
    learning rate of 0.1 reduced at epochs 116 and 232 by a factor of 10, with a batch size of 128 ... momentum and
    weight decay are set to 0.9 and 1e-5"; (R = 10, rho = 1/2)-STEP (Fig. 3); gamma in [-1.5, 1.5]; CDT and LDT."""
    p = GammaSweep.cifar10("DIR")
    sgd = p.net.sgd
    assert (p.dataset, p.data_dir, p.net.arch) == ("cifar10", "DIR", "resnet18")
    assert p.R == 10 and p.k_minor == 5  # rho = 1/2 of k = 10
    assert (sgd.epochs, sgd.lr, sgd.milestones, sgd.lr_factor, sgd.batch_size) == (350, 0.1, (116, 232), 0.1, 128)
    assert (sgd.momentum, sgd.weight_decay) == (0.9, 1e-5)
    assert min(p.gammas) == -1.5 and max(p.gammas) == 1.5 and set(p.losses) == {"CDT", "LDT"}
    assert p.setting() == PAPER and p.departures() == ()


def test_dang2024_cifar10_preset_is_sec6() -> None:
    """"[100, 100, 200, 200, 300, 300, 400, 400, 500, 500] ... CE loss ... SGD for 4000 epochs, batch size 32. The
    learning rate is ... divided by 10 at 2000-th epoch. Feature decay rate is lambda_H = 1e-5 and weight decay
    rate is lambda_W = 1e-4"; "the 6-layer MLP backbone with hidden dimension in {1024, 2048} and the learning rates
    of 1e-4 and 5e-5" (1024 here); ReLU features (the UFM+ setting, H >= 0)."""
    p = NCExperiment.cifar10("DIR")
    sgd = p.net.sgd
    assert p.imbalance().counts.tolist() == [100, 100, 200, 200, 300, 300, 400, 400, 500, 500]
    assert (p.dataset, p.net.arch, p.net.relu_features) == ("cifar10", "mlp", True)
    assert len(p.net.hidden) + 2 == 6 and set(p.net.hidden) == {1024} and p.net.width == 1024  # 6 weight layers
    assert (sgd.epochs, sgd.batch_size, sgd.lr, sgd.milestones, sgd.lr_factor) == (4000, 32, 1e-4, (2000,), 0.1)
    assert (sgd.weight_decay, p.feature_decay) == (1e-4, 1e-5)
    assert p.setting() == PAPER and p.departures() == ()
    assert p.collapse_departures()[0].startswith("minority collapse: dang2024 states Cor. 4(a) for the UFM+")


def test_yang2022_cifar10_preset_is_table1_and_app_d() -> None:
    """Table 1: tau = n_min / n_max in {0.005, 0.01, 0.02, 0.1, 1}, three seeds, four methods; App. D: "ResNet-32
    ... 200 epochs, with an initial learning rate of 0.1, a batchsize of 128, a momentum of 0.9, and a weight decay
    of 2e-4. The learning rate is divided by 10 at epoch 160 and 180 ... standard data normalization and
    augmentation" -- which the trainer does not do, so even this preset is a reduced setting, saying so."""
    p = ETFTable.cifar10("DIR")
    sgd = p.net.sgd
    assert sorted(p.ratios) == sorted(1 / tau for tau in (0.005, 0.01, 0.02, 0.1, 1))
    assert len(p.seeds) == 3 and len(p.methods) == 4 and p.net.arch == "resnet32"
    assert (sgd.epochs, sgd.lr, sgd.batch_size, sgd.momentum, sgd.weight_decay) == (200, 0.1, 128, 0.9, 2e-4)
    assert (sgd.milestones, sgd.lr_factor) == ((160, 180), 0.1)
    assert p.setting() == REDUCED and len(p.departures()) == 1 and "augmentation" in p.departures()[0]


@pytest.mark.parametrize("cls", [GammaSweep, NCExperiment, ETFTable])
def test_presets_and_their_departures(cls) -> None:
    """digits is the constructor's default; the digits and Fashion-MNIST presets name their data and network as
    departures; one planted change to the paper preset is exactly one more departure, naming the quantity."""
    assert cls.digits() == cls()
    paper = cls.cifar10("DIR")
    for preset, data in ((cls.digits(), "sklearn digits"), (cls.fashion_mnist(), "Fashion-MNIST")):
        deps = preset.departures()
        assert preset.setting() == REDUCED
        assert any(d.startswith(f"data: {data}") and d.endswith("(paper: CIFAR-10)") for d in deps)
        assert any(d.startswith("network: MLP") for d in deps)
    planted = dataclasses.replace(paper, net=dataclasses.replace(paper.net, sgd=dataclasses.replace(paper.net.sgd,
                                                                                                    epochs=349)))
    new = set(planted.departures()) - set(paper.departures())
    assert len(new) == 1 and next(iter(new)).startswith("epochs: 349 (paper: ")


def test_fashion_presets_read_the_package_by_default() -> None:
    for cls in (GammaSweep, NCExperiment, ETFTable):
        p = cls.fashion_mnist()
        assert p.dataset == "fashion-mnist" and p.data_dir is None
        assert cls.fashion_mnist("/some/copy").data_dir == "/some/copy"


def test_workload_of_the_paper_presets() -> None:
    """The estimate's work, counted from the papers' numbers: behnia2023 trains 26 models (13 gammas x 2 losses)
    on 5 x 5000 + 5 x 500 images; dang2024 one model on 3000 images; yang2022 20 programs of 3 seeds."""
    from training.experiments.estimate import multiply_adds, workload
    from training.deepnet import NetConfig

    (g,) = workload(GammaSweep.cifar10("DIR"))
    assert (g.models, g.n, g.epochs) == (26, 27_500, 350)
    nc = workload(NCExperiment.cifar10("DIR"))
    assert (nc[0].models, nc[0].n, nc[0].epochs) == (1, 3000, 4000)
    etf = workload(ETFTable.cifar10("DIR"))
    assert len(etf) == 20 and {p.models for p in etf} == {3} and max(p.n for p in etf) == 50_000
    # the MLP's multiply-adds per image: 3072 x 1024 + 4 x 1024 x 1024 + 1024 x 10
    mlp = NCExperiment.cifar10("DIR").net
    assert multiply_adds(mlp, (3, 32, 32)) == 3072 * 1024 + 4 * 1024 * 1024 + 1024 * 10
    # ResNet-32 (He et al.): about 69M multiply-adds on a 32 x 32 image (a tenth of ResNet-18's 0.56G)
    assert abs(multiply_adds(NetConfig(arch="resnet32"), (3, 32, 32)) / 69e6 - 1) < 0.02
    assert abs(multiply_adds(NetConfig(arch="resnet18"), (3, 32, 32)) / 0.556e9 - 1) < 0.01
