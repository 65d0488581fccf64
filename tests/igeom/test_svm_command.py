"""``igeom svm``: JSON contract, agreement with ``igeom geometry``, one-line errors with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from igeom.cli import main

KEYS = {"status", "objective", "predicted_objective", "max_abs_dev_Z", "collapse_error", "max_violation",
        "geometry", "seconds"}
SETTING = ["--k", "4", "--k-minor", "2", "--R", "2", "--gamma", "0.5"]


def _json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def predicted():
    """The closed-form prediction that ``igeom geometry --json`` prints for the same setting."""
    from theory.seli.step_geometry import predict_step
    from theory.seli.step_setting import StepSetting

    return {loss: predict_step(StepSetting(loss, 4, 2, 2.0, 2.0**0.5)) for loss in ("CDT", "LDT")}


@pytest.mark.parametrize("extra", [[], ["--reduced"], ["--solver", "nonconvex", "--d", "5", "--seed", "3"]])
@pytest.mark.parametrize("loss", ["CDT", "LDT"])
def test_json_contract_and_agreement_with_geometry(capsys, predicted, loss, extra):
    """Exactly the contract's keys; geometry has the W/M/WM keys of igeom geometry --json and the same
    values to 1e-6 (solver accuracy ~1e-8); the optimum equals 2||Z-hat||_* (Thm 2)."""
    out = _json(capsys, ["svm", "--loss", loss, *SETTING, "--n-min", "2", "--json", *extra])
    assert set(out) == KEYS
    assert out["status"] == ("converged" if "nonconvex" in extra else "optimal")
    assert out["objective"] == pytest.approx(out["predicted_objective"], rel=1e-6)
    assert out["max_abs_dev_Z"] <= 1e-5 and out["max_violation"] <= 1e-6
    if "--reduced" in extra:
        assert out["collapse_error"] is None
    else:
        assert out["collapse_error"] <= 1e-5
    pred = predicted[loss]
    for block in ("W", "M", "WM"):
        assert list(out["geometry"][block]) == list(pred[block])
        for key, value in out["geometry"][block].items():
            assert value == pytest.approx(pred[block][key], abs=1e-6)


def test_geometry_command_prints_the_same_keys(capsys):
    geo = _json(capsys, ["geometry", "--loss", "CDT", *SETTING, "--json"])
    svm = _json(capsys, ["svm", "--loss", "CDT", *SETTING, "--n-min", "1", "--json", "--reduced"])
    assert {b: list(geo[b]) for b in ("W", "M", "WM")} == {b: list(svm["geometry"][b]) for b in ("W", "M", "WM")}


def test_reduced_accepts_real_ratio(capsys):
    """At class level n_min * R need not be an integer (R = 2.5, n_min = 1)."""
    out = _json(capsys, ["svm", "--loss", "CE", "--k", "3", "--k-minor", "1", "--R", "2.5", "--n-min", "1",
                         "--reduced", "--json"])
    assert out["objective"] == pytest.approx(out["predicted_objective"], rel=1e-6)


def test_table_output(capsys):
    assert main(["svm", "--loss", "CE", "--k", "3", "--k-minor", "1", "--R", "2", "--n-min", "1"]) == 0
    text = capsys.readouterr().out
    assert "status                optimal" in text
    assert "classifiers W" in text and "cos(w_c, mu_c)" in text


@pytest.mark.parametrize("argv", [
    ["--k", "1", "--k-minor", "1", "--R", "2", "--n-min", "1"],
    ["--k", "3", "--k-minor", "0", "--R", "2", "--n-min", "1"],
    ["--k", "3", "--k-minor", "3", "--R", "2", "--n-min", "1"],
    ["--k", "3", "--k-minor", "1", "--R", "-2", "--n-min", "1"],
    ["--k", "3", "--k-minor", "1", "--R", "nan", "--n-min", "1"],
    ["--k", "3", "--k-minor", "1", "--R", "2", "--n-min", "0"],
    ["--k", "3", "--k-minor", "1", "--R", "2.5", "--n-min", "1"],
    ["--k", "3", "--k-minor", "1", "--R", "2", "--n-min", "1", "--d", "1"],
    ["--k", "3", "--k-minor", "1", "--R", "2", "--n-min", "1", "--gamma", "1"],
    ["--k", "3", "--k-minor", "1", "--R", "2", "--n-min", "1", "--seed", "-1"],
    ["--k", "3", "--k-minor", "1", "--R", "2"],
    ["--k", "three", "--k-minor", "1", "--R", "2", "--n-min", "1"],
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        code = main(["svm", "--loss", "CE", *argv])
        raise SystemExit(code)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("igeom: error:"), err


def test_bad_delta_for_cdt(capsys):
    assert main(["svm", "--loss", "CDT", "--k", "3", "--k-minor", "1", "--R", "2", "--n-min", "1",
                 "--delta-ratio", "0"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_console_entry_point_prints_no_traceback():
    """Through the real entry point: d < k - 1 gives one stderr line, status 2, no traceback."""
    proc = subprocess.run([sys.executable, "-m", "igeom.cli", "svm", "--loss", "CE", "--k", "4",
                           "--k-minor", "2", "--R", "2", "--n-min", "1", "--d", "2"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
