"""`igeom check-param` and proofs_check.tasks.parameterization_check: a new parameterization against its prediction."""

import json

import numpy as np
import pytest

from proofs_check.tasks.parameterization_check import check_parameterization, read_matrix
from igeom.cli import main
from theory.core.imbalance import Imbalance

A = [[1.0, 2.0, 1.0], [1.0, 1.0, 3.0], [2.0, 1.0, 1.0]]


def test_sgd_reaches_the_convex_program_prediction():
    """Implicit bias for a matrix that is neither CDT nor LDT: after 3000 epochs of the loss-normalised
    recipe every normalised Gram distance is below 0.02 (measured 0.002-0.007)."""
    res = check_parameterization(A, Imbalance([6, 3, 2]), epochs=3000)
    assert res.program == "sample-level" and res.certificate_gap < 1e-6
    assert res.train_error == 0.0
    assert max(res.distance.values()) < 0.02, res.distance
    # the SVM normalisation of the prediction: the smallest margin is 1
    from theory.core.parameterization import Parameterization

    margins = Parameterization.custom(np.array(A)).margins(res.predicted.G_WM[:, [0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2]],
                                                           np.repeat(np.arange(3), [6, 3, 2]))
    assert np.min(margins) == pytest.approx(1.0, abs=1e-6)


def test_wrong_prediction_is_detected():
    """Negative control: comparing SGD on A with the prediction for a different matrix gives a large
    distance, so the agreement above is not automatic."""
    res = check_parameterization(A, Imbalance([6, 3, 2]), epochs=300)
    other = check_parameterization(np.ones((3, 3)), Imbalance([6, 3, 2]), epochs=300)
    from theory.core.collapse_metrics import normalized_distance

    assert float(normalized_distance(res.sgd["G_W"], other.predicted.G_W)) > 0.1


