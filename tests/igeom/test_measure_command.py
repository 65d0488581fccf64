"""``igeom measure``: file formats, the JSON contract, --out, and every bad input of issue 12 (exit 2, one line)."""

import json

import numpy as np
import pytest
import torch

from numerics.cs_svm import solve_cs_svm
from igeom.cli import main
from theory.core.imbalance import Imbalance
from theory.core.loss_presets import preset_loss

COUNTS = np.array([12, 12, 3, 3])
D = 8


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """CDT(gamma = 0.5) minimiser features (convex program) with 1% noise, in every supported format."""
    root = tmp_path_factory.mktemp("measure")
    param = preset_loss("CDT", Imbalance(COUNTS), gamma=0.5).svm_parameterization()
    W, M = solve_cs_svm(COUNTS, param, reduced=True).factors(D)
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(4), COUNTS)
    X = (M[:, y].T + 0.01 * rng.standard_normal((y.size, D))).astype(np.float32)
    np.save(root / "X.npy", X)
    np.save(root / "W.npy", W.T)
    np.savez(root / "bundle.npz", feats=X, labels=y)
    torch.save({"feats": torch.from_numpy(X), "labels": torch.from_numpy(y)}, root / "bundle.pt")
    torch.save(torch.from_numpy(W.T.copy()), root / "W.pt")
    (root / "y.csv").write_text(",".join(map(str, y)) + "\n")
    (root / "y.txt").write_text("\n".join(map(str, y)) + "\n")
    np.savetxt(root / "W.csv", W.T, delimiter=",")
    return root


def _run(capsys, *argv):
    try:
        code = main(["measure", *map(str, argv)])
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_json_contract(files, capsys):
    code, out, err = _run(capsys, "--features", files / "X.npy", "--labels", files / "y.csv", "--classifier",
                          files / "W.npy", "--loss", "CDT", "--gamma", "0.5", "--two-pass", "--batch-rows", "5", "--json")
    assert code == 0, err
    obj = json.loads(out)
    assert set(obj) == {"counts", "measured", "predicted", "distance", "nc", "verdict", "matches", "thresholds"}
    assert obj["counts"] == COUNTS.tolist()
    assert set(obj["measured"]) == {"G_W", "G_M", "G_WM", "summary"}
    assert {"loss", "G_W", "G_M", "G_WM"} <= set(obj["predicted"])
    assert set(obj["nc"]) >= {"nc1", "nc2", "nc3", "nc4"} and obj["nc"]["nc4"] == 0.0
    assert max(obj["distance"].values()) < 0.02  # 1% noise on the exact minimiser
    assert set(obj["measured"]["summary"]) == {"W", "M", "WM"}  # two count values: majority / minority groups


def test_wrong_loss_is_far(files, capsys):
    code, out, _ = _run(capsys, "--features", files / "X.npy", "--labels", files / "y.txt", "--classifier",
                        files / "W.csv", "--loss", "LDAM", "--ldam-c", "0.5", "--json")
    assert code == 0 and max(json.loads(out)["distance"].values()) > 0.1  # LDAM predicts CE's geometry


@pytest.mark.parametrize("features,labels,classifier", [
    ("bundle.npz:feats", "bundle.npz:labels", "W.pt"), ("bundle.pt:feats", "bundle.pt:labels", "W.npy")])
def test_npz_and_pt_sources(files, capsys, features, labels, classifier):
    code, out, err = _run(capsys, "--features", f"{files}/{features}", "--labels", f"{files}/{labels}",
                          "--classifier", files / classifier, "--loss", "CDT", "--gamma", "0.5")
    assert code == 0, err
    assert "distances" in out and "NC1" in out


def test_out_writes_json_and_figure(files, capsys, tmp_path):
    code, _, err = _run(capsys, "--features", files / "X.npy", "--labels", files / "y.csv", "--out", tmp_path / "o")
    assert code == 0, err
    obj = json.loads((tmp_path / "o" / "measure.json").read_text())
    assert obj["distance"]["W"] is None and obj["nc"]["nc3"] is None  # no classifier given
    assert (tmp_path / "o" / "measure.png").stat().st_size > 10_000


