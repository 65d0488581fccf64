"""CUDA checks of the batched program (skipped without CUDA): CPU agreement, NaN isolation, sweep vs alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from training.batched import LogitScaling, SGDConfig, train_batched
from training.data import digits_step
from training.deepnet import NetConfig, networks, objective
from training.specs import RunSpec

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]

CFG = SGDConfig(epochs=3, lr=0.05, momentum=0.9, weight_decay=1e-3, batch_size=16, milestones=(2,))
DATA = digits_step(k_minor=5, R=4, n_min=4, seed=0)
SPECS = [RunSpec("CDT", g, s) for g, s in ((-1.0, 0), (0.0, 0), (1.0, 1))]


def _run(arch: str, device: str, specs=SPECS, obj=None):
    nets = networks(DATA, specs, NetConfig(arch=arch, width=8, sgd=CFG, device="cpu"))
    return train_batched(nets, [s.seed for s in specs], obj or objective(DATA, specs), DATA.X_train, DATA.y_train,
                         CFG, [0, CFG.epochs], device=device)


def _close(a: dict, b: dict, rel: float, models=slice(None)) -> None:
    for name, t in a.items():
        if t.is_floating_point():
            scale = float(t[models].abs().max()) or 1.0
            assert float((t[models] - b[name][models]).abs().max()) <= rel * scale, name
        else:
            assert torch.equal(t[models], b[name][models]), name


def test_cuda_agrees_with_cpu_mlp() -> None:
    """An MLP sweep on CUDA ends within 1e-4 (relative to each tensor's largest entry) of the CPU run
    after 21 steps (float32; CUDA and MKL sum in different orders, TF32 is off for matmul by default)."""
    assert not torch.backends.cuda.matmul.allow_tf32
    _close(_run("mlp", "cpu").final, _run("mlp", "cuda").final, 1e-4)


def test_cuda_sweep_equals_models_alone_to_rounding() -> None:
    """On CUDA each model of the sweep agrees with its lone run to 1e-5 relative (kernels may differ
    with the batch size, so bitwise equality is not claimed there)."""
    sweep = _run("mlp", "cuda")
    obj = objective(DATA, SPECS)
    for b in range(len(SPECS)):
        alone = _run("mlp", "cuda", [SPECS[b]], obj.select([b]))
        _close({k: v[b:b + 1] for k, v in sweep.final.items()}, alone.final, 1e-5)


def test_cuda_nan_isolation() -> None:
    """A model whose loss overflows is reported diverged on CUDA; the others finish finite."""
    obj = objective(DATA, SPECS)
    bad = LogitScaling(obj.scaling.clone(), obj.offsets, obj.class_weights)
    bad.scaling[1] *= 1e30
    hist = _run("mlp", "cuda", obj=bad)
    assert hist.diverged_epoch.tolist() == [-1, 1, -1]
    assert np.isfinite(hist.W[-1, [0, 2]]).all() and np.isnan(hist.W[-1, 1]).all()


def test_cuda_resnet_agrees_with_cpu() -> None:
    """Small ResNet sweep on CUDA vs CPU after 21 steps: within 1e-5 relative, since training on CUDA
    switches TF32 and non-deterministic cuDNN kernels off (with them on, an H100 gave 1.1 after 21 steps)."""
    _close(_run("resnet", "cpu").final, _run("resnet", "cuda").final, 1e-5)


def test_cuda_resnet_sweep_is_reproducible_and_equals_models_alone() -> None:
    """Two CUDA runs of a ResNet sweep are bit-identical; each model agrees with its lone run to 1e-5."""
    first, again = _run("resnet", "cuda").final, _run("resnet", "cuda").final
    assert all(torch.equal(first[name], again[name]) for name in first)
    obj = objective(DATA, SPECS)
    for b in range(len(SPECS)):
        alone = _run("resnet", "cuda", [SPECS[b]], obj.select([b]))
        _close({k: v[b:b + 1] for k, v in first.items()}, alone.final, 1e-5)
