"""dang2024's formulas exactly as printed, transcribed into the symbols of :mod:`theory.ufm_plus.symbolic`.

These are the objects *under test*: nothing in the suite computes with them except the comparisons
(tests and :mod:`proofs_check.errata.dang2024_errata`) against the derived expressions. Sums over "all other
classes" are written with S = sum_m sqrt(n_m) M_m: sum_{m != k} sqrt(n_m) M_m = S - sqrt(n_k) M_k and
sum_{m != k, j} sqrt(n_m) M_m = S - sqrt(n_k) M_k - sqrt(n_j) M_j. Misprints are kept on purpose.
"""

from __future__ import annotations

import sympy as sp

from theory.core.errors import InputError
from theory.ufm_plus.symbolic import (K, K_A, K_B, M_A, M_B, M_j, M_k, N, R, S, lam_h, lam_w, n_A, n_B,
                                      n_j, n_k, x)

_a_k = sp.sqrt(n_k) * M_k
_a_j = sp.sqrt(n_j) * M_j
_prop1_scale = 1 / (K * sp.sqrt(K * (K - 1))) * sp.sqrt(lam_h / lam_w)
_t = sp.exp(sp.sqrt(K / (K - 1)) * sp.sqrt(lam_h / lam_w) * sp.sqrt(n_k) * x) / (K - 1)   # eq. (46)

PRINTED: dict[str, sp.Expr] = {
    # eq. (6): note lambda_W lambda_H outside the square root
    "M_bar": sp.log((K - 1) * (sp.sqrt(n_k) / (N * sp.sqrt((K - 1) / K) * lam_w * lam_h) - 1)),
    # text after (6) and Thm 1: M_k > 0 iff N sqrt(lambda_W lambda_H) / sqrt(n_k) < sqrt((K-1)/K)
    "positivity_lhs": N / sp.sqrt(n_k) * sp.sqrt(lam_w * lam_h),
    "positivity_rhs": sp.sqrt((K - 1) / K),
    # eq. (9)
    "h_norm_sq": sp.sqrt((K - 1) / K * lam_w / lam_h / n_k) * M_k,
    # eq. (10): coefficient of K sqrt(n_k) h_k - sum_m sqrt(n_m) h_m
    "classifier_coefficient": sp.sqrt(1 / (K * (K - 1))) * sp.sqrt(lam_h / lam_w),
    # eqs. (11)-(13)
    "logit_true": (K - 1) / K * M_k,
    "logit_other": -M_k / K,
    "logit_sum": sp.Integer(0),
    "margin": M_k,
    # Step 4: g(x) after eq. (39), its derivative (40), c_1 at g' = 0 (41), x* (42)
    "g": n_k / N * sp.log(1 + (K - 1) * sp.exp(-sp.sqrt(K / (K - 1)) * sp.sqrt(lam_h / lam_w) * sp.sqrt(n_k) * x))
    + lam_h * n_k * x,
    "g_x": -n_k / N * sp.sqrt(K / (K - 1)) * sp.sqrt(lam_h / lam_w) * sp.sqrt(n_k) / (1 + _t) + lam_h * n_k,
    "c1": N * sp.sqrt((K - 1) / K) * lam_w * lam_h,
    "x_bar": sp.sqrt((K - 1) / K * lam_w / lam_h / n_k)
    * (sp.log(K - 1) + sp.log(sp.sqrt(n_k) / (N * sp.sqrt((K - 1) / K) * lam_w * lam_h) - 1)),
    # Step 4, the identity "We note that ...": right-hand side of its last line (n_k, not sqrt(n_k))
    "step4_identity_lhs": 1 / (1 + _t) * sp.log((K - 1) * (1 + _t)) + _t / (1 + _t) * sp.log((1 + _t) / _t),
    "step4_identity_rhs": sp.sqrt(lam_h / lam_w * K / (K - 1)) * n_k * x / (1 + _t) + sp.log((1 + _t) / _t),
    # eq. (46)
    "t": _t,
    # Prop. 1
    "w_norm_sq": _prop1_scale * ((K - 1) ** 2 * _a_k + (S - _a_k)),
    "w_inner": _prop1_scale * (-(K - 1) * _a_k - (K - 1) * _a_j + (S - _a_k - _a_j)),
    "w_cos": (-(K - 1) * _a_k - (K - 1) * _a_j + (S - _a_k - _a_j))
    / sp.sqrt(((K - 1) ** 2 * _a_k + (S - _a_k)) * ((K - 1) ** 2 * _a_j + (S - _a_j))),
    # text after Prop. 1 (balanced counts) and Cor. 1
    "balanced_w_cos": -1 / (K - 1),
    # Cor. 2, eq. (14): the square root covers M_i / M_j as printed
    "w_norm_sq_ratio": ((K - 1) ** 2 * _a_k + (S - _a_k)) / ((K - 1) ** 2 * _a_j + (S - _a_j)),
    "h_norm_sq_ratio": sp.sqrt(n_j / n_k * M_k / M_j),
    # Cor. 3, eqs. (15)-(16), K = K_A + K_B
    "cos_maj_maj": 1 - (K_A + K_B) ** 2 * sp.sqrt(n_A) * M_A
    / ((K_A + K_B) ** 2 * sp.sqrt(n_A) * M_A - (K_A + K_B) * sp.sqrt(n_A) * M_A - K_B * sp.sqrt(n_A) * M_A
       + K_B * sp.sqrt(n_B) * M_B),
    "cos_min_min": 1 - (K_A + K_B) ** 2 * sp.sqrt(n_B) * M_B
    / ((K_A + K_B) ** 2 * sp.sqrt(n_B) * M_B - (K_A + K_B) * sp.sqrt(n_B) * M_B - K_A * sp.sqrt(n_B) * M_B
       + K_A * sp.sqrt(n_A) * M_A),
    # Cor. 4: C(N, K, lambda_W, lambda_H); (17) right-hand side with N = n_A K_A + n_B K_B, n_A = R n_B;
    # (18) as "left-hand side minus right-hand side >= 0"
    "C": N ** 2 * K / (K - 1) * lam_w * lam_h,
    "minority_collapse_rhs": 1 / K_A * ((K_A + K_B - 1) / ((R * n_B * K_A + n_B * K_B) * (K_A + K_B) * lam_w * lam_h)
                                        - K_B),
    "complete_collapse_margin": N ** 2 / n_A - (K - 1) / (K * lam_w * lam_h),
}
"""Printed formulas by the key of the derived expression they state (see ``DESCRIPTIONS`` there)."""


def printed(name: str) -> sp.Expr:
    """The printed form of one formula (ValueError for an unknown name)."""
    if name not in PRINTED:
        raise InputError(f"no printed form {name!r}; expected one of {', '.join(sorted(PRINTED))}")
    return PRINTED[name]
