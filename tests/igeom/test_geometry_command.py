"""`igeom geometry` and `igeom latex`: the JSON contract, agreement of methods, bad input."""

import json
import subprocess
import sys

import pytest

from theory.core.errors import InputError

from igeom.cli import main
from theory.seli.step_geometry import predict_step
from theory.seli.step_setting import StepSetting


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_geometry_json_contract(capsys):
    code, out, err = run_cli(capsys, "geometry", "--loss", "CDT", "--k", "10", "--k-minor", "5", "--R", "10",
                             "--gamma", "0.5", "--json")
    assert code == 0 and err == ""
    obj = json.loads(out)
    assert list(obj) == ["loss", "k", "k_minor", "R", "delta_ratio", "W", "M", "WM"]
    assert list(obj["W"]) == ["norm_ratio", "cos_maj_maj", "cos_min_min", "cos_maj_min"]
    assert list(obj["M"]) == ["norm_ratio", "cos_maj_maj", "cos_min_min", "cos_maj_min"]
    assert list(obj["WM"]) == ["cos_maj", "cos_min"]
    assert obj["delta_ratio"] == pytest.approx(10**0.5)
    # Cor. 3(i): Delta = sqrt(R) aligns every classifier with its class mean
    assert obj["WM"]["cos_maj"] == pytest.approx(1, abs=1e-12) and obj["WM"]["cos_min"] == pytest.approx(1, abs=1e-12)


@pytest.mark.parametrize("loss, extra", [("CE", []), ("CDT", ["--delta-ratio", "0.3"]), ("LDT", ["--gamma", "-1.2"])])
def test_geometry_methods_agree(capsys, loss, extra):
    base = ["geometry", "--loss", loss, "--k", "6", "--k-minor", "1", "--R", "7.5", *extra, "--json"]
    _, sym, _ = run_cli(capsys, *base)
    _, num, _ = run_cli(capsys, *base, "--method", "numeric")
    a, b = json.loads(sym), json.loads(num)
    assert a["W"]["cos_min_min"] is None and b["W"]["cos_min_min"] is None  # single minority class
    for block in ("W", "M", "WM"):
        for key, v in a[block].items():
            if v is not None:
                assert v == pytest.approx(b[block][key], rel=1e-9)


def test_geometry_table(capsys):
    code, out, _ = run_cli(capsys, "geometry", "--loss", "LDT", "--k", "4", "--k-minor", "2", "--R", "9",
                           "--delta-ratio", "3")
    assert code == 0 and "classifiers W" in out and "cos(w_c, mu_c)" in out
    # LDT at Delta = sqrt(R) is an ETF: cosines -1/(k-1) = -0.3333333333
    assert "-0.3333333333" in out


@pytest.mark.parametrize("argv, fragment", [
    (["--k", "1", "--k-minor", "1", "--R", "10", "--gamma", "0"], "k must be >= 2"),
    (["--k", "5", "--k-minor", "5", "--R", "10", "--gamma", "0"], "k_minor must lie in"),
    (["--k", "5", "--k-minor", "0", "--R", "10", "--gamma", "0"], "k_minor must be >= 1"),
    (["--k", "5", "--k-minor", "2", "--R", "0", "--gamma", "0"], "R must be > 0"),
    (["--k", "5", "--k-minor", "2", "--R", "-1", "--delta-ratio", "1"], "R must be > 0"),
    (["--k", "5", "--k-minor", "2", "--R", "nan", "--gamma", "0"], "must be finite"),
    (["--k", "5", "--k-minor", "2", "--R", "inf", "--gamma", "0"], "must be finite"),
    (["--k", "5", "--k-minor", "2", "--R", "ten", "--gamma", "0"], "not a number"),
    (["--k", "5", "--k-minor", "2", "--R", "10", "--gamma", "nan"], "must be finite"),
    (["--k", "5", "--k-minor", "2", "--R", "10", "--delta-ratio", "0"], "must be > 0"),
    (["--k", "5", "--k-minor", "2", "--R", "10", "--delta-ratio", "-2"], "must be > 0"),
    (["--k", "5", "--k-minor", "2", "--R", "10"], "needs --gamma or --delta-ratio"),
    (["--k", "5", "--k-minor", "2", "--R", "10", "--gamma", "1", "--delta-ratio", "2"], "not allowed with"),
    (["--k", "5", "--k-minor", "2", "--R", "10", "--gamma", "400"], "not a positive finite number"),
])
def test_geometry_bad_input_one_line_exit_2(capsys, argv, fragment):
    code_or_exit = None
    try:
        code_or_exit = main(["geometry", "--loss", "CDT", *argv])
    except SystemExit as exc:  # argparse-level errors
        code_or_exit = exc.code
    out, err = capsys.readouterr()
    assert code_or_exit == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("igeom: error:") and fragment in err, err


