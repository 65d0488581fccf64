"""Training losses: every logit-scaling parameterization of CE, weighted CE, and dot regression.

One implementation serves CE, CDT, LDT, VS and any positive logit-scaling matrix A with offsets iota
(behnia2023 eqs. 1, 2a, 2b and :class:`theory.core.parameterization.Parameterization`): for label y and
logits z the loss is

    l(z; y) = log(1 + sum_{c != y} exp(u_c)),   u_c = (A[y, c] z_c - iota_c) - (A[y, y] z_y - iota_y),

i.e. CE on the *scaled logits* s_c = A[y, c] z_c - iota_c. Weighted CE multiplies l by a per-sample
weight. Numerics: with a = log sum_{c != y} exp(u_c) (a log-sum-exp over the wrong classes only),

    l = softplus(a),   dl/ds_c = sigmoid(a) r_c (c != y),   dl/ds_y = -sigmoid(a),

where r = softmax over c != y of u sums to one. Nothing here subtracts nearly equal numbers, so
the loss and its gradient keep full relative precision when the loss is tiny (1 - p_y computed as
1 minus a softmax would round to 0 once the margins exceed ~17 in float32 and stall training). The
loss-normalised gradient grad(L) / L (GD on log L) is formed in log space and never underflows.

The dot-regression loss with a fixed classifier is yang2022 eq. (14).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from theory.core.parameterization import Parameterization
from theory.core.errors import InputError
from theory.core.vocabulary import Normalization

#: the normalizations applied per sample here ("loss-norm" is "loss" rescaled per model in training.ufm)
NORMALIZATIONS = (Normalization.NONE, Normalization.LOSS)


def scaling_tensors(params: Sequence[Parameterization], dtype: torch.dtype = torch.float64,
                    device: torch.device | str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """Stack the logit-scaling matrices (B, k, k) and offsets (B, k) of B parameterizations."""
    if len(params) == 0:
        raise InputError("need at least one parameterization")
    k = params[0].k
    if any(p.k != k for p in params):
        raise InputError("all parameterizations must have the same number of classes")
    A = np.stack([p.scaling for p in params])
    iota = np.stack([np.zeros(k) if p.offsets is None else p.offsets for p in params])
    return (torch.as_tensor(A, dtype=dtype, device=device), torch.as_tensor(iota, dtype=dtype, device=device))


def _check_labels(labels: torch.Tensor, n: int, k: int) -> torch.Tensor:
    if labels.dtype not in (torch.int64, torch.int32) or labels.ndim != 1 or labels.numel() != n:
        raise InputError(f"labels must be a 1-D integer tensor of length {n}")
    if n and (int(labels.min()) < 0 or int(labels.max()) >= k):
        raise InputError(f"labels must lie in [0, {k - 1}]")
    return labels.long()


def scaled_logits(logits: torch.Tensor, labels: torch.Tensor, scaling: torch.Tensor,
                  offsets: torch.Tensor | None = None) -> torch.Tensor:
    """s_ic = A[y_i, c] z_ic - iota_c for logits z (..., n, k), scaling A (..., k, k), offsets (..., k)."""
    if logits.ndim < 2:
        raise InputError(f"logits must have shape (..., n, k), got {tuple(logits.shape)}")
    n, k = logits.shape[-2:]
    if scaling.shape[-2:] != (k, k):
        raise InputError(f"scaling must be (..., {k}, {k}), got {tuple(scaling.shape)}")
    y = _check_labels(labels, n, k)
    S = scaling[..., y, :] * logits
    if offsets is not None:
        if offsets.shape[-1] != k:
            raise InputError(f"offsets must have {k} entries per model")
        S = S - offsets[..., None, :]
    return S


def wrong_class_lse(S: torch.Tensor, onehot: torch.Tensor, dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(a, r) for scaled logits S and the float one-hot labels ``onehot`` (broadcastable to S) along ``dim``.

    a = log sum_{c != y} exp(s_c - s_y) (kept dimension), r = softmax of s over c != y (0 at the label).
    """
    masked = S + torch.log1p(-onehot)  # -inf at the label
    m = masked.amax(dim, keepdim=True)
    e = (masked - m).exp()
    tot = e.sum(dim, keepdim=True)
    s_y = (S * onehot).sum(dim, keepdim=True)
    a = m - s_y + tot.log()
    return a, e / tot


def log_softplus(a: torch.Tensor) -> torch.Tensor:
    """log(log(1 + e^a)) without underflow: a + log(log1p(t) / t), t = e^a, and exactly a once t < e^-40
    (where log1p(t) / t = 1 to float64 rounding and t would soon be subnormal)."""
    t = a.clamp(-40.0, 0.0).exp()
    middle = a + (torch.log1p(t) / t).log()
    return torch.where(a > 0, torch.nn.functional.softplus(a).log(), torch.where(a < -40.0, a, middle))


