"""Simplex equiangular tight frame (yang2022 Def. 1, eqs. (1), (2) and (6)).

A simplex ETF of K vectors with squared length E_W is a d x K matrix W* (columns w_k, yang2022's
convention; dang2024 stores classifiers as rows) with

    w_k^T w_k' = E_W (K/(K-1) delta_kk' - 1/(K-1))                                        (eq. 6)

(E_W = 1 is eq. (2)). It exists for every d >= K - 1: W* = sqrt(E_W K/(K-1)) Q B^T with B an orthonormal
basis of 1_K^perp and Q a d x (K-1) matrix with orthonormal columns. Eq. (1) writes the same frame as
sqrt(K/(K-1)) U (I_K - 1 1^T/K) with U^T U = I_K, which needs d >= K.
"""

from __future__ import annotations

import numpy as np

from theory.core.validate import positive_int, positive_real
from theory.core.errors import InputError


def etf_gram(k: int, e_w: float = 1.0) -> np.ndarray:
    """The K x K Gram matrix E_W (K/(K-1) I_K - 1 1^T/(K-1)) of a simplex ETF (yang2022 eqs. (2), (6))."""
    kk = positive_int("K", k, minimum=2)
    scale = positive_real("E_W", e_w)
    return scale * (kk / (kk - 1) * np.eye(kk) - np.ones((kk, kk)) / (kk - 1))


def simplex_etf(k: int, d: int, e_w: float = 1.0, seed: int = 0, *, force: bool = False) -> np.ndarray:
    """A random simplex ETF W* (d x K) whose Gram matrix is :func:`etf_gram` (yang2022 Def. 1, eq. (6)).

    The rotation Q is drawn from ``seed`` (orthonormalised Gaussian); any d >= K - 1 is accepted. Sizes
    whose memory or time exceeds :mod:`theory.infra.budget`'s limits are InputError (``force`` to run).
    """
    from theory.infra.budget import require_within, simplex

    kk = positive_int("K", k, minimum=2)
    dd = positive_int("d", d)
    if dd < kk - 1:
        raise InputError(f"a simplex ETF of {kk} vectors needs d >= K - 1 = {kk - 1}, got d = {dd}")
    scale = positive_real("E_W", e_w)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    require_within(simplex(kk, dd), force)
    # eigenvectors of the centring matrix: eigenvalue 0 (the 1 direction) first, then K - 1 ones
    basis = np.linalg.eigh(np.eye(kk) - np.ones((kk, kk)) / kk)[1][:, 1:]
    rotation = np.linalg.qr(np.random.default_rng(int(seed)).standard_normal((dd, kk - 1)))[0]
    return np.sqrt(scale * kk / (kk - 1)) * rotation @ basis.T
