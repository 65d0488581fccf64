"""``igeom verify --cifar10 DIR``: the deep-net claims train on a local CIFAR-10 copy with the papers' settings
(issues 13, 21). No CIFAR-10 run happens here (a day of ResNet-18 on a GPU); the tests check that the settings are
docs/deep-nets.md's CIFAR-10 commands, that the claims receive them, the time estimate printed first, and the refusals."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import proofs_check.claims.deepnets as deepnets
from cli_run import run_cli
from proofs_check.catalog import all_claims
from proofs_check.catalog import errata_by_id
from proofs_check.runner import run_check

README = Path(__file__).resolve().parents[2] / "docs" / "deep-nets.md"
BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


def _readme_cifar10_commands() -> dict[str, list[str]]:
    """{experiment: its options after --data DIR, without --out} of docs/deep-nets.md's CIFAR-10 commands."""
    text = " ".join(README.read_text().split())
    found = {}
    for name, rest in re.findall(r"`igeom experiment (\S+) --dataset cifar10 --data DIR ([^`]*)`", text):
        argv = rest.split()
        if "--out" in argv:
            i = argv.index("--out")
            del argv[i:i + 2]
        found[name] = argv
    return found


def test_readmes_cifar10_commands_build_the_paper_presets() -> None:
    """README's ``igeom experiment NAME --dataset cifar10 --data DIR ...`` commands give each experiment's
    ``.cifar10(DIR)`` preset, the configuration ``verify --cifar10 DIR`` trains."""
    import importlib

    from igeom.cli import build_parser
    from training.experiments.etf_table import ETFTable
    from training.experiments.gamma_sweep import GammaSweep
    from training.experiments.nc_relu_training import NCExperiment

    presets = {"deepnet-gamma": GammaSweep, "nc-relu": NCExperiment, "etf-dr": ETFTable}
    commands = _readme_cifar10_commands()
    assert set(commands) == set(presets)
    for name, argv in commands.items():
        args = build_parser().parse_args(["experiment", name, "--dataset", "cifar10", "--data", "DIR", *argv])
        built = importlib.import_module(f"igeom.experiment_kinds.{name.replace('-', '_')}").config(args)
        assert built == presets[name].cifar10("DIR"), name


def test_cli_defaults_are_the_digits_presets() -> None:
    """``igeom experiment NAME`` without options trains the experiment's ``.digits()`` preset."""
    import importlib

    from igeom.cli import build_parser
    from training.experiments.etf_table import ETFTable
    from training.experiments.gamma_sweep import GammaSweep
    from training.experiments.nc_relu_training import NCExperiment

    for name, cls in {"deepnet-gamma": GammaSweep, "nc-relu": NCExperiment, "etf-dr": ETFTable}.items():
        args = build_parser().parse_args(["experiment", name])
        assert importlib.import_module(f"igeom.experiment_kinds.{name.replace('-', '_')}").config(args) == cls.digits()


def test_every_deep_net_claim_trains_on_cifar10_inside_the_context(tmp_path, monkeypatch) -> None:
    """Each deep-net claim's training entry receives the CIFAR-10 configuration inside ``cifar10(DIR)`` and the
    digits one outside (the training itself is replaced by a recorder that stops the check)."""
    seen = []

    class Stop(Exception):
        pass

    def record(config):  # noqa: ANN001, ANN202
        seen.append(config)
        raise Stop

    for name in ("_trained_gamma_sweep", "_trained_nc", "_trained_etf"):
        monkeypatch.setattr(deepnets, name, record)
    claims = [c for c in all_claims() if c.id in {claim.id for claim in deepnets.CLAIMS}]
    assert len(claims) == 7  # behnia2023 Figs. 3, 5; dang2024 Fig. 3, NC, Cor. 4(a); yang2022 Table 1, Fig. 4
    for where in (str(tmp_path), None):
        seen.clear()
        if where is None:
            records = [run_check(c, ch, errata_by_id()) for c in claims for ch in c.checks]
        else:
            with deepnets.cifar10(where):
                records = [run_check(c, ch, errata_by_id()) for c in claims for ch in c.checks]
        assert all(r.status == "error" and "Stop" in r.detail for r in records)
        assert len(seen) == 7
        assert {c.dataset for c in seen} == {"digits" if where is None else "cifar10"}
        if where is not None:
            assert all(c.data_dir == where for c in seen)
            assert {c.net.arch for c in seen} == {"resnet18", "resnet32", "mlp"}


def test_missing_cifar10_copy_is_one_line(tmp_path, capsys) -> None:
    code, out, err = run_cli(capsys, ["verify", "--level", "full", "--cifar10", str(tmp_path / "none"),
                                      "--out", str(tmp_path / "r")])
    assert code == 2 and out == "" and err.count("\n") == 1 and "cifar10 not found" in err and "data_batch_1" in err
    assert not (tmp_path / "r").exists()


def test_cifar10_needs_the_full_level(tmp_path, capsys) -> None:
    for f in BATCHES:
        (tmp_path / f).write_bytes(b"")
    code, _, err = run_cli(capsys, ["verify", "--cifar10", str(tmp_path), "--out", str(tmp_path / "r")])
    assert code == 2 and "--level full" in err and err.count("\n") == 1


def test_provenance_names_the_deep_net_data(tmp_path, capsys, monkeypatch) -> None:
    """One command on fixture files: the estimate comes first, then the run, whose provenance names the data."""
    import training.experiments.estimate as est

    monkeypatch.setattr(est, "cpu_seconds_per_image", lambda net, shape, batch=16: 1e-3)  # no timing here
    data = tmp_path / "cifar-10-batches-py"
    data.mkdir()
    for f in BATCHES:
        (data / f).write_bytes(b"")
    code, _, err = run_cli(capsys, ["verify", "--level", "full", "--claim", "yang2022 Def. 1", "--cifar10",
                                    str(tmp_path), "--out", str(tmp_path / "r")])
    assert code == 0 and err.startswith("igeom verify --cifar10: the deep-net claims with the papers' settings")
    prov = json.loads((tmp_path / "r" / "report.json").read_text())["provenance"]
    assert prov["deep-net data"] == f"CIFAR-10 in {data}, the papers' settings"


def test_the_estimate_of_the_paper_settings(tmp_path, monkeypatch) -> None:
    """The estimate line: the work of the paper presets times a per-image cost (here a planted 1 ms on the CPU,
    so the CPU figure is checkable by hand)."""
    import training.experiments.estimate as est

    monkeypatch.setattr(est, "cpu_seconds_per_image", lambda net, shape, batch=16: 1e-3)
    line = deepnets.estimate_line(deepnets.DeepNetData("cifar10", str(tmp_path)))
    assert line.startswith("igeom verify --cifar10: the deep-net claims with the papers' settings take about")
    assert "on this CPU" in line and "on one H100 GPU" in line
    # behnia2023 App. A.2 alone: 26 ResNet-18 models x 350 epochs x 27 500 images (5 x 5000 + 5 x 500) at 1 ms,
    # plus 36 logged evaluations of 37 500 images at a third of a step
    expected = 26 * 350 * 27_500 * 1e-3 + 26 * 36 * 37_500 * 1e-3 / 3
    assert f"deepnet-gamma {expected / 86400:.1f} days" in line
    # on the GPU the ResNet-18 sweep costs the recorded H100 epoch: 143.7 s per 13 models of 27 500 images
    gpu = (26 * 350 * 27_500 + 26 * 36 * 37_500 / 3) * 143.7 / (13 * 27_500)
    assert f"deepnet-gamma {expected / 86400:.1f} days / {gpu / 3600:.1f} h" in line
