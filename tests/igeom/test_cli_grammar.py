"""One CLI grammar and verdicts in words (issue 22 items 4-5): each UX defect a new user met is a case here,
run in process through ``tests/cli_run.py``."""

from __future__ import annotations

import argparse
import csv
import io
import json

import numpy as np
import pytest

from cli_run import run_cli
from igeom.cli import build_parser
from theory.core.tolerances import NC1_COLLAPSED, PREDICTION_MATCH

COUNTS = np.array([12, 12, 3, 3])
D = 8


def _parsers(parser: argparse.ArgumentParser, path: str = "igeom"):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{path} {name}")


def _one_line(code: int, out: str, err: str, status: int = 2) -> str:
    assert code == status and out == "" and err.count("\n") == 1 and "Traceback" not in err, (code, out, err)
    return err


# ------------------------------------------------------------------ choices: case, "did you mean"
def test_every_choice_of_every_command_is_case_insensitive_with_a_suggestion() -> None:
    seen = 0
    for path, parser in _parsers(build_parser()):
        for action in parser._actions:
            if not action.option_strings or not action.choices:
                continue
            for value in action.choices:
                text = str(value)
                parsed = action.type(text.swapcase()) if text.swapcase() != text else action.type(text)
                assert parsed == value, (path, action.option_strings, text)
                seen += 1
            with pytest.raises(argparse.ArgumentTypeError, match="did you mean"):
                action.type(str(list(action.choices)[0]) + "x")  # a typo of the first choice
    assert seen > 40  # the walk reached the sub-commands and the experiments


def test_loss_cdt_in_lower_case_works(capsys) -> None:
    upper = run_cli(capsys, ["check-param", "--loss", "CDT", "--gamma", "0.5", "--counts", "12,12,3,3",
                             "--predict-only", "--json"])
    lower = run_cli(capsys, ["check-param", "--loss", "cdt", "--gamma", "0.5", "--counts", "12,12,3,3",
                             "--predict-only", "--json"])
    assert upper[0] == lower[0] == 0
    assert json.loads(upper[1])["predicted"] == json.loads(lower[1])["predicted"]


@pytest.mark.parametrize("argv, suggestion", [
    (["check-param", "--loss", "cdtt", "--counts", "4,4", "--predict-only"], "did you mean 'CDT'?"),
    (["geometyr", "--loss", "CDT"], "did you mean 'geometry'?"),
    (["experiment", "presetz"], "did you mean 'presets'?"),
    (["verify", "--level", "quik"], "did you mean 'quick'?"),
    (["latex", "--quantity", "W.norm_ratoi"], "did you mean 'W.norm_ratio'?"),
])
def test_typos_get_the_closest_spelling(capsys, argv, suggestion) -> None:
    assert suggestion in _one_line(*run_cli(capsys, argv))


# ------------------------------------------------------------------ errors name flags
def test_missing_gamma_names_the_flag_not_the_parameter(capsys) -> None:
    err = _one_line(*run_cli(capsys, ["check-param", "--loss", "CDT", "--counts", "4,4,1", "--predict-only"]))
    assert "--loss CDT needs --gamma" in err and "preset" not in err
    err = _one_line(*run_cli(capsys, ["check-param", "--loss", "CE", "--gamma", "1", "--counts", "4,4,1",
                                      "--predict-only"]))
    assert "--loss CE takes no --gamma" in err


def test_options_that_do_not_change_the_prediction_are_not_demanded(capsys) -> None:
    """LDAM's margins and wCE's weights are bounded shifts / factors: both predict CE's geometry (theory.core
    .presets), so neither --ldam-c nor --gamma is demanded, and the predictions equal CE's."""
    base = ["--counts", "12,12,3,3", "--predict-only", "--json"]
    code, out, err = run_cli(capsys, ["check-param", "--loss", "CE", *base])
    assert code == 0, err
    ce = np.array(json.loads(out)["predicted"]["G_W"])
    for loss in ("LDAM", "wCE"):
        code, out, err = run_cli(capsys, ["check-param", "--loss", loss, *base])
        assert code == 0, (loss, err)
        assert np.abs(np.array(json.loads(out)["predicted"]["G_W"]) - ce).max() <= 1e-6 * np.abs(ce).max()


