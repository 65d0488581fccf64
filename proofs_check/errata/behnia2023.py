"""Errata of behnia2023 (CDT/LDT, SEL matrix, SELI geometry)."""

from __future__ import annotations

import numpy as np

from proofs_check.errata import Erratum, Evidence


def sel_svd_figures() -> dict[str, float]:
    """SVD of the repeated-column Z-hat for (R, rho) = (10, 1/2), k = 4, n_min = 1, CDT delta = (2,2,1,1):
    the rows u_c of its right singular vectors (identical within a class) form U (k x (k-1)).
    Returns ||U^T U - I||_F, ||U^T N U - I||_F and max|U Lambda U^T - M^T M| / max|M^T M|."""
    from theory.seli.geometry import seli_geometry
    from theory.core.imbalance import Imbalance
    from theory.core.parameterization import Parameterization
    from theory.seli.sel import z_hat

    im = Imbalance.step(4, 2, 10, 1)
    param = Parameterization.cdt([2.0, 2.0, 1.0, 1.0])
    Z = z_hat(im.labels(), param)
    V, lam, Ut = np.linalg.svd(Z, full_matrices=False)
    V, lam, Ut = V[:, :-1], lam[:-1], Ut[:-1]
    first = np.concatenate([[0], np.cumsum(im.counts)[:-1]])
    U = Ut[:, first].T  # k x (k-1): the row of each class
    N = np.diag(im.counts.astype(float))
    lit = float(np.linalg.norm(U.T @ U - np.eye(3)))
    weighted = float(np.linalg.norm(U.T @ N @ U - np.eye(3)))
    geo = seli_geometry(im, param)
    gm = float(np.max(np.abs(U @ np.diag(lam) @ U.T - geo.G_M)) / np.max(np.abs(geo.G_M)))
    return {"UtU": lit, "UtNU": weighted, "G_M": gm}


def _def1_u_not_orthonormal() -> Evidence:
    """Def. 1's "U has orthonormal columns" fails for R != 1 while U^T N U = I and M^T M = U Lambda U^T
    hold (figures of :func:`sel_svd_figures`)."""
    f = sel_svd_figures()
    holds = f["UtU"] > 0.5 and f["UtNU"] < 1e-12 and f["G_M"] < 1e-12
    return Evidence(holds, f"||U^T U - I||_F = {f['UtU']:.3f}; ||U^T N U - I||_F = {f['UtNU']:.1e}; "
                           f"max |U Lambda U^T - M^T M| / max|M^T M| = {f['G_M']:.1e}")


ERRATA = [
    Erratum(
        id="behnia2023-def1-U-orthonormal",
        paper="behnia2023",
        location="Definition 1(a), text after eq. (4)",
        printed="Z-hat = V Lambda [U^T (x) 1^T ...] with U, V in R^{k x (k-1)} having orthonormal columns",
        corrected="V has orthonormal columns and U^T N U = I (N = diag(n_c)), i.e. N^{1/2} U has orthonormal "
                  "columns; U itself is orthonormal only when N = I (R = 1, alpha = 1). With this U, "
                  "M^T M = U Lambda U^T as Def. 1(b) states.",
        evidence=_def1_u_not_orthonormal,
        claim_id="behnia2023 Def. 1(a) SVD",
    ),
]
