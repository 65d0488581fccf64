"""What ``igeom verify`` trains the deep-net claims on (issue 21 item 4): Fashion-MNIST from Debian's package at
``--level full`` when installed, sklearn digits otherwise with a line saying so, CIFAR-10 under ``--cifar10``;
the claims receive the matching presets."""

from __future__ import annotations

import dataclasses

import argparse

import pytest

import proofs_check.claims.deepnets as deepnets
import training.data as data
from training.experiments.etf_table import ETFTable
from training.experiments.gamma_sweep import GammaSweep
from training.experiments.nc_relu import NCExperiment


def _package(tmp_path, monkeypatch, installed: bool) -> None:
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    if installed:
        for name in data.IDX_FILES[True] + data.IDX_FILES[False]:
            (folder / f"{name}.gz").write_bytes(b"")
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST", folder)


@pytest.mark.parametrize("installed", [True, False])
def test_full_level_chooses_fashion_mnist_when_installed(tmp_path, capsys, monkeypatch, installed: bool) -> None:
    from igeom.commands.verify import deep_net_data

    _package(tmp_path, monkeypatch, installed)
    chosen = deep_net_data(argparse.Namespace(level="full", cifar10=None))
    err = capsys.readouterr().err
    if installed:
        assert chosen == deepnets.DeepNetData("fashion-mnist") and err == ""
        assert chosen.describe().startswith(f"Fashion-MNIST in {tmp_path / 'fashion-mnist'}, reduced settings")
    else:
        assert chosen == deepnets.DeepNetData("digits") and chosen.describe() == "sklearn digits"
        assert err == ("igeom verify: Fashion-MNIST is not installed (Debian package dataset-fashion-mnist: make "
                       "data): the deep-net claims train on sklearn digits\n")
    assert deep_net_data(argparse.Namespace(level="quick", cifar10=None)) == deepnets.DeepNetData("digits")
    assert capsys.readouterr().err == ""  # the quick level trains no deep net: nothing to say


def test_the_claims_train_on_the_chosen_presets(monkeypatch) -> None:
    """Inside ``training_data(DeepNetData(preset))`` each claim's configuration is that preset; outside it, digits."""
    seen = []

    def record(config):  # noqa: ANN001, ANN202
        seen.append(config)
        raise RuntimeError("recorded")

    for name in ("_trained_gamma_sweep", "_trained_nc", "_trained_etf"):
        monkeypatch.setattr(deepnets, name, record)
    checks = [deepnets.behnia_trend, deepnets.dang_nc, deepnets.yang_table1]
    for route, make in ((deepnets.DeepNetData("fashion-mnist"), lambda c: c.fashion_mnist()),
                        (deepnets.DeepNetData("cifar10", "DIR"), lambda c: c.cifar10("DIR")), (None, lambda c: c.digits())):
        seen.clear()
        with deepnets.training_data(route) if route is not None else deepnets.training_data(deepnets.DeepNetData()):
            for check in checks:
                with pytest.raises(RuntimeError, match="recorded"):
                    check()
        # the yang2022 table trains the seeds its decision plan asks for (deepnets.ETF_SEEDS)
        seeds = deepnets.ETF_SEEDS_FASHION if route is not None and route.preset == "fashion-mnist" else deepnets.ETF_SEEDS
        assert seen == [make(GammaSweep), make(NCExperiment), dataclasses.replace(make(ETFTable), seeds=seeds)]
    assert deepnets.current_data() == deepnets.DeepNetData("digits")
    with pytest.raises(ValueError, match="needs the folder"):
        deepnets.DeepNetData("cifar10")
    assert deepnets.setting_of(NCExperiment.cifar10("DIR")) == ("paper", ())
    assert deepnets.setting_of(NCExperiment.cifar10("DIR"), collapse=True)[0] == "reduced"