def test_focal_says_first_there_is_no_prediction(capsys, tmp_path) -> None:
    err = _one_line(*run_cli(capsys, ["check-param", "--loss", "focal", "--counts", "4,4"]))
    assert "--loss focal has no prediction" in err and "focal_gamma" not in err and "--predict-only" not in err
    np.save(tmp_path / "X.npy", np.eye(4))
    np.save(tmp_path / "y.npy", np.arange(4))
    err = _one_line(*run_cli(capsys, ["measure", "--features", str(tmp_path / "X.npy"), "--labels",
                                      str(tmp_path / "y.npy"), "--loss", "focal"]))
    assert "--loss focal has no prediction" in err and "focal_gamma" not in err


@pytest.mark.parametrize("command", ["check-param", "measure"])
def test_custom_is_not_a_listed_loss(command) -> None:
    (p,) = [p for path, p in _parsers(build_parser()) if path == f"igeom {command}"]
    (loss,) = [a for a in p._actions if "--loss" in a.option_strings]
    assert "custom" not in [str(c) for c in loss.choices] and "custom" not in loss.help.split("(")[0]
    assert "--scaling" in {s for a in p._actions for s in a.option_strings}  # a custom matrix goes there


# ------------------------------------------------------------------ --gammas in one form everywhere
@pytest.mark.parametrize("argv", [
    ["geometry", "--loss", "CDT", "--k", "4", "--k-minor", "2", "--R", "3", "--csv"],
    ["train", "--loss", "CDT"],
    ["experiment", "deepnet-gamma"],
])
def test_gammas_take_a_negative_grid_in_every_command(argv) -> None:
    args = build_parser().parse_args([*argv, "--gammas", "-1:1:3"])
    assert args.gammas == [-1.0, 0.0, 1.0]


def test_geometry_negative_gamma_grid_runs(capsys) -> None:
    code, out, err = run_cli(capsys, ["geometry", "--loss", "CDT", "--k", "4", "--k-minor", "2", "--R", "3",
                                      "--gammas", "-1:1:3", "--csv"])
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [float(r["gamma"]) for r in rows] == [-1.0, 0.0, 1.0]
    assert [float(r["delta_ratio"]) for r in rows] == pytest.approx([1 / 3, 1.0, 3.0])  # Delta = R^gamma


# ------------------------------------------------------------------ integers print as integers
def test_counts_print_as_integers_in_json_and_csv(capsys) -> None:
    code, out, _ = run_cli(capsys, ["check-param", "--loss", "CE", "--counts", "5,5,1", "--predict-only", "--json"])
    assert code == 0 and '"counts": [5, 5, 1]' in out
    code, out, _ = run_cli(capsys, ["check-param", "--loss", "CE", "--counts", "5,5,1", "--predict-only", "--csv"])
    assert code == 0 and [r["count"] for r in csv.DictReader(io.StringIO(out))] == ["5", "5", "1"]


# ------------------------------------------------------------------ measure: files, hint, NC wording, verdict
@pytest.fixture(scope="module")
def features(tmp_path_factory):
    """CDT(gamma = 1/2) minimiser (certified convex program) with 1% noise (collapsed), the same means with
    noise 3 (not collapsed), the classifier k x d and its transpose."""
    from numerics.cs_svm import solve_cs_svm
    from theory.core.loss_presets import preset_loss

    root = tmp_path_factory.mktemp("grammar")
    W, M = solve_cs_svm(COUNTS, preset_loss("CDT", COUNTS, gamma=0.5).svm_parameterization(), reduced=True).factors(D)
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(4), COUNTS)
    np.save(root / "X.npy", M[:, y].T + 0.01 * rng.standard_normal((y.size, D)))
    np.save(root / "noisy.npy", M[:, y].T + 3.0 * rng.standard_normal((y.size, D)))
    np.save(root / "y.npy", y)
    np.save(root / "W.npy", W.T)
    np.save(root / "WT.npy", W)
    return root


def _measure(capsys, root, *argv: str) -> tuple[int, str, str]:
    return run_cli(capsys, ["measure", "--features", str(root / argv[0]), "--labels", str(root / "y.npy"), *argv[1:]])


