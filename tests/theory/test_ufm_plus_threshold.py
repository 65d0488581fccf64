"""theory.ufm_plus.closed_form at a class exactly on the collapse threshold n_k = C (found by the proof-step checks)."""

import numpy as np

from theory.ufm_plus.closed_form import collapse_threshold, margins, minimizer, predict


def test_class_on_the_threshold_has_zero_margin_and_a_minimiser():
    counts, lam = (3, 4, 2), float(np.sqrt(2 / 81))          # C = N^2 K lambda^2/(K-1) = 3 = n_1
    assert abs(collapse_threshold(9, 3, lam, lam) - 3) < 1e-12
    M = margins(counts, lam, lam)
    assert M[0] == 0.0 and M[2] == 0.0 and M[1] > 0
    assert np.all(predict(counts, lam, lam).h_norm_sq >= 0)
    W, H = minimizer(counts, lam, lam, 3)
    assert np.all(H >= 0) and W.shape == (3, 3)
