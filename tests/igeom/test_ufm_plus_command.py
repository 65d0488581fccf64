"""``igeom ufm-plus``: the JSON contract, the numerical check and one-line errors with exit status 2."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from igeom.cli import main
from theory.ufm_plus.closed_form import predict

KEYS = {"M", "h_norm_sq", "w_norm_sq", "cos_w", "collapsed", "minority_collapse_R", "complete_collapse", "numeric"}


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        rc = main(argv)
    except SystemExit as exc:          # argparse usage errors
        rc = int(exc.code)
    out, err = capsys.readouterr()
    return rc, out, err


def test_json_contract_per_class_in_given_order(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(["ufm-plus", "--counts", "2,8,2,8", "--lambda-w", "5e-3", "--lambda-h", "5e-3", "--json"], capsys)
    assert rc == 0
    data = json.loads(out)
    assert KEYS <= set(data) and data["numeric"] is None
    pred = predict([2, 8, 2, 8], 5e-3, 5e-3)
    assert np.allclose(data["M"], pred.M, rtol=1e-15) and data["M"][0] < data["M"][1]
    assert np.allclose(data["h_norm_sq"], pred.h_norm_sq, rtol=1e-15)
    assert np.allclose(data["w_norm_sq"], pred.w_norm_sq, rtol=1e-15)
    assert np.allclose(np.array(data["cos_w"], dtype=float), pred.cos_w, rtol=1e-15)
    assert data["collapsed"] == [False] * 4 and data["complete_collapse"] is False
    # two-level counts: R* = (sqrt((K-1)/(K n_B lW lH)) - K_B) / K_A with K_A = K_B = 2, n_B = 2
    assert data["minority_collapse_R"] == pytest.approx((math.sqrt(3 / (4 * 2 * 25e-6)) - 2) / 2, rel=1e-14)


def test_collapse_fields(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(["ufm-plus", "--counts", "8,8,2,2", "--lambda-w", "0.08", "--lambda-h", "0.08", "--json"], capsys)
    data = json.loads(out)
    assert rc == 0 and data["collapsed"] == [False, False, True, True] and data["M"][2:] == [0.0, 0.0]
    rc, out, _ = _run(["ufm-plus", "--counts", "8,8,2,2", "--lambda-w", "0.15", "--lambda-h", "0.15", "--json"], capsys)
    data = json.loads(out)
    assert data["complete_collapse"] is True and all(v is None for row in data["cos_w"] for v in row)
    rc, out, _ = _run(["ufm-plus", "--counts", "5,3,1", "--lambda-w", "0.01", "--lambda-h", "0.01", "--json"], capsys)
    assert json.loads(out)["minority_collapse_R"] is None


@pytest.mark.parametrize("lam", ["5e-3", "0.08", "0.15"])
def test_solve_block_agrees_with_closed_form(lam: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(["ufm-plus", "--counts", "8,8,2,2", "--lambda-w", lam, "--lambda-h", lam, "--d", "6",
                       "--solve", "--json"], capsys)
    assert rc == 0
    num = json.loads(out)["numeric"]
    assert {"M", "h_norm_sq", "w_norm_sq", "cos_w", "collapsed", "max_deviation"} <= set(num)
    assert num["max_deviation"] < 1e-9 and num["collapsed_agree"] is True   # tolerances: tests/numerics
    assert abs(num["objective"] - num["objective_closed_form"]) < 1e-12


def test_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(["ufm-plus", "--counts", "8,8,2,2", "--lambda-w", "5e-3", "--lambda-h", "5e-3", "--solve"],
                      capsys)
    assert rc == 0 and "max deviation" in out and len(out.splitlines()) == 8


@pytest.mark.parametrize("args", [
    ["--counts", "8", "--lambda-w", "1e-2", "--lambda-h", "1e-2"],            # fewer than 2 classes
    ["--counts", "8,0", "--lambda-w", "1e-2", "--lambda-h", "1e-2"],          # a count < 1
    ["--counts", "8,2", "--lambda-w", "0", "--lambda-h", "1e-2"],             # lambda <= 0
    ["--counts", "8,2", "--lambda-w", "1e-2", "--lambda-h", "-1"],
    ["--counts", "8,2", "--lambda-w", "nan", "--lambda-h", "1e-2"],           # NaN
    ["--counts", "8,2,2", "--lambda-w", "1e-2", "--lambda-h", "1e-2", "--d", "2"],   # d < K
    ["--counts", "8,,2", "--lambda-w", "1e-2", "--lambda-h", "1e-2"],         # malformed lists
    ["--counts", "8;2", "--lambda-w", "1e-2", "--lambda-h", "1e-2"],
    ["--counts", "8,2.5", "--lambda-w", "1e-2", "--lambda-h", "1e-2"],
    ["--counts", "8,2", "--lambda-w", "1e-2"],                                 # missing argument
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(["ufm-plus", *args], capsys)
    assert rc == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("igeom: error:")


def test_console_script_reports_without_traceback() -> None:
    proc = subprocess.run([sys.executable, "-m", "igeom.cli", "ufm-plus", "--counts", "8,2", "--lambda-w",
                           "1e-2", "--lambda-h", "1e-2", "--d", "1"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1
