"""Cost of one :class:`training.collapse_monitor.CollapseMonitor` measurement against one training epoch (issue 24).

On seeded random inputs (no dataset needed) of ``--shape`` with ``--k`` balanced classes, the same ``--n``
samples in batches of ``--batch``:

* ``epoch``: one training epoch (forward, cross-entropy, backward, SGD step) in train mode;
* ``forward x2``: two eval-mode forward passes under ``torch.no_grad()`` with a no-op hook (what any
  two-pass measurement must spend on the network);
* ``measure``: ``CollapseMonitor.measure`` (the same two passes feeding the float64 accumulators, then
  ``compute``), so ``measure - forward x2`` is the accumulation and metric cost.

Medians of ``--repeats``, on ``--device`` (cpu or cuda), with the load average.

    python benchmarks/bench_monitor.py [--arch mlp|resnet18] [--device cpu|cuda] [--n 4096] [--batch 128]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch

from training.collapse_monitor import CollapseMonitor
from training.nets import build


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--arch", default="mlp", choices=("mlp", "resnet18"))
    p.add_argument("--device", default="cpu")
    p.add_argument("--n", type=int, default=4096)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    shape = (3, 32, 32) if args.arch == "resnet18" else (1, 8, 8)
    dev = torch.device(args.device)
    gen = torch.Generator().manual_seed(0)
    X = torch.rand((args.n, *shape), generator=gen)
    y = torch.arange(args.n) % args.k
    model = build(args.arch, shape, args.k, seed=0).to(dev)
    data = torch.utils.data.TensorDataset(X, y)
    loader = torch.utils.data.DataLoader(data, batch_size=args.batch, shuffle=False)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    monitor = CollapseMonitor(model, model.classifier, loader, args.k, unit="epoch")
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)

    def epoch() -> None:
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(xb.to(dev)), yb.to(dev)).backward()
            opt.step()

    def forward2() -> None:
        model.eval()
        handle = model.classifier.register_forward_hook(lambda m, i, o: None)
        with torch.no_grad():
            for _ in range(2):
                for xb, _yb in loader:
                    model(xb.to(dev))
        handle.remove()
        model.train()

    def measure() -> None:
        monitor.measure(0)

    timings: dict[str, list[float]] = {"epoch": [], "forward x2": [], "measure": []}
    funcs = {"epoch": epoch, "forward x2": forward2, "measure": measure}
    epoch(), measure()  # warm-up
    for _ in range(args.repeats):
        for name, f in funcs.items():
            sync()
            t = time.perf_counter()
            f()
            sync()
            timings[name].append(time.perf_counter() - t)
    med = {name: statistics.median(v) for name, v in timings.items()}
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"CPU ({torch.get_num_threads()} threads)"
    print(f"{args.arch} on {name}: n = {args.n} inputs {shape}, batch {args.batch}, k = {args.k}, "
          f"d = {model.classifier.in_features}; load average {os.getloadavg()[0]:.2f}; median of {args.repeats}")
    for key, v in med.items():
        print(f"  {key:<11} {v:8.3f} s")
    print(f"  measurement / epoch: {med['measure'] / med['epoch']:.2f}; accumulation and metrics "
          f"(measure - forward x2): {med['measure'] - med['forward x2']:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
