"""Limits R -> infinity of the closed-form SELI quantities (behnia2023 "Closed-form geometry formulas").

Delta is either held fixed or tied to R as Delta = R^gamma (gamma rational), the parameterisation of the
paper's experiments. Limits are taken in the internal symbols of :mod:`theory.seli.closed_forms` with a = 1 + a0, m = 1 + m0
(a0, m0 >= 0, so SymPy knows the sign of a - 1), then written with k and k_m.
Minority collapse (Fang et al. 2021) is the limit cos(w_min, w_min') -> 1.
"""

from __future__ import annotations

import functools

import sympy as sp

from theory.seli.closed_forms import QUANTITIES, Delta, a, internal_forms, k, k_m, m, r, s
from theory.core.vocabulary import CLOSED_FORM_LOSSES, Loss
from theory.core.errors import InputError
from theory.core.parameterization import require_ce_delta_one

# a = 1 + a0, m = 1 + m0 with a0, m0 >= 0 tells SymPy the signs of a - 1 and m - 1
_a0, _m0 = sp.symbols("a0 m0", nonnegative=True)


def _check(loss: str, quantity: str, gamma: object) -> tuple[Loss, sp.Rational | None]:
    name = Loss.parse(loss, CLOSED_FORM_LOSSES)
    if quantity not in QUANTITIES:
        raise InputError(f"unknown quantity {quantity!r}; expected one of {', '.join(QUANTITIES)}")
    if gamma is None:
        return name, None
    try:
        g = sp.Rational(str(gamma))
    except (TypeError, ValueError):
        raise InputError(f"gamma must be a rational number such as 1/2, got {gamma!r}") from None
    return name, g


@functools.lru_cache(maxsize=None)
def limit_R_infinity(loss: str, quantity: str, gamma: object = None) -> sp.Expr:
    """lim_{R -> oo} of a closed form; ``gamma=None`` keeps Delta fixed, otherwise Delta = R^gamma.

    CE is CDT at Delta = 1 (``gamma`` must then be None or 0). Returns a SymPy expression in k, k_m
    (and Delta when fixed); ``sympy.oo`` when the quantity diverges.
    """
    name, g = _check(loss, quantity, gamma)
    if name == Loss.CE:
        require_ce_delta_one(name, g in (None, 0))
        name, g = Loss.CDT, sp.Integer(0)
    f = internal_forms(name)
    expr = f.quantities[quantity]
    t = f.t
    if g is not None:
        expr, t = expr.subs(Delta, r ** (2 * g)), t.subs(Delta, r ** (2 * g))
    expr = expr.subs(s, sp.sqrt(sp.factor(t))).subs({a: 1 + _a0, m: 1 + _m0}, simultaneous=True)
    lim = sp.simplify(sp.limit(expr, r, sp.oo))
    return lim.subs({_a0: k - k_m - 1, _m0: k_m - 1}, simultaneous=True)


def minority_collapse(loss: str, gamma: object = None) -> bool:
    """True iff the minority classifiers collapse as R -> oo: lim cos(w_min, w_min') = 1."""
    return sp.simplify(limit_R_infinity(loss, "W.cos_min_min", gamma) - 1) == 0
