"""Simplex equiangular tight frames (yang2022 Def. 1, eq. 6; behnia2023's ETF geometry [20]).

K vectors in R^d (d >= K - 1) with equal squared norms E_W and pairwise inner products
-E_W / (K - 1): w_k^T w_k' = E_W (K/(K-1) 1{k = k'} - 1/(K-1)).
"""

from __future__ import annotations

import numpy as np

from theory._validate import positive_int, positive_real


def simplex_etf(K: int, d: int, E_W: float = 1.0, seed: int = 0) -> np.ndarray:
    """A random simplex ETF W* (d x K) with w_k^T w_k' = E_W (K/(K-1) delta_kk' - 1/(K-1)) (eq. 6).

    W* = sqrt(E_W K / (K-1)) Q B^T with B an orthonormal basis of 1_K^perp and Q a random d x (K-1)
    matrix with orthonormal columns, so any d >= K - 1 works (eq. 1's U^T U = I_K needs d >= K).
    """
    K = positive_int("K", K, minimum=2)
    d = positive_int("d", d)
    if d < K - 1:
        raise ValueError(f"a simplex ETF of {K} vectors needs d >= K - 1 = {K - 1}, got {d}")
    E_W = positive_real("E_W", E_W)
    centering = np.eye(K) - np.ones((K, K)) / K
    B = np.linalg.eigh(centering)[1][:, 1:]  # eigenvalue 0 first (the 1 direction), then K - 1 ones
    Q = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, K - 1)))[0]
    return np.sqrt(E_W * K / (K - 1)) * Q @ B.T
