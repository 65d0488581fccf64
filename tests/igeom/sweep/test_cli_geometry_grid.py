"""``igeom geometry --gammas A:B:N [--R-values ...] --csv | --plot``: closed forms over a grid (issue 14 item 6)."""

from __future__ import annotations

import csv
import io

import pytest

from igeom.cli import main


def _csv(capsys, *argv):
    assert main(["geometry", *argv, "--csv"]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_cdt_grid_aligns_w_and_mu_at_sqrt_R(capsys):
    """Cor. 3(i) of behnia2023: CDT with Delta = sqrt(R) (gamma = 1/2) aligns every w_c with mu_c."""
    rows = _csv(capsys, "--loss", "CDT", "--k", "6", "--k-minor", "2", "--gammas=-1:1:5", "--R-values", "2,10,50")
    assert [(float(r["R"]), float(r["gamma"])) for r in rows] == [(R, g) for R in (2, 10, 50)
                                                                    for g in (-1, -0.5, 0, 0.5, 1)]
    for r in rows:
        assert float(r["delta_ratio"]) == pytest.approx(float(r["R"]) ** float(r["gamma"]), rel=1e-12)
        aligned = abs(float(r["WM.cos_maj"]) - 1) < 1e-12 and abs(float(r["WM.cos_min"]) - 1) < 1e-12
        assert aligned == (float(r["gamma"]) == 0.5), r


def test_ldt_at_sqrt_R_is_an_etf(capsys):
    """LDT with Delta = sqrt(R): the classifiers form a simplex ETF, every cosine -1/(k-1)."""
    rows = _csv(capsys, "--loss", "LDT", "--k", "5", "--k-minor", "2", "--gammas", "0.5", "--R", "9")
    assert len(rows) == 1
    for c in ("W.cos_maj_maj", "W.cos_min_min", "W.cos_maj_min"):
        assert float(rows[0][c]) == pytest.approx(-1 / 4, abs=1e-12)


def test_plot_writes_png(tmp_path, capsys):
    png = tmp_path / "theory.png"
    assert main(["geometry", "--loss", "CDT", "--k", "10", "--k-minor", "5", "--gammas=-1.5:1.5:13",
                 "--R-values", "5,10,100", "--plot", str(png), "--metric", "M.norm_ratio"]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("argv, fragment", [
    (["--gammas", "0:1:3", "--R", "10", "--gamma", "1", "--csv"], "replaces --gamma"),
    (["--gammas", "0:1:3", "--R", "10"], "needs --csv and/or --plot"),
    (["--gammas", "0:1:3", "--R-values", "2,-1", "--csv"], "R must be > 0"),
    (["--gammas", "0:1:0", "--R", "2", "--csv"], "count must lie in [1, 10000]"),
    (["--R-values", "2,3", "--csv"], "required"),
    (["--gamma", "1"], "required"),
])
def test_bad_grid_input_exit_2_one_line(capsys, argv, fragment):
    try:
        code = main(["geometry", "--loss", "CDT", "--k", "4", "--k-minor", "2", *argv])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err
