"""``igeom train``: JSON contract, one-line errors with exit status 2, resume through --out, divergence."""

from __future__ import annotations

import json

import pytest

from cli_run import run_cli as _run
from theory.seli.closed_forms import evaluate

SMALL = ["--k", "4", "--k-minor", "2", "--R", "4", "--n-min", "2", "--d", "6"]
GEOMETRY_KEYS = {"W": {"norm_ratio", "cos_maj_maj", "cos_min_min", "cos_maj_min"},
                 "M": {"norm_ratio", "cos_maj_maj", "cos_min_min", "cos_maj_min"}, "WM": {"cos_maj", "cos_min"}}


def test_json_contract_and_convergence(capsys) -> None:
    code, out, err = _run(capsys, ["train", "--loss", "LDT", *SMALL, "--gammas", "-0.5:0.5:3", "--seeds", "0,1",
                                   "--epochs", "1500", "--normalize", "loss-norm", "--lr", "300",
                                   "--dtype", "float64", "--json"])
    assert code == 0, err
    rep = json.loads(out)
    runs = rep["runs"]
    assert [(r["gamma"], r["seed"]) for r in runs] == [(g, s) for g in (-0.5, 0.0, 0.5) for s in (0, 1)]
    for r in runs:
        assert {"gamma", "seed", "geometry", "distance", "train_error", "zero_error"} <= set(r)
        assert {blk: set(v) for blk, v in r["geometry"].items()} == GEOMETRY_KEYS
        assert set(r["distance"]) == {"W", "M", "WM"}
        assert r["zero_error"] is True and r["train_error"] == 0.0
        assert max(r["distance"].values()) < 0.03
        closed = evaluate("LDT", 4, 2, 4.0, 4.0 ** r["gamma"])
        assert r["geometry"]["W"]["cos_maj_min"] == pytest.approx(closed["W.cos_maj_min"], abs=0.03)


def test_negative_gamma_range_parses_and_table_output(capsys) -> None:
    code, out, _ = _run(capsys, ["train", "--loss", "CDT", *SMALL, "--gammas", "-1.5:1.5:2", "--epochs", "3"])
    assert code == 0
    assert "-1.500" in out and "1.500" in out and "dist W" in out


@pytest.mark.parametrize("argv,message", [
    (["--gammas", "1:2"], "start:stop:count"),
    (["--gammas", "a:1:3"], "not a number"),
    (["--gammas", "0:1:0"], "count must lie in [1, 10000]"),
    (["--epochs", "0"], "epochs must be >= 1"),
    (["--lr", "0"], "lr must be > 0"),
    (["--lr", "nan"], "must be finite"),
    (["--momentum", "1.5"], "momentum"),
    (["--batch-size", "0"], "batch_size"),
    (["--device", "cuda"], None),
    (["--seeds", "0,0"], "repeat"),
    (["--k-minor", "4"], "k_minor"),
    (["--d", "2"], "d must be >= k - 1"),
])
def test_bad_input_is_one_line_exit_2(capsys, argv: list[str], message: str | None) -> None:
    import torch

    if argv == ["--device", "cuda"]:
        if torch.cuda.is_available():
            pytest.skip("CUDA is available here")
        message = "cuda"
    code, out, err = _run(capsys, ["train", "--loss", "CDT", *SMALL, "--epochs", "2", *argv]
                          if "--epochs" not in argv else ["train", "--loss", "CDT", *SMALL, *argv])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("igeom: error:") and "Traceback" not in err
    assert message in err


def test_ce_rejects_gamma_and_unknown_loss(capsys) -> None:
    code, _, err = _run(capsys, ["train", "--loss", "CE", *SMALL, "--gammas", "0:1:2", "--epochs", "1"])
    assert code == 2 and "CE has Delta = 1" in err
    code, _, err = _run(capsys, ["train", "--loss", "MSE"])
    assert code == 2 and err.count("\n") == 1 and "invalid choice" in err


def test_out_dir_resumes_and_reuses(capsys, tmp_path) -> None:
    out_dir = tmp_path / "sweep"
    argv = ["train", "--loss", "CDT", *SMALL, "--gammas", "0:1:2", "--epochs", "40", "--out", str(out_dir), "--json"]
    code, first, _ = _run(capsys, argv)
    assert code == 0
    assert {p.name for p in out_dir.iterdir()} >= {"checkpoint.pt", "results.json", "history.npz", "fig2.png"}
    assert (out_dir / "fig2.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in out_dir.iterdir() if p.name.endswith(".tmp")]
    code, again, _ = _run(capsys, argv)
    assert code == 0 and json.loads(again) == json.loads(first)
    # an interrupted sweep (results.json missing, checkpoint present) resumes to the same report
    (out_dir / "results.json").unlink()
    code, resumed, _ = _run(capsys, argv)
    assert code == 0 and json.loads(resumed)["runs"] == json.loads(first)["runs"]
    code, _, err = _run(capsys, [*argv[:-3], "--epochs", "41", "--out", str(out_dir)])
    assert code == 2 and "different sweep" in err


def test_divergence_exits_1_after_reporting(capsys) -> None:
    code, out, err = _run(capsys, ["train", "--loss", "CDT", *SMALL, "--gammas", "0:0:1", "--epochs", "5",
                                   "--lr", "1e30", "--json"])
    assert code == 1
    assert json.loads(out)["runs"][0]["diverged"] is True
    assert err.startswith("igeom: failed:") and "diverged" in err and err.count("\n") == 1
