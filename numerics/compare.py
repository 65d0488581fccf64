"""Any CS-SVM solution against the theory's prediction (behnia2023 Thm 2).

The prediction: Z-hat, column j the class-level logits X[:, y_j] of :func:`theory.seli.sel.class_logits`
(CDT/CE/VS: Xi(delta); LDT: Xi(1) diag(1/delta)), with optimal value 2||Z-hat diag(w)||_* (w the
column weights of the problem). A solution of either solver (:class:`numerics.solution.CSSVMResult`)
is measured against it: the objective, the largest entrywise deviation from Z-hat, the collapse error,
the margin violation and the measured Gram matrices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from numerics.solution import CSSVMResult
from theory.core.errors import InputError
from theory.seli.seli_geometry import Geometry
from theory.seli.sel import class_logits


@dataclass(frozen=True)
class TheoryComparison:
    """A solution next to the prediction: ``objective`` and ``predicted_objective`` = 2||Z-hat D||_*,
    ``max_abs_dev_Z`` = max |Z - Z-hat|, ``collapse_error`` (``None`` at class level),
    ``max_violation`` of the margins, and the measured ``geometry``."""

    objective: float
    predicted_objective: float
    max_abs_dev_Z: float
    collapse_error: float | None
    max_violation: float
    geometry: Geometry

    def summary(self, majority: np.ndarray, minority: np.ndarray) -> dict[str, Any]:
        """JSON-ready dictionary (the keys of ``igeom svm --json``, geometry as group summaries)."""
        return {"objective": self.objective, "predicted_objective": self.predicted_objective,
                "max_abs_dev_Z": self.max_abs_dev_Z, "collapse_error": self.collapse_error,
                "max_violation": self.max_violation, "geometry": self.geometry.summary(majority, minority)}


def compare_with_theory(solution: CSSVMResult) -> TheoryComparison:
    """Measure ``solution`` against the closed-form minimiser of its problem (module docstring).

    ``InputError`` for a custom logit-scaling matrix, which has no closed form (compare two solvers with
    :func:`numerics.nonconvex.compare_to_convex` instead).
    """
    if not hasattr(solution, "problem") or not hasattr(solution, "geometry"):
        raise InputError(f"solution must be a CS-SVM solution (solve_cs_svm, solve_nonconvex), got "
                         f"{type(solution).__name__}")
    problem = solution.problem
    Z_hat = class_logits(problem.param)[:, problem.labels]
    predicted = 2.0 * float(np.linalg.norm(Z_hat * problem.weights[None, :], "nuc"))
    return TheoryComparison(objective=float(solution.objective), predicted_objective=predicted,
                            max_abs_dev_Z=float(np.max(np.abs(solution.Z - Z_hat))),
                            collapse_error=solution.collapse_error(), max_violation=float(solution.max_violation),
                            geometry=solution.geometry())
