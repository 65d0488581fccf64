"""``igeom experiment deepnet-gamma | nc-relu | etf-dr`` on tiny configurations, and the deep-net claims'
code paths (their full runs are ``--level full`` / ``-m slow``)."""

from __future__ import annotations

import json

import pytest

from igeom.cli import main

TINY = ["--epochs", "2", "--log-every", "1", "--no-progress", "--device", "cpu"]


def _status(argv: list[str]) -> int:
    """Exit status of ``igeom argv`` (argparse usage errors exit through SystemExit)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code)


def _json(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_deepnet_gamma_json_and_resume(tmp_path, capsys) -> None:
    argv = ["experiment", "deepnet-gamma", "--gammas", "-1:1:3", "--json", "--out", str(tmp_path / "run"), *TINY]
    rep = _json(capsys, argv)
    assert [(r["loss"], r["gamma"]) for r in rep["runs"]] == [(l, g) for l in ("CDT", "LDT") for g in (-1.0, 0.0, 1.0)]
    assert rep["counts"] == [150] * 5 + [15] * 5 and rep["paper"] == "behnia2023"
    assert set(rep["trend"]) == {"CDT", "LDT"} and all(r["epoch"] == 2 for r in rep["runs"])
    for name in ("job.json", "sweep.ckpt", "fig3.png", "fig5.png", "results.json"):
        assert (tmp_path / "run" / name).is_file(), name
    assert _json(capsys, argv) == rep  # a finished job returns its stored report
    other = ["experiment", "deepnet-gamma", "--gammas", "0", "--json", "--out", str(tmp_path / "run"), *TINY]
    assert main(other) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "different experiment or settings" in err


def test_deepnet_gamma_resumes_an_interrupted_run(tmp_path, capsys) -> None:
    """A run stopped after its checkpoint (results.json removed) resumes to the same report."""
    out = tmp_path / "run"
    argv = ["experiment", "deepnet-gamma", "--gammas", "0:1:2", "--losses", "CDT", "--json", "--out", str(out), *TINY]
    rep = _json(capsys, argv)
    (out / "results.json").unlink()
    again = _json(capsys, argv)
    rep.pop("seconds"), again.pop("seconds")
    assert again == rep


@pytest.mark.parametrize("argv,message", [
    (["--dataset", "cifar10", "--data", "/nonexistent"], "cifar10 not found in /nonexistent: put data_batch_1"),
    (["--dataset", "mnist"], "mnist is read from a local copy: give --data DIR"),
    (["--losses", "CE"], "losses must be among CDT, LDT"),
    (["--lr", "-1"], "lr must be > 0"),
    (["--epochs", "x"], "not an integer"),
])
def test_deepnet_gamma_bad_input_is_one_line_exit_2(capsys, argv: list[str], message: str) -> None:
    assert _status(["experiment", "deepnet-gamma", *argv, *TINY]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_behnia_claim_code_paths() -> None:
    """The two behnia2023 deep-net checks on a 3-gamma, 2-epoch sweep per seed: well-formed decisions over
    DEEPNET_SEEDS with the pre-stated tolerances (whether they pass needs the full run) and a reduced setting
    that names its departures. Two epochs leave training errors, so Fig. 3 (a statement about the separable
    regime) is inconclusive; Fig. 5 has no premise."""
    from proofs_check.claims.deepnets import (DEEPNET_SEEDS, FIG5_MAX, TREND_MIN, _gamma_sweep, _seeded, behnia_fig5,
                                              behnia_trend)
    from training.batched import SGDConfig
    from training.deepnet import NetConfig
    from training.experiments.gamma_sweep import GammaSweep

    sweep = GammaSweep(gammas=(0.0, 0.75, 1.5), net=NetConfig(hidden=(16,), width=8, sgd=SGDConfig(epochs=2),
                                                                 log_every=1, device="cpu"))
    trend, fig5 = behnia_trend(sweep), behnia_fig5(sweep)
    unfit = 0
    for seed in DEEPNET_SEEDS:
        _, meas = _gamma_sweep(_seeded(sweep, seed))
        unfit += int(((meas.train_error[-1] != 0) | meas.diverged).sum())
    assert unfit > 0  # two epochs of a 16-unit net: the premise is not met
    assert not trend.premise_met and not trend.passed and (trend.figure, trend.tolerance) == (unfit, 0.0)
    assert f"(tolerance {TREND_MIN:g})" in trend.detail and "Spearman over 3 gammas" in trend.detail
    assert trend.setting == "reduced" and trend.seeds == DEEPNET_SEEDS
    assert fig5.tolerance == FIG5_MAX and -1.0 <= fig5.figure <= 1.0 and fig5.seeds == DEEPNET_SEEDS
    if fig5.premise_met:  # decided: the interval lies on one side of the threshold
        assert fig5.passed == (fig5.interval[1] < FIG5_MAX)
    assert "gamma 1.5" in fig5.detail and fig5.setting == "reduced"
    assert any(d.startswith("data: sklearn digits") and "(paper: CIFAR-10)" in d for d in fig5.departures)
    assert "epochs: 2 (paper: 350)" in fig5.departures


def test_nc_relu_json(tmp_path, capsys) -> None:
    rep = _json(capsys, ["experiment", "nc-relu", "--json", "--out", str(tmp_path), "--hidden", "16",
                         "--width", "12", "--collapse-R", "1,8", "--collapse-epochs", "1", *TINY])
    assert rep["counts"] == [20, 20, 40, 40, 60, 60, 80, 80, 100, 100] and rep["epochs"] == [0, 1, 2]
    assert set(rep["nc"]) == {"NC1", "NC2", "NC3"} and all(len(v) == 3 for v in rep["nc"].values())
    assert rep["minority_collapse"]["R_star"] == pytest.approx(5.1237, abs=1e-3)
    assert [r["R"] for r in rep["minority_collapse"]["runs"]] == [1.0, 8.0]
    assert (tmp_path / "fig-nc.png").is_file()


def test_etf_dr_json(tmp_path, capsys) -> None:
    rep = _json(capsys, ["experiment", "etf-dr", "--json", "--out", str(tmp_path), "--ratios", "1,10", "--seeds",
                         "0,1", "--hidden", "16", "--width", "12", *TINY])
    assert set(rep["table"]) == {"learnable+CE", "learnable+CE*", "ETF+CE", "ETF+DR"}
    assert rep["counts"]["10"][0] == 150 and rep["counts"]["10"][-1] == 15
    cell = rep["table"]["ETF+DR"]["10"]
    assert len(cell["per_seed"]["balanced_test_accuracy"]) == 2 and 0 <= cell["balanced_test_accuracy"]["mean"] <= 100
    assert (tmp_path / "fig-etf.png").is_file()
    assert _status(["experiment", "etf-dr", "--methods", "ETF+MSE", *TINY]) == 2
    assert "methods must be among" in capsys.readouterr().err


def test_dang_and_yang_claim_code_paths() -> None:
    """The dang2024 and yang2022 deep-net checks on tiny runs: well-formed outcomes with the pre-stated
    tolerances."""
    from proofs_check.claims.deepnets import (COLLAPSED_MAX, NC_BOUNDS, dang_collapse, dang_nc, yang_alignment,
                                              yang_table1)
    from training.batched import SGDConfig
    from training.deepnet import NetConfig
    from training.experiments.etf_table import ETFTable
    from training.experiments.nc_relu_training import NCExperiment

    net = NetConfig(hidden=(16,), width=12, relu_features=True, sgd=SGDConfig(epochs=2, weight_decay=1e-4, batch_size=32),
                    log_every=1, device="cpu")
    exp = NCExperiment(net=net, collapse_R=(1.0, 2.0, 8.0), collapse_epochs=1)
    nc, collapse = dang_nc(exp), dang_collapse(exp)
    # two epochs leave training errors: both statements (terminal phase, the minimiser) are inconclusive
    assert not nc.premise_met and nc.figure == 3.0 and nc.tolerance == 0.0 and "NC1" in nc.detail  # 1 run x 3 seeds
    assert not collapse.premise_met and collapse.tolerance == 0.0 and "R* = 5.12" in collapse.detail
    assert f"(tolerance {COLLAPSED_MAX:g})" in collapse.detail and nc.setting == collapse.setting == "reduced"
    assert set(NC_BOUNDS) == {"NC1", "NC2", "NC3"}
    table = ETFTable(ratios=(10.0, 50.0), seeds=(0, 1), net=NetConfig(hidden=(16,), width=12, sgd=SGDConfig(epochs=1),
                                                                     log_every=1, device="cpu"))
    t1, align = yang_table1(table), yang_alignment(table)
    for out in (t1, align):  # per-seed gaps, paired by seed, decided by the interval over the two seeds
        assert out.tolerance == 0.0 and out.seeds == (0, 1) and out.setting == "reduced" and out.interval is not None
        assert out.passed == (out.interval[0] > 0.0) and "R 50" in out.detail
