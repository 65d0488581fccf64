"""LaTeX export of the closed forms, one ``lhs = rhs`` line each (the sheet is :mod:`theory.formula_sheet`).

Products are written with an explicit ``\\cdot`` so that the exported LaTeX parses back unambiguously
(``sympy.parsing.latex.parse_latex`` reads ``k_{m} \\left(...\\right)`` as a function call otherwise);
the test suite parses every exported formula back and compares values.
"""

from __future__ import annotations

import sympy as sp

from theory.seli.closed_forms import QUANTITIES, closed_form
from theory.core.vocabulary import CLOSED_FORM_LOSSES, Loss
from theory.core.errors import InputError

_VEC = {"W": "w", "M": r"\mu"}


def quantity_lhs(quantity: str) -> str:
    """LaTeX of the left-hand side of a quantity, e.g. ``\\cos(w_{maj}, w'_{maj})``."""
    if quantity not in QUANTITIES:
        raise InputError(f"unknown quantity {quantity!r}; expected one of {', '.join(QUANTITIES)}")
    block, name = quantity.split(".")
    if block == "WM":
        g = name.split("_")[1]
        return rf"\cos\left(w_{{\mathrm{{{g}}}}}, \mu_{{\mathrm{{{g}}}}}\right)"
    v = _VEC[block]
    if name.startswith("sq_norm"):
        return rf"\left\|{v}_{{\mathrm{{{name[-3:]}}}}}\right\|^2"
    if name == "norm_ratio":
        return rf"\left\|{v}_{{\mathrm{{maj}}}}\right\|^2 / \left\|{v}_{{\mathrm{{min}}}}\right\|^2"
    g1, g2 = name.split("_")[1:]
    second = f"{v}'" if g1 == g2 else v
    return rf"\cos\left({v}_{{\mathrm{{{g1}}}}}, {second}_{{\mathrm{{{g2}}}}}\right)"


def latex_expr(expr: sp.Expr) -> str:
    """``sympy.latex`` with explicit multiplication dots (parses back with ``parse_latex``)."""
    return sp.latex(expr, mul_symbol="dot")


def latex_closed_form(loss: str, quantity: str) -> str:
    """``lhs = rhs`` for one closed form of behnia2023 Thm 2 under STEP imbalance."""
    return f"{quantity_lhs(quantity)} = {latex_expr(closed_form(loss, quantity))}"


def select(loss: str | None = None, quantity: str | None = None) -> list[tuple[str, str]]:
    """(loss, quantity) pairs matching the optional filters, in a fixed order."""
    losses = CLOSED_FORM_LOSSES if loss is None else (Loss.parse(loss, CLOSED_FORM_LOSSES),)
    if quantity is not None and quantity not in QUANTITIES:
        raise InputError(f"unknown quantity {quantity!r}; expected one of {', '.join(QUANTITIES)}")
    quantities = QUANTITIES if quantity is None else (quantity,)
    return [(lo, q) for lo in losses for q in quantities]
