"""Exact arithmetic on k x k matrices with two-block (STEP) structure, for symbolic class counts.

A matrix of the algebra is  X = diag(x_A I_a, x_B I_m) + [[b_AA J_aa, b_AB J_am], [b_BA J_ma, b_BB J_mm]]
(J = all-ones blocks; a majority classes first, then m minority classes). SEL matrices, diag(n_c),
diag(delta_c) and all their products and transposes lie in it, so (behnia2023 Def. 1 with STEP
imbalance) every Gram matrix of the SELI geometry is an element; a and m can stay symbols.

The eigen-decomposition of a symmetric element is explicit (docs/mathematics.md): x_A on majority vectors
orthogonal to 1_a (multiplicity a - 1), x_B on minority vectors orthogonal to 1_m, and the 2 x 2 matrix
T = [[x_A + a b_AA, sqrt(a m) b_AB], [sqrt(a m) b_BA, x_B + m b_BB]] on the span of the normalised block
indicators. When T is singular (rank k - 1 matrices such as Xi N Xi^T) its non-zero eigenvalue is tr T
and f(T) = f(tr T) / tr T * T for any f with f(0) = 0: this gives exact square roots.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy as sp

from theory.core.errors import ComputationError, InputError


@dataclass(frozen=True)
class TwoBlock:
    """Element of the two-block algebra with block sizes (a, m)."""

    x: tuple[sp.Expr, sp.Expr]
    B: sp.Matrix
    sizes: tuple[sp.Expr, sp.Expr]

    @classmethod
    def diagonal(cls, x_maj: sp.Expr, x_min: sp.Expr, sizes: tuple[sp.Expr, sp.Expr]) -> "TwoBlock":
        """diag(x_maj I_a, x_min I_m)."""
        return cls((sp.sympify(x_maj), sp.sympify(x_min)), sp.zeros(2, 2), sizes)

    @classmethod
    def ones(cls, sizes: tuple[sp.Expr, sp.Expr]) -> "TwoBlock":
        """The all-ones matrix 1 1^T."""
        return cls((sp.Integer(0), sp.Integer(0)), sp.ones(2, 2), sizes)

    def _same(self, other: "TwoBlock") -> None:
        if self.sizes != other.sizes:
            raise InputError("block sizes differ")

    def __add__(self, other: "TwoBlock") -> "TwoBlock":
        self._same(other)
        return TwoBlock((self.x[0] + other.x[0], self.x[1] + other.x[1]), self.B + other.B, self.sizes)

    def __sub__(self, other: "TwoBlock") -> "TwoBlock":
        return self + other.scale(-1)

    def scale(self, s: sp.Expr) -> "TwoBlock":
        """s * X."""
        return TwoBlock((s * self.x[0], s * self.x[1]), s * self.B, self.sizes)

    def __matmul__(self, other: "TwoBlock") -> "TwoBlock":
        self._same(other)
        Dx = sp.diag(*self.x)
        Dy = sp.diag(*other.x)
        Dn = sp.diag(*self.sizes)
        B = Dx * other.B + self.B * Dy + self.B * Dn * other.B
        return TwoBlock((self.x[0] * other.x[0], self.x[1] * other.x[1]), B, self.sizes)

    @property
    def T(self) -> "TwoBlock":
        """Transpose."""
        return TwoBlock(self.x, self.B.T, self.sizes)

    def entry(self, row_group: int, col_group: int, same_class: bool) -> sp.Expr:
        """Entry [c, c'] with c in ``row_group`` and c' in ``col_group`` (0 = majority, 1 = minority)."""
        if same_class:
            if row_group != col_group:
                raise InputError("a class belongs to one group")
            return self.x[row_group] + self.B[row_group, row_group]
        return self.B[row_group, col_group]

    def compressed(self) -> sp.Matrix:
        """The 2 x 2 matrix T acting on the normalised block indicators (see module docstring)."""
        a, m = self.sizes
        r = sp.sqrt(a * m)
        return sp.Matrix([[self.x[0] + a * self.B[0, 0], r * self.B[0, 1]],
                          [r * self.B[1, 0], self.x[1] + m * self.B[1, 1]]])

    def nonzero_eigenvalue(self, simplify: Callable[[sp.Expr], sp.Expr] = sp.cancel) -> sp.Expr:
        """tr T, the non-zero eigenvalue of a singular compressed block (checked: det T is 0)."""
        if simplify(self.B[0, 1] - self.B[1, 0]) != 0:
            raise InputError("the two-block element is not symmetric")
        T = self.compressed()
        if simplify(T.det()) != 0:
            raise ComputationError("compressed block is not singular: the rank-one shortcut does not apply")
        return simplify(T.trace())

    def apply_rank_deficient(self, f: Callable[[sp.Expr], sp.Expr], f_t: sp.Expr,
                             simplify: Callable[[sp.Expr], sp.Expr] = sp.cancel) -> "TwoBlock":
        """f(X) for symmetric X whose compressed block T is singular (f(0) taken as 0).

        ``f`` is applied to x_A and x_B; ``f_t`` is the value of f at the non-zero eigenvalue tr T
        (see :meth:`nonzero_eigenvalue`), passed in so the caller can name it by a symbol.
        """
        t = self.nonzero_eigenvalue(simplify)
        T = self.compressed()
        F = T * (f_t / t)
        a, m = self.sizes
        r = sp.sqrt(a * m)
        fa, fb = f(self.x[0]), f(self.x[1])
        B = sp.Matrix([[(F[0, 0] - fa) / a, F[0, 1] / r], [F[1, 0] / r, (F[1, 1] - fb) / m]])
        return TwoBlock((fa, fb), B, self.sizes)

    def quadratic_form(self, v_maj: sp.Expr, v_min: sp.Expr) -> sp.Expr:
        """v^T X v for the block-constant vector v = (v_maj 1_a, v_min 1_m)."""
        a, m = self.sizes
        n = (a, m)
        v = (v_maj, v_min)
        out = self.x[0] * a * v_maj**2 + self.x[1] * m * v_min**2
        for i in range(2):
            for j in range(2):
                out += self.B[i, j] * n[i] * v[i] * n[j] * v[j]
        return out

    def apply(self, v_maj: sp.Expr, v_min: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
        """X v for the block-constant vector v = (v_maj 1_a, v_min 1_m); X v is block-constant too."""
        a, m = self.sizes
        return (self.x[0] * v_maj + self.B[0, 0] * a * v_maj + self.B[0, 1] * m * v_min,
                self.x[1] * v_min + self.B[1, 0] * a * v_maj + self.B[1, 1] * m * v_min)
