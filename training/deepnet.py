"""Deep nets trained with the CE parameterizations, measured like the UFM (behnia2023 App. A.2, Fig. 3).

One model per :class:`training.specs.RunSpec` (loss, gamma, seed), trained by mini-batch SGD
(``torch.optim.SGD`` with autograd, the usual deep-net practice) on an :class:`ImbalancedData`. At the
logged epochs the classifier W and the class means of the penultimate features over the training set
(network in eval mode) are recorded, so :func:`training.measurements.measure` applies unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from theory.core.validate import finite_real, positive_int, positive_real
from training.data import ImbalancedData
from training.losses import logit_scaling_loss, scaling_tensors
from training.measurements import Trajectory
from training.nets import build
from training.specs import RunSpec
from training.ufm import resolve_device


@dataclass(frozen=True)
class NetConfig:
    """Architecture and SGD settings (defaults: a small MLP, lr 0.05, momentum 0.9, batch 64)."""

    arch: str = "mlp"
    width: int = 32
    epochs: int = 100
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 0.0
    batch_size: int = 64
    milestones: tuple[int, ...] = ()
    lr_factor: float = 0.1
    log_every: int = 10
    device: str = "auto"

    def __post_init__(self) -> None:
        if self.arch not in ("mlp", "resnet"):
            raise ValueError(f"arch must be 'mlp' or 'resnet', got {self.arch!r}")
        for name in ("width", "epochs", "batch_size", "log_every"):
            object.__setattr__(self, name, positive_int(name, getattr(self, name)))
        object.__setattr__(self, "lr", positive_real("lr", self.lr))
        if not 0.0 <= finite_real("momentum", self.momentum) < 1.0:
            raise ValueError(f"momentum must lie in [0, 1), got {self.momentum}")
        if finite_real("weight_decay", self.weight_decay) < 0:
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay}")
        object.__setattr__(self, "milestones", tuple(positive_int("milestone", m) for m in self.milestones))
        object.__setattr__(self, "lr_factor", positive_real("lr_factor", self.lr_factor))

    def model_kwargs(self) -> dict[str, object]:
        """Constructor arguments: MLP feature width d, or ResNet stage widths (w/2, w, 2w)."""
        if self.arch == "mlp":
            return {"d": self.width}
        return {"widths": (self.width // 2, self.width, 2 * self.width)}


@dataclass
class NetResult(Trajectory):
    """Trajectory of the nets plus ``test_class_accuracy`` (B, k) at the end (NaN where diverged)."""

    test_class_accuracy: np.ndarray | None = None


def _evaluate(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor, k: int,
              chunk: int = 2048) -> tuple[torch.Tensor, torch.Tensor]:
    """(class means M (d, k), per-class accuracy (k,)) of ``model`` in eval mode on (X, y)."""
    model.eval()
    with torch.no_grad():
        feats = torch.cat([model.features(X[i:i + chunk]) for i in range(0, X.shape[0], chunk)])
        logits = model.classifier(feats)
    model.train()
    onehot = torch.nn.functional.one_hot(y, k).to(feats.dtype)
    counts = onehot.sum(0)
    M = feats.T @ onehot / counts
    acc = ((logits.argmax(1) == y).to(feats.dtype) @ onehot) / counts
    return M, acc


def train_nets(data: ImbalancedData, specs: list[RunSpec], config: NetConfig = NetConfig(),
               test: bool = True) -> NetResult:
    """Train one net per spec on ``data`` (sequentially); NaN/inf losses are recorded per spec."""
    if not specs:
        raise ValueError("need at least one RunSpec")
    device = resolve_device(config.device)
    imb = data.imbalance
    X, y = data.X_train.to(device), data.y_train.to(device)
    n, k = y.numel(), imb.k
    if config.batch_size > n:
        raise ValueError(f"batch_size must be <= n = {n}, got {config.batch_size}")
    logged = sorted({0, config.epochs, *range(config.log_every, config.epochs + 1, config.log_every)})
    T, B = len(logged), len(specs)
    d = config.width if config.arch == "mlp" else 2 * config.width
    W_hist, M_hist = np.full((T, B, d, k), np.nan), np.full((T, B, d, k), np.nan)
    loss_hist, acc_hist = np.full((T, B), np.nan), np.full((T, B, k), np.nan)
    test_acc = np.full((B, k), np.nan)
    diverged = np.full(B, -1, dtype=np.int64)
    for b, spec in enumerate(specs):
        model = build(config.arch, tuple(X.shape[1:]), k, spec.seed, **config.model_kwargs()).to(device)
        A, iota = scaling_tensors([spec.parameterization(imb)], dtype=torch.float32, device=device)
        w = torch.as_tensor(spec.class_weights(imb), dtype=torch.float32, device=device)[y]
        opt = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                              weight_decay=config.weight_decay)
        sched = torch.optim.lr_scheduler.MultiStepLR(opt, list(config.milestones), gamma=config.lr_factor)
        gen = torch.Generator().manual_seed(spec.seed)
        for epoch in range(config.epochs + 1):
            if epoch in logged:
                t = logged.index(epoch)
                M, acc = _evaluate(model, X, y, k)
                W_hist[t, b], M_hist[t, b], acc_hist[t, b] = (model.classifier_matrix.detach().cpu().double().numpy(),
                                                             M.cpu().double().numpy(), acc.cpu().double().numpy())
                with torch.no_grad():
                    loss_hist[t, b] = float(logit_scaling_loss(model(X), y, scaling=A[0], offsets=iota[0], weights=w))
            if epoch == config.epochs:
                break
            total = 0.0
            for idx in torch.randperm(n, generator=gen).to(device).split(config.batch_size):
                opt.zero_grad()
                loss = logit_scaling_loss(model(X[idx]), y[idx], scaling=A[0], offsets=iota[0], weights=w[idx])
                loss.backward()
                opt.step()
                total += float(loss.detach())
            sched.step()
            if not np.isfinite(total):
                diverged[b] = epoch + 1
                break
        if test and diverged[b] < 0:
            test_acc[b] = _evaluate(model, data.X_test.to(device), data.y_test.to(device), k)[1].cpu().double().numpy()
    return NetResult(imbalance=imb, specs=tuple(specs), epochs=np.array(logged), W=W_hist, M=M_hist,
                     loss=loss_hist, class_accuracy=acc_hist, diverged_epoch=diverged, test_class_accuracy=test_acc)


def digits_sweep(arch: str = "mlp", gammas: tuple[float, ...] = (-1.0, -0.5, 0.0, 0.5, 1.0), epochs: int = 200,
                 seed: int = 0, **config: object) -> tuple[NetResult, ImbalancedData]:
    """CDT and LDT over ``gammas`` on (10, 1/2)-STEP digits (n_min = 15, n = 825): behnia2023 Fig. 3 in
    miniature (ResNet-18 on CIFAR-10 there)."""
    from training.data import digits_step

    data = digits_step(k_minor=5, R=10, n_min=15, seed=seed)
    specs = [RunSpec(loss, g, seed) for loss in ("CDT", "LDT") for g in gammas]
    cfg = NetConfig(arch=arch, epochs=epochs, log_every=max(1, epochs // 10), **config)  # type: ignore[arg-type]
    return train_nets(data, specs, cfg), data


def _main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    from pathlib import Path

    from training.checkpoint import write_json
    from training.figures import figure2
    from training.measurements import measure

    p = argparse.ArgumentParser(prog="python -m training.deepnet", description="Deep nets on STEP digits vs Thm 2")
    p.add_argument("out", type=Path)
    p.add_argument("--arch", choices=["mlp", "resnet"], default="mlp")
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    args = p.parse_args(argv)
    result, data = digits_sweep(args.arch, epochs=args.epochs, lr=args.lr, weight_decay=args.weight_decay)
    meas = measure(result)
    rows = [{**meas.run_json(b), "test_balanced_accuracy": float(np.nanmean(result.test_class_accuracy[b]))}
            for b in range(len(meas.specs))]
    write_json(args.out / f"digits-{args.arch}.json", {"arch": args.arch, "epochs": args.epochs, "runs": rows})
    figure2(meas, data.imbalance, args.out / f"fig2-digits-{args.arch}.png",
            title=f"{args.arch} on (10, 1/2)-STEP digits, epoch {args.epochs}: measured vs Thm 2")
    for r in rows:
        print(json.dumps({k: r[k] for k in ("loss", "gamma", "distance", "train_error", "test_balanced_accuracy")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
