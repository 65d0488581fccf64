"""Predicted group geometry of an (R, rho)-STEP setting, by the symbolic or the numeric route.

This is the library form of ``igeom geometry``: the same dictionary the command prints with ``--json``
(behnia2023 Thm 2 and Appendix A.1 group averages; M = class means of the minimiser, uncentred).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from theory.seli.closed_forms import check_step_args, evaluate
from theory.seli.geometry import seli_geometry, step_counts, step_groups
from theory.core.measure import GROUP_KEYS
from theory.core.parameterization import Parameterization
from theory.core.vocabulary import CLOSED_FORM_LOSSES, Loss, Route
from theory.core.errors import InputError

def step_delta(k: int, k_minor: int, delta_ratio: float) -> np.ndarray:
    """delta with delta_maj / delta_min = Delta, normalised so that 1^T delta = k (Appendix A.1)."""
    from theory.core.validate import positive_real, step_shape

    k, k_minor = step_shape(k, k_minor)
    delta_ratio = positive_real("delta_ratio (Delta)", delta_ratio)
    raw = np.array([delta_ratio] * (k - k_minor) + [1.0] * k_minor)
    return raw * k / raw.sum()


def predict_step(loss: str, k: int, k_minor: int, R: float, delta_ratio: float,
                 method: str = Route.SYMBOLIC, *, force: bool = False) -> dict[str, Any]:
    """Group norm ratios and cosines of the CS-SVM minimiser (keys of ``igeom geometry --json``).

    ``method`` (a :class:`theory.core.vocabulary.Route`): "symbolic" evaluates the SymPy closed forms;
    "numeric" the eigen route of
    :func:`theory.seli.geometry.seli_geometry` in extended precision. Both agree to float64 rounding. The numeric route's memory and time
    are estimated first (:func:`theory.infra.budget.geometry_numeric`; InputError beyond the limits,
    ``force`` to run it anyway).
    """
    name = Loss.parse(loss, CLOSED_FORM_LOSSES)
    route = Route.parse(method)
    k, k_minor, R, delta_ratio = check_step_args(k, k_minor, R, delta_ratio)
    if name == Loss.CE and delta_ratio != 1.0:
        raise InputError("CE has delta = 1 (Delta = 1); use CDT or LDT for Delta != 1")
    head = {"loss": name, "k": k, "k_minor": k_minor, "R": R, "delta_ratio": delta_ratio}
    if route == Route.SYMBOLIC:
        values = evaluate(name, k, k_minor, R, delta_ratio)
        body = {block: {key: values[f"{block}.{key}"] for key in keys} for block, keys in GROUP_KEYS.items()}
    else:
        from theory.infra.budget import geometry_numeric, require_within

        require_within(geometry_numeric(k), force)
        param = Parameterization.from_name(name, step_delta(k, k_minor, delta_ratio))
        geo = seli_geometry(step_counts(k, k_minor, R), param, precision="extended")
        body = geo.summary(*step_groups(k, k_minor))
    return {**head, **body}
