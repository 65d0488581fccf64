"""dang2024 UFM+ problem (4) solved numerically (numerics.ufm_plus_solver) against the closed forms.

Tolerances: the solver accepts a start at a KKT residual <= 1e-11 (Newton-polished solutions reach
~1e-14). Over 120 random instances (K = 2..6, d = K and K + 2, every collapse regime short of complete
collapse) the largest deviation of any compared quantity (margins, squared norms, cosines; all O(1))
was 1.3e-12, so agreement is asserted to 1e-9 and objective values to 1e-12.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.ufm_plus_solver import COLLAPSE_TOL, UFMPlusProblem, largest_deviation, solve
from theory.core.errors import ComputationError
from theory.ufm_plus.closed_form import minimizer, objective_value, predict
from theory.core.imbalance import Imbalance

DEV_TOL = 1e-9
OBJ_TOL = 1e-12


def _predicted(pred) -> dict[str, np.ndarray]:
    return {"M": pred.M, "h_norm_sq": pred.h_norm_sq, "w_norm_sq": pred.w_norm_sq, "cos_w": pred.cos_w}


def test_gradient_by_taylor_remainder() -> None:
    # f(v + t u) - f(v) - t <grad, u> = O(t^2): the remainder's log-log slope is 2 (pymanopt check_gradient)
    problem = UFMPlusProblem(Imbalance([3, 2, 1]), 0.02, 0.03, 4)
    rng = np.random.default_rng(0)
    W, H = rng.standard_normal((3, 4)), rng.random((4, 6))
    dW, dH = rng.standard_normal(W.shape), rng.standard_normal(H.shape)
    f0, gW, gH = problem.value_and_gradient(W, H)
    ts = np.logspace(-6, -2, 9)
    rem = [abs(problem.value_and_gradient(W + t * dW, H + t * dH)[0] - f0
               - t * (np.sum(gW * dW) + np.sum(gH * dH))) for t in ts]
    slope = np.polyfit(np.log(ts), np.log(rem), 1)[0]
    assert abs(slope - 2.0) < 0.05


def test_hessian_vector_product_by_taylor_remainder() -> None:
    # grad(v + t u) - grad(v) - t Hess u = O(t^2): slope 2 in log-log
    problem = UFMPlusProblem(Imbalance([3, 2, 1]), 0.02, 0.03, 4)
    rng = np.random.default_rng(1)
    W, H = rng.standard_normal((3, 4)), rng.random((4, 6))
    dW, dH = rng.standard_normal(W.shape), rng.standard_normal(H.shape)
    _, gW, gH = problem.value_and_gradient(W, H)
    hW, hH = problem.hessian_vector(W, H, dW, dH)
    ts = np.logspace(-5, -2, 7)
    rem = []
    for t in ts:
        _, gW_t, gH_t = problem.value_and_gradient(W + t * dW, H + t * dH)
        rem.append(np.sqrt(np.sum((gW_t - gW - t * hW) ** 2) + np.sum((gH_t - gH - t * hH) ** 2)))
    slope = np.polyfit(np.log(ts), np.log(rem), 1)[0]
    assert abs(slope - 2.0) < 0.05


@pytest.mark.parametrize("counts, lam", [((8, 8, 2, 2), 5e-3), ((8, 8, 2, 2), 0.08), ((8, 8, 2, 2), 0.1),
                                         ((8, 8, 2, 2), 0.15), ((10, 6, 3, 1), 0.04), ((5, 3, 2, 1), 0.02)])
def test_closed_form_is_a_kkt_point_of_problem_4(counts: tuple[int, ...], lam: float) -> None:
    # no collapse, minority collapse (also with t_k < 0, lam = 0.1), complete collapse, near-threshold
    W, H = minimizer(counts, lam, lam, len(counts) + 2)
    assert UFMPlusProblem(Imbalance(counts), lam, lam, len(counts) + 2).kkt_residual(W, H) < 1e-13


def _check_against_closed_form(counts: list[int], lw: float, lh: float, d: int) -> None:
    pred = predict(counts, lw, lh)
    sol = solve(UFMPlusProblem(Imbalance(counts), lw, lh, d), starts=5, seed=0)
    f_star = objective_value(pred)
    # Thm 1 is a statement about the global minimum: no start may beat the closed form ...
    assert np.nanmin(sol.start_objectives) >= f_star - OBJ_TOL
    # ... and the best start reaches it, with the predicted geometry
    assert sol.objective <= f_star + OBJ_TOL
    m = sol.measure()
    assert largest_deviation(m, _predicted(pred)) < DEV_TOL
    assert m["within_class_spread"] < DEV_TOL                     # Thm 1(a)
    assert m["max_mean_cosine"] < DEV_TOL                         # Thm 1(b)
    clear = (pred.h_norm_sq == 0) | (pred.h_norm_sq > 100 * COLLAPSE_TOL)
    assert np.array_equal(m["collapsed"][clear], pred.collapsed[clear])
    assert np.allclose(m["logits"], pred.logits, rtol=0, atol=DEV_TOL)  # (11)-(12)
    assert np.allclose(sol.W.sum(axis=0), 0.0, atol=DEV_TOL)       # sum_k w_k = 0


@given(st.lists(st.integers(1, 10), min_size=2, max_size=5), st.floats(0.15, 0.97), st.floats(0.25, 4.0),
       st.integers(0, 2))
def test_solver_finds_the_closed_form_minimiser(counts: list[int], u: float, ratio: float, extra: int) -> None:
    # lambda_W lambda_H = u^2 (K-1)/K n_max / N^2: u < 1 keeps the largest class active; smaller classes
    # collapse or not depending on u (every regime short of complete collapse, where cosines are undefined)
    k, total = len(counts), sum(counts)
    product = u**2 * (k - 1) / k * max(counts) / total**2
    lw, lh = math.sqrt(product * ratio), math.sqrt(product / ratio)
    _check_against_closed_form(counts, lw, lh, k + extra)


@pytest.mark.parametrize("counts, lam, collapsed", [((8, 8, 2, 2), 5e-3, [0, 0, 0, 0]),
                                                   ((8, 8, 2, 2), 0.08, [0, 0, 1, 1]),
                                                   ((10, 6, 3, 1), 0.04, [0, 0, 0, 0]),
                                                   ((9, 5, 3, 1), 0.096, [0, 0, 1, 1])])
def test_regimes(counts: tuple[int, ...], lam: float, collapsed: list[int]) -> None:
    # no collapse; minority collapse; a class just above its threshold (M_4 = 0.29, where plain
    # random starts land in a spurious minimum); two classes collapsed with distinct active ones
    assert predict(counts, lam, lam).collapsed.tolist() == [bool(c) for c in collapsed]
    _check_against_closed_form(list(counts), lam, lam, len(counts) + 2)


def test_minority_collapse_gives_equal_classifiers_numerically() -> None:
    sol = solve(UFMPlusProblem(Imbalance([8, 8, 2, 2]), 0.08, 0.08, 6), starts=3)
    assert np.allclose(sol.W[2], sol.W[3], atol=DEV_TOL)
    assert np.abs(sol.H[:, 16:]).max() < DEV_TOL


def test_complete_collapse_gives_zero_solution() -> None:
    # eq. (18): N^2/n_A = 50 >= (K-1)/(K lambda^2) = 33.3 at lambda = 0.15
    sol = solve(UFMPlusProblem(Imbalance([8, 8, 2, 2]), 0.15, 0.15, 6), starts=3)
    assert np.abs(sol.W).max() < DEV_TOL and np.abs(sol.H).max() < DEV_TOL
    assert sol.objective == pytest.approx(math.log(4), abs=OBJ_TOL)


@pytest.mark.parametrize("scale", [1e-3, 1e-9, 1e-30])
def test_complete_collapse_does_not_hang_on_how_close_to_zero_a_start_ends(monkeypatch, scale: float) -> None:
    # eq. (18) holds for counts (3, 2) at lambda = 0.2569 (N^2/n_A = 12.5 >= (K-1)/(K lambda^2) = 7.6).
    # Where L-BFGS-B stops at a point near, not at, W = H = 0 depends on the BLAS and the CPU; there the
    # relative KKT residual is ~1 whatever the distance (every gradient term is tiny). Emulate stops at
    # several distances: the solver must return the exact zero minimiser every time.
    import numerics.ufm_plus_solver as module
    problem = UFMPlusProblem(Imbalance([3, 2]), 0.2569, 0.2569, 3)
    near = scale * np.random.default_rng(1).random(problem.k * problem.d + problem.d * 5)
    assert problem.relative_kkt_residual(*problem.split(near)) > 1e-3     # the criterion is meaningless there
    monkeypatch.setattr(module, "_lbfgsb", lambda stage, v, tol, max_iter, rounds: (near.copy(), 7))
    sol = solve(problem, starts=2)
    assert not np.any(sol.W) and not np.any(sol.H)
    assert sol.objective == math.log(2) and sol.relative_kkt_residual == 0.0 and sol.converged_starts == 2


def test_zero_point_is_not_taken_below_the_collapse_threshold() -> None:
    # negative control: at lambda = 0.1 (N^2/n_A = 12.5 < (K-1)/(K lambda^2) = 50) the minimiser is not 0,
    # and the solver's answer lies strictly below log K
    sol = solve(UFMPlusProblem(Imbalance([3, 2]), 0.1, 0.1, 3), starts=2)
    assert sol.objective < math.log(2) - 1e-3 and np.abs(sol.H).max() > 0.1


def test_non_convergence_message_counts_the_iterations_that_ran() -> None:
    with pytest.raises(ComputationError, match=r"after \d+ L-BFGS-B iterations in all over 4 continuation stages"):
        solve(UFMPlusProblem(Imbalance([3, 2]), 1e-2, 1e-2, 2), starts=1, pg_tol=1e-30)


def test_non_convergence_raises_computation_error() -> None:
    # a KKT tolerance below what float64 can reach: no start converges
    with pytest.raises(ComputationError, match="converged"):
        solve(UFMPlusProblem(Imbalance([3, 2]), 1e-2, 1e-2, 2), starts=2, pg_tol=1e-30)


@pytest.mark.parametrize("call, message", [
    (lambda: UFMPlusProblem(Imbalance([3, 2, 1]), 1e-2, 1e-2, 2), "d \\(needs d >= K = 3\\)"),
    (lambda: UFMPlusProblem(Imbalance([3]), 1e-2, 1e-2, 2), "at least 2 classes"),
    (lambda: UFMPlusProblem(Imbalance([3, 2]), -1.0, 1e-2, 2), "lambda_W"),
    (lambda: solve(UFMPlusProblem(Imbalance([3, 2]), 1e-2, 1e-2, 2), continuation=(0.1, 0.5)), "last continuation"),
    (lambda: solve(UFMPlusProblem(Imbalance([3, 2]), 1e-2, 1e-2, 2), starts=0), "starts"),
    (lambda: UFMPlusProblem(Imbalance([3, 2]), 1e-2, 1e-2, 2).kkt_residual(np.ones((2, 2)), -np.ones((2, 5))), "non-negative"),
])
def test_bad_input_raises_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.slow
@settings(max_examples=150)
@given(st.lists(st.integers(1, 12), min_size=2, max_size=6), st.floats(0.05, 0.99), st.floats(0.25, 4.0))
def test_solver_finds_the_closed_form_minimiser_at_d_equal_K(counts: list[int], u: float, ratio: float) -> None:
    # d = K leaves no spare coordinate: the hardest case for escaping spurious minima (10 starts)
    k, total = len(counts), sum(counts)
    product = u**2 * (k - 1) / k * max(counts) / total**2
    lw, lh = math.sqrt(product * ratio), math.sqrt(product / ratio)
    pred = predict(counts, lw, lh)
    sol = solve(UFMPlusProblem(Imbalance(counts), lw, lh, k), starts=10, seed=1)
    assert np.nanmin(sol.start_objectives) >= objective_value(pred) - OBJ_TOL
    assert sol.objective <= objective_value(pred) + OBJ_TOL
    assert largest_deviation(sol.measure(), _predicted(pred)) < DEV_TOL
