"""Task kinds run in one process: their rows against the theorems they adapt (no cluster)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from igeom.sweep.engine import execute
from igeom.sweep.spec import parse_spec
from theory.core.vocabulary import TaskOutcome


def _rows(spec):
    return [r for t in spec.tasks() for r in execute(t)]


def test_geometry_kind_cdt_at_gamma_zero_is_ce():
    """Delta = R^0 = 1 makes CDT and LDT the CE parameterization (behnia2023 eq. 2), so their closed
    forms coincide with CE's at every R."""
    rows = _rows(parse_spec({"kind": "geometry", "grid": {"loss": ["CE", "CDT", "LDT"], "R": [2.0, 7.0]},
                             "fixed": {"k": 5, "k_minor": 2}}))
    assert all(r["status"] == TaskOutcome.OK and r["error"] is None for r in rows)
    by = {(r["loss"], r["R"]): r for r in rows}
    cols = [c for c in rows[0] if c.startswith(("W.", "M.", "WM."))]
    assert len(cols) == 10
    for R in (2.0, 7.0):
        for loss in ("CDT", "LDT"):
            for c in cols:
                assert by[(loss, R)][c] == pytest.approx(by[("CE", R)][c], rel=1e-12), (loss, R, c)


def test_geometry_kind_symbolic_equals_numeric_route():
    """The SymPy closed forms and the eigen route of seli_geometry are two derivations of Thm 2."""
    grid = {"R": [3.0, 10.0], "gamma": [-0.5, 0.5]}
    sym = _rows(parse_spec({"kind": "geometry", "grid": grid, "fixed": {"loss": "LDT", "k": 6, "k_minor": 2}}))
    num = _rows(parse_spec({"kind": "geometry", "grid": grid,
                            "fixed": {"loss": "LDT", "k": 6, "k_minor": 2, "method": "numeric"}}))
    for a, b in zip(sym, num):
        for c in a:
            if c.startswith(("W.", "M.", "WM.")):
                assert a[c] == pytest.approx(b[c], rel=1e-9, abs=1e-12), c


def test_ufm_plus_kind_collapse_flag_matches_threshold_ratio():
    """dang2024 Cor. 4: with n_min, K_A, K_B and the lambdas fixed, the minority classes collapse
    exactly when R >= R*; collapsed minority classifiers coincide (cos(w_min, w_min') = 1)."""
    spec = parse_spec({"kind": "ufm-plus", "grid": {"R": [2.0, 4.0, 8.0, 16.0, 32.0], "lambda_w": [1e-3, 3e-2]},
                       "fixed": {"k": 4, "k_minor": 2, "n_min": 2, "lambda_h": 1e-2}})
    rows = _rows(spec)
    assert {r["minority_collapsed"] for r in rows} == {True, False}  # the grid crosses the boundary
    for r in rows:
        assert r["minority_collapsed"] == (r["R"] >= r["minority_collapse_R"])
        if r["minority_collapsed"] and not r["complete_collapse"]:
            assert r["W.cos_min_min"] == pytest.approx(1.0, abs=1e-12)
        if not r["minority_collapsed"]:
            assert r["W.cos_min_min"] < 1.0 - 1e-6


def test_svm_kind_matches_theorem_2():
    """The certified CS-SVM minimiser has the SELI geometry of Thm 2 (App. A.4 distances ~ 0)."""
    rows = _rows(parse_spec({"kind": "svm", "grid": {"loss": ["CDT", "LDT"]},
                             "fixed": {"k": 4, "k_minor": 2, "R": 3.0, "gamma": 0.5, "n_min": 1, "reduced": True}}))
    for r in rows:
        assert r["status"] == TaskOutcome.OK, r["error"]
        for key in ("W", "M", "WM"):
            assert r[f"distance.{key}"] < 1e-4
        assert r["relative_gap"] < 1e-5


def test_failing_task_is_recorded_not_raised():
    """An SCS iteration limit far too small: the solver's ComputationError becomes a failed row."""
    spec = parse_spec({"kind": "svm", "fixed": {"loss": "CDT", "k": 4, "k_minor": 2, "R": 3.0, "gamma": 0.5,
                                                 "n_min": 1, "reduced": True, "max_iters": 2}})
    (row,) = _rows(spec)
    assert row["status"] == TaskOutcome.FAILED
    assert "SCS" in row["error"] and "\n" not in row["error"]
    assert "distance.W" not in row


def test_ufm_train_diverged_model_is_flagged():
    """lr = 1e30 in float32: one step takes W and H to ~1e29 (initial gradients ~0.1-1), so the logits
    W^T H ~1e58 overflow float32 (max 3.4e38) and the next gradient is inf - inf = NaN. The row says
    diverged (no NaN written); the task with lr = 1 is unaffected."""
    spec = parse_spec({"kind": "ufm-train", "grid": {"lr": [1.0, 1e30]},
                       "fixed": {"loss": "CE", "k": 3, "k_minor": 1, "R": 2.0, "n_min": 1, "d": 4, "epochs": 50,
                                 "log_every": 10}})
    rows = {r["lr"]: r for r in _rows(spec)}
    assert rows[1.0]["status"] == TaskOutcome.OK and math.isfinite(rows[1.0]["final_loss"])
    assert rows[1e30]["status"] == TaskOutcome.DIVERGED and "NaN/inf" in rows[1e30]["error"]
    assert rows[1e30]["final_loss"] is None  # NaN is never written as NaN


def test_ufm_train_batch_rows_equal_models_trained_alone():
    """The points of a batched task train as one tensor program; each model follows the path it
    follows alone (shared seed -> shared initialisation), to float64 rounding."""
    fixed = {"k": 4, "k_minor": 2, "R": 3.0, "n_min": 1, "d": 5, "epochs": 300, "log_every": 100,
             "dtype": "float64"}
    grid = {"loss": ["CDT", "LDT"], "gamma": [-0.5, 0.5], "seed": [0, 1]}
    batched = _rows(parse_spec({"kind": "ufm-train", "grid": grid, "fixed": fixed}))
    assert len(parse_spec({"kind": "ufm-train", "grid": grid, "fixed": fixed}).tasks()) == 1
    for r in batched:
        alone = _rows(parse_spec({"kind": "ufm-train", "fixed": {**fixed, "loss": r["loss"], "gamma": r["gamma"],
                                                                   "seed": r["seed"]}}))[0]
        for c in ("distance.W", "distance.M", "distance.WM", "final_loss"):
            assert np.isclose(r[c], alone[c], rtol=1e-10, atol=1e-13), c
