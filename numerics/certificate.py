"""KKT certificate of the convex CS-SVM program  min 2||Z D||_*  s.t.  L vec_F(Z) >= 1.

behnia2023 eq. (3a)/(3b) in Z = W^T H (docs/mathematics.md): the non-convex CS-SVM equals this convex program
for d >= rank Z. D = diag(weights) (identity for the sample-level program, diag(sqrt n_c) for the
class-level one). With multipliers lambda >= 0 of the margin constraints the Lagrange dual is

    max 1^T lambda   s.t.  lambda >= 0,  || mat(L^T lambda) D^{-1} ||_2 <= 2,

and (Z, lambda) is optimal iff Z is feasible, lambda >= 0, lambda_j (m_j - 1) = 0 and
S = mat(L^T lambda) D^{-1} / 2 lies in the subdifferential of ||.||_* at Y = Z D, i.e.
||S||_2 <= 1 and <S, Y> = ||Y||_* (the dual-norm characterisation of the subdifferential of a norm,
equivalent to S = V U^T + W' with ||W'||_2 <= 1 and W' orthogonal to the row and column spaces of Y).

The certificate also turns the approximate pair into a *rigorous* bracket of the optimal value:
Z / min(1, min margin) is feasible (upper bound) and max(lambda, 0) scaled so that the spectral
constraint holds is dual feasible (lower bound, weak duality). Both bounds are exact up to the
float64 rounding of one SVD.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from theory.core.errors import ComputationError, InputError

#: default relative tolerance of the KKT checks. SCS stops when its primal, dual and gap residuals are
#: below eps_abs + eps_rel * (data scale) in its *internally rescaled* data (eps = 1e-8 by default);
#: back in the original data the residuals grow by the rescaling factors and by the conditioning of
#: strong parameterizations (|gamma| = 1.5). 1e-6 leaves two orders of magnitude of headroom over
#: eps = 1e-8 and is still far below the 1e-3 effects the geometry checks resolve.
DEFAULT_TOL = 1e-6
#: singular values of Z D below RANK_RTOL times the largest count as zero (numerical rank); SCS at
#: eps = 1e-8 leaves spurious singular values of order 1e-9..1e-8 relative
RANK_RTOL = 1e-6


@dataclass(frozen=True)
class KKTCertificate:
    """Optimality certificate of a solution of the convex CS-SVM (see module docstring).

    ``primal_objective`` = 2||Z D||_*, ``dual_objective`` = 1^T lambda; ``upper_bound`` and
    ``lower_bound`` bracket the optimal value rigorously. ``max_violation`` = max(0, 1 - min margin);
    ``min_dual`` = min lambda; ``complementarity`` = max_j |lambda_j (m_j - 1)| / primal objective;
    ``spectral_norm`` = ||S||_2 and ``alignment`` = |<S, Y> - ||Y||_*| / ||Y||_* for
    S = mat(L^T lambda) D^{-1} / 2. ``rank`` = number of singular values of Z D above :data:`RANK_RTOL`
    times the largest. Every relative check uses ``tol``.
    """

    status: str
    primal_objective: float
    dual_objective: float
    upper_bound: float
    lower_bound: float
    max_violation: float
    min_dual: float
    complementarity: float
    spectral_norm: float
    alignment: float
    rank: int
    tol: float

    @property
    def relative_gap(self) -> float:
        """(certified upper bound - certified lower bound) / upper bound."""
        return (self.upper_bound - self.lower_bound) / self.upper_bound

    def failures(self) -> list[str]:
        """The checks that do not hold, each as a readable sentence (empty when certified)."""
        tol, out = self.tol, []
        if self.status != "optimal":
            out.append(f"solver status is {self.status!r}, not 'optimal'")
        if self.max_violation > tol:
            out.append(f"a margin constraint is violated by {self.max_violation:.3g} > {tol:g}")
        scale = max(self.dual_objective, 1.0)
        if self.min_dual < -tol * scale:
            out.append(f"a multiplier is negative ({self.min_dual:.3g})")
        if self.complementarity > tol:
            out.append(f"complementary slackness fails ({self.complementarity:.3g} > {tol:g})")
        if self.spectral_norm > 1 + tol:
            out.append(f"dual certificate has spectral norm {self.spectral_norm:.12g} > 1 + {tol:g}")
        if self.alignment > tol:
            out.append(f"<S, Z D> differs from ||Z D||_* by a relative {self.alignment:.3g} > {tol:g}")
        if not self.relative_gap <= tol:
            out.append(f"certified duality gap {self.relative_gap:.3g} exceeds {tol:g}")
        return out

    @property
    def holds(self) -> bool:
        """True when every KKT check holds within ``tol``."""
        return not self.failures()

    def require(self) -> "KKTCertificate":
        """Return ``self`` if it holds, else raise :class:`ComputationError` naming the failed checks."""
        bad = self.failures()
        if bad:
            raise ComputationError("CS-SVM certificate failed: " + "; ".join(bad))
        return self


def kkt_certificate(Z: np.ndarray, lam: np.ndarray, L: sp.spmatrix, weights: np.ndarray,
                    status: str, tol: float = DEFAULT_TOL) -> KKTCertificate:
    """Certificate of (Z, lambda) for  min 2||Z diag(weights)||_*  s.t.  L vec_F(Z) >= 1.

    behnia2023 eq. (3) in the convex form of docs/mathematics.md; the checks are the KKT conditions of the
    module docstring. ``Z`` is k x m, ``lam`` has one entry per row of ``L`` (m (k-1) rows),
    ``weights`` m positive numbers.
    """
    Z = np.asarray(Z, dtype=np.float64)
    lam = np.asarray(lam, dtype=np.float64).reshape(-1)
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    if Z.ndim != 2 or w.size != Z.shape[1] or L.shape != (lam.size, Z.size):
        raise InputError(f"inconsistent shapes: Z {Z.shape}, lambda {lam.shape}, L {L.shape}, "
                         f"weights {w.shape}")
    if not (np.all(np.isfinite(Z)) and np.all(np.isfinite(lam))):
        raise ComputationError("solver returned non-finite values")
    if np.any(w <= 0) or not tol > 0:
        raise InputError("weights and tol must be positive")
    margins = L @ Z.reshape(-1, order="F")
    Y = Z * w[None, :]
    sigma = np.linalg.svd(Y, compute_uv=False)
    nuc = float(sigma.sum())
    primal = 2.0 * nuc
    G = (L.T @ lam).reshape(Z.shape, order="F")
    S = G / w[None, :] / 2.0
    spec = float(np.linalg.norm(S, 2))
    lam_pos = np.maximum(lam, 0.0)
    spec_pos = float(np.linalg.norm((L.T @ lam_pos).reshape(Z.shape, order="F") / w[None, :], 2)) / 2.0
    lower = float(lam_pos.sum()) / max(1.0, spec_pos)
    min_margin = float(margins.min())
    if min_margin <= 0:
        raise ComputationError(f"solver returned a point with a non-positive margin ({min_margin:.3g})")
    upper = primal / min(1.0, min_margin)
    return KKTCertificate(
        status=status, primal_objective=primal, dual_objective=float(lam.sum()), upper_bound=upper,
        lower_bound=lower, max_violation=max(0.0, 1.0 - min_margin), min_dual=float(lam.min()),
        complementarity=float(np.max(np.abs(lam * (margins - 1.0)))) / primal, spectral_norm=spec,
        alignment=abs(float(np.sum(S * Y)) - nuc) / nuc, rank=int(np.sum(sigma > RANK_RTOL * sigma[0])),
        tol=float(tol))
