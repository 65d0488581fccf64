"""``igeom check-param --lambda-w --lambda-h --predict-only`` and the ``regularised-ufm`` sweep kind (issue 25)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tests.cli_run import run_cli


def _finite(obj) -> bool:
    if isinstance(obj, dict):
        return all(_finite(v) for v in obj.values())
    if isinstance(obj, list):
        return all(_finite(v) for v in obj)
    return not isinstance(obj, float) or math.isfinite(obj)


def test_predict_only_json_fields_and_factor_identities(capsys):
    """JSON carries lambda, objective, certificate and the collapse indicators, no NaN; its Gram matrices are
    those of the minimising factorisation: G_WM = X and G_W^2 = (lambda_H/lambda_W) X diag(n) X^T (W^T W =
    (lambda_H/lambda_W)^{1/2} (Z Z^T)^{1/2} with Z Z^T = X diag(n) X^T)."""
    lw, lh = 5e-4, 2e-3
    code, out, err = run_cli(capsys, ["check-param", "--loss", "CDT", "--gamma", "0.5", "--counts", "40,10,3",
                                      "--lambda-w", str(lw), "--lambda-h", str(lh), "--predict-only", "--json"])
    assert code == 0, err
    obj = json.loads(out)
    assert _finite(obj)
    for key in ("lambda", "objective", "certificate", "minority_collapse", "predicted", "counts"):
        assert key in obj
    assert obj["certificate"]["holds"] and obj["certificate"]["relative_gap"] <= 1e-6
    assert math.isclose(obj["lambda"], math.sqrt(lw * lh), rel_tol=1e-15)
    X = np.array(obj["X"])
    n = np.array(obj["counts"])
    GW, GWM = np.array(obj["predicted"]["G_W"]), np.array(obj["predicted"]["G_WM"])
    assert np.allclose(GWM, X, atol=1e-9 * np.abs(X).max())
    target = (lh / lw) * X @ np.diag(n) @ X.T
    assert np.allclose(GW @ GW, target, atol=1e-8 * np.abs(target).max())


@pytest.mark.parametrize("argv,flag", [
    (["--lambda-w", "0", "--lambda-h", "1e-3", "--predict-only"], "--lambda-w"),
    (["--lambda-w", "1e-3", "--lambda-h", "-2", "--predict-only"], "--lambda-h"),
    (["--lambda-w", "1e-3", "--predict-only"], "--lambda-h"),
    (["--lambda-w", "1e-3", "--lambda-h", "1e-3"], "--predict-only"),
])
def test_bad_decay_is_exit_2_naming_the_flag(capsys, argv, flag):
    code, out, err = run_cli(capsys, ["check-param", "--loss", "CE", "--counts", "5,3"] + argv)
    assert code == 2 and flag in err and out == ""


def test_focal_is_refused_as_not_convex(capsys):
    code, out, err = run_cli(capsys, ["check-param", "--loss", "focal", "--counts", "5,3", "--lambda-w", "1e-3",
                                      "--lambda-h", "1e-3", "--predict-only"])
    assert code == 2 and "not convex" in err


def test_sweep_kind_complete_collapse_edge():
    """The kind reports complete collapse exactly when lambda sqrt(N) >= ||grad_Y F(0)||_2 (KKT at 0): for
    balanced CE with k classes that is lambda sqrt(N) >= 1/sqrt(k) (the gradient at 0 is
    -(I - 11^T/k) diag(sqrt(1/k)), of spectral norm 1/sqrt(k))."""
    from igeom.sweep.kinds import KINDS
    from igeom.sweep.spec import parse_spec

    k, n = 4, 25
    edge = 1.0 / math.sqrt(k) / math.sqrt(k * n)
    spec = parse_spec({"kind": "regularised-ufm", "grid": {"lambda_w": [0.98 * edge, 1.02 * edge]},
                       "fixed": {"loss": "CE", "counts": ",".join([str(n)] * k), "lambda_h": edge}}, "test")
    below, above = KINDS["regularised-ufm"].run(spec.points())
    assert below["complete_collapse"] is False and above["complete_collapse"] is True


def test_measure_at_finite_lambda_recognises_its_minimiser(capsys, tmp_path):
    """Features and classifier of the finite-lambda minimiser (LA, lambda = 2e-3, 0.1 % noise) are within 0.01
    of ``measure --lambda-w --lambda-h`` and farther than 0.05 from the max-margin prediction of the same loss."""
    from numerics.regularised_ufm import from_preset, solve
    from theory.core.presets import preset_loss

    counts = np.array([30, 12, 5, 2])
    sol = solve(from_preset(preset_loss("LA", counts), 2e-3, 2e-3))
    W, M = sol.factors()
    y = np.repeat(np.arange(4), counts)
    rng = np.random.default_rng(0)
    X = M[:, y].T + 1e-3 * np.abs(M).max() * rng.standard_normal((y.size, M.shape[0]))
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "W.npy", W.T)
    base = ["measure", "--features", str(tmp_path / "X.npy"), "--labels", str(tmp_path / "y.npy"), "--classifier",
            str(tmp_path / "W.npy"), "--loss", "LA", "--json"]
    code, out, err = run_cli(capsys, base + ["--lambda-w", "2e-3", "--lambda-h", "2e-3"])
    assert code == 0, err
    near = max(json.loads(out)["distance"].values())
    code, out, err = run_cli(capsys, base)
    assert code == 0, err
    far = max(json.loads(out)["distance"].values())
    assert near < 0.01 and far > 0.05, (near, far)


def test_geometry_lambdas_curve(capsys):
    """``geometry --lambdas``: one certified row per lambda; the last lambda is past the complete-collapse edge
    lambda sqrt(N) >= ||grad_Y F(0)||_2 (computed here from the definition of the loss at X = 0)."""
    from numerics.regularised_ufm import from_preset
    from theory.core.presets import preset_loss

    counts = [20] * 3 + [2] * 3
    p = from_preset(preset_loss("CE", counts), 1.0, 1.0)
    _, GX, _ = p.loss_and_grad(np.zeros((6, 6)))
    edge = float(np.linalg.svd(GX / p.col_scale[None, :], compute_uv=False)[0]) / math.sqrt(p.N)
    code, out, err = run_cli(capsys, ["geometry", "--loss", "CE", "--k", "6", "--k-minor", "3", "--R", "10",
                                      "--n-min", "2", "--lambdas", f"1e-4,{0.9 * edge},{1.1 * edge}", "--json"])
    assert code == 0, err
    rows = json.loads(out)["rows"]
    assert [r["complete_collapse"] for r in rows] == [False, False, True]
    assert all(r["certificate.relative_gap"] <= 1e-6 for r in rows)
    code, out, err = run_cli(capsys, ["geometry", "--loss", "CE", "--k", "6", "--k-minor", "3", "--R", "10",
                                      "--lambdas", "1e-4,0"])
    assert code == 2 and "--lambdas" in err