def test_unknown_loss_and_ce_with_delta(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["geometry", "--loss", "focal", "--k", "3", "--k-minor", "1", "--R", "2", "--gamma", "0"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1
    code, _, err = run_cli(capsys, "geometry", "--loss", "CE", "--k", "3", "--k-minor", "1", "--R", "2", "--gamma", "1")
    assert code == 2 and "CE has Delta = 1" in err


def test_geometry_subprocess_no_traceback():
    """The installed console entry point: exit 2 and a single stderr line on bad input."""
    proc = subprocess.run([sys.executable, "-m", "igeom.cli", "geometry", "--loss", "CDT", "--k", "3",
                           "--k-minor", "7", "--R", "2", "--gamma", "0"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_library_raises_the_same_message():
    with pytest.raises(ValueError, match="k_minor must lie in"):
        StepSetting("CDT", 3, 7, 2.0, 1.0)


def test_predict_step_refuses_raw_arguments():
    """predict_step takes a StepSetting (validated once, at the boundary): loose numbers are refused."""
    with pytest.raises(InputError, match="StepSetting"):
        predict_step({"loss": "CDT", "k": 3, "k_minor": 1, "R": 2.0, "delta_ratio": 1.0})


def test_latex_prints_selected_formulas(capsys):
    code, out, _ = run_cli(capsys, "latex", "--loss", "ldt", "--quantity", "W.norm_ratio", "--expanded")
    lines = out.strip().splitlines()
    assert code == 0 and lines[0] == "% LDT W.norm_ratio" and len(lines) == 2
    assert lines[1].startswith(r"\left\|w_{\mathrm{maj}}\right\|^2 / \left\|w_{\mathrm{min}}\right\|^2 = ")
    code, out, _ = run_cli(capsys, "latex", "--expanded")
    assert out.count("% ") == 42


def test_latex_prints_the_sheets_reduced_forms(capsys):
    """issue 22 item 6: ``igeom latex --loss CDT --quantity W.norm_ratio`` printed unsimplified SymPy; it now
    prints the formula sheet's own lines (t, then the quantity), which the sheet contains verbatim."""
    from theory.formula_sheet import formula_sheet

    code, out, _ = run_cli(capsys, "latex", "--loss", "cdt", "--quantity", "W.norm_ratio")
    lines = out.strip().splitlines()
    assert code == 0 and lines[2] == "% CDT W.norm_ratio" and lines[1].startswith("t = ") and len(lines) == 4
    sheet = formula_sheet("CDT", "W.norm_ratio")
    assert lines[1] in sheet and lines[3] in sheet
    code, expanded, _ = run_cli(capsys, "latex", "--loss", "CDT", "--quantity", "W.norm_ratio", "--expanded")
    assert len(lines[3]) < 0.6 * len(expanded.splitlines()[1])
    code, out, _ = run_cli(capsys, "latex")
    assert sum(1 for line in out.splitlines() if line.startswith("% ") and ":" not in line) == 42


def test_latex_sheet_written_atomically(capsys, tmp_path):
    target = tmp_path / "sub" / "sheet.tex"
    code, out, err = run_cli(capsys, "latex", "--sheet", str(target))
    assert code == 0 and out == "" and "wrote" in err
    text = target.read_text()
    assert text.startswith(r"\documentclass") and text.rstrip().endswith(r"\end{document}")
    assert [p.name for p in target.parent.iterdir()] == ["sheet.tex"]  # no temporary left behind
    code, _, err = run_cli(capsys, "latex", "--sheet", str(tmp_path / "sheet.pdf"))
    assert code == 2 and "must name a .tex file" in err