def test_cli_json_contract_and_files(tmp_path, capsys):
    scaling = tmp_path / "A.json"
    scaling.write_text(json.dumps(A))
    iota = tmp_path / "iota.csv"
    iota.write_text("0.5,0,-0.5\n")
    code = main(["check-param", "--scaling", str(scaling), "--counts", "6,3,2", "--iota", str(iota),
                 "--epochs", "1500", "--out", str(tmp_path / "out"), "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    obj = json.loads(out)
    assert {"predicted", "sgd", "distance"} <= set(obj)
    assert set(obj["predicted"]) == set(obj["sgd"]) == {"G_W", "G_M", "G_WM"}
    assert set(obj["distance"]) == {"W", "M", "WM"}
    assert np.linalg.norm(np.array(obj["sgd"]["G_W"])) == pytest.approx(1.0)
    assert max(obj["distance"].values()) < 0.05  # offsets do not change the limit geometry
    assert (tmp_path / "out" / "check_param.png").stat().st_size > 1000
    assert json.loads((tmp_path / "out" / "check_param.json").read_text()) == obj


@pytest.mark.parametrize("content, suffix, argv_counts, fragment", [
    ("1,2\n3,-1\n", ".csv", "3,3", "strictly positive"),
    ("[[1, 2, 3]]", ".json", "3,3", "square"),
    ("1,2\n3,4\n", ".csv", "3,3,3", "2 x 2 but there are 3 class counts"),
    ("1,2\n3,4\n", ".csv", "3,0", "must be >= 1"),
    ("1,2\n3,4\n", ".csv", "3,x", "comma-separated integers"),
    ("1,2\n3,4\n", ".txt", "3,3", "must end in .json or .csv"),
    ("[[1, 2], [3", ".json", "3,3", "cannot read"),
    ("1,2\n3,nan\n", ".csv", "3,3", "finite"),
])
def test_cli_bad_input(tmp_path, capsys, content, suffix, argv_counts, fragment):
    path = tmp_path / f"A{suffix}"
    path.write_text(content)
    try:
        code = main(["check-param", "--scaling", str(path), "--counts", argv_counts, "--epochs", "10"])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and fragment in err, err


def test_missing_file(tmp_path, capsys):
    assert main(["check-param", "--scaling", str(tmp_path / "nope.csv"), "--counts", "2,2"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_read_matrix_formats(tmp_path):
    (tmp_path / "a.csv").write_text("1, 2\n\n3, 4\n")
    (tmp_path / "a.json").write_text("[[1, 2], [3, 4]]")
    assert read_matrix(tmp_path / "a.csv").tolist() == read_matrix(tmp_path / "a.json").tolist() == [[1, 2], [3, 4]]


def _strict_json(text):
    """json.loads that rejects NaN and Infinity (never valid in a successful output)."""
    def reject(token):
        raise AssertionError(f"{token} in the output")
    return json.loads(text, parse_constant=reject)


def test_predict_only_json_uses_the_large_k_route(tmp_path, capsys):
    """--predict-only at k = 12 with n > 400 takes the active-set Newton route; its Gram matrices agree with
    the SCS class-level program to 1e-5 (normalised distance) and the smallest margin is 1 (SVM scale)."""
    from numerics.cs_svm import solve_cs_svm
    from theory.core.collapse_metrics import normalized_distance
    from theory.core.parameterization import Parameterization

    rng = np.random.default_rng(5)
    counts = [200, 150, 120, 100, 80, 60, 50, 40, 30, 20, 15, 10]
    A = np.tile((np.array(counts) / 200.0) ** 0.5, (12, 1)) * rng.uniform(0.9, 1.1, size=(12, 12))
    (tmp_path / "A.json").write_text(json.dumps(A.tolist()))
    code = main(["check-param", "--scaling", str(tmp_path / "A.json"), "--counts", ",".join(map(str, counts)),
                 "--predict-only", "--json", "--out", str(tmp_path / "out")])
    out, _ = capsys.readouterr()
    assert code == 0
    obj = _strict_json(out)
    assert obj["program"] == "class-level (active-set Newton)"
    assert obj["certificate"]["relative_gap"] < 1e-6 and obj["certificate"]["rank"] == 11
    assert _strict_json((tmp_path / "out" / "prediction.json").read_text()) == obj
    param = Parameterization.custom(A)
    reference = solve_cs_svm(np.array(counts, dtype=float), param, reduced=True).geometry()
    for g in ("G_W", "G_M", "G_WM"):
        assert float(normalized_distance(np.array(obj["predicted"][g]), getattr(reference, g))) < 1e-5, g
    margins = param.margins(np.array(obj["predicted"]["G_WM"]), np.arange(12))
    assert np.min(margins) == pytest.approx(1.0, abs=1e-9)


def test_predict_only_text(tmp_path, capsys):
    (tmp_path / "A.json").write_text(json.dumps(A))
    assert main(["check-param", "--scaling", str(tmp_path / "A.json"), "--counts", "6,3,2", "--predict-only"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("prediction: sample-level program, certified")
    assert len(out) == 2 + 3 and out[2].split()[:2] == ["1", "6"]  # classes numbered from 1, as in --csv


def test_predict_only_csv(tmp_path, capsys):
    (tmp_path / "A.json").write_text(json.dumps(A))
    assert main(["check-param", "--scaling", str(tmp_path / "A.json"), "--counts", "6,3,2", "--predict-only",
                 "--csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "class,count,w_norm,mu_norm,cos_w_mu" and len(rows) == 4
    assert all(0.0 < float(r.split(",")[4]) <= 1.0 + 1e-9 for r in rows[1:])  # cosines of the prediction


def test_predict_only_bad_input(tmp_path, capsys):
    (tmp_path / "A.csv").write_text("1,2\n3,4\n")
    code = main(["check-param", "--scaling", str(tmp_path / "A.csv"), "--counts", "3,3,3", "--predict-only"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "2 x 2 but there are 3 class counts" in err


def test_predict_only_for_a_loss_preset(capsys):
    # CDT with delta_c = (n_c / n_max)^(1/2) on two groups is Cor. 3(i)'s Delta = sqrt(R): cos(w_c, mu_c) = 1
    assert main(["check-param", "--loss", "CDT", "--gamma", "0.5", "--counts", "20,20,5,5", "--predict-only",
                 "--csv"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert len(rows) == 4 and all(abs(float(r.split(",")[4]) - 1.0) < 1e-6 for r in rows)
    # CE's prediction is not aligned that way on the same counts (a control)
    assert main(["check-param", "--loss", "CE", "--counts", "20,20,5,5", "--predict-only", "--csv"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert min(float(r.split(",")[4]) for r in rows) < 1.0 - 1e-3


@pytest.mark.parametrize("argv, message", [
    (["--loss", "focal", "--counts", "4,4", "--predict-only"], "no max-margin"),
    (["--loss", "CDT", "--gamma", "1", "--counts", "4,4"], "needs --predict-only"),
    (["--scaling", "A.csv", "--gamma", "1", "--counts", "4,4"], "go with --loss"),
])
def test_preset_arguments_bad_input(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "A.csv").write_text("1,1\n1,1\n")
    assert main(["check-param", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_library_refuses_raw_counts_before_any_work():
    """Below the CLI the counts are an Imbalance (the CLI builds it from --counts once): a list is refused
    with InputError by the prediction, the estimate and the check, not converted."""
    from proofs_check.tasks.parameterization_check import estimate, predict
    from theory.core.errors import InputError
    from theory.core.parameterization import Parameterization

    for call in (lambda: predict(Parameterization.ce(3), [6, 3, 2]), lambda: estimate([6, 3, 2]),
                 lambda: check_parameterization(np.ones((3, 3)), [6, 3, 2], epochs=1)):
        with pytest.raises(InputError, match="must be an Imbalance"):
            call()
