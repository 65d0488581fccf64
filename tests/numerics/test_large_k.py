"""numerics.large_k (active-set Newton, certified) against the SCS route and behnia2023 Thm 2.

Tolerances: the SCS route itself is accurate to ~1e-9 relative in the objective and ~1e-8..1e-6 in Z
(tests/numerics/test_cs_svm.py); Newton's certificates measure 1e-10..1e-15 relative gaps. We assert
1e-6 relative on the objective and 1e-5 on Z and the Frobenius-normalised Gram distances (the SCS
route's own tolerances), and 1e-9 against the closed-form SEL logits, where no SCS error enters.
"""

from __future__ import annotations

import numpy as np
import pytest

from numerics.cs_svm import solve_cs_svm
from numerics.large_k import certify, solve_large_k
from theory.core.errors import ComputationError
from theory.core.collapse_metrics import normalized_distance
from theory.core.parameterization import Parameterization
from theory.seli.sel import class_logits

GRAMS = ("G_W", "G_M", "G_WM")


def _counts(k: int, rng: np.random.Generator) -> np.ndarray:
    """Long-tailed counts n_c = 500 * 50^(-c/(k-1)), rounded (CIFAR-10-LT-like)."""
    return np.round(500.0 * 50.0 ** (-np.arange(k) / (k - 1)))


def _scaling(kind: str, k: int, rng: np.random.Generator, counts: np.ndarray) -> Parameterization:
    """The families of A the route must handle: CDT-like and LDT-like (rank-one, SELI exact), VS-like
    (CDT scaling of the counts, with offsets that the program ignores), random positive (margins inactive
    at the optimum) and a random perturbation of CDT (all margins active, no closed form)."""
    delta = (counts / counts.max()) ** 0.5
    if kind == "CDT":
        return Parameterization.cdt(delta)
    if kind == "LDT":
        return Parameterization.ldt(delta)
    if kind == "VS":
        return Parameterization.vs((counts / counts.max()) ** 0.3, np.log(counts / counts.sum()))
    if kind == "random":
        return Parameterization.custom(rng.uniform(0.5, 2.0, size=(k, k)))
    if kind == "near-CDT":
        return Parameterization.custom(np.tile(delta, (k, 1)) * rng.uniform(0.9, 1.1, size=(k, k)))
    raise AssertionError(kind)


@pytest.mark.parametrize("k, kind", [(4, "random"), (6, "VS"), (12, "random"), (20, "near-CDT"),
                                     (30, "LDT"), (40, "random"), (60, "near-CDT")])
def test_agrees_with_the_scs_route(k, kind):
    rng = np.random.default_rng(k)
    counts = _counts(k, rng)
    param = _scaling(kind, k, rng, counts)
    newton = solve_large_k(counts, param)
    scs = solve_cs_svm(counts, param, reduced=True)
    assert newton.certificate.holds and newton.certificate.relative_gap < 1e-8
    assert newton.objective == pytest.approx(scs.objective, rel=1e-6)
    assert np.max(np.abs(newton.Z - scs.Z)) <= 1e-5 * np.max(np.abs(scs.Z))
    a, b = newton.geometry(), scs.geometry()
    for g in GRAMS:
        assert float(normalized_distance(getattr(a, g), getattr(b, g))) < 1e-5, g


def test_random_scaling_has_inactive_margins():
    """The active-set loop is exercised: for a random A some margins exceed 1 at the optimum (measured
    ~6% at k = 30), and the certified solution still matches SCS (above)."""
    rng = np.random.default_rng(30)
    param = _scaling("random", 30, rng, _counts(30, rng))
    sol = solve_large_k(_counts(30, rng), param)
    margins = param.margins(sol.Z, np.arange(30))
    off = ~np.eye(30, dtype=bool)
    assert np.min(margins[off]) == pytest.approx(1.0, abs=1e-12)
    assert np.mean(margins[off] > 1 + 1e-6) > 0.01


@pytest.mark.parametrize("kind", ["CDT", "LDT"])
def test_rank_one_scalings_give_the_sel_logits(kind):
    """behnia2023 Thm 2 (i)/(ii) at k = 100: the certified minimiser is Xi(delta) (CDT) or
    Xi(1) diag(1/delta) (LDT), whatever the counts."""
    rng = np.random.default_rng(1)
    counts = rng.integers(5, 5000, size=100).astype(float)
    param = _scaling(kind, 100, rng, counts)
    sol = solve_large_k(counts, param)
    assert np.max(np.abs(sol.Z - class_logits(param))) < 1e-9


def test_certificate_rejects_a_perturbed_solution():
    """Negative control: the certification step that accepts the Newton minimiser rejects (i) a point
    moved along the active-margin manifold (feasible, margins still 1, objective up by ~1e-6) and (ii)
    a point scaled by 1 - 1e-5 (margins violated)."""
    rng = np.random.default_rng(12)
    counts = _counts(12, rng)
    param = _scaling("near-CDT", 12, rng, counts)
    sol = solve_large_k(counts, param)
    assert certify(sol.Z, param, counts).holds
    A = param.scaling
    moved = sol.Z.copy()
    moved[3, 3] += 1e-3  # keep every margin of class 3 at 1: X[c',3] = (A[3,3] X[3,3] - 1) / A[3,c']
    others = np.delete(np.arange(12), 3)
    moved[others, 3] = (A[3, 3] * moved[3, 3] - 1.0) / A[3, others]
    assert np.min(param.margins(moved, np.arange(12))) == pytest.approx(1.0, abs=1e-12)
    bad = certify(moved, param, counts)
    assert not bad.holds and bad.relative_gap > 1e-6
    shrunk = certify(sol.Z * (1 - 1e-5), param, counts)
    assert not shrunk.holds
    assert any("violated" in f for f in shrunk.failures())


def test_unconverged_newton_is_an_error():
    rng = np.random.default_rng(40)
    param = _scaling("random", 40, rng, _counts(40, rng))
    with pytest.raises(ComputationError, match="Newton stopped"):
        solve_large_k(_counts(40, rng), param, max_iters=1)


@pytest.mark.slow
def test_k_1000_is_certified():
    """Issue 12 part 4 at ImageNet-LT scale: a long-tailed k = 1000 problem with a near-CDT matrix
    (no closed form) is certified to a relative gap below 1e-8 with rank k - 1."""
    rng = np.random.default_rng(1000)
    counts = _counts(1000, rng)
    param = _scaling("near-CDT", 1000, rng, counts)
    sol = solve_large_k(counts, param)
    assert sol.certificate.holds and sol.certificate.relative_gap < 1e-8
    assert sol.certificate.rank == 999
    assert np.min(param.margins(sol.Z, np.arange(1000))) == pytest.approx(1.0, abs=1e-9)
