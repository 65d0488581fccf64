"""The convex CS-SVM (numerics.cs_svm) against behnia2023 Thm 2, and its certificate.

Tolerances: SCS stops at eps = 1e-8 on its rescaled residuals; measured on these small problems the
objective agrees with 2||Z-hat||_* to ~1e-9 relative and Z with Z-hat to ~1e-8..1e-6 absolute (the
error in Z is larger because the objective is flat to first order at the optimum). We assert 1e-6
relative on values and 1e-5 on Z, Gram distances and collapse: two orders above what is measured,
far below any effect the theory predicts (entries of Z-hat are O(1)).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numerics.certificate import kkt_certificate
from numerics.cs_svm import solve_cs_svm
from theory.core.errors import ComputationError, InputError
from theory.seli.seli_geometry import seli_geometry, step_groups
from theory.core.imbalance import Imbalance
from theory.core.collapse_metrics import normalized_distance
from theory.core.parameterization import Parameterization
from theory.seli.sel import class_logits, z_hat
from theory.seli.step_geometry import predict_step
from theory.seli.step_setting import StepSetting, step_delta

GRAMS = ("G_W", "G_M", "G_WM")


@st.composite
def step_settings(draw):
    k = draw(st.integers(2, 5))
    k_minor = draw(st.integers(1, k - 1))
    R = draw(st.sampled_from([1, 2, 3]))
    n_min = draw(st.integers(1, 2))
    loss = draw(st.sampled_from(["CE", "CDT", "LDT"]))
    gamma = 0.0 if loss == "CE" else draw(st.floats(-1.0, 1.0))
    return k, k_minor, R, n_min, loss, gamma


def _param(loss, k, k_minor, R, gamma):
    return Parameterization.from_name(loss, step_delta(k, k_minor, float(R) ** gamma))


@given(step_settings())
def test_sample_level_solution_is_the_seli_prediction(setting):
    """Thm 2 (i)/(ii): the global optimum of eq. (3) is Z-hat, every h_i equals mu_{y_i}, and the Gram
    matrices are the SELI ones; the certified bracket contains 2||Z-hat||_*."""
    k, k_minor, R, n_min, loss, gamma = setting
    imb = Imbalance.step(k, k_minor, R, n_min)
    param = _param(loss, k, k_minor, R, gamma)
    sol = solve_cs_svm(imb, param)
    Z_hat = z_hat(imb.labels(), param)
    predicted = 2 * np.linalg.norm(Z_hat, "nuc")
    cert = sol.certificate
    assert cert.lower_bound <= predicted * (1 + 1e-12)  # Z-hat is feasible: never below the optimum
    assert predicted <= cert.upper_bound * (1 + 1e-6)
    assert np.max(np.abs(sol.Z - Z_hat)) <= 1e-5
    assert sol.collapse_error() <= 1e-5
    geo, pred = sol.geometry(), seli_geometry(imb, param)
    for name in GRAMS:
        assert normalized_distance(getattr(geo, name), getattr(pred, name)) <= 1e-5
    assert cert.rank == k - 1  # Def. 1: rank Z-hat = k - 1


@given(step_settings())
def test_class_level_solution_is_the_seli_prediction(setting):
    """The reduced program reaches the same Z-hat (class columns) and the exact SELI Gram matrices."""
    k, k_minor, R, n_min, loss, gamma = setting
    counts = np.array([R * n_min] * (k - k_minor) + [n_min] * k_minor, dtype=float)
    param = _param(loss, k, k_minor, R, gamma)
    sol = solve_cs_svm(counts, param, reduced=True)
    assert np.max(np.abs(sol.Z - class_logits(param))) <= 1e-5
    geo, pred = sol.geometry(), seli_geometry(counts, param)
    for name in GRAMS:
        assert np.max(np.abs(getattr(geo, name) - getattr(pred, name))) <= 1e-5 * np.max(np.abs(getattr(pred, name)))


@pytest.mark.parametrize("counts", [[3, 1, 2, 2], [1, 4, 2]])
def test_reduced_equals_full_for_any_scaling_matrix(counts):
    """Reduction by symmetry + convexity (no theory used): for general counts and a random positive A
    the class-level optimum equals the sample-level one, whose class-mean logits it reproduces."""
    k = len(counts)
    A = np.random.default_rng(k).uniform(0.5, 2.0, (k, k))
    param = Parameterization.custom(A)
    full = solve_cs_svm(Imbalance(counts), param)
    red = solve_cs_svm(Imbalance(counts), param, reduced=True)
    assert abs(full.objective - red.objective) <= 1e-6 * red.objective
    assert max(full.certificate.lower_bound, red.certificate.lower_bound) <= \
        min(full.certificate.upper_bound, red.certificate.upper_bound) * (1 + 1e-9)
    labels = full.labels
    means = np.stack([full.Z[:, labels == c].mean(axis=1) for c in range(k)], axis=1)
    assert np.max(np.abs(means - red.Z)) <= 1e-5
    assert full.collapse_error() <= 1e-5


def test_factors_attain_the_nuclear_norm_identity():
    """W^T H = Z, ||W||^2 + ||H||^2 = 2||Z||_*, W^T W = (Z Z^T)^{1/2}, H^T H = (Z^T Z)^{1/2} (docs/mathematics.md)."""
    imb = Imbalance.step(4, 2, 2, 2)
    sol = solve_cs_svm(imb, Parameterization.cdt(step_delta(4, 2, 1.7)))
    for d in (3, 4, 9):
        W, H = sol.factors(d)
        assert W.shape == (d, 4) and H.shape == (d, imb.n)
        np.testing.assert_allclose(W.T @ H, sol.Z, atol=1e-9)
        assert abs(np.sum(W**2) + np.sum(H**2) - sol.objective) <= 1e-9 * sol.objective
        for G, S in ((W.T @ W, sol.Z @ sol.Z.T), (H.T @ H, sol.Z.T @ sol.Z)):
            w, V = np.linalg.eigh(S)
            root = (V * np.sqrt(np.clip(w, 0, None))) @ V.T
            np.testing.assert_allclose(G, root, atol=1e-6)
    with pytest.raises(ValueError, match="k - 1"):
        sol.factors(2)


def test_certificate_detects_wrong_points():
    """The KKT checks are not vacuous: a shrunk Z violates the margins, inflated multipliers break the
    spectral bound, a rank-deficient multiplier vector breaks stationarity."""
    imb = Imbalance.step(3, 1, 2, 1)
    param = Parameterization.ldt(step_delta(3, 1, 2.0))
    sol = solve_cs_svm(imb, param)
    L = param.margin_operator(sol.labels)
    w = sol.weights
    lam = np.linalg.lstsq(L.T.toarray(), 2 * _subgradient(sol.Z).reshape(-1, order="F"), rcond=None)[0]
    good = kkt_certificate(sol.Z, lam, L, w, "optimal")
    assert good.holds, good.failures()
    assert any("violated" in f for f in kkt_certificate(0.99 * sol.Z, lam, L, w, "optimal").failures())
    assert any("spectral" in f for f in kkt_certificate(sol.Z, 1.1 * lam, L, w, "optimal").failures())
    assert any("status" in f for f in kkt_certificate(sol.Z, lam, L, w, "optimal_inaccurate").failures())
    with pytest.raises(ComputationError):
        kkt_certificate(sol.Z, 0.5 * lam, L, w, "optimal").require()


def _subgradient(Z: np.ndarray) -> np.ndarray:
    """V U^T of the compact SVD (rank from a 1e-6 relative threshold)."""
    V, s, Ut = np.linalg.svd(Z, full_matrices=False)
    r = int(np.sum(s > 1e-6 * s[0]))
    return V[:, :r] @ Ut[:r]


def test_interior_point_solver_agrees():
    """CLARABEL (interior point) and SCS (first order) certify the same optimum on a small problem."""
    imb = Imbalance.step(3, 1, 3, 1)
    param = Parameterization.cdt(step_delta(3, 1, 2.0))
    a, b = solve_cs_svm(imb, param), solve_cs_svm(imb, param, solver="CLARABEL")
    assert abs(a.objective - b.objective) <= 1e-6 * a.objective
    assert np.max(np.abs(a.Z - b.Z)) <= 1e-5


def test_truncated_solve_raises():
    """A solver stopped after 2 iterations must raise, never return a number."""
    with pytest.raises(ComputationError):
        solve_cs_svm(Imbalance.step(3, 1, 2, 1), Parameterization.ce(3), max_iters=2)


@pytest.mark.parametrize("kwargs, message", [
    ({"counts": [1, 2], "param": Parameterization.ce(3)}, "classes"),
    ({"counts": [1, 0, 2], "param": Parameterization.ce(3)}, "count of class 2 must be >= 1"),
    ({"counts": [1.5, 1, 2], "param": Parameterization.ce(3)}, "integer"),
    ({"counts": [1, 1, 2], "param": Parameterization.ce(3), "solver": "ECOS"}, "solver"),
    ({"counts": [1, 1, 2], "param": Parameterization.ce(3), "eps": float("nan")}, "eps"),
    ({"counts": [1, 1, 2], "param": "CE"}, "Parameterization"),
    ({"counts": [1, 1, 2], "param": Parameterization.ce(3), "reduced": "no"}, "reduced must be True"),
    ({"counts": [1, 1, 2], "param": Parameterization.ce(3), "reduced": 1}, "reduced must be True"),
])
def test_bad_input_is_an_input_error(kwargs, message):
    with pytest.raises(InputError, match=message):
        solve_cs_svm(Imbalance(kwargs.pop("counts")), **kwargs)  # the counts become an Imbalance first


def test_sample_level_refuses_raw_counts():
    """The sample-level program needs whole samples, given as an Imbalance: a list is refused, not converted;
    the class-level program also takes positive real sizes (theory.core.imbalance.class_sizes)."""
    with pytest.raises(InputError, match="must be an Imbalance"):
        solve_cs_svm([2, 1, 1], Parameterization.ce(3))
    assert solve_cs_svm([2.5, 1.0, 1.0], Parameterization.ce(3), reduced=True).certificate.holds


@pytest.mark.slow
@pytest.mark.parametrize("loss, gamma", [("CE", 0.0), ("CDT", 0.5), ("CDT", -1.0), ("LDT", 0.5), ("LDT", 1.0)])
def test_paper_size_full_problem_matches_closed_forms(loss, gamma):
    """behnia2023 App. A.1 setting (k = 10, R = 10, n_min = 5, n = 275): measured group geometry equals
    the closed forms of igeom geometry to 1e-6."""
    imb = Imbalance.step(10, 5, 10, 5)
    param = _param(loss, 10, 5, 10, gamma)
    sol = solve_cs_svm(imb, param)
    measured = sol.geometry().summary(*step_groups(10, 5))
    predicted = predict_step(StepSetting(loss, 10, 5, 10, 10.0**gamma))
    for block in ("W", "M", "WM"):
        for key, value in measured[block].items():
            assert value == pytest.approx(predicted[block][key], abs=1e-6)
    assert sol.collapse_error() <= 1e-4
