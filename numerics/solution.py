"""The one protocol every CS-SVM solver's result follows (behnia2023 eq. (3a)/(3b)).

:class:`numerics.cs_svm.CSSVMSolution` (convex program, KKT certificate) and
:class:`numerics.nonconvex.NonconvexStart` (one random start over (W, H), no certificate) both satisfy
:class:`CSSVMResult`, so a caller (for example :func:`numerics.compare.compare_with_theory` or
``igeom svm``) handles either without knowing which solver ran.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from numerics.certificate import KKTCertificate
from theory.seli.cs_svm_problem import CSSVMProblem
from theory.seli.seli_geometry import Geometry


class ProblemColumns:
    """The column labels and class counts of a result's :class:`CSSVMProblem` (``self.problem``)."""

    problem: CSSVMProblem

    @property
    def labels(self) -> np.ndarray:
        """Class of each column of Z (and of H)."""
        return self.problem.labels

    @property
    def counts(self) -> np.ndarray:
        """Class sizes (float64)."""
        return self.problem.counts


@runtime_checkable
class CSSVMResult(Protocol):
    """A solution of a :class:`theory.seli.cs_svm_problem.CSSVMProblem`.

    ``objective``: ||W||^2 + sum_j w_j^2 ||h_j||^2 at a feasible point; ``status``: the solver's word
    ("optimal", "converged", ...); ``Z`` = W^T H (k x columns); ``W`` (d x k) and ``H`` (d x columns);
    ``max_violation``: the largest margin violation max(0, 1 - margin); ``certificate``: the KKT
    certificate of a convex solve, ``None`` for a solver without one.
    """

    @property
    def problem(self) -> CSSVMProblem: ...

    @property
    def objective(self) -> float: ...

    @property
    def status(self) -> str: ...

    @property
    def Z(self) -> np.ndarray: ...

    @property
    def W(self) -> np.ndarray: ...

    @property
    def H(self) -> np.ndarray: ...

    @property
    def max_violation(self) -> float: ...

    @property
    def certificate(self) -> KKTCertificate | None: ...

    def geometry(self) -> Geometry:
        """Gram matrices W^T W, M^T M, W^T M (M the class means of H)."""
        ...

    def collapse_error(self) -> float | None:
        """max_i ||h_i - mu_{y_i}|| / max_c ||mu_c|| at sample level; ``None`` at class level."""
        ...
