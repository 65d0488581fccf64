"""The batched program of a sweep: bit-identical to training each model alone, NaN isolation, resume."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from training.batched import LogitScaling, SGDConfig, train_batched
from training.checkpoint import save_state
from training.data import digits_step
from training.deepnet import NetConfig, networks, objective
from training.losses import logit_scaling_loss, scaling_tensors
from training.specs import RunSpec

CFG = SGDConfig(epochs=3, lr=0.05, momentum=0.9, weight_decay=1e-3, batch_size=16, milestones=(2,))
DATA = digits_step(k_minor=5, R=4, n_min=4, seed=0)  # n = 100


def _nets(arch: str, specs: list[RunSpec]):
    return networks(DATA, specs, NetConfig(arch=arch, width=8, sgd=CFG, device="cpu"))


def _run(nets, specs, obj, **kw):
    return train_batched(nets, [s.seed for s in specs], obj, DATA.X_train, DATA.y_train, CFG, [0, CFG.epochs], **kw)


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("seeds", [(0, 0, 0), (0, 1, 2)])
def test_batched_mlp_equals_each_model_trained_alone_bit_for_bit(seeds: tuple[int, ...], threads: int) -> None:
    """CPU: model b of a 3-model MLP program, its models split over ``threads`` threads, ends with
    exactly (torch.equal) the parameters and logged history of the same network trained alone (a
    program of one on one thread), shared or separate batch orders."""
    specs = [RunSpec("CDT", g, s) for g, s in zip((-1.0, 0.0, 1.0), seeds)]
    obj = objective(DATA, specs)
    hist = _run(_nets("mlp", specs), specs, obj, cpu_threads=threads)
    for b, net in enumerate(_nets("mlp", specs)):
        alone = _run([net], [specs[b]], obj.select([b]), cpu_threads=1)
        assert set(alone.final) == set(hist.final) == set(net.state_dict())
        for name, value in alone.final.items():
            assert torch.equal(hist.final[name][b], value[0]), f"model {b}: {name} differs"
        for attr in ("W", "M", "loss", "train_acc"):
            np.testing.assert_array_equal(getattr(hist, attr)[:, b], getattr(alone, attr)[:, 0])
    assert (hist.diverged_epoch == -1).all()


@pytest.mark.parametrize("arch,seeds,threads", [("cnn", (1, 1, 2), 1), ("cnn", (1, 1, 2), 2), ("resnet", (3, 3, 4), 2)])
def test_batched_conv_nets_agree_with_each_model_trained_alone(arch: str, seeds: tuple[int, ...], threads: int) -> None:
    """Convolutions are batched as grouped convolutions, whose weight gradients sum in another order
    than a single model's (not bit for bit): after 3 epochs (21 steps) every tensor of model b agrees
    with the model trained alone to 1e-5 relative to the tensor's largest entry (float32 rounding is
    6e-8 per operation; a model mixed up with another, or a wrong step, is off by > 1e-2)."""
    specs = [RunSpec("CDT", g, s) for g, s in zip((-1.0, 0.0, 1.0), seeds)]
    obj = objective(DATA, specs)
    hist = _run(_nets(arch, specs), specs, obj, cpu_threads=threads)
    for b, net in enumerate(_nets(arch, specs)):
        alone = _run([net], [specs[b]], obj.select([b]))
        for name, value in alone.final.items():
            scale = float(value[0].abs().max()) or 1.0
            assert float((hist.final[name][b] - value[0]).abs().max()) <= 1e-5 * scale, f"model {b}: {name}"


def test_stacked_mlp_forward_is_the_modules_forward() -> None:
    """The MLP runs as batched matrix products (not vmap): model b's features and logits are exactly
    (torch.equal) those of its nn.Module, for a shared batch and for one batch per model."""
    from training.batched import StackedNets

    specs = [RunSpec("CDT", g, 0) for g in (-1.0, 0.0, 1.0)]
    nets = _nets("mlp", specs)
    stack = StackedNets(nets)
    assert stack.layers is not None
    x = DATA.X_train[:50]
    per_model = torch.stack([DATA.X_train[b:b + 50] for b in range(3)])
    with torch.no_grad():
        for inputs, shared in ((x, True), (per_model, False)):
            h, z = stack.forward(inputs, train=True, shared_input=shared)
            for b, net in enumerate(nets):
                xb = inputs if shared else inputs[b]
                assert torch.equal(h[b], net.features(xb)) and torch.equal(z[b], net(xb)), b


def test_a_failing_thread_stops_the_program() -> None:
    """An error on any thread of the program is raised by train_batched; an error on the calling
    thread makes the other threads stop at their next step instead of finishing the epoch."""
    from training.batched import _run

    calls = []

    def task(i: int, stop) -> None:  # noqa: ANN001
        for step in range(1000):
            if stop.is_set():
                calls.append((i, step))
                return
            if i == 0 and step == 3:
                raise KeyboardInterrupt
            time.sleep(0.001)

    with ThreadPoolExecutor(2) as pool:
        with pytest.raises(KeyboardInterrupt):
            _run(pool, task, 3)
    assert sorted(i for i, _ in calls) == [1, 2] and all(step < 1000 for _, step in calls)

    def failing(i: int, stop) -> None:  # noqa: ANN001
        if i == 2:
            raise ValueError("model group 2")

    with ThreadPoolExecutor(2) as pool:
        with pytest.raises(ValueError, match="group 2"):
            _run(pool, failing, 3)


def _plain_loop(net: torch.nn.Module, spec: RunSpec) -> torch.nn.Module:
    """The usual single-model training: nn.Module, torch.optim.SGD, MultiStepLR, autograd, and the
    library loss :func:`training.losses.logit_scaling_loss`."""
    imb = DATA.imbalance
    A, iota = scaling_tensors([spec.parameterization(imb)], dtype=torch.float32)
    opt = torch.optim.SGD(net.parameters(), lr=CFG.lr, momentum=CFG.momentum, weight_decay=CFG.weight_decay)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, list(CFG.milestones), gamma=CFG.lr_factor)
    gen = torch.Generator().manual_seed(spec.seed)
    previous = torch.get_num_threads()
    torch.set_num_threads(1)  # small tensors: threads only add fork/join cost on a shared machine
    try:
        for _ in range(CFG.epochs):
            for idx in torch.randperm(DATA.y_train.numel(), generator=gen).split(CFG.batch_size):
                opt.zero_grad()
                logit_scaling_loss(net(DATA.X_train[idx]), DATA.y_train[idx], scaling=A[0], offsets=iota[0]).backward()
                opt.step()
            sched.step()
    finally:
        torch.set_num_threads(previous)
    return net


@pytest.mark.parametrize("arch", ["mlp", "resnet"])
def test_batched_agrees_with_the_plain_single_model_loop(arch: str) -> None:
    """Against the conventional loop the forward pass is identical and the backward kernels differ in
    the last bits (module docstring of training.batched): after 3 epochs (21 steps) every parameter
    agrees to 1e-4 relative to its tensor's largest entry (float32 rounding, ~1e-7 per step, grows
    through momentum and batch norm; a wrong gradient or schedule is off by > 1e-2)."""
    specs = [RunSpec("LDT", g, 0) for g in (-0.5, 0.5)]
    hist = _run(_nets(arch, specs), specs, objective(DATA, specs))
    for b, net in enumerate(_nets(arch, specs)):
        for name, value in _plain_loop(net, specs[b]).state_dict().items():
            if value.is_floating_point():
                scale = float(value.abs().max()) or 1.0
                assert float((hist.final[name][b] - value).abs().max()) <= 1e-4 * scale, name
            else:
                assert torch.equal(hist.final[name][b], value), name


def test_a_diverged_model_is_isolated() -> None:
    """Model 1 gets a logit scaling of 1e30 (its loss overflows at the first step): it is reported
    diverged at epoch 1 with NaN metrics, and models 0 and 2 end exactly as in a run without it."""
    specs = [RunSpec("CDT", g, 0) for g in (-1.0, 0.0, 1.0)]
    obj = objective(DATA, specs)
    bad = LogitScaling(obj.scaling.clone(), obj.offsets, obj.class_weights)
    bad.scaling[1] *= 1e30
    hist = _run(_nets("mlp", specs), specs, bad)
    assert hist.diverged_epoch.tolist() == [-1, 1, -1]
    assert np.isnan(hist.W[-1, 1]).all() and np.isnan(hist.loss[-1, 1]) and np.isfinite(hist.W[0, 1]).all()
    assert all(torch.isfinite(t[1].float()).all() for t in hist.final.values())  # zeroed, not NaN
    keep = [0, 2]
    ref = _run([n for i, n in enumerate(_nets("mlp", specs)) if i in keep], [specs[i] for i in keep], obj.select(keep))
    for name, t in ref.final.items():
        assert torch.equal(hist.final[name][keep], t), name
    np.testing.assert_array_equal(hist.loss[:, keep], ref.loss)


def test_resume_from_checkpoint_is_bit_identical(tmp_path) -> None:
    """Interrupt after epoch 2 (the measure callback raises at the epoch-2 log), reload the atomic
    checkpoint with weights_only=True and finish: same final state and history as an uninterrupted run."""
    specs = [RunSpec("LDT", g, s) for g, s in ((0.5, 0), (1.0, 1))]
    obj = objective(DATA, specs)
    kw = dict(X_test=DATA.X_test, y_test=DATA.y_test)
    full = train_batched(_nets("resnet", specs), [0, 1], obj, DATA.X_train, DATA.y_train, CFG, [0, 1, 2, 3],
                         measure=lambda W, H, y: {"norm": float(np.linalg.norm(H))}, **kw)

    def stop_at_two(W, H, y):  # noqa: ANN001, ANN202
        stop_at_two.calls += 1
        if stop_at_two.calls > 2 * 2:  # epochs 0 and 1 logged for both models, then epoch 2 interrupts
            raise KeyboardInterrupt
        return {"norm": float(np.linalg.norm(H))}

    stop_at_two.calls = 0
    ckpt = tmp_path / "ckpt.pt"
    with pytest.raises(KeyboardInterrupt):
        train_batched(_nets("resnet", specs), [0, 1], obj, DATA.X_train, DATA.y_train, CFG, [0, 1, 2, 3],
                      checkpoint=ckpt, checkpoint_interval=0, measure=stop_at_two, **kw)
    state = torch.load(ckpt, weights_only=True)
    assert state["epoch"] == 2
    resumed = train_batched(_nets("resnet", specs), [0, 1], obj, DATA.X_train, DATA.y_train, CFG, [0, 1, 2, 3],
                            resume=state, measure=lambda W, H, y: {"norm": float(np.linalg.norm(H))}, **kw)
    for name, t in full.final.items():
        assert torch.equal(resumed.final[name], t), name
    for attr in ("W", "M", "loss", "train_acc", "test_acc"):
        np.testing.assert_array_equal(getattr(resumed, attr), getattr(full, attr))
    np.testing.assert_array_equal(resumed.extra["norm"], full.extra["norm"])
    save_state(tmp_path / "again.pt", state)  # a loaded state saves again (plain tensors only)


def test_bad_arguments_are_input_errors() -> None:
    specs = [RunSpec("CE", 0.0, 0)]
    obj = objective(DATA, specs)
    from theory.core.errors import InputError

    with pytest.raises(InputError, match="one seed per network"):
        train_batched(_nets("mlp", specs), [0, 1], obj, DATA.X_train, DATA.y_train, CFG, [0])
    with pytest.raises(InputError, match="batch_size"):
        train_batched(_nets("mlp", specs), [0], obj, DATA.X_train, DATA.y_train,
                      SGDConfig(epochs=1, batch_size=1000), [0])
    with pytest.raises(InputError, match="momentum"):
        SGDConfig(momentum=1.0)
    with pytest.raises(InputError, match="at least one network"):
        train_batched([], [], obj, DATA.X_train, DATA.y_train, CFG, [0])
    with pytest.raises(InputError, match="checkpoint_interval must be >= 0"):
        train_batched(_nets("mlp", specs), [0], obj, DATA.X_train, DATA.y_train, CFG, [0], checkpoint_interval=-1)
    with pytest.raises(InputError, match="cpu_threads"):
        train_batched(_nets("mlp", specs), [0], obj, DATA.X_train, DATA.y_train, CFG, [0], cpu_threads=0)


def test_feature_penalty_on_the_full_batch_is_dang2024_problem_4() -> None:
    """With the whole training set as the batch, the objective with feature_decay lambda_H is
    (1/N) sum_i CE_i + lambda_H / 2 ||H||_F^2 (dang2024 problem (4) without the W term)."""
    gen = torch.Generator().manual_seed(0)
    N, d, k = 40, 6, 4
    h, z = torch.randn(2, N, d, generator=gen, dtype=torch.float64), torch.randn(2, N, k, generator=gen, dtype=torch.float64)
    y = torch.arange(N).remainder(k).expand(2, N)
    ones = torch.ones(2, k, k, dtype=torch.float64)
    plain = LogitScaling(ones, torch.zeros(2, k), torch.ones(2, k))
    decayed = LogitScaling(ones, torch.zeros(2, k), torch.ones(2, k), feature_decay=0.3, n_total=N)
    ce = torch.nn.functional.cross_entropy(z[0].float(), y[0])
    torch.testing.assert_close(plain(h.float(), z.float(), y)[0], ce)
    frob = (h.float() ** 2).sum(dim=(1, 2))
    torch.testing.assert_close(decayed(h.float(), z.float(), y), plain(h.float(), z.float(), y) + 0.15 * frob)


def test_classifier_weight_decay_applies_to_the_last_layer_only() -> None:
    sgd = SGDConfig(weight_decay=1e-4, classifier_weight_decay=8e-3)
    assert sgd.decay("net.classifier.weight") == 8e-3 and sgd.decay("net.body.1.weight") == 1e-4
    assert SGDConfig(weight_decay=1e-4).decay("net.classifier.weight") == 1e-4


def test_exact_float32_restores_the_backend_settings() -> None:
    """The CUDA program's settings (no TF32, deterministic kernels) are switched back afterwards, also on error."""
    from training.batched import exact_float32

    before = (torch.backends.cudnn.allow_tf32, torch.backends.cudnn.deterministic,
              torch.are_deterministic_algorithms_enabled())
    with pytest.raises(RuntimeError):
        with exact_float32():
            assert not torch.backends.cudnn.allow_tf32 and torch.backends.cudnn.deterministic
            assert torch.are_deterministic_algorithms_enabled()
            raise RuntimeError("inside")
    assert (torch.backends.cudnn.allow_tf32, torch.backends.cudnn.deterministic,
            torch.are_deterministic_algorithms_enabled()) == before
