"""behnia2023 Fig. 1 and Remark 4 on solver output (issue 23): each fails on a planted misprint."""

import numpy as np

from numerics.cs_svm import solve_cs_svm
from proofs_check.claims import behnia2023_figures as fig
from theory.core.imbalance import Imbalance
from theory.core.vocabulary import Loss
from theory.seli.step_geometry import step_delta


def test_fig1_checks_pass():
    assert fig._fig1_equalities().passed
    assert fig._fig1_differences().passed


def test_fig1_fails_at_delta_equal_to_r(monkeypatch):
    """Planted: Delta = R instead of sqrt(R) (a dropped square root): LDT is then not the ETF."""
    original = fig._param
    monkeypatch.setattr(fig, "_param", lambda loss, k, km, Delta: original(loss, k, km, Delta**2))
    assert not fig._fig1_equalities().passed


def test_remark4_with_swapped_weights_fails():
    """Planted: eq. (6) with LDT's weights (sum_c delta_c mu_c) on the CDT minimiser, and eq. (7) with CDT's
    (sum_c mu_c) on the LDT one: both sums are far from 0."""
    k, km, R, gamma = fig._REMARK4_SETTINGS[0]
    imb = Imbalance.step(k, km, R, 1)
    delta = step_delta(k, km, R**gamma)
    for loss, weights in ((Loss.CDT, delta), (Loss.LDT, np.ones(k))):
        sol = solve_cs_svm(imb, fig._param(loss, k, km, R**gamma))
        M = fig._class_means(np.asarray(sol.H), imb.labels(), k)
        assert np.linalg.norm(M @ weights) / np.linalg.norm(M, axis=0).max() > 1e-2
    assert fig._remark4_solver(Loss.CDT).passed and fig._remark4_solver(Loss.LDT).passed
