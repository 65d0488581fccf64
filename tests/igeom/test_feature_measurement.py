"""proofs_check.tasks.feature_measurement: features built from a known geometry are measured against predictions.

Known geometries come from routes independent of the prediction under test: CS-SVM minimisers from the
certified convex program (numerics.cs_svm, factors by SVD) against the SELI closed form; dang2024's
sample-level UFM+ minimiser (Thm 1 configuration) against its Gram summary; a simplex ETF against CE on
balanced counts.
"""

import numpy as np
import pytest

from numerics.cs_svm import solve_cs_svm
from proofs_check.tasks.feature_measurement import PredictionSpec, measure, predict
from theory.core.loss_presets import preset_loss
from theory.core.profiles import parse_counts
from theory.etf.simplex import simplex_etf

D = 16
STEP = parse_counts("step:6,3,5,4")  # 20,20,20,4,4,4
LONG_TAIL = parse_counts("exp:6,20,40")  # 40,21,12,6,3,2
NOISES = (0.0, 0.05, 0.2, 0.5)


def _svm_features(counts, preset, hp, noise, seed=0, offset=True):
    """(features n x D, labels, classifier k x D): the CS-SVM minimiser of the preset's scaling (convex
    program), randomly rotated, every class mean repeated n_c times plus Gaussian noise of ``noise`` times
    the mean class-mean norm per unit direction, plus a common offset in the null space of the classifier (a
    global mean the logits ignore, which the Remark 4 centring must remove)."""
    param = preset_loss(preset, counts, **hp).svm_parameterization()
    W, Mk = solve_cs_svm(counts, param, reduced=True).factors(D)
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((D, D)))[0]
    W, Mk = Q @ W, Q @ Mk
    y = counts.labels()
    scale = np.linalg.norm(Mk, axis=0).mean() / np.sqrt(D)
    X = Mk[:, y].T + noise * scale * rng.standard_normal((y.size, D))
    if offset:
        null = np.linalg.svd(W.T)[2][counts.k:]  # directions orthogonal to every classifier
        X = X + 5.0 * scale * (rng.standard_normal(null.shape[0]) @ null)
    return X, y, W.T


@pytest.mark.parametrize("counts", [STEP, LONG_TAIL], ids=["step", "long-tail"])
@pytest.mark.parametrize("preset,hp", [("CE", {}), ("CDT", {"gamma": 0.5}), ("LDT", {"gamma": 0.5})])
def test_svm_minimiser_features_match_their_prediction(counts, preset, hp):
    """Noise-free minimiser features sit on the SELI prediction (distances < 1e-5, the convex program's
    accuracy) and NC1 = 0; with noise the distances stay small (< 0.1 at 5% noise; measured 0.010-0.017) and
    NC1 grows (measured about 6e-4, 1e-2, 7e-2 at 5%, 20%, 50% noise)."""
    spec = PredictionSpec(preset, hp)
    nc1, dists = [], []
    for noise in NOISES:
        X, y, W = _svm_features(counts, preset, hp, noise)
        res = measure(X, y, W, spec, batch_rows=7, two_pass=True)
        nc1.append(res.nc["nc1"])
        dists.append(max(res.distance.values()))
        if noise == 0.0:
            assert dists[-1] < 1e-5, res.distance
            assert res.nc["nc1"] < 1e-12 and res.nc["nc4"] == 0.0
    assert dists[1] < 0.1, dists
    assert all(a < b for a, b in zip(nc1, nc1[1:])), nc1


@pytest.mark.parametrize("counts", [STEP, LONG_TAIL], ids=["step", "long-tail"])
@pytest.mark.parametrize("features_of,measured_as", [(("CDT", {"gamma": 1.0}), ("CE", {})),
                                                    (("CE", {}), ("LDT", {"gamma": 1.0})),
                                                    (("LDT", {"gamma": 1.0}), ("CDT", {"gamma": 1.0}))])
def test_wrong_geometry_gives_a_large_distance(counts, features_of, measured_as):
    """Negative control: exact minimiser features of one loss against another loss's prediction (largest
    distance measured 0.33-0.87, against < 1e-5 for the right prediction)."""
    X, y, W = _svm_features(counts, *features_of, noise=0.0)
    res = measure(X, y, W, PredictionSpec(*measured_as))
    assert max(res.distance.values()) > 0.1, res.distance


def test_custom_matrix_route_agrees_with_the_seli_route():
    """A CDT matrix given as a custom A goes through the certified convex program; its prediction equals the
    SELI closed form of CDT (two independent routes) to the solver's accuracy."""
    cdt = preset_loss("CDT", LONG_TAIL, gamma=0.5)
    via_svm = predict(LONG_TAIL, PredictionSpec("custom", {"scaling": cdt.param.scaling}))
    via_seli = predict(LONG_TAIL, PredictionSpec("CDT", {"gamma": 0.5}))
    assert "convex" in via_svm.name and "SELI" in via_seli.name
    for g in ("G_W", "G_M", "G_WM"):
        a, b = getattr(via_svm.geometry, g), getattr(via_seli.geometry, g)
        assert np.linalg.norm(a / np.linalg.norm(a) - b / np.linalg.norm(b)) < 1e-5


def test_ufm_plus_minimiser_matches_relu_prediction():
    """dang2024 Thm 1 configuration (sample level, non-negative features) against the closed-form Gram
    matrices of --relu-features; NC1 = 0 and the ETF-based NC2 is far from 0 under imbalance."""
    from theory.ufm_plus.closed_form import minimizer

    counts, lw, lh = np.array([30, 30, 10, 10]), 0.01, 0.01
    W, H = minimizer(counts, lw, lh, D)
    y = np.repeat(np.arange(4), counts)
    res = measure(H.T, y, W, PredictionSpec(relu=(lw, lh)), two_pass=True)
    assert max(res.distance.values()) < 1e-10, res.distance
    assert res.nc["nc1"] < 1e-20 and res.nc["nc4"] == 0.0
    wrong = measure(H.T, y, W, PredictionSpec("CE"))
    assert max(wrong.distance.values()) > 0.1


def test_etf_features_on_balanced_counts():
    """Balanced counts: CE predicts the simplex ETF; ETF features and classifier measure 0 on every metric."""
    k = 5
    M = 3.0 * simplex_etf(k, D, seed=1)
    y = np.repeat(np.arange(k), 8)
    X = M[:, y].T + 2.0
    res = measure(X, y, M.T, PredictionSpec("CE"), two_pass=True)
    assert max(res.distance.values()) < 1e-12
    assert res.nc["nc2_etf"] < 1e-12 and res.nc["nc3"] < 1e-12 and res.nc["nc1"] < 1e-20
    assert set(res.summary) == {"W", "M"}  # one count value: per-class norms and cosines