def _bad(tmp_path, files):
    """name -> (arguments, expected stderr fragment) for every bad input of issue 12."""
    X = np.load(files / "X.npy")
    y = np.repeat(np.arange(4), COUNTS)
    p = tmp_path
    np.save(p / "nan.npy", np.where(np.arange(X.size).reshape(X.shape) == 7, np.nan, X))
    np.save(p / "inf.npy", np.where(np.arange(X.size).reshape(X.shape) == 7, np.inf, X))
    np.save(p / "short.npy", X[:-1])
    np.save(p / "ybig.npy", np.where(y == 3, 4, y))
    np.save(p / "yneg.npy", np.where(y == 3, -1, y))
    np.save(p / "yfloat.npy", y + 0.5)
    (p / "yfloat.csv").write_text("0,1.5,2\n")
    np.save(p / "ygap.npy", np.where(y == 2, 3, y))
    np.save(p / "W5.npy", np.ones((5, D)))
    np.save(p / "Wd.npy", np.ones((4, D + 1)))
    (p / "empty.npy").write_bytes(b"")
    f, lab, W = files / "X.npy", files / "y.csv", files / "W.npy"
    return {
        "shape mismatch": (["--features", p / "short.npy", "--labels", lab], "rows but"),
        "label out of range (classifier k)": (["--features", f, "--labels", p / "ybig.npy", "--classifier", W], "out of range"),
        "negative label": (["--features", f, "--labels", p / "yneg.npy"], "out of range"),
        "non-integer labels (npy)": (["--features", f, "--labels", p / "yfloat.npy"], "integers"),
        "non-integer labels (csv)": (["--features", f, "--labels", p / "yfloat.csv"], "integers"),
        "class with no sample": (["--features", f, "--labels", p / "ygap.npy"], "class 2 has no sample"),
        "NaN features": (["--features", p / "nan.npy", "--labels", lab], "NaN or inf"),
        "inf features": (["--features", p / "inf.npy", "--labels", lab], "NaN or inf"),
        "unknown npz key": (["--features", f"{files}/bundle.npz:nope", "--labels", lab], "no key 'nope'"),
        "empty file": (["--features", p / "empty.npy", "--labels", lab], "is empty"),
        "classifier k disagrees": (["--features", f, "--labels", lab, "--classifier", p / "W5.npy"], "class 4 has no sample"),
        "classifier d disagrees": (["--features", f, "--labels", lab, "--classifier", p / "Wd.npy"], "d = 8"),
        "missing file": (["--features", p / "missing.npy", "--labels", lab], "does not exist"),
        "focal has no prediction": (["--features", f, "--labels", lab, "--loss", "focal", "--focal-gamma", "2"],
                                    "no max-margin prediction"),
        "preset option mismatch": (["--features", f, "--labels", lab, "--loss", "LA", "--gamma", "1"], "--loss LA takes no --gamma"),
        "relu without lambdas": (["--features", f, "--labels", lab, "--relu-features"], "--lambda-w"),
        "two-pass without classifier": (["--features", f, "--labels", lab, "--two-pass"], "needs the classifier"),
        "unknown preset": (["--features", f, "--labels", lab, "--loss", "hinge"], "invalid choice"),
    }


def test_every_bad_input_is_one_line_and_exit_2(files, capsys, tmp_path):
    for name, (argv, fragment) in _bad(tmp_path, files).items():
        code, out, err = _run(capsys, *argv)
        assert code == 2, (name, err)
        assert out == "" and err.count("\n") == 1 and fragment in err and "Traceback" not in err, (name, err)


def test_check_param_takes_count_profiles():
    """--counts of check-param accepts the profiles (issue 12 part 2)."""
    from igeom.cli import build_parser

    args = build_parser().parse_args(["check-param", "--scaling", "A.csv", "--counts", "exp:10,100"])
    assert args.counts.counts.tolist() == [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]
    step = build_parser().parse_args(["check-param", "--scaling", "A.csv", "--counts", "step:3,1,2"]).counts
    assert step.counts.tolist() == [2, 2, 1] and step.k_minor == 1  # the profile's groups travel with it
