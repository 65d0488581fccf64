"""Loss formulas against plain references, autograd, and yang2022's gradient decompositions."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from theory.core.parameterization import Parameterization
from training.losses import (class_weights, dot_regression_loss, logit_gradient, logit_scaling_loss,
                             scaled_logits)


def reference_loss(z: np.ndarray, y: np.ndarray, A: np.ndarray, iota: np.ndarray) -> np.ndarray:
    """behnia2023 eq. (1) generalised, term by term with math.exp/math.log (no log-sum-exp)."""
    out = []
    for i in range(z.shape[0]):
        yi = y[i]
        s = sum(math.exp(-(A[yi, yi] * z[i, yi] - A[yi, c] * z[i, c]) + iota[yi] - iota[c])
                for c in range(z.shape[1]) if c != yi)
        out.append(math.log(1.0 + s))
    return np.array(out)


def _random_problem(seed: int, k: int, n: int):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=2.0, size=(n, k))
    y = rng.integers(0, k, size=n)
    A = rng.uniform(0.2, 3.0, size=(k, k))
    iota = rng.normal(size=k)
    w = rng.uniform(0.1, 2.0, size=n)
    return z, y, A, iota, w


@given(st.integers(0, 10_000), st.integers(2, 6), st.integers(1, 8))
def test_loss_equals_reference_formula(seed: int, k: int, n: int) -> None:
    z, y, A, iota, w = _random_problem(seed, k, n)
    got = logit_scaling_loss(torch.tensor(z), torch.tensor(y), Parameterization.custom(A, iota), reduction="none")
    np.testing.assert_allclose(got.numpy(), reference_loss(z, y, A, iota), rtol=1e-12, atol=1e-14)
    weighted = logit_scaling_loss(torch.tensor(z), torch.tensor(y), Parameterization.custom(A, iota),
                                  weights=torch.tensor(w), reduction="sum")
    assert float(weighted) == pytest.approx(float(np.sum(w * reference_loss(z, y, A, iota))), rel=1e-12)


def test_ce_instance_is_torch_cross_entropy() -> None:
    z, y, *_ = _random_problem(1, 5, 40)
    zt, yt = torch.tensor(z), torch.tensor(y)
    ours = logit_scaling_loss(zt, yt, Parameterization.ce(5))
    assert float(ours) == pytest.approx(float(torch.nn.functional.cross_entropy(zt, yt)), rel=1e-13)


def test_cdt_ldt_vs_instances_match_eqs_1_2a_2b() -> None:
    """eqs. (2a), (2b) and (1) written directly in terms of W and h."""
    rng = np.random.default_rng(2)
    k, d, n = 4, 3, 12
    W, H = rng.normal(size=(d, k)), rng.normal(size=(d, n))
    y = np.arange(n) % k
    delta, iota = rng.uniform(0.5, 2.0, size=k), rng.normal(size=k)
    eqs = {
        "CDT": lambda i, c: -(delta[y[i]] * W[:, y[i]] - delta[c] * W[:, c]) @ H[:, i],
        "LDT": lambda i, c: -(delta[y[i]] * (W[:, y[i]] - W[:, c])) @ H[:, i],
        "VS": lambda i, c: -(delta[y[i]] * W[:, y[i]] - delta[c] * W[:, c]) @ H[:, i] + iota[y[i]] - iota[c],
    }
    params = {"CDT": Parameterization.cdt(delta), "LDT": Parameterization.ldt(delta), "VS": Parameterization.vs(delta, iota)}
    for name, expo in eqs.items():
        ref = [math.log(1 + sum(math.exp(expo(i, c)) for c in range(k) if c != y[i])) for i in range(n)]
        got = logit_scaling_loss(torch.tensor(H.T @ W), torch.tensor(y), params[name], reduction="none")
        np.testing.assert_allclose(got.numpy(), ref, rtol=1e-12)


def test_tiny_loss_keeps_relative_precision_in_float32() -> None:
    """Margins of 40: l = (k-1) e^{-40} ~ 1.3e-17 is exact to float32 rounding, where 1 - softmax would be 0."""
    k = 4
    z = torch.tensor([[40.0, 0.0, 0.0, 0.0]], dtype=torch.float32)
    got = logit_scaling_loss(z, torch.tensor([0]), Parameterization.ce(k), reduction="none")
    expected = math.log1p((k - 1) * math.exp(-40.0))
    assert float(got[0]) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("normalize", ["none", "loss"])
@given(seed=st.integers(0, 10_000), k=st.integers(2, 5))
def test_analytic_gradient_equals_autograd(normalize: str, seed: int, k: int) -> None:
    n = 7
    z, y, A, iota, w = _random_problem(seed, k, n)
    zt = torch.tensor(z, requires_grad=True)
    yt = torch.tensor(y)
    At, it, wt = torch.tensor(A), torch.tensor(iota), torch.tensor(w)
    loss = logit_scaling_loss(zt, yt, scaling=At, offsets=it, weights=wt, reduction="mean")
    (loss.log() if normalize == "loss" else loss).backward()
    S = scaled_logits(zt.detach(), yt, At, it)
    onehot = torch.nn.functional.one_hot(yt, k).double()
    got = logit_gradient(S, onehot, At[yt, :], (wt / n)[:, None], normalize=normalize)
    np.testing.assert_allclose(got.numpy(), zt.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_normalized_gradient_survives_underflow() -> None:
    """Margins of 200 in float32: L underflows to 0, yet grad L / L is finite and equals its float64 value."""
    k, n = 3, 4
    y = torch.arange(n) % k
    z64 = torch.full((n, k), -100.0, dtype=torch.float64)
    z64[torch.arange(n), y] = 100.0 + torch.arange(n, dtype=torch.float64)
    S = z64.clone()
    onehot = torch.nn.functional.one_hot(y, k).double()
    ones = torch.ones(n, k, dtype=torch.float64)
    ref = logit_gradient(S, onehot, ones, torch.full((n, 1), 1.0 / n, dtype=torch.float64), normalize="loss")
    got = logit_gradient(z64.float(), onehot.float(), ones.float(), torch.full((n, 1), 1.0 / n), normalize="loss")
    assert torch.isfinite(got).all()
    np.testing.assert_allclose(got.double().numpy(), ref.numpy(), rtol=1e-5, atol=1e-30)
    assert float(ref.abs().max()) > 0.1  # the normalised gradient is O(1), not underflowed


# ---------------------------------------------------------------- yang2022 Sec. 4.2, eqs. (8)-(13)
def _ce_setup(seed: int = 3, k: int = 4, d: int = 5, n: int = 11):
    rng = np.random.default_rng(seed)
    W = torch.tensor(rng.normal(size=(d, k)), requires_grad=True)
    H = torch.tensor(rng.normal(size=(d, n)), requires_grad=True)
    y = torch.tensor(np.arange(n) % k)
    loss = logit_scaling_loss(H.T @ W, y, Parameterization.ce(k), reduction="sum")
    loss.backward()
    P = torch.softmax((H.T @ W).detach(), dim=1)  # p_k(h_i), eq. (9)
    return W, H, y, P


def test_yang2022_eq8_classifier_gradient_and_pull_push() -> None:
    W, H, y, P = _ce_setup()
    Hd = H.detach()
    for kk in range(W.shape[1]):
        own, other = y == kk, y != kk
        pull = ((1 - P[own, kk])[None, :] * Hd[:, own]).sum(1)  # eq. (11)
        push = -(P[other, kk][None, :] * Hd[:, other]).sum(1)  # eq. (11)
        eq8 = -pull + (P[other, kk][None, :] * Hd[:, other]).sum(1)
        np.testing.assert_allclose(eq8.numpy(), W.grad[:, kk].numpy(), rtol=1e-12)
        np.testing.assert_allclose((pull + push).numpy(), -W.grad[:, kk].numpy(), rtol=1e-12)  # eq. (10)


def test_yang2022_eq12_feature_gradient_and_pull_push() -> None:
    W, H, y, P = _ce_setup()
    Wd = W.detach()
    for i in range(H.shape[1]):
        c = int(y[i])
        others = [kk for kk in range(Wd.shape[1]) if kk != c]
        pull = (1 - P[i, c]) * Wd[:, c]  # eq. (13)
        push = -(P[i, others][None, :] * Wd[:, others]).sum(1)  # eq. (13)
        eq12 = -(1 - P[i, c]) * Wd[:, c] + (P[i, others][None, :] * Wd[:, others]).sum(1)
        np.testing.assert_allclose(eq12.numpy(), H.grad[:, i].numpy(), rtol=1e-12)
        np.testing.assert_allclose((pull + push).numpy(), -H.grad[:, i].numpy(), rtol=1e-12)


# ---------------------------------------------------------------- yang2022 eqs. (14)-(15)
def _dr_grad(h: torch.Tensor, W: torch.Tensor, y: torch.Tensor, E_H: float) -> torch.Tensor:
    h = h.clone().requires_grad_(True)
    dot_regression_loss(h, y, W, E_H=E_H, reduction="sum").backward()
    return h.grad


def test_dr_loss_vanishes_exactly_at_the_aligned_feature() -> None:
    rng = np.random.default_rng(4)
    W = torch.tensor(rng.normal(size=(6, 3)))
    E_H = 2.5
    h = (W / W.norm(dim=0) * E_H ** 0.5).T  # h_c = sqrt(E_H) w_c / ||w_c||
    assert float(dot_regression_loss(h, torch.arange(3), W, E_H=E_H, reduction="sum")) == pytest.approx(0.0, abs=1e-12)


def test_dr_gradient_eq15_holds_on_the_sphere() -> None:
    """On ||h||^2 = E_H, autograd of eq. (14) equals eq. (15): -(1 - cos(h, w_c)) w_c (any ||w_c||)."""
    rng = np.random.default_rng(5)
    k, d, n, E_H = 4, 6, 9, 3.0
    W = torch.tensor(rng.normal(size=(d, k)) * rng.uniform(0.5, 3.0, size=k))
    y = torch.tensor(np.arange(n) % k)
    h = torch.tensor(rng.normal(size=(n, d)))
    h = h / h.norm(dim=1, keepdim=True) * E_H ** 0.5
    w = W[:, y].T
    cos = torch.nn.functional.cosine_similarity(h, w, dim=1)
    eq15 = -(1 - cos)[:, None] * w
    np.testing.assert_allclose(_dr_grad(h, W, y, E_H).numpy(), eq15.numpy(), rtol=1e-12, atol=1e-14)


def test_dr_gradient_eq15_off_the_sphere_misses_a_term() -> None:
    """Off the sphere the exact gradient is (w^T h / sqrt(E_W E_H) - 1) w: eq. (15) is off by
    cos(h, w) (||h|| / sqrt(E_H) - 1) w, so it holds only under the norm constraint ||h||^2 = E_H."""
    rng = np.random.default_rng(6)
    k, d, n, E_H = 3, 5, 6, 1.0
    W = torch.tensor(rng.normal(size=(d, k)))
    y = torch.tensor(np.arange(n) % k)
    h = torch.tensor(rng.normal(size=(n, d))) * 2.0
    w = W[:, y].T
    cos = torch.nn.functional.cosine_similarity(h, w, dim=1)
    exact = ((w * h).sum(1) / (w.norm(dim=1) * E_H ** 0.5) - 1)[:, None] * w
    got = _dr_grad(h, W, y, E_H)
    np.testing.assert_allclose(got.numpy(), exact.numpy(), rtol=1e-12)
    eq15 = -(1 - cos)[:, None] * w
    gap = (cos * (h.norm(dim=1) / E_H ** 0.5 - 1))[:, None] * w
    np.testing.assert_allclose((got - eq15).numpy(), gap.numpy(), rtol=1e-10, atol=1e-14)
    assert float(gap.abs().max()) > 0.1


def test_class_weights_mean_one_and_ratio() -> None:
    counts = np.array([50, 50, 5, 5, 5])
    w = class_weights(counts, 0.1)
    assert np.sum(counts * w) == pytest.approx(counts.sum())
    assert w[0] / w[-1] == pytest.approx(0.1)
    with pytest.raises(ValueError):
        class_weights(counts, 0.0)


def test_bad_inputs_raise_value_error() -> None:
    z = torch.zeros(3, 2)
    with pytest.raises(ValueError):
        logit_scaling_loss(z, torch.tensor([0, 1, 2]), Parameterization.ce(2))
    with pytest.raises(ValueError):
        logit_scaling_loss(z, torch.tensor([0, 1, 0]), Parameterization.ce(2), reduction="avg")
    with pytest.raises(ValueError):
        logit_scaling_loss(z, torch.tensor([0, 1, 0]))
    with pytest.raises(ValueError):
        dot_regression_loss(z, torch.tensor([0, 1, 0]), torch.ones(2, 2), E_H=0.0)


@pytest.mark.parametrize("dtype,rel", [(torch.float64, 1e-13), (torch.float32, 1e-6)])
def test_log_softplus_against_extended_precision(dtype: torch.dtype, rel: float) -> None:
    """log(log(1 + e^a)) over a in [-800, 800], where e^a underflows or overflows in both dtypes."""
    import mpmath

    from training.losses import log_softplus

    a = np.array([-800.0, -120.0, -40.5, -39.5, -20.0, -1.0, 0.0, 1.0, 50.0, 800.0])
    got = log_softplus(torch.tensor(a, dtype=dtype)).double().numpy()
    ref = [float(mpmath.log(mpmath.log1p(mpmath.exp(mpmath.mpf(v))))) for v in a]
    np.testing.assert_allclose(got, ref, rtol=rel)