def per_sample_coefficients(a: torch.Tensor, weights: torch.Tensor, normalize: str,
                            sample_dims: tuple[int, ...]) -> torch.Tensor:
    """kappa_i with dL/ds_ic = kappa_i (r_ic - 1{c = y_i}) for L = sum_i w_i l_i (or grad L / L).

    ``normalize="none"``: kappa = w sigmoid(a). ``"loss"``: kappa = w sigmoid(a) / sum_j w_j l_j,
    i.e. the gradient of log L, formed in log space (every sample weight must be > 0).
    """
    normalize = Normalization.parse(normalize, NORMALIZATIONS)
    if normalize == Normalization.NONE:
        return weights * torch.sigmoid(a)
    log_w = weights.log()
    log_total = torch.logsumexp(log_w + log_softplus(a), dim=sample_dims, keepdim=True)
    return (log_w - torch.nn.functional.softplus(-a) - log_total).exp()


def logit_gradient(S: torch.Tensor, onehot: torch.Tensor, scaling_rows: torch.Tensor, weights: torch.Tensor,
                   normalize: str = Normalization.NONE, dim: int = -1, sample_dims: tuple[int, ...] = (-2,)) -> torch.Tensor:
    """Analytic dL/dz at scaled logits S, for L = sum_i w_i l_i (``normalize="none"``) or log L ("loss").

    ``onehot``: float labels along ``dim`` (broadcastable to S); ``scaling_rows``: A[y_i, c] laid out
    like S; ``weights``: per-sample weights with ``dim`` kept (size 1), any 1/n included. Uses
    dl/ds_c = kappa (r_c - 1{c = y}) and ds_c/dz_c = A[y, c] (module docstring). S is overwritten.
    """
    a, r = wrong_class_lse(S, onehot, dim)
    kappa = per_sample_coefficients(a, weights, normalize, sample_dims)
    return r.sub_(onehot).mul_(scaling_rows).mul_(kappa)


def logit_scaling_loss(logits: torch.Tensor, labels: torch.Tensor, param: Parameterization | None = None, *,
                       scaling: torch.Tensor | None = None, offsets: torch.Tensor | None = None,
                       weights: torch.Tensor | None = None, reduction: str = "mean") -> torch.Tensor:
    """Loss of behnia2023 eq. (1) for any logit-scaling matrix; differentiable (autograd).

    Give either ``param`` or explicit ``scaling`` (..., k, k) and optional ``offsets`` (..., k) (leading
    model dimensions allowed). ``logits`` is (..., n, k), ``labels`` (n,). ``weights`` (..., n) are
    per-sample weights (weighted CE). ``reduction``: "mean" (sum of w_i l_i divided by n), "sum", "none".
    """
    if (param is None) == (scaling is None):
        raise InputError("give exactly one of param or scaling")
    if param is not None:
        scaling, offsets = scaling_tensors([param], dtype=logits.dtype, device=logits.device)
        scaling, offsets = scaling[0], offsets[0]
    S = scaled_logits(logits, labels, scaling, offsets)
    onehot = torch.nn.functional.one_hot(labels.long(), S.shape[-1]).to(S.dtype)
    a = wrong_class_lse(S, onehot, dim=-1)[0].squeeze(-1)
    per_sample = torch.nn.functional.softplus(a)
    if weights is not None:
        per_sample = per_sample * weights
    if reduction == "none":
        return per_sample
    if reduction == "sum":
        return per_sample.sum(-1)
    if reduction == "mean":
        return per_sample.mean(-1)
    raise InputError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def class_weights(counts: np.ndarray, ratio: float) -> np.ndarray:
    """Per-class weights of weighted CE with omega_maj / omega_min = ``ratio`` on a STEP imbalance.

    Normalised so that the mean per-sample weight is 1 (sum_c n_c omega_c = n). ratio = 1/R is the
    usual inverse-frequency weighting. The first class with the largest count is "majority".
    """
    n = np.asarray(counts, dtype=np.float64)
    if ratio <= 0 or not np.isfinite(ratio):
        raise InputError(f"weight ratio must be a positive finite number, got {ratio}")
    omega = np.where(n == n.max(), ratio, 1.0)
    return omega * n.sum() / (n * omega).sum()


def dot_regression_loss(features: torch.Tensor, labels: torch.Tensor, classifier: torch.Tensor,
                        E_H: float = 1.0, reduction: str = "mean") -> torch.Tensor:
    """Dot-regression loss, yang2022 eq. (14), with a fixed classifier (d, k) of column norms sqrt(E_W,c).

    l(h) = (w_c^T h - sqrt(E_W,c E_H))^2 / (2 sqrt(E_W,c E_H)); the per-class E_W,c allows the
    class-dependent lengths of yang2022 Appendix C. Its gradient (w^T h / sqrt(E_W E_H) - 1) w equals
    eq. (15), -(1 - cos(h, w_c)) w_c, exactly when ||h||^2 = E_H.
    """
    if E_H <= 0:
        raise InputError(f"E_H must be > 0, got {E_H}")
    if features.ndim != 2 or classifier.ndim != 2 or features.shape[1] != classifier.shape[0]:
        raise InputError("features must be (n, d) and the classifier (d, k)")
    y = _check_labels(labels, features.shape[0], classifier.shape[1])
    w = classifier[:, y].T  # (n, d)
    scale = (w.pow(2).sum(1) * E_H).sqrt()
    per_sample = ((w * features).sum(1) - scale).pow(2) / (2 * scale)
    if reduction == "none":
        return per_sample
    if reduction == "sum":
        return per_sample.sum()
    if reduction == "mean":
        return per_sample.mean()
    raise InputError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