def test_transposed_classifier_gets_a_hint(capsys, features) -> None:
    err = _one_line(*_measure(capsys, features, "X.npy", "--classifier", str(features / "WT.npy")))
    assert "looks transposed" in err and "4 x 8" in err


def test_measure_says_what_nc2_is_and_how_to_get_nc4(capsys, features) -> None:
    code, out, err = _measure(capsys, features, "X.npy", "--classifier", str(features / "W.npy"), "--loss", "CDT",
                              "--gamma", "0.5")
    assert code == 0, err
    (nc,) = [line for line in out.splitlines() if line.startswith("NC1")]
    assert "NC2 = the M distance" in nc and "NC4 n/a (needs --two-pass)" in nc
    code, out, _ = _measure(capsys, features, "X.npy")
    assert code == 0 and "NC3 n/a (needs --classifier)" in out and "needs --classifier and --two-pass" in out


def test_measure_verdicts_in_words_and_json(capsys, features) -> None:
    cdt = ["--classifier", str(features / "W.npy"), "--loss", "CDT", "--gamma", "0.5"]
    code, out, _ = _measure(capsys, features, "X.npy", *cdt)
    assert code == 0
    assert out.splitlines()[-1].startswith(f"The features match the prediction: every distance <= {PREDICTION_MATCH:g}")
    code, out, _ = _measure(capsys, features, "X.npy", *cdt, "--json")
    obj = json.loads(out)
    assert obj["matches"] is True and obj["thresholds"] == {"distance": PREDICTION_MATCH, "nc1_collapsed": NC1_COLLAPSED}
    assert obj["verdict"].startswith("The features match")
    # the right features against the wrong loss: LDAM predicts CE's geometry, far from CDT's; still collapsed
    code, out, _ = _measure(capsys, features, "X.npy", "--classifier", str(features / "W.npy"), "--loss", "ldam",
                            "--json")
    obj = json.loads(out)
    assert obj["matches"] is False and max(obj["distance"].values()) > PREDICTION_MATCH
    assert obj["nc"]["nc1"] <= NC1_COLLAPSED and "though collapsed" in obj["verdict"]
    code, out, _ = _measure(capsys, features, "noisy.npy", *cdt, "--json")
    obj = json.loads(out)
    assert obj["nc"]["nc1"] > NC1_COLLAPSED and "and not collapsed" in obj["verdict"]


def test_check_param_ends_with_its_verdict(capsys, tmp_path) -> None:
    (tmp_path / "A.csv").write_text("1,1,1\n1,1,1\n1,1,1\n")  # CE's matrix
    code, out, err = run_cli(capsys, ["check-param", "--scaling", str(tmp_path / "A.csv"), "--counts", "5,5,1",
                                      "--epochs", "300", "--json"])
    assert code == 0, err
    obj = json.loads(out)
    assert obj["counts"] == [5, 5, 1] and obj["thresholds"] == {"distance": PREDICTION_MATCH}
    assert obj["matches"] == (max(obj["distance"].values()) <= PREDICTION_MATCH)
    assert obj["matches"] and obj["verdict"].startswith(f"SGD matches the prediction: every distance <= "
                                                        f"{PREDICTION_MATCH:g}")


def test_at_finite_weight_decay_every_hyperparameter_is_demanded(capsys) -> None:
    """LDAM's C leaves the max-margin direction alone but moves the regularised-UFM minimiser (measured:
    ||w_1||^2 6.11 at C = 0.5 against 7.52 at C = 2, k = 3, lambda = 0.01), so at finite lambda it is
    demanded, by its flag; counts print as integers there too."""
    base = ["check-param", "--loss", "LDAM", "--counts", "5,5,1", "--predict-only", "--lambda-w", "0.01",
            "--lambda-h", "0.01"]
    assert "--loss LDAM needs --ldam-c" in _one_line(*run_cli(capsys, base))
    grams = []
    for c in ("0.5", "2"):
        code, out, err = run_cli(capsys, [*base, "--ldam-c", c, "--json"])
        assert code == 0, err
        obj = json.loads(out)
        assert obj["counts"] == [5, 5, 1]
        grams.append(np.array(obj["predicted"]["G_W"]))
    assert abs(grams[1][0, 0] - grams[0][0, 0]) > 0.1 * grams[0][0, 0]
