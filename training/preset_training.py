"""Training with a loss preset (:mod:`theory.core.loss_presets`): the loss in torch, and gradient descent on the UFM.

:func:`log_preset_loss` is log of the mean weighted preset loss, (1/n) sum_i w_{y_i} phi(a_i) with
a_i = log sum_{c != y_i} exp(s_c - s_{y_i} + m_{y_i}) (the module docstring of ``theory.core.loss_presets``),
formed in log space so that it and its gradient keep full precision when the loss is tiny (the
separable regime, where margins grow without bound): log softplus(a) = a + log(log1p(e^a) / e^a) for a <= 0
and, for focal, log sigmoid(a)^gamma = -gamma softplus(-a). (:func:`training.losses.log_softplus` computes the
same value for the analytic-gradient trainer, but its ``torch.where`` branches produce log(0) and so NaN
gradients under autograd once a < -745; :func:`_log_softplus` clamps each branch's input instead.) Its autograd gradient is grad L / L, the
loss-normalised gradient. ``exp`` of it is the loss for training any network with a preset.

:func:`train_ufm_presets` runs full-batch gradient descent on the unconstrained-features model with that
gradient and the step lr / ||theta||^2 (the ``loss-norm`` recipe of :mod:`training.ufm`). The batched
trainer of :mod:`training.ufm` has analytic gradients for a scaling A with class offsets iota only; LDAM's
label margins and the focal loss need this autograd path, and every preset goes through it so that the
presets' claim compares like with like. Several presets train at once as one batched program (as in
:mod:`training.ufm`): parameters (B, d, k) and (B, d, n).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from theory.core.errors import ComputationError, InputError
from theory.core.imbalance import Imbalance
from theory.core.loss_presets import PresetLoss
from theory.core.validate import positive_int, positive_real


def _log_softplus(a: torch.Tensor) -> torch.Tensor:
    """log(log(1 + e^a)) with finite autograd gradients everywhere (module docstring)."""
    t = a.clamp(-700.0, 0.0).exp()
    below = a + (torch.log1p(t) / t).log()
    return torch.where(a > 0, torch.nn.functional.softplus(a.clamp(min=0.0)).log(), below)


def _terms(losses: Sequence[PresetLoss], labels: torch.Tensor, dtype: torch.dtype,
           device: torch.device) -> tuple[torch.Tensor, ...]:
    """Per-sample constants of B presets: A[y_i, :] (B, n, k), iota (B, 1, k), m_{y_i} (B, n, 1),
    log w_{y_i} (B, n), the label mask (n, k) and focal gamma (B, 1)."""
    if not losses:
        raise InputError("need at least one preset")
    k = losses[0].k
    if any(loss.k != k for loss in losses):
        raise InputError("every preset must have the same number of classes")
    y = labels.to(device=device, dtype=torch.long)
    stack = lambda f: torch.tensor(np.stack([f(loss) for loss in losses]), dtype=dtype, device=device)  # noqa: E731
    A = stack(lambda p: p.param.scaling)[:, y, :]
    iota = stack(lambda p: np.zeros(k) if p.param.offsets is None else p.param.offsets)[:, None, :]
    margins = stack(lambda p: p.label_margins)[:, y, None]
    log_w = stack(lambda p: np.log(p.class_weights))[:, y]
    focal = stack(lambda p: np.array([p.focal_gamma]))
    mask = torch.nn.functional.one_hot(y, k).bool()
    return A, iota, margins, log_w, mask, focal, y


def _log_losses(terms: tuple[torch.Tensor, ...], logits: torch.Tensor) -> torch.Tensor:
    """log of the mean weighted loss of each of B presets at logits (B, n, k) -> (B,)."""
    A, iota, margins, log_w, mask, focal, y = terms
    S = A * logits - iota
    own = S.gather(2, y.expand(S.shape[0], -1)[:, :, None])
    a = torch.logsumexp((S - own + margins).masked_fill(mask, -math.inf), dim=2)
    log_phi = _log_softplus(a) - focal * torch.nn.functional.softplus(-a)
    return torch.logsumexp(log_w + log_phi, dim=1) - math.log(y.numel())


def log_preset_loss(loss: PresetLoss, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """log of the mean over samples of w_y phi(a) for logits (n, k) and integer labels (n) (module docstring)."""
    if not isinstance(loss, PresetLoss):
        raise InputError(f"loss must be a PresetLoss (theory.core.loss_presets.preset_loss), got {type(loss).__name__}")
    if not isinstance(logits, torch.Tensor) or not isinstance(labels, torch.Tensor):
        raise InputError("logits and labels must be torch tensors")
    if logits.ndim != 2 or logits.shape[1] != loss.k:
        raise InputError(f"logits must be (n, {loss.k}), got {tuple(logits.shape)}")
    return _log_losses(_terms([loss], labels, logits.dtype, logits.device), logits[None])[0]


@dataclass(frozen=True)
class UFMRun:
    """Final classifiers W (B, d, k), features H (B, d, n), labels, and each model's training error."""

    W: np.ndarray
    H: np.ndarray
    labels: np.ndarray
    train_error: np.ndarray
    epochs: int


def train_ufm_presets(losses: Sequence[PresetLoss], d: int, *, epochs: int = 2000, lr: float = 300.0,
                      init_scale: float = 0.1, seed: int = 0) -> UFMRun:
    """Full-batch GD on the UFM (logits W^T H, float64), one model per preset, all from the same initial point,
    each with the loss-normalised step lr / ||theta_b||^2 (the gradient of sum_b log L_b separates by model).

    The presets must share their counts, which must be integers (one column of H per sample, ordered by
    class). Raises ComputationError when an iterate stops being finite. Runs on one intra-op thread (the
    tensors are tiny; see :mod:`training.ufm`), restoring the previous setting.
    """
    counts = np.asarray(losses[0].counts) if losses else np.zeros(0)
    if any(not np.array_equal(loss.counts, counts) for loss in losses):
        raise InputError("every preset must be evaluated for the same counts")
    imb = Imbalance(counts.astype(np.int64))
    d = positive_int("d", d)
    epochs = positive_int("epochs", epochs)
    lr = positive_real("lr", lr)
    y = torch.as_tensor(imb.labels())
    terms = _terms(losses, y, torch.float64, torch.device("cpu"))
    gen = torch.Generator().manual_seed(int(seed))
    B = len(losses)
    W = (init_scale * torch.randn(d, imb.k, generator=gen, dtype=torch.float64)).repeat(B, 1, 1).requires_grad_()
    H = (init_scale * torch.randn(d, imb.n, generator=gen, dtype=torch.float64)).repeat(B, 1, 1).requires_grad_()
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for _ in range(epochs):
            value = _log_losses(terms, torch.bmm(W.transpose(1, 2), H).transpose(1, 2)).sum()
            gW, gH = torch.autograd.grad(value, (W, H))
            with torch.no_grad():
                step = (lr / (W.pow(2).sum((1, 2)) + H.pow(2).sum((1, 2))))[:, None, None]
                W -= step * gW
                H -= step * gH
            if not (torch.isfinite(W).all() and torch.isfinite(H).all()):
                raise ComputationError("UFM training with presets diverged (non-finite parameters)")
    finally:
        torch.set_num_threads(previous_threads)
    with torch.no_grad():
        error = (torch.argmax(torch.bmm(W.transpose(1, 2), H), dim=1) != y).double().mean(dim=1).numpy()
    return UFMRun(W.detach().numpy().copy(), H.detach().numpy().copy(), imb.labels(), error, epochs)
