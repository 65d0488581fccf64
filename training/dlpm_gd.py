"""Projected gradient descent on yang2022's decoupled layer-peeled model (DLPM, eq. (5)) with a fixed
simplex-ETF classifier, for the CE loss (3) and the dot-regression loss (14).

    min_H (1/N) sum_i L(h_i, W*)   s.t.  ||h_i||^2 <= E_H  for every sample i

The problem decouples over samples, so one step is the projected gradient step of Def. 2 applied to every
sample at once: h <- P(h - gamma grad_h L(h, W*)), P the projection onto the ball of radius sqrt(E_H)
(the per-sample gradient, i.e. the 1/N of (5) folded into gamma). The distance of every feature to Thm 1's
optimum h*_c = sqrt(E_H / E_W) w*_c (relative to sqrt(E_H)) is recorded at every epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from theory.core.errors import ComputationError
from theory.core.imbalance import Imbalance, require_imbalance
from theory.core.validate import positive_int, positive_real
from theory.core.vocabulary import ETFLoss
from theory.etf.simplex import simplex_etf


@dataclass(frozen=True)
class DLPMRun:
    """``distance[t]``: the largest distance max_i ||h_i - h*_{y_i}|| / sqrt(E_H) after t epochs (t = 0 is
    the start); ``per_class``: the final largest distance of each class."""

    loss: ETFLoss
    distance: np.ndarray
    per_class: np.ndarray


def train_dlpm(loss: str, counts: Imbalance, d: int, epochs: int, lr: float, e_w: float = 1.0, e_h: float = 1.0,
               seed: int = 0) -> DLPMRun:
    """Run ``epochs`` projected gradient steps from features drawn uniformly in directions with norm
    sqrt(E_H)/2, for the fixed ETF of ``simplex_etf(K, d, E_W, seed=1)``."""
    name = ETFLoss.parse(loss)
    imb = require_imbalance("counts", counts)
    dd = positive_int(f"d (needs d >= K - 1 = {imb.k - 1})", d, minimum=imb.k - 1)
    steps = positive_int("epochs", epochs)
    gamma = positive_real("lr", lr)
    ew, eh = positive_real("E_W", e_w), positive_real("E_H", e_h)
    W = torch.as_tensor(simplex_etf(imb.k, dd, ew, seed=1))
    labels = torch.as_tensor(imb.labels())
    gen = torch.Generator().manual_seed(int(seed))
    H = torch.randn(dd, labels.numel(), generator=gen, dtype=torch.float64)
    H = 0.5 * np.sqrt(eh) * H / H.norm(dim=0)
    target = np.sqrt(eh / ew) * W[:, labels]
    w_c = W[:, labels]
    root = np.sqrt(ew * eh)
    distance = np.empty(steps + 1)
    distance[0] = float((H - target).norm(dim=0).max()) / np.sqrt(eh)
    for t in range(1, steps + 1):
        if name == ETFLoss.CE:
            p = torch.softmax(W.T @ H, dim=0)
            p[labels, torch.arange(labels.numel())] -= 1.0
            grad = W @ p  # sum_k (p_k - 1{k = c}) w_k, eq. (12)
        else:
            grad = ((w_c * H).sum(dim=0) - root) / root * w_c  # derivative of (14)
        H = H - gamma * grad
        H = H * torch.clamp(np.sqrt(eh) / H.norm(dim=0), max=1.0)
        distance[t] = float((H - target).norm(dim=0).max()) / np.sqrt(eh)
        if not np.isfinite(distance[t]):
            raise ComputationError(f"DLPM gradient descent ({name}) produced non-finite features at epoch {t}")
    per = (H - target).norm(dim=0) / np.sqrt(eh)
    per_class = np.array([float(per[labels == c].max()) for c in range(imb.k)])
    return DLPMRun(name, distance, per_class)
