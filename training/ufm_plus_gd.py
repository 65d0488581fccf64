"""Projected gradient descent on dang2024's UFM+ (problem (4)): the training-level route to Thm 1.

    min_{W, H >= 0}  (1/N) sum_i CE(W h_i, y_i) + (lambda_W / 2) ||W||_F^2 + (lambda_H / 2) ||H||_F^2

The weight decay is the regularisation of (4); non-negative features are kept by projecting H onto
H >= 0 after each step (the ReLU features of dang2024). Several random starts (seeds) train as one
batched float64 tensor program. The feature step is scaled by N (each column h_i carries a 1/N share of
the loss), i.e. gradient descent on (W, H/ sqrt N)-balanced coordinates; both steps are constant.
Iteration stops when the projected-gradient residual (the KKT residual of (4)) of every start is below
``tol`` or after ``max_epochs``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from theory.core.errors import ComputationError
from theory.core.imbalance import Imbalance, require_imbalance
from theory.core.validate import positive_int, positive_real


@dataclass(frozen=True)
class UFMPlusRun:
    """Final classifiers W (S x K x d), features H (S x d x N), labels (N,), epochs run and the
    final KKT residual of each start (infinity norm of the projected gradient)."""

    W: np.ndarray
    H: np.ndarray
    labels: np.ndarray
    epochs: int
    residual: np.ndarray


def _gradients(W: torch.Tensor, H: torch.Tensor, Y: torch.Tensor, lw: float, lh: float
               ) -> tuple[torch.Tensor, torch.Tensor]:
    n = Y.shape[1]
    G = (torch.softmax(W @ H, dim=1) - Y) / n
    return G @ H.transpose(1, 2) + lw * W, W.transpose(1, 2) @ G + lh * H


def _residual(W: torch.Tensor, H: torch.Tensor, gW: torch.Tensor, gH: torch.Tensor) -> torch.Tensor:
    projected = torch.where(H > 0, gH, torch.clamp(gH, max=0.0))
    return torch.maximum(gW.abs().amax(dim=(1, 2)), projected.abs().amax(dim=(1, 2)))


def train_ufm_plus(counts: Imbalance, lambda_w: float, lambda_h: float, d: int, seeds: int = 3,
                   lr: float = 0.5, max_epochs: int = 40_000, tol: float = 1e-10,
                   check_every: int = 200) -> UFMPlusRun:
    """Train ``seeds`` random non-negative starts of problem (4) by projected gradient descent."""
    imb = require_imbalance("counts", counts)
    lw = positive_real("lambda_W", lambda_w)
    lh = positive_real("lambda_H", lambda_h)
    dd = positive_int(f"d (needs d >= K = {imb.k})", d, minimum=imb.k)
    starts = positive_int("seeds", seeds)
    step = positive_real("lr", lr)
    epochs = positive_int("max_epochs", max_epochs)
    every = positive_int("check_every", check_every)
    tolerance = positive_real("tol", tol)
    labels = imb.labels()
    n = labels.size
    Y = torch.nn.functional.one_hot(torch.as_tensor(labels), imb.k).T.to(torch.float64)
    gen = torch.Generator().manual_seed(0)
    W = 0.1 * torch.randn(starts, imb.k, dd, generator=gen, dtype=torch.float64)
    H = 0.1 * torch.rand(starts, dd, n, generator=gen, dtype=torch.float64)
    residual = torch.full((starts,), float("inf"), dtype=torch.float64)
    epoch = 0
    while epoch < epochs:
        gW, gH = _gradients(W, H, Y, lw, lh)
        if epoch % every == 0:
            residual = _residual(W, H, gW, gH)
            if not torch.isfinite(residual).all():
                raise ComputationError(f"UFM+ gradient descent diverged at epoch {epoch} (lr {step} too large)")
            if (residual <= tolerance).all():
                break
        W = W - step * gW
        H = torch.clamp(H - step * n * gH, min=0.0)
        epoch += 1
    gW, gH = _gradients(W, H, Y, lw, lh)
    residual = _residual(W, H, gW, gH)
    if not torch.isfinite(residual).all():
        raise ComputationError("UFM+ gradient descent produced non-finite values")
    return UFMPlusRun(W.numpy(), H.numpy(), labels, epoch, residual.numpy())
