"""Fixed simplex-ETF classifier with the dot-regression loss vs a learnable classifier (yang2022).

yang2022 Def. 1 (eq. 1): W* = sqrt(K/(K-1)) U (I_K - 1 1^T / K) with U^T U = I_K, so that
w_i^T w_j = K/(K-1) delta_ij - 1/(K-1) (eq. 2). Thm 1: with W* fixed, the features of every class
collapse onto w_c* however imbalanced the data. Appendix C: features are l2-normalised (E_H = 1) and the
classifier length is set per class, sqrt(E_W,k) = N / (K n_k). The DR loss is yang2022 eq. (14)
(:func:`training.losses.dot_regression_loss`).

:func:`table1` is yang2022 Table 1 in miniature on STEP-imbalanced digits: learnable classifier + CE,
learnable + weighted CE (weights 1/n_k, "CE*"), fixed ETF + CE, fixed ETF + DR; balanced test accuracy,
mean and standard deviation over seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from theory.core.validate import positive_int, positive_real
from theory.etf.simplex import simplex_etf
from training.data import ImbalancedData, digits_step
from training.losses import dot_regression_loss, logit_scaling_loss
from training.nets import build

METHODS = ("learnable+CE", "learnable+CE*", "ETF+CE", "ETF+DR")


def class_lengths(counts: np.ndarray) -> np.ndarray:
    """sqrt(E_W,k) = N / (K n_k) (yang2022 Appendix C): longer classifiers for rarer classes."""
    n = np.asarray(counts, dtype=np.float64)
    return n.sum() / (n.size * n)


@dataclass(frozen=True)
class ETFConfig:
    """Backbone and SGD settings of the comparison (an MLP on digits; batch 64, momentum 0.9)."""

    width: int = 32
    epochs: int = 60
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 5e-4
    batch_size: int = 64

    def __post_init__(self) -> None:
        for name in ("width", "epochs", "batch_size"):
            object.__setattr__(self, name, positive_int(name, getattr(self, name)))
        object.__setattr__(self, "lr", positive_real("lr", self.lr))


def train_method(method: str, data: ImbalancedData, seed: int, config: ETFConfig = ETFConfig()) -> dict[str, float]:
    """Train one method of :data:`METHODS`; returns balanced test accuracy, training accuracy and the
    mean cosine between each training feature and its (fixed or learnt) classifier vector."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    imb = data.imbalance
    k = imb.k
    model = build("mlp", tuple(data.X_train.shape[1:]), k, seed, d=config.width)
    fixed = method.startswith("ETF")
    if fixed:
        W = torch.from_numpy(simplex_etf(k, config.width, 1.0, seed)).float()
        if method == "ETF+DR":
            W = W * torch.as_tensor(class_lengths(imb.counts), dtype=torch.float32)
        with torch.no_grad():
            model.classifier.weight.copy_(W.T)
        model.classifier.weight.requires_grad_(False)
    X, y = data.X_train, data.y_train
    weights = None
    if method == "learnable+CE*":
        weights = torch.as_tensor((1.0 / imb.counts)[y.numpy()] * y.numel() / k, dtype=torch.float32)
    ones = torch.ones(k, k)
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=config.lr,
                          momentum=config.momentum, weight_decay=config.weight_decay)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(config.epochs):
        for idx in torch.randperm(y.numel(), generator=gen).split(config.batch_size):
            opt.zero_grad()
            if method == "ETF+DR":
                h = torch.nn.functional.normalize(model.features(X[idx]), dim=1)
                loss = dot_regression_loss(h, y[idx], model.classifier_matrix)
            else:
                loss = logit_scaling_loss(model(X[idx]), y[idx], scaling=ones,
                                          weights=None if weights is None else weights[idx])
            loss.backward()
            opt.step()
    with torch.no_grad():
        feats = model.features(X)
        if method == "ETF+DR":
            feats = torch.nn.functional.normalize(feats, dim=1)
        W = model.classifier_matrix
        cos = torch.nn.functional.cosine_similarity(feats, W[:, y].T, dim=1).mean()
        predict = (lambda Z: (torch.nn.functional.normalize(model.features(Z), dim=1) @ W).argmax(1)) if method == "ETF+DR" \
            else (lambda Z: model(Z).argmax(1))
        per_class = lambda Z, t: torch.stack([(predict(Z)[t == c] == c).float().mean() for c in range(k)])  # noqa: E731
        return {"balanced_test_accuracy": float(per_class(data.X_test, data.y_test).mean()),
                "train_accuracy": float((predict(X) == y).float().mean()),
                "feature_classifier_cosine": float(cos)}


def table1(ratios: Sequence[float] = (1.0, 10.0, 50.0), seeds: Sequence[int] = (0, 1, 2), n_max: int = 150,
           config: ETFConfig = ETFConfig()) -> dict[str, dict[str, dict[str, float]]]:
    """{method: {"R=..": {"mean", "std"}}} of the balanced test accuracy (%), yang2022 Table 1 style.

    STEP digits with k_minor = 5, n_maj = ``n_max`` and n_min = n_max / R (tau = 1/R in yang2022's
    notation); the test set is class-balanced and disjoint from training.
    """
    out: dict[str, dict[str, dict[str, float]]] = {m: {} for m in METHODS}
    for R in ratios:
        n_min = positive_real("n_max / R", n_max / R)
        if abs(n_min - round(n_min)) > 1e-9:
            raise ValueError(f"n_max / R must be an integer, got {n_min}")
        for method in METHODS:
            accs = [100 * train_method(method, digits_step(5, R, int(round(n_min)), seed=s), s, config)["balanced_test_accuracy"]
                    for s in seeds]
            out[method][f"R={R:g}"] = {"mean": float(np.mean(accs)), "std": float(np.std(accs))}
    return out


def table1_markdown(table: dict[str, dict[str, dict[str, float]]]) -> str:
    """Markdown rendering of :func:`table1`."""
    cols = list(next(iter(table.values())).keys())
    lines = ["| method | " + " | ".join(cols) + " |", "| --- |" + " --- |" * len(cols)]
    for method, row in table.items():
        lines.append(f"| {method} | " + " | ".join(f"{row[c]['mean']:.1f} ± {row[c]['std']:.1f}" for c in cols) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else ETFConfig().epochs
    print(table1_markdown(table1(config=ETFConfig(epochs=epochs))))
