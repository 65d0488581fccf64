"""The ``measure`` and ``deepnet`` task kinds: their rows against the theory and the library functions
they adapt, a real 2-process embedded cluster bit-identical to one process, and every bad value
rejected (one line, exit 2) before anything runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from numerics.cs_svm import solve_cs_svm
from igeom.cli import main
from proofs_check.tasks.feature_measurement import PredictionSpec, measure
from igeom.sweep.engine import execute, run_sweep
from igeom.sweep.results import read_rows
from igeom.sweep.spec import load_spec, parse_spec
from sweep_helpers import to_toml
from theory.core.errors import InputError
from theory.core.imbalance import Imbalance
from theory.core.loss_presets import preset_loss
from theory.core.vocabulary import TaskOutcome

COUNTS = Imbalance.step(4, 2, 3.0, 4).counts  # 12, 12, 4, 4
D = 8
#: a tiny digits MLP: 2 epochs of the paper's SGD recipe, logged every epoch
TINY_NET = {"hidden": [16], "width": 8, "epochs": 2, "log_every": 1}


def _rows(spec):
    return [r for t in spec.tasks() for r in execute(t)]


def _without_seconds(rows, *keys):
    return {tuple(r[k] for k in keys): {c: v for c, v in r.items() if c != "seconds"} for r in rows}


@pytest.fixture(scope="module")
def minimiser_files(tmp_path_factory):
    """Features at the CDT (gamma = 0.5) CS-SVM minimiser (behnia2023 eq. 3; certified convex program,
    factored and randomly rotated), each class mean repeated n_c times: (features, labels, classifier) paths."""
    param = preset_loss("CDT", Imbalance(COUNTS), gamma=0.5).svm_parameterization()
    W, M = solve_cs_svm(COUNTS, param, reduced=True).factors(D)
    Q = np.linalg.qr(np.random.default_rng(0).standard_normal((D, D)))[0]
    y = np.repeat(np.arange(COUNTS.size), COUNTS.astype(int))
    folder = tmp_path_factory.mktemp("features")
    paths = {name: str(folder / f"{name}.npy") for name in ("features", "labels", "classifier")}
    np.save(paths["features"], (Q @ M)[:, y].T)
    np.save(paths["labels"], y)
    np.save(paths["classifier"], (Q @ W).T)
    return paths


def _measure_spec(files, **fixed):
    return {"kind": "measure", "grid": {"loss": ["CDT", "LDT"], "gamma": [0.5, -0.5]},
            "fixed": {**files, **fixed}}


def test_measure_kind_finds_the_minimiser_of_its_own_loss_only(minimiser_files):
    """Features at the CDT gamma = 0.5 minimiser sit on that prediction (App. A.4 distances at the convex
    program's accuracy, NC1 = 0, NC4 = 0) and away from the other presets' predictions."""
    rows = {(r["loss"], r["gamma"]): r for r in _rows(parse_spec(_measure_spec(minimiser_files, two_pass=True)))}
    assert len(rows) == 4 and all(r["status"] == TaskOutcome.OK for r in rows.values())
    own = rows[("CDT", 0.5)]
    for key in ("W", "M", "WM"):
        assert own[f"distance.{key}"] < 1e-5
    assert own["nc.nc1"] < 1e-12 and own["nc.nc4"] == 0.0
    for other in (("CDT", -0.5), ("LDT", 0.5), ("LDT", -0.5)):
        assert max(rows[other][f"distance.{key}"] for key in ("W", "M", "WM")) > 1e-2, other
    assert own["k"] == 4 and own["n"] == int(COUNTS.sum()) and "CDT" in own["prediction"]


def test_measure_kind_reads_the_features_once_per_task_with_the_same_results(minimiser_files):
    """The presets of one file set are one task; each row equals ``proofs_check.tasks.feature_measurement.measure`` of
    that preset alone, bit for bit."""
    spec = parse_spec(_measure_spec(minimiser_files))
    assert len(spec.tasks()) == 1
    for r in _rows(spec):
        alone = measure(np.load(minimiser_files["features"]), np.load(minimiser_files["labels"]),
                        np.load(minimiser_files["classifier"]), PredictionSpec(r["loss"], {"gamma": r["gamma"]}))
        assert [r[f"distance.{key}"] for key in ("W", "M", "WM")] == [alone.distance[key] for key in ("W", "M", "WM")]
        assert [r[f"nc.{key}"] for key in ("nc1", "nc2", "nc2_etf", "nc3")] == [
            alone.nc[key] for key in ("nc1", "nc2", "nc2_etf", "nc3")]


def test_deepnet_cdt_at_gamma_zero_trains_the_ce_net():
    """Delta = R^0 = 1 makes CDT's scaling CE's (behnia2023 eq. 2a): with one seed the two nets take the
    same SGD path, so their rows agree (float32 training; distances in float64 from the same weights)."""
    rows = _rows(parse_spec({"kind": "deepnet", "grid": {"loss": ["CE", "CDT"]}, "fixed": {"gamma": 0.0, **TINY_NET}}))
    ce, cdt = rows
    assert ce["status"] == cdt["status"] == TaskOutcome.OK
    for c in ("final_loss", "distance.W", "distance.M", "distance.WM", "train_error", "test_balanced_accuracy"):
        assert ce[c] == pytest.approx(cdt[c], rel=1e-6, abs=1e-9), c


def test_deepnet_batch_rows_equal_nets_trained_alone():
    """The losses, gammas and seeds of one setting are one batched program (one task); an MLP in it ends
    where it ends trained alone, bit for bit on the CPU (training.batched)."""
    grid = {"loss": ["CDT", "LDT"], "gamma": [-0.5, 0.5], "seed": [0, 1]}
    spec = parse_spec({"kind": "deepnet", "grid": grid, "fixed": TINY_NET})
    assert len(spec.tasks()) == 1
    for r in _rows(spec):
        (alone,) = _rows(parse_spec({"kind": "deepnet", "fixed": {**TINY_NET, "loss": r["loss"], "gamma": r["gamma"],
                                                                   "seed": r["seed"]}}))
        for c in ("final_loss", "distance.W", "distance.M", "distance.WM", "train_error", "test_balanced_accuracy"):
            assert r[c] == alone[c], (r["loss"], r["gamma"], r["seed"], c)


def test_deepnet_predicted_columns_are_theorem_2_closed_forms():
    """The prediction a deepnet row carries (eigen route of seli_geometry on the digits STEP counts) equals
    the SymPy closed forms of the geometry kind for the same (loss, k, k_minor, R, gamma)."""
    nets = _rows(parse_spec({"kind": "deepnet", "grid": {"loss": ["CDT", "LDT"], "gamma": [-1.0, 1.0]},
                             "fixed": {**TINY_NET, "epochs": 1, "R": 4.0}}))
    theory = {(r["loss"], r["gamma"]): r for r in _rows(parse_spec(
        {"kind": "geometry", "grid": {"loss": ["CDT", "LDT"], "gamma": [-1.0, 1.0]},
         "fixed": {"k": 10, "k_minor": 5, "R": 4.0}}))}
    for r in nets:
        cols = [c for c in r if c.startswith("predicted.")]
        assert len(cols) == 10
        for c in cols:
            assert r[c] == pytest.approx(theory[(r["loss"], r["gamma"])][c.removeprefix("predicted.")],
                                         rel=1e-9, abs=1e-12), c


def test_deepnet_diverged_net_is_flagged_and_the_others_go_on():
    """lr = 1e30: the first step sends the weights to ~1e29 and the next logits overflow float32, so the
    loss is NaN/inf: that row is ``diverged`` with no NaN written; lr = 0.05 is unaffected."""
    rows = {r["lr"]: r for r in _rows(parse_spec({"kind": "deepnet", "grid": {"lr": [0.05, 1e30]},
                                                  "fixed": {**TINY_NET, "loss": "CE"}}))}
    assert rows[0.05]["status"] == TaskOutcome.OK and math.isfinite(rows[0.05]["final_loss"])
    assert rows[1e30]["status"] == TaskOutcome.DIVERGED and "NaN/inf" in rows[1e30]["error"]
    assert rows[1e30]["final_loss"] is None


def test_two_process_cluster_rows_equal_one_process(tmp_path, minimiser_files):
    """Both new kinds on a real 2-process embedded LocalCluster: every row equals the task run here, bit
    for bit (CPU, fixed seeds)."""
    nets = parse_spec({"kind": "deepnet", "grid": {"loss": ["CDT", "LDT"], "gamma": [0.5], "seed": [0, 1],
                                                   "R": [4.0, 8.0]}, "fixed": TINY_NET})
    summary = run_sweep(nets, tmp_path / "deepnet", workers=2)
    assert (summary.tasks, summary.points, summary.counts[str(TaskOutcome.OK)]) == (2, 8, 8)
    keys = ("R", "loss", "gamma", "seed")
    assert _without_seconds(read_rows(summary.results), *keys) == _without_seconds(_rows(nets), *keys)
    files = parse_spec({"kind": "measure", "grid": {"loss": ["CE", "LA", "balanced-softmax"], "two_pass": [False, True]},
                        "fixed": minimiser_files})
    summary = run_sweep(files, tmp_path / "measure", workers=2)
    assert (summary.tasks, summary.points, summary.counts[str(TaskOutcome.OK)]) == (2, 6, 6)
    assert _without_seconds(read_rows(summary.results), "loss", "two_pass") == _without_seconds(
        _rows(files), "loss", "two_pass")


BAD = {
    "measure missing file": ({"features": "/nonexistent/X.npy"}, "X.npy"),
    "measure focal": ({"loss": "focal"}, "focal"),
    "measure CE with gamma": ({"loss": "CE", "gamma": 0.5}, "takes no gamma"),
    "measure CDT without gamma": ({"loss": "CDT"}, "gamma"),
    "measure NC4 without classifier": ({"classifier": None, "two_pass": True}, "needs the classifier"),
    "measure batch rows": ({"batch_rows": 0}, "batch_rows"),
    "measure labels vs rows": ({"labels": "classifier"}, "labels"),
    "deepnet CE with gamma": ({"loss": "CE", "gamma": 1.0}, "CE has Delta = 1"),
    "deepnet digits too small": ({"loss": "CE", "R": 20.0}, "fewer than the 300"),
    "deepnet arch": ({"loss": "CE", "arch": "vit"}, "expected one of"),
    "deepnet epochs": ({"loss": "CE", "epochs": 0}, "epochs"),
    "deepnet momentum": ({"loss": "CE", "momentum": 1.0}, "momentum must lie in [0, 1)"),
    "deepnet mnist without data": ({"loss": "CE", "dataset": "mnist"}, "give data_dir"),
    "deepnet k_minor": ({"loss": "CDT", "k_minor": 0}, "k_minor"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_value_is_one_line_exit_2_before_anything_runs(name, tmp_path, minimiser_files, write_spec, capsys):
    change, fragment = BAD[name]
    if name.startswith("measure"):
        fixed = {**minimiser_files, "loss": "CDT", "gamma": 0.5}
        change = {k: minimiser_files[v] if v in minimiser_files and k != "loss" else v for k, v in change.items()}
        fixed = {k: v for k, v in {**fixed, **change}.items() if v is not None}
        if name == "measure CDT without gamma":
            fixed.pop("gamma")
        spec = {"kind": "measure", "fixed": fixed}
    else:
        spec = {"kind": "deepnet", "fixed": {**TINY_NET, **change}}
    path = write_spec(to_toml(spec))
    with pytest.raises(InputError) as info:
        load_spec(path)
    assert fragment in str(info.value) and "\n" not in str(info.value)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err
    assert not out.exists()
