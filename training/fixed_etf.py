"""Fixed simplex-ETF classifier with the dot-regression loss vs a learnable classifier (yang2022 Table 1).

yang2022 Def. 1 (eq. 1): W* = sqrt(K/(K-1)) U (I_K - 1 1^T / K) with U^T U = I_K, so that
w_i^T w_j = K/(K-1) delta_ij - 1/(K-1) (eq. 2). Thm 1: with W* fixed, the features of every class
collapse onto w_c* however imbalanced the data. Appendix C: features are l2-normalised (E_H = 1) and the
classifier length is set per class, sqrt(E_W,k) = N / (K n_k). The DR loss is yang2022 eq. (14)
(:func:`training.losses.dot_regression_loss`).

The four methods of Table 1: learnable classifier + CE, learnable + CE weighted by 1/(K n_k) ("CE*"),
fixed ETF + CE, fixed ETF + DR. Each (method, imbalance ratio) trains its seeds as one batched program
(:mod:`training.batched`); the data subset is fixed (drawn with seed 0, as the deterministic long-tailed
subsets of yang2022's code) and the seed sets the initialisation, the ETF's rotation and the batch order.
Reported per method and ratio: balanced test accuracy (mean and std over seeds, in %) and the Fig. 4
alignment, the mean over classes of cos(h_c - h_G, w_c) (class means h_c and global mean h_G of the
training features).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from theory.core.errors import InputError
from theory.core.vocabulary import ETFMethod
from theory.core.collapse_metrics import vector_cosine
from theory.etf.simplex import simplex_etf
from training.batched import CLASSIFIER, LogitScaling, Objective, train_batched
from training.data import ImbalancedData
from training.deepnet import NetConfig, networks
from training.losses import dot_regression_loss
from training.specs import RunSpec
from training.ufm import resolve_device

METHODS = ETFMethod.names()


def class_lengths(counts: np.ndarray) -> np.ndarray:
    """sqrt(E_W,k) = N / (K n_k) (yang2022 Appendix C): longer classifiers for rarer classes."""
    n = np.asarray(counts, dtype=np.float64)
    return n.sum() / (n.size * n)


class DotRegression(Objective):
    """yang2022 eq. (14) on l2-normalised features (App. C, E_H = 1) against the fixed classifiers
    ``classifier`` (B, d, k), which are not trained."""

    frozen = (CLASSIFIER,)

    def __init__(self, classifier: torch.Tensor) -> None:
        self.classifier = classifier.float()

    def __call__(self, h: torch.Tensor, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        hn = torch.nn.functional.normalize(h, dim=-1)
        return torch.stack([dot_regression_loss(hn[b], y[b], self.classifier[b]) for b in range(h.shape[0])])


class FixedClassifierCE(LogitScaling):
    """CE with the classifier held fixed (yang2022's "ETF + CE")."""

    frozen = (CLASSIFIER,)


def _etf(k: int, d: int, seeds: Sequence[int], lengths: np.ndarray | None) -> torch.Tensor:
    """(B, d, k) simplex ETFs (one rotation per seed), columns scaled by ``lengths`` when given."""
    W = np.stack([simplex_etf(k, d, 1.0, s) for s in seeds])
    if lengths is not None:
        W = W * lengths[None, None, :]
    return torch.as_tensor(W, dtype=torch.float32)


def method_program(method: str, data: ImbalancedData, seeds: Sequence[int], config: NetConfig
                   ) -> tuple[list[torch.nn.Module], Objective]:
    """The networks (one per seed; the ETF copied into the classifier for the fixed methods) and the
    stacked objective of one method."""
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    imb = data.imbalance
    k = imb.k
    specs = [RunSpec("CE", 0.0, s) for s in seeds]
    nets = networks(data, specs, config)
    B = len(seeds)
    A, iota = torch.ones(B, k, k), torch.zeros(B, k)
    weights = torch.ones(B, k)
    if method == "learnable+CE*":  # 1/(K n_k), scaled so that the mean per-sample weight is 1
        weights = torch.as_tensor(imb.n / (k * imb.counts), dtype=torch.float32).expand(B, k).clone()
    if not method.startswith("ETF"):
        return nets, LogitScaling(A, iota, weights)
    d = nets[0].classifier.weight.shape[1]
    W = _etf(k, d, seeds, class_lengths(imb.counts) if method == "ETF+DR" else None)
    for net, Wb in zip(nets, W):
        with torch.no_grad():
            net.classifier.weight.copy_(Wb.T)
    return nets, (DotRegression(W) if method == "ETF+DR" else FixedClassifierCE(A, iota, weights))


def alignment(W: np.ndarray, M: np.ndarray, counts: np.ndarray) -> float:
    """Mean over classes of cos(h_c - h_G, w_c) (yang2022 Fig. 4): W, M (d, k), h_G = sum_c n_c h_c / N."""
    n = np.asarray(counts, dtype=np.float64)
    h_G = M @ n / n.sum()
    return float(np.mean(vector_cosine((M - h_G[:, None]).T, W.T)))


def train_method(method: str, data: ImbalancedData, seeds: Sequence[int], config: NetConfig,
                 checkpoint=None, resume: dict | None = None, progress: bool = False) -> dict[str, object]:  # noqa: ANN001
    """Train one method for every seed as one program; per-seed balanced test accuracy, training accuracy
    and alignment at the last epoch (None for a diverged seed)."""
    device = resolve_device(config.device)
    nets, obj = method_program(method, data, seeds, config)
    hist = train_batched(nets, list(seeds), obj, data.X_train, data.y_train, config.sgd, [0], data.X_test,
                         data.y_test, device, checkpoint, resume, progress)
    counts = data.imbalance.counts
    out: dict[str, list] = {"balanced_test_accuracy": [], "train_accuracy": [], "alignment": []}
    for b in range(len(seeds)):
        if hist.diverged_epoch[b] >= 0:
            for key in out:
                out[key].append(None)
            continue
        out["balanced_test_accuracy"].append(float(hist.test_acc[-1, b].mean()))
        out["train_accuracy"].append(float(hist.train_acc[-1, b] @ counts / counts.sum()))
        out["alignment"].append(alignment(hist.W[-1, b], hist.M[-1, b], counts))
    return {"method": method, "seeds": list(seeds), **out,
            "diverged": [int(e) for e in hist.diverged_epoch if e >= 0]}
