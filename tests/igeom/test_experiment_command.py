"""``igeom experiment convergence | figures`` and ``igeom --version``: strict parsing (one line, exit 2),
the App. A.1 table's contract, divergence as exit 1 without NaN in the output."""

from __future__ import annotations

import json
import re
from importlib.metadata import version

import numpy as np
import pytest

from cli_run import run_cli as _run
from training.recipes import GAMMAS, RECIPES, TARGET
from training.ufm import TrainConfig


def test_version_comes_from_the_package_metadata(capsys):
    code, out, err = _run(capsys, ["--version"])
    assert (code, out, err) == (0, f"igeom {version('implicit-geometry')}\n", "")


def test_version_without_package_metadata_is_one_line_exit_1(capsys, monkeypatch):
    import importlib.metadata

    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    code, out, err = _run(capsys, ["--version"])
    assert code == 1 and out == "" and err.count("\n") == 1 and "not installed" in err


@pytest.mark.parametrize("argv, message", [
    (["convergence", "--recipes", "paper,bogus"], "unknown recipe 'bogus'; expected one of paper,"),
    (["convergence", "--recipes", "best,best"], "named twice"),
    (["convergence", "--recipes", ","], "expected comma-separated recipe names"),
    (["convergence", "--epochs", "0"], "epochs must be >= 1"),
    (["convergence", "--epochs", "1.5"], "not an integer"),
    (["figures", "--recipe", "Paper"], "unknown recipe 'Paper'"),
    (["figures", "--epochs", "-3"], "epochs must be >= 1"),
    (["figures"], "--out"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, argv, message):
    out_args = [] if argv == ["figures"] else ["--out", str(tmp_path / "o")]
    code, out, err = _run(capsys, ["experiment", *argv, *out_args])
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("name", ["convergence", "figures"])
def test_out_that_is_a_file_is_refused(capsys, tmp_path, name):
    target = tmp_path / "file"
    target.write_text("x")
    code, _, err = _run(capsys, ["experiment", name, "--out", str(target), "--epochs", "5"])
    assert code == 2 and err.count("\n") == 1 and "not a directory" in err


def test_convergence_table_contract(capsys, tmp_path):
    """Short training (100 epochs): one row per App. A.1 (loss, gamma); every App. A.4 distance lies in
    [0, 2] (a difference of two unit-Frobenius matrices); the per-recipe worst over |gamma| <= 1 and the
    target verdict follow from the rows; the Markdown printed is the file written."""
    code, out, err = _run(capsys, ["experiment", "convergence", "--out", str(tmp_path), "--recipes", "best,paper",
                                   "--epochs", "100", "--json"])
    assert code == 0, err
    table = json.loads(out)
    assert table == json.loads((tmp_path / "convergence.json").read_text())
    assert list(table["recipes"]) == ["best", "paper"] and table["epochs"] == 100
    for name, rec in table["recipes"].items():
        assert rec["config"]["epochs"] == 100 and rec["config"]["lr"] == RECIPES[name].lr
        runs = rec["runs"]
        assert [(r["loss"], r["gamma"]) for r in runs] == [(loss, g) for loss in ("CDT", "LDT") for g in GAMMAS]
        dist = np.array([[r[key] for key in ("W", "M", "WM")] for r in runs])
        assert np.all((dist >= 0) & (dist <= 2))
        inner = dist[[abs(r["gamma"]) <= 1 for r in runs]]
        assert [rec["worst_abs_gamma_le_1"][key] for key in ("W", "M", "WM")] == inner.max(axis=0).tolist()
        assert rec["meets_target"] == bool(inner.max() <= TARGET)
    md = (tmp_path / "convergence.md").read_text()
    rows = [line.split(" | ")[0] for line in md.splitlines() if re.match(r"\| [+-]\d", line)]
    assert rows == [f"| {g:+.2f}" for g in GAMMAS]
    assert "| gamma | best CDT | best LDT | paper CDT | paper LDT |" in md


def test_diverged_runs_exit_1_with_null_distances(capsys, tmp_path, monkeypatch):
    """A recipe whose step overflows float32 at once (lr 1e38): every run diverges; the table holds null
    (never NaN) for its distances, says "diverged", and the command exits 1 naming the runs."""
    monkeypatch.setitem(RECIPES, "paper", TrainConfig(lr=1e38))
    code, out, err = _run(capsys, ["experiment", "convergence", "--out", str(tmp_path), "--recipes", "paper",
                                   "--epochs", "3"])
    assert code == 1 and err.count("\n") == 1 and "26 runs diverged" in err
    text = (tmp_path / "convergence.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    rec = json.loads(text)["recipes"]["paper"]
    assert all(r["diverged"] and r["W"] is None for r in rec["runs"]) and rec["meets_target"] is False
    assert "diverged/diverged/diverged" in out and "nan" not in out.lower()


def test_figures_writes_fig2_and_fig4(capsys, tmp_path):
    code, out, err = _run(capsys, ["experiment", "figures", "--out", str(tmp_path), "--recipe", "best",
                                   "--epochs", "20"])
    assert code == 0, err
    paths = out.split()
    assert [p.rsplit("/", 1)[-1] for p in paths] == ["fig2-best.png", "fig4-best.png"]
    for p in paths:
        assert open(p, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
