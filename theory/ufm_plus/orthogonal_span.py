"""Vectors in the span of pairwise-orthogonal class means, for a symbolic number of classes K.

dang2024 Thm 1(b) makes the class means h_1..h_K pairwise orthogonal, and every vector of its proof
(the classifiers w_k of eq. (10), the vectors h^_m of eq. (30), sum_m sqrt(n_m) h_m) is a combination

    v = sum_l sqrt(n_l) c_l h_l,   c_l = generic + special[i] when l is the named class i,
                                   c_l = generic              for every other class l,

where a few classes carry names ("k", "j", "m") and distinct names denote distinct classes. Inner
products then need only q_i = n_i ||h_i||^2 for the named classes and the total T = sum_l q_l:

    <u, v> = sum_i q_i (g_u + s_{u,i}) (g_v + s_{v,i}) + (T - sum_i q_i) g_u g_v.

This turns the index bookkeeping of the proof (splitting sums into m = k, m = j and the rest) into
algebra that SymPy can carry out with K left symbolic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import sympy as sp

from theory.core.errors import InputError


@dataclass(frozen=True)
class SpanVector:
    """sum_l sqrt(n_l) c_l h_l with c_l = ``generic`` + ``special.get(name of l, 0)`` (see module doc)."""

    generic: sp.Expr
    special: Mapping[str, sp.Expr] = field(default_factory=dict)

    def coefficient(self, name: str | None) -> sp.Expr:
        """c_l for the named class ``name`` (``None``: an unnamed class)."""
        if name is None:
            return self.generic
        return self.generic + self.special.get(name, sp.Integer(0))

    def __add__(self, other: "SpanVector") -> "SpanVector":
        names = set(self.special) | set(other.special)
        return SpanVector(self.generic + other.generic,
                          {i: self.special.get(i, 0) + other.special.get(i, 0) for i in names})

    def __neg__(self) -> "SpanVector":
        return (-1) * self

    def __sub__(self, other: "SpanVector") -> "SpanVector":
        return self + (-other)

    def __rmul__(self, scalar: sp.Expr) -> "SpanVector":
        return SpanVector(scalar * self.generic, {i: scalar * c for i, c in self.special.items()})

    def inner(self, other: "SpanVector", q: Mapping[str, sp.Expr], total: sp.Expr) -> sp.Expr:
        """<self, other> given q_i = n_i ||h_i||^2 of every named class and T = sum_l q_l."""
        names = set(self.special) | set(other.special)
        missing = names - set(q)
        if missing:
            raise InputError(f"q is missing the named classes {sorted(missing)}")
        named = sum((q[i] * self.coefficient(i) * other.coefficient(i) for i in names), sp.Integer(0))
        rest = total - sum((q[i] for i in names), sp.Integer(0))
        return named + rest * self.generic * other.generic

    def summed_over(self, name: str, K: sp.Expr) -> "SpanVector":
        """sum over the class ``name`` = 1..K of this vector (the only named class it may carry):
        every class l receives K * generic plus special[name] once (from the term with name = l)."""
        if set(self.special) - {name}:
            raise InputError(f"can only sum a vector whose only named class is {name!r}")
        return SpanVector(K * self.generic + self.special.get(name, sp.Integer(0)), {})


def class_mean(name: str, n: sp.Expr) -> SpanVector:
    """The class mean h_i of the named class i with n_i = ``n`` samples."""
    return SpanVector(sp.Integer(0), {name: 1 / sp.sqrt(n)})


def weighted_mean_sum() -> SpanVector:
    """sum_l sqrt(n_l) h_l."""
    return SpanVector(sp.Integer(1), {})


def sum_affine_over_classes(expr: sp.Expr, q: sp.Symbol, total: sp.Expr, K: sp.Expr) -> sp.Expr:
    """sum_{m=1}^K f(q_m) for f(q) = ``expr`` affine in ``q``: K f(0) + f'(0) T, with T = sum_m q_m."""
    expr = sp.expand(expr)
    if sp.diff(expr, q, 2) != 0:
        raise InputError("sum_affine_over_classes needs an expression affine in q")
    return K * expr.subs(q, 0) + sp.diff(expr, q) * total
