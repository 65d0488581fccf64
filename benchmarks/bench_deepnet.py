"""Digits MLP gamma sweep (13 models): one batched program vs one model at a time, side by side.

Workload: behnia2023 Fig. 3 in miniature, as ``igeom experiment deepnet-gamma`` runs it by default:
(10, 1/2)-STEP digits (n_min = 15, n = 825), the digits MLP of :data:`training.experiments.gamma_sweep`
(``--arch mlp``), CDT at 13 gammas in [-1.5, 1.5], the paper's SGD recipe (lr 0.1, momentum 0.9, weight
decay 1e-5, batch 128) for ``--epochs`` epochs (the full 350 in the experiment), geometry logged at the
first and last epoch.

- batched: :func:`training.batched.train_batched` on the 13 models (one program), its models split over
  2 threads (the default on this 2-core machine) and on 1 thread;
- sequential, same code: the same function 13 times, one model each (a program of one, one thread);
- sequential, the usual loop: per model an ``nn.Module``, ``torch.optim.SGD`` + ``MultiStepLR``,
  autograd and :func:`training.losses.logit_scaling_loss`, with 1 and with 2 intra-op threads (the
  faster is the reference).

Each is run ``--repeats`` times in alternation; medians are printed with the ratios. The machine may be
shared: the load average before and after is printed with the figures.

``--experiments`` also times the three default digits experiments end to end (``igeom experiment
deepnet-gamma``, ``nc-relu`` and ``etf-dr`` with their defaults, once each).

``--cuda-resnet18`` instead times, on CUDA, one epoch of the 13-model ResNet-18 CDT sweep on data of
CIFAR-10's shape and (10, 1/2)-STEP counts (n_min = 500, n = 27500; seeded random images, so no dataset
is needed): batched against one model at a time (13 programs of one). Run by ``benchmarks/gpu_check.sh``.

``--cpu-vs-cuda`` times the digits sweep of 13 models (MLP of the experiment, and the small ResNet) for
``--epochs`` epochs as one batched program on the CPU (one thread) and on
CUDA, and reports the largest relative difference of the final weights. Run by ``benchmarks/gpu_check.sh``.

Run: ``python benchmarks/bench_deepnet.py [--repeats 3] [--epochs 30] [--experiments] [--cuda-resnet18]
[--cpu-vs-cuda]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

from training.batched import train_batched
from training.data import digits_step
from training.deepnet import PAPER_RECIPE, objective
from training.experiments.gamma_sweep import DIGITS_NET
from training.losses import logit_scaling_loss, scaling_tensors
from training.specs import RunSpec

DATA = digits_step(5, 10, 15, seed=0)
SPECS = [RunSpec("CDT", round(float(g), 6), 0) for g in np.linspace(-1.5, 1.5, 13)]


def _nets():
    from training.deepnet import networks

    return networks(DATA, SPECS, DIGITS_NET)


def batched(epochs: int, threads: int) -> float:
    """Seconds for the 13 models in one program on ``threads`` threads."""
    sgd = dataclasses.replace(PAPER_RECIPE, epochs=epochs)
    nets, obj = _nets(), objective(DATA, SPECS)
    t0 = time.perf_counter()
    train_batched(nets, [0] * 13, obj, DATA.X_train, DATA.y_train, sgd, [0], cpu_threads=threads)
    return time.perf_counter() - t0


def one_program_each(epochs: int) -> float:
    """Seconds for 13 programs of one model."""
    sgd = dataclasses.replace(PAPER_RECIPE, epochs=epochs)
    obj = objective(DATA, SPECS)
    nets = _nets()
    t0 = time.perf_counter()
    for b in range(13):
        train_batched([nets[b]], [0], obj.select([b]), DATA.X_train, DATA.y_train, sgd, [0], cpu_threads=1)
    return time.perf_counter() - t0


def usual_loop(epochs: int, threads: int) -> float:
    """Seconds for the usual single-model loop over the 13 models."""
    sgd = dataclasses.replace(PAPER_RECIPE, epochs=epochs)
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    nets = _nets()
    t0 = time.perf_counter()
    for spec, net in zip(SPECS, nets):
        A, iota = scaling_tensors([spec.parameterization(DATA.imbalance)], dtype=torch.float32)
        opt = torch.optim.SGD(net.parameters(), lr=sgd.lr, momentum=sgd.momentum, weight_decay=sgd.weight_decay)
        sched = torch.optim.lr_scheduler.MultiStepLR(opt, list(sgd.milestones), gamma=sgd.lr_factor)
        gen = torch.Generator().manual_seed(spec.seed)
        for _ in range(epochs):
            for idx in torch.randperm(DATA.y_train.numel(), generator=gen).split(sgd.batch_size):
                opt.zero_grad()
                logit_scaling_loss(net(DATA.X_train[idx]), DATA.y_train[idx], scaling=A[0], offsets=iota[0]).backward()
                opt.step()
            sched.step()
    torch.set_num_threads(previous)
    return time.perf_counter() - t0


def experiments() -> dict[str, float]:
    """Wall seconds of each default digits experiment, run as the CLI runs it."""
    out = {}
    for name in ("deepnet-gamma", "nc-relu", "etf-dr"):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "igeom.cli", "experiment", name, "--out", tmp, "--json"],
                           check=True, stdout=subprocess.DEVNULL)
            out[name] = time.perf_counter() - t0
    return out


def cuda_resnet18(repeats: int, steps: int | None, tf32: bool) -> None:
    """Epoch seconds of the ResNet-18 sweep on CUDA, batched vs one model at a time (see docstring).

    ``steps``: time that many mini-batch steps (a seeded random subset of the data) and scale the
    seconds to the epoch's steps (the cost per step is constant); None times the whole epoch. ``tf32``:
    TF32 and non-deterministic cuDNN kernels allowed (``SGDConfig.tf32``); default exact float32."""
    from theory.core.imbalance import Imbalance
    from training.data import ImbalancedData
    from training.deepnet import NetConfig, networks

    imb = Imbalance.step(10, 5, 10, 500)
    gen = torch.Generator().manual_seed(0)
    X = torch.rand(imb.n, 3, 32, 32, generator=gen)
    y = torch.as_tensor(imb.labels())
    data = ImbalancedData(X, y, X[:10], y[:10], imb)
    config = NetConfig(arch="resnet18", sgd=dataclasses.replace(PAPER_RECIPE, epochs=1, tf32=tf32),
                       device="cuda")
    obj = objective(data, SPECS)
    per_epoch = -(-imb.n // config.sgd.batch_size)
    if steps is not None and steps < per_epoch:
        idx = torch.randperm(imb.n, generator=gen)[: steps * config.sgd.batch_size]
        X, y = X[idx], y[idx]
    scale = per_epoch / -(-y.numel() // config.sgd.batch_size)

    def epoch(members: list[int]) -> float:
        nets = [n for i, n in enumerate(networks(data, SPECS, config)) if i in members]
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        train_batched(nets, [0] * len(nets), obj.select(members), X, y, config.sgd, [], device="cuda")
        torch.cuda.synchronize()
        secs = (time.perf_counter() - t0) * scale
        print(f"  {len(members)} model(s): {secs:.2f} s per epoch", flush=True)
        return secs

    epoch([0])  # warm-up (cuDNN autotuning, allocator)
    batched_t, seq_t = [], []
    for _ in range(repeats):
        batched_t.append(epoch(list(range(13))))
        seq_t.append(sum(epoch([b]) for b in range(13)))
    b, s = statistics.median(batched_t), statistics.median(seq_t)
    print(f"{torch.cuda.get_device_name(0)}: ResNet-18 x 13 CDT sweep ({'TF32' if tf32 else 'exact float32'}), one epoch of n = {imb.n} (batch 128), "
          f"medians of {repeats}{'' if scale == 1 else f' (timed on {y.numel() // config.sgd.batch_size} steps, scaled to the epoch)'}: batched {b:.1f} s, one model at a time {s:.1f} s, ratio {s / b:.2f}x "
          f"(runs: batched {batched_t}, sequential {seq_t}); peak memory {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB")


def cpu_vs_cuda(repeats: int, epochs: int) -> None:
    """Seconds of the 13-model digits sweep as one program, CPU against CUDA (see module docstring)."""
    from training.deepnet import networks

    sgd = dataclasses.replace(PAPER_RECIPE, epochs=epochs)
    obj = objective(DATA, SPECS)
    for arch in ("mlp", "resnet"):
        config = dataclasses.replace(DIGITS_NET, arch=arch, sgd=sgd)
        finals = {}

        def run(device: str) -> float:
            nets = networks(DATA, SPECS, config)
            if device == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            hist = train_batched(nets, [0] * 13, obj, DATA.X_train, DATA.y_train, sgd, [0, epochs], device=device,
                                 cpu_threads=1)
            if device == "cuda":
                torch.cuda.synchronize()
            finals[device] = hist.final
            return time.perf_counter() - t0

        run("cuda")  # warm-up (kernels, allocator)
        times = {dev: [run(dev) for _ in range(repeats)] for dev in ("cpu", "cuda")}
        rel = max(float((finals["cpu"][k] - finals["cuda"][k]).abs().max()) / (float(finals["cpu"][k].abs().max()) or 1.0)
                  for k in finals["cpu"] if finals["cpu"][k].is_floating_point())
        c, g = statistics.median(times["cpu"]), statistics.median(times["cuda"])
        print(f"{torch.cuda.get_device_name(0)}: digits {arch} x 13 CDT sweep, {epochs} epochs (n = {DATA.imbalance.n}, "
              f"batch 128), medians of {repeats}: CPU (1 thread) {c:.2f} s, CUDA {g:.2f} s, ratio {c / g:.2f}x; "
              f"max relative weight difference CPU vs CUDA {rel:.2e} (runs: cpu {times['cpu']}, cuda {times['cuda']})")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--experiments", action="store_true")
    p.add_argument("--cuda-resnet18", action="store_true")
    p.add_argument("--cpu-vs-cuda", action="store_true")
    p.add_argument("--tf32", action="store_true", help="--cuda-resnet18: allow TF32 / non-deterministic kernels")
    p.add_argument("--steps", type=int, default=None, help="--cuda-resnet18: time this many steps, scaled to the epoch")
    args = p.parse_args()
    if args.cpu_vs_cuda:
        cpu_vs_cuda(args.repeats, args.epochs)
        return
    if args.cuda_resnet18:
        cuda_resnet18(args.repeats, args.steps, args.tf32)
        return
    print(f"load average before: {os.getloadavg()}  cpus: {os.cpu_count()}  torch threads: {torch.get_num_threads()}")
    runs: dict[str, list[float]] = {"batched": [], "batched, 1 thread": [], "programs of one": [],
                                    "usual loop, 1 thread": [], "usual loop, 2 threads": []}
    for _ in range(args.repeats):
        runs["batched"].append(batched(args.epochs, 2))
        runs["batched, 1 thread"].append(batched(args.epochs, 1))
        runs["programs of one"].append(one_program_each(args.epochs))
        runs["usual loop, 1 thread"].append(usual_loop(args.epochs, 1))
        runs["usual loop, 2 threads"].append(usual_loop(args.epochs, 2))
    med = {k: statistics.median(v) for k, v in runs.items()}
    ref = min(med["usual loop, 1 thread"], med["usual loop, 2 threads"])
    print(f"13-model digits MLP CDT sweep, {args.epochs} epochs, medians of {args.repeats} (batched: 2 threads):")
    for k, v in med.items():
        print(f"  {k:24} {v:8.2f} s   ({v / med['batched']:.2f}x the batched time; runs: "
              f"{', '.join(f'{x:.2f}' for x in runs[k])})")
    print(f"  speed-up of the batched program over the faster usual loop: {ref / med['batched']:.2f}x; "
          f"over programs of one: {med['programs of one'] / med['batched']:.2f}x")
    if args.experiments:
        for name, sec in experiments().items():
            print(f"  igeom experiment {name} (defaults): {sec:.1f} s")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
