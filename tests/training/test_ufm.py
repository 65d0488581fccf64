"""Batched UFM trainer: torch.optim.SGD semantics, batching, determinism, resume, convergence to Thm 2."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from theory.core.errors import ComputationError
from theory.core.collapse_metrics import class_means
from training.losses import logit_scaling_loss
from training.measurements import measure
from training.specs import RunSpec
from training.ufm import TrainConfig, UFMProblem, require_finite, train_sweep

SMALL = UFMProblem.step(4, 2, 4, 2, 6)  # counts 8, 8, 2, 2; n = 20
MIXED = [RunSpec("CDT", -0.5, 0), RunSpec("LDT", 0.5, 0), RunSpec("VS", 0.5, 1), RunSpec("wCE", -1.0, 1),
         RunSpec("CE", 0.0, 2)]


def _reference_sgd(problem: UFMProblem, spec: RunSpec, config: TrainConfig) -> tuple[np.ndarray, np.ndarray]:
    """The same model trained the common way: nn.Parameters, autograd, torch.optim.SGD, float64.

    Initialisation and mini-batch order are drawn as the trainer documents them: a torch.Generator
    seeded with the seed gives W0 (d x k), then H0 (d x n) (Gaussian, std init_scale), then one
    randperm(n) per epoch split into batches.
    """
    imb = problem.imbalance
    k, n, d = imb.k, imb.n, problem.d
    g = torch.Generator().manual_seed(spec.seed)
    W = torch.nn.Parameter(torch.randn(d, k, generator=g, dtype=torch.float64) * config.init_scale)
    H = torch.nn.Parameter(torch.randn(d, n, generator=g, dtype=torch.float64) * config.init_scale)
    y = torch.as_tensor(imb.labels())
    param = spec.parameterization(imb)
    weights = torch.as_tensor(spec.class_weights(imb))[y]
    opt = torch.optim.SGD([W, H], lr=config.lr, momentum=config.momentum, nesterov=config.nesterov,
                          weight_decay=config.weight_decay)
    for epoch in range(config.epochs):
        batches = [torch.arange(n)] if config.batch_size is None else torch.randperm(n, generator=g).split(config.batch_size)
        for idx in batches:
            opt.zero_grad()
            loss = logit_scaling_loss(H[:, idx].T @ W, y[idx], param, weights=weights[idx])
            objective = loss if config.normalize == "none" else loss.log()
            objective.backward()
            lr = config.lr_at(epoch)
            if config.normalize == "loss-norm":
                lr = lr / float(W.detach().pow(2).sum() + H.detach().pow(2).sum())
            for group in opt.param_groups:
                group["lr"] = lr
            opt.step()
    return W.detach().numpy(), H.detach().numpy()


@pytest.mark.parametrize("config", [
    TrainConfig(epochs=25, lr=2.0, momentum=0.9, weight_decay=1e-3, dtype="float64", milestones=(10,)),
    TrainConfig(epochs=25, lr=1.0, momentum=0.5, nesterov=True, dtype="float64", normalize="loss"),
    TrainConfig(epochs=25, lr=20.0, dtype="float64", normalize="loss-norm"),
    TrainConfig(epochs=6, lr=0.5, momentum=0.9, weight_decay=1e-2, batch_size=6, dtype="float64"),
], ids=["gd-momentum-wd-step", "nesterov-lossnorm", "loss-norm", "minibatch-sgd"])
def test_sweep_equals_torch_sgd_reference(config: TrainConfig) -> None:
    """Every model of a batched sweep follows torch.optim.SGD on the autograd loss to rounding error."""
    result = train_sweep(SMALL, MIXED, config)
    for b, spec in enumerate(MIXED):
        W, H = _reference_sgd(SMALL, spec, config)
        np.testing.assert_allclose(result.final_W[b], W, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(result.final_H[b], H, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("batch_size", [None, 7])
def test_batched_sweep_equals_models_trained_one_at_a_time(batch_size: int | None) -> None:
    config = TrainConfig(epochs=40, lr=3.0, momentum=0.9, batch_size=batch_size, dtype="float64", log_every=10)
    together = train_sweep(SMALL, MIXED, config)
    for b, spec in enumerate(MIXED):
        alone = train_sweep(SMALL, [spec], config)
        np.testing.assert_allclose(together.W[:, b], alone.W[:, 0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(together.final_H[b], alone.final_H[0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(together.loss[:, b], alone.loss[:, 0], rtol=1e-12)


def test_bit_for_bit_deterministic_on_cpu() -> None:
    config = TrainConfig(epochs=30, lr=2.0, momentum=0.9, batch_size=5, device="cpu", log_every=10)
    a, b = train_sweep(SMALL, MIXED, config), train_sweep(SMALL, MIXED, config)
    assert a.W.dtype == np.float64 and config.dtype == "float32"
    for name in ("W", "M", "loss", "class_accuracy", "final_W", "final_H"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_logged_class_means_are_theory_class_means() -> None:
    result = train_sweep(SMALL, MIXED, TrainConfig(epochs=5, lr=1.0, dtype="float64"))
    y = SMALL.imbalance.labels()
    for b in range(len(MIXED)):
        np.testing.assert_allclose(result.M[-1, b], class_means(result.final_H[b], y, 4), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("loss", ["CDT", "LDT", "VS", "wCE"])
def test_converges_to_theorem_2_on_a_small_problem(loss: str) -> None:
    """k=4, R=4, d=6: loss-normalised GD (lr 300 / ||theta||^2, float64) reaches all three
    App. A.4 distances <= 0.02 with zero training error within 2000 epochs, for every gamma.

    VS (offsets iota = -log prior) and wCE (class weights R^gamma) are compared with the CDT and CE
    predictions: the measured limit confirms that offsets and weights leave the geometry unchanged."""
    specs = [RunSpec(loss, g, 0) for g in (-1.0, 0.5, 1.0)]
    config = TrainConfig(epochs=2000, lr=300.0, normalize="loss-norm", dtype="float64", log_every=500)
    meas = measure(train_sweep(SMALL, specs, config))
    for key in ("W", "M", "WM"):
        assert np.all(meas.distance[key][-1] <= 0.02), (key, meas.distance[key][-1])
        assert np.all(meas.distance[key][-1] < 0.5 * meas.distance[key][0])
    assert meas.zero_error.all()


def test_divergence_is_reported_per_configuration() -> None:
    result = train_sweep(SMALL, MIXED[:2], TrainConfig(epochs=20, lr=1e30, log_every=5))
    assert result.diverged.all()
    report = result.diverged_report()
    assert "2 of 2 runs diverged" in report and "CDT gamma=-0.5" in report and "LDT gamma=0.5" in report
    with pytest.raises(ComputationError, match="diverged"):
        require_finite(result)
    healthy = train_sweep(SMALL, MIXED[:2], TrainConfig(epochs=20, lr=1.0, log_every=5))
    assert not healthy.diverged.any() and require_finite(healthy) is healthy


def test_resume_after_interruption_equals_uninterrupted_run(tmp_path) -> None:
    config = TrainConfig(epochs=30, lr=2.0, momentum=0.9, batch_size=6, log_every=4, checkpoint_every=7)
    full = train_sweep(SMALL, MIXED, config)
    ckpt = tmp_path / "ckpt.pt"

    def interrupt(epoch: int) -> None:
        if epoch == 17:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_sweep(SMALL, MIXED, config, checkpoint=ckpt, on_epoch=interrupt)
    assert torch.load(ckpt, weights_only=False)["epoch"] == 14
    resumed = train_sweep(SMALL, MIXED, config, checkpoint=ckpt)
    for name in ("epochs", "W", "M", "loss", "class_accuracy", "final_W", "final_H"):
        assert np.array_equal(getattr(full, name), getattr(resumed, name)), name
    with pytest.raises(ValueError, match="different sweep"):
        train_sweep(SMALL, MIXED[:2], config, checkpoint=ckpt)


@pytest.mark.parametrize("kwargs", [{"epochs": 0}, {"lr": 0.0}, {"lr": float("nan")}, {"momentum": 1.0},
                                    {"weight_decay": -1.0}, {"normalize": "grad"}, {"dtype": "float16"},
                                    {"milestones": (5, 3)}, {"nesterov": True}, {"device": "tpu"}])
def test_bad_config_raises_value_error(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        TrainConfig(**kwargs)


def test_bad_problem_raises_value_error() -> None:
    with pytest.raises(ValueError, match="d must be >= k - 1"):
        UFMProblem.step(10, 5, 10, 5, 8)
    with pytest.raises(ValueError, match="batch_size"):
        train_sweep(SMALL, MIXED, TrainConfig(epochs=1, batch_size=21))
    with pytest.raises(ValueError, match="CE has Delta = 1"):
        RunSpec("CE", 0.5, 0)


def test_history_is_streamed_beside_the_checkpoint_not_stored_in_it(tmp_path) -> None:
    """The checkpoint's size does not depend on how many epochs were logged; the history file holds one
    fixed-size float64 record per logged epoch (epoch, W and M (B, d, k), loss (B,), accuracy (B, k))."""
    sizes = {}
    for log_every in (1, 40):
        ckpt = tmp_path / f"log{log_every}" / "checkpoint.pt"
        ckpt.parent.mkdir()
        res = train_sweep(SMALL, MIXED, TrainConfig(epochs=40, lr=1.0, log_every=log_every, checkpoint_every=10),
                          checkpoint=ckpt)
        B, d, k = len(MIXED), SMALL.d, SMALL.imbalance.k
        record = 1 + 2 * B * d * k + B + B * k
        assert ckpt.with_suffix(".history").stat().st_size == res.epochs.size * record * 8
        assert torch.load(ckpt, weights_only=True)["history_records"] == res.epochs.size
        sizes[log_every] = ckpt.stat().st_size
    assert res.epochs.tolist() == [0, 40]
    assert abs(sizes[1] - sizes[40]) < 64
