"""Errata of behnia2023 (CDT/LDT, SEL matrix, SELI geometry)."""

from __future__ import annotations

import numpy as np

from proofs_check.model import Erratum, Evidence
from theory.core.tolerances import ROUNDING, SEL_SVD_NOT_ORTHONORMAL
from theory.core.vocabulary import Paper

_COUNTS = (10, 10, 1, 1)
"""(R, rho) = (10, 1/2)-STEP imbalance, k = 4, n_min = 1 (the setting of the Def. 1 check)."""

_DELTA = (2.0, 2.0, 1.0, 1.0)
"""CDT delta of that setting."""


def _sel_matrix(delta: tuple[float, ...]) -> np.ndarray:
    """Xi[c, j] = delta_c^{-1} (1{c = j} - delta_j^{-2} / sum_c' delta_c'^{-2}) (Def. 1(a)), written out here
    so that the evidence shares no code with the check it excuses (which uses theory.seli.sel)."""
    d = np.asarray(delta, dtype=np.float64)
    weights = d**-2 / np.sum(d**-2)
    return (np.eye(d.size) - weights[None, :]) / d[:, None]


def _def1_u_not_orthonormal() -> Evidence:
    """Class-level route, independent of the sample-level SVD the check runs: Z-hat = Xi P^T with P the
    N x k class indicator, and P N^{-1/2} has orthonormal columns, so the k x k SVD Xi N^{1/2} = V Lambda S^T
    gives Z-hat = V Lambda (P N^{-1/2} S)^T: the right singular row of class c is u_c = S_c / sqrt(n_c), i.e.
    U = N^{-1/2} S. The factorisation is confirmed by rebuilding the N-column Z-hat from (V, Lambda, U);
    then U^T N U = I while ||U^T U - I||_F is far from 0 (U is unique up to a rotation that leaves it fixed)."""
    n = np.asarray(_COUNTS, dtype=np.float64)
    xi = _sel_matrix(_DELTA)
    V, lam, St = np.linalg.svd(xi * np.sqrt(n)[None, :])
    rank = int(np.sum(lam > ROUNDING * lam[0]))
    V, lam, S = V[:, :rank], lam[:rank], St[:rank].T
    U = S / np.sqrt(n)[:, None]
    labels = np.repeat(np.arange(n.size), _COUNTS)
    rebuilt = float(np.max(np.abs(V @ np.diag(lam) @ U[labels].T - xi[:, labels])) / np.max(np.abs(xi)))
    eye = np.eye(rank)
    literal = float(np.linalg.norm(U.T @ U - eye))
    weighted = float(np.linalg.norm(U.T @ np.diag(n) @ U - eye))
    holds = (rank == n.size - 1 and rebuilt < ROUNDING and weighted < ROUNDING
             and literal > SEL_SVD_NOT_ORTHONORMAL)
    return Evidence(holds, f"counts {_COUNTS}, delta {_DELTA}: rank(Z-hat) = {rank}; V Lambda [U^T (x) 1^T] with "
                           f"U = N^(-1/2) S rebuilds Z-hat to {rebuilt:.1e}; ||U^T N U - I||_F = {weighted:.1e}; "
                           f"||U^T U - I||_F = {literal:.3f}")


ERRATA = [
    Erratum(
        id="behnia2023-def1-U-orthonormal",
        paper=Paper.BEHNIA2023,
        location="Definition 1(a), text after eq. (4)",
        printed="Z-hat = V Lambda [U^T (x) 1^T ...] with U, V in R^{k x (k-1)} having orthonormal columns",
        corrected="V has orthonormal columns and U^T N U = I (N = diag(n_c)), i.e. N^{1/2} U has orthonormal "
                  "columns; U itself is orthonormal only when N = I (R = 1, alpha = 1). With this U, "
                  "M^T M = U Lambda U^T as Def. 1(b) states.",
        printed_tex=(r"$\hat{Z} = V\Lambda\,[U^\top \otimes \mathbf{1}^\top \ldots]$ with $U, V \in "
                     r"\mathbb{R}^{k\times(k-1)}$ having orthonormal columns"),
        corrected_tex=(r"$V$ has orthonormal columns and $U^\top N U = I$ ($N = \operatorname{diag}(n_c)$), i.e. "
                       r"$N^{1/2}U$ has orthonormal columns; $U$ itself is orthonormal only when $N = I$ ($R = 1$, "
                       r"$\alpha = 1$). With this $U$, $M^\top M = U\Lambda U^\top$ as Def. 1(b) states."),
        evidence=_def1_u_not_orthonormal,
        claim_id="behnia2023 Def. 1(a) SVD",
    ),
]
