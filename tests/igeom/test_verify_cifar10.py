"""``igeom verify --cifar10 DIR``: the deep-net claims train on a local CIFAR-10 copy with the papers' settings
(issue 13). No CIFAR-10 run happens here (hours of ResNet-18 on a GPU); the tests check that the settings are
docs/deep-nets.md's CIFAR-10 commands, that the claims receive them, and the refusals."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import proofs_check.claims.deepnets as deepnets
from cli_run import run_cli
from proofs_check.catalog import all_claims
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


def test_settings_are_readmes_cifar10_commands() -> None:
    assert _readme_cifar10_commands() == {k: list(v) for k, v in deepnets.CIFAR10_SETTINGS.items()}


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
    assert len(claims) == 6
    for where in (str(tmp_path), None):
        seen.clear()
        if where is None:
            records = [run_check(c, ch) for c in claims for ch in c.checks]
        else:
            with deepnets.cifar10(where):
                records = [run_check(c, ch) for c in claims for ch in c.checks]
        assert all(r.status == "error" and "Stop" in r.detail for r in records)
        assert len(seen) == 6
        assert {c.dataset for c in seen} == {"digits" if where is None else "cifar10"}
        if where is not None:
            assert all(c.data_dir == where for c in seen)
            assert {c.net.arch for c in seen} == {"resnet18", "mlp"}


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


def test_provenance_names_the_deep_net_data(tmp_path, capsys) -> None:
    data = tmp_path / "cifar-10-batches-py"
    data.mkdir()
    for f in BATCHES:
        (data / f).write_bytes(b"")
    code, _, _ = run_cli(capsys, ["verify", "--level", "full", "--claim", "yang2022 Def. 1", "--cifar10",
                                  str(tmp_path), "--out", str(tmp_path / "r")])
    assert code == 0
    prov = json.loads((tmp_path / "r" / "report.json").read_text())["provenance"]
    assert prov["deep-net data"] == f"CIFAR-10 in {data}, the papers' settings"
