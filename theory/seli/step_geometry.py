"""Predicted group geometry of an (R, rho)-STEP setting, by the symbolic or the numeric route.

This is the library form of ``igeom geometry``: the same dictionary the command prints with ``--json``
(behnia2023 Thm 2 and Appendix A.1 group averages; M = class means of the minimiser, uncentred).
"""

from __future__ import annotations

from typing import Any

from theory.seli.closed_forms import evaluate_setting
from theory.seli.seli_geometry import seli_geometry, step_groups
from theory.seli.step_setting import StepSetting
from theory.core.collapse_metrics import GROUP_KEYS
from theory.core.vocabulary import Route
from theory.core.errors import InputError

def predict_step(setting: StepSetting, method: str = Route.SYMBOLIC, *, force: bool = False) -> dict[str, Any]:
    """Group norm ratios and cosines of the CS-SVM minimiser (keys of ``igeom geometry --json``) for a STEP
    ``setting`` (validated when it was built, CE's Delta = 1 included).

    ``method`` (a :class:`theory.core.vocabulary.Route`): "symbolic" evaluates the SymPy closed forms;
    "numeric" the eigen route of
    :func:`theory.seli.seli_geometry.seli_geometry` in extended precision. Both agree to float64 rounding. The
    numeric route's memory and time are estimated first (:func:`theory.infra.budget.geometry_numeric`;
    InputError beyond the limits, ``force`` to run it anyway).
    """
    if not isinstance(setting, StepSetting):
        raise InputError(f"setting must be a theory.seli.step_setting.StepSetting, got {type(setting).__name__}")
    route = Route.parse(method)
    s = setting
    if route == Route.SYMBOLIC:
        values = evaluate_setting(s)
        body = {block: {key: values[f"{block}.{key}"] for key in keys} for block, keys in GROUP_KEYS.items()}
    else:
        from theory.infra.budget import geometry_numeric, require_within

        require_within(geometry_numeric(s.k), force)
        geo = seli_geometry(s.class_sizes(), s.parameterization(), precision="extended")
        body = geo.summary(*step_groups(s.k, s.k_minor))
    return {**s.as_dict(), **body}
