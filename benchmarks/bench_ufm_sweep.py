"""Fig. 2 UFM sweep: batched tensor program vs the common one-model-at-a-time loop, side by side.

Workload (behnia2023 App. A.1): k=10, R=10, rho=1/2, n_min=5 (n=275), d=20; CDT and LDT at 13 gammas in
[-1.5, 1.5] (26 models); 6000 full-batch GD epochs, constant lr, float32; the geometry measured every 100
epochs (norm ratios, cosines, the three App. A.4 distances, per-class accuracy).

- batched: ``training.ufm.train_sweep`` + ``training.measurements.measure`` (one program for all 26 models).
- baseline, written the common way: for each model an ``nn.Sequential`` of two bias-free ``nn.Linear``
  layers fed the identity matrix through a ``DataLoader`` (full batch, shuffled), ``F.cross_entropy`` on the
  CDT/LDT-scaled logits, ``torch.optim.SGD``, per-epoch bookkeeping (``loss.item()``, accuracy count,
  history list) and the same measurements every 100 epochs. Timed on ``--baseline-epochs`` epochs and
  extrapolated linearly to 6000 (its cost per epoch is constant), with 1 and with 2 intra-op threads;
  the faster is the reference.

Run: ``python benchmarks/bench_ufm_sweep.py [--repeats 3] [--baseline-epochs 300]``. The machine may be
shared: the load average before and after is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from theory.core.collapse_metrics import center, group_summary, normalized_distance
from training.measurements import measure
from training.specs import RunSpec
from training.ufm import TrainConfig, UFMProblem, train_sweep

PROBLEM = UFMProblem.step(10, 5, 10, 5, 20)
SPECS = [RunSpec(loss, round(g, 6), 0) for loss in ("CDT", "LDT") for g in np.linspace(-1.5, 1.5, 13)]
LR, LOG_EVERY = 5.0, 100


def batched(epochs: int, device: str) -> float:
    """Seconds for the whole sweep including the measurements."""
    t0 = time.perf_counter()
    result = train_sweep(PROBLEM, SPECS, TrainConfig(epochs=epochs, lr=LR, log_every=LOG_EVERY, device=device))
    measure(result)
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - t0


def baseline(epochs: int) -> float:
    """Seconds for the sequential loop over the 26 models (see module docstring)."""
    imb = PROBLEM.imbalance
    k, n, d = imb.k, imb.n, PROBLEM.d
    y = torch.as_tensor(imb.labels())
    maj, mnr = imb.groups()
    t0 = time.perf_counter()
    for spec in SPECS:
        torch.manual_seed(spec.seed)
        model = nn.Sequential(nn.Linear(n, d, bias=False), nn.Linear(d, k, bias=False))
        loader = DataLoader(TensorDataset(torch.eye(n), y), batch_size=n, shuffle=True)
        opt = torch.optim.SGD(model.parameters(), lr=LR)
        delta = torch.as_tensor(spec.delta(imb), dtype=torch.float32)
        predicted = spec.predicted(imb)
        history = []
        for epoch in range(1, epochs + 1):
            total, correct = 0.0, 0
            for xb, yb in loader:
                opt.zero_grad()
                out = model(xb)
                scaled = out * delta if spec.loss == "CDT" else out * delta[yb][:, None]
                loss = nn.functional.cross_entropy(scaled, yb)
                loss.backward()
                opt.step()
                total += loss.item() * len(yb)
                correct += (out.argmax(1) == yb).sum().item()
            history.append((epoch, total / n, correct / n))
            if epoch % LOG_EVERY == 0:
                with torch.no_grad():
                    W = model[1].weight.T.double().numpy()
                    H = model[0].weight.double().numpy()
                M = np.stack([H[:, imb.labels() == c].mean(1) for c in range(k)], axis=1)
                Mc = center(M, spec.parameterization(imb).centering_weights())
                group_summary(W.T @ W, Mc.T @ Mc, W.T @ Mc, maj, mnr)
                [normalized_distance(G, P) for G, P in ((W.T @ W, predicted.G_W), (Mc.T @ Mc, predicted.G_M),
                                                        (W.T @ Mc, predicted.G_WM))]
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--epochs", type=int, default=6000)
    p.add_argument("--baseline-epochs", type=int, default=300)
    p.add_argument("--no-baseline", action="store_true", help="time the batched program only (CPU and CUDA)")
    args = p.parse_args()
    load_before = os.getloadavg()
    threads = torch.get_num_threads()
    batched(50, "cpu")  # warm-up (imports, closed-form cache)
    times = [batched(args.epochs, "cpu") for _ in range(args.repeats)]
    gpu = [batched(args.epochs, "cuda") for _ in range(args.repeats)] if torch.cuda.is_available() else None
    base = {}
    for th in () if args.no_baseline else (1, 2):
        torch.set_num_threads(th)
        runs = [baseline(args.baseline_epochs) for _ in range(args.repeats)]
        base[th] = statistics.median(runs) * args.epochs / args.baseline_epochs
    torch.set_num_threads(threads)
    ours = statistics.median(times)
    print(f"Fig. 2 UFM sweep: {len(SPECS)} models x {args.epochs} full-batch epochs, n={PROBLEM.imbalance.n}, "
          f"d={PROBLEM.d}, measured every {LOG_EVERY} epochs; median of {args.repeats}")
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
          f"cpus: {os.cpu_count()}")
    print(f"{'':44}{'seconds':>10}{'ratio':>10}")
    print(f"{'batched train_sweep (CPU, 1 thread)':44}{ours:10.2f}{1.0:10.1f}   runs: "
          + " ".join(f"{t:.2f}" for t in times))
    if gpu is not None:
        g = statistics.median(gpu)
        print(f"{'batched train_sweep (CUDA)':44}{g:10.2f}{ours / g:10.1f}")
    for th, secs in base.items():
        print(f"{f'baseline loop, {th} thread(s), extrapolated':44}{secs:10.2f}{secs / ours:10.1f}"
              f"   (timed on {args.baseline_epochs} epochs)")
    if not base:
        return
    ref_threads = min(base, key=base.get)
    print(f"speed-up vs the faster baseline ({ref_threads} thread(s)): {base[ref_threads] / ours:.1f}x; "
          f"target <= 15 s: {'met' if ours <= 15 else 'NOT met'}; target >= 50x: "
          f"{'met' if base[ref_threads] / ours >= 50 else 'NOT met'}")
    load_after = os.getloadavg()
    print(f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")


if __name__ == "__main__":
    main()
