"""Batched SGD on the unconstrained features model (behnia2023 Sec. 3 and Appendix A.1).

The UFM is a two-layer linear network without biases on the basis vectors of R^n: the first layer is
the feature matrix H (d x n, column i is the embedding h_i), the second the classifier W (d x k); the
logits of sample i are W^T h_i. A whole sweep (gamma values x seeds x losses) is one tensor program:
parameters are (B, d, k) and (B, d, n), every loss has its own scaling matrix (B, k, k), and a step is
three ``torch.bmm`` calls plus element-wise work on (B, k, n). Models that share a seed share their
initialisation and their mini-batch order, so a model trained alone follows the same path as inside a
sweep.

On the CPU the sweep runs with ``cpu_threads`` intra-op threads (default 1): every tensor is small
(about 10^5 entries) and OpenMP fork/join costs more than it saves; on this 2-core machine under load
one thread was measured 9x faster than two on a k = 4 sweep.

Optimiser semantics are those of ``torch.optim.SGD`` (weight decay added to the gradient, momentum
buffer b <- mu b + g, optional Nesterov), with a constant or step learning rate. ``normalize``:

- ``"none"``: gradient of the loss (mean over the batch of w_i l_i);
- ``"loss"``: gradient of log L, i.e. grad L / L (loss-normalised GD);
- ``"loss-norm"``: grad L / (L ||theta||^2) per model, theta = (W, H): for a 2-homogeneous model this
  keeps the step stable as the scale grows while the logit scale still grows linearly in time.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from theory.core.validate import feature_dimension, finite_real, positive_int, positive_real
from theory.core.errors import ComputationError, InputError
from theory.core.imbalance import Imbalance
from theory.core.vocabulary import Device, Normalization, Precision
from training.checkpoint import load_state, save_state
from training.sweep_log import SweepLog
from training.losses import logit_gradient, scaling_tensors, wrong_class_lse
from training.measurements import Trajectory
from training.specs import RunSpec

DTYPES = {Precision.FLOAT32: torch.float32, Precision.FLOAT64: torch.float64}


def resolve_device(name: str) -> torch.device:
    """``auto``: CUDA when available, else CPU. ``cuda`` when unavailable is a ``ValueError``."""
    name = Device.parse(name)
    if name == Device.CUDA and not torch.cuda.is_available():
        raise InputError("device 'cuda' requested but torch.cuda.is_available() is false")
    if name == Device.AUTO:
        return torch.device(Device.CUDA.value if torch.cuda.is_available() else Device.CPU.value)
    return torch.device(name.value)


@dataclass(frozen=True)
class UFMProblem:
    """The data of a UFM experiment: class counts and the hidden width d (d >= k - 1, Thm 2)."""

    imbalance: Imbalance
    d: int

    def __post_init__(self) -> None:
        if not isinstance(self.imbalance, Imbalance):
            raise InputError("imbalance must be a theory.core.imbalance.Imbalance")
        object.__setattr__(self, "d", feature_dimension(self.d, self.imbalance.k))

    @classmethod
    def step(cls, k: int, k_minor: int, R: float, n_min: int, d: int) -> "UFMProblem":
        """(R, rho)-STEP problem with rho = k_minor / k (Appendix A.1: k=10, k_minor=5, R=10, n_min=5, d=20)."""
        return cls(Imbalance.step(k, k_minor, R, n_min), d)


@dataclass(frozen=True)
class TrainConfig:
    """Optimiser, schedule, precision and logging of a UFM sweep (defaults: full-batch GD, no decay)."""

    epochs: int = 6000
    lr: float = 5.0
    momentum: float = 0.0
    nesterov: bool = False
    weight_decay: float = 0.0
    batch_size: int | None = None
    milestones: tuple[int, ...] = ()
    lr_factor: float = 0.1
    normalize: str = Normalization.NONE.value
    init_scale: float = 0.1
    dtype: str = Precision.FLOAT32.value
    device: str = Device.AUTO.value
    log_every: int = 100
    checkpoint_every: int = 1000
    cpu_threads: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "epochs", positive_int("epochs", self.epochs))
        object.__setattr__(self, "lr", positive_real("lr", self.lr))
        mom = finite_real("momentum", self.momentum)
        if not 0.0 <= mom < 1.0:
            raise InputError(f"momentum must lie in [0, 1), got {mom}")
        object.__setattr__(self, "momentum", mom)
        if self.nesterov and mom == 0.0:
            raise InputError("Nesterov momentum needs momentum > 0")
        wd = finite_real("weight_decay", self.weight_decay)
        if wd < 0:
            raise InputError(f"weight_decay must be >= 0, got {wd}")
        object.__setattr__(self, "weight_decay", wd)
        if self.batch_size is not None:
            object.__setattr__(self, "batch_size", positive_int("batch_size", self.batch_size))
        ms = tuple(positive_int("milestone", m) for m in self.milestones)
        if list(ms) != sorted(set(ms)):
            raise InputError(f"milestones must be strictly increasing, got {list(ms)}")
        object.__setattr__(self, "milestones", ms)
        object.__setattr__(self, "lr_factor", positive_real("lr_factor", self.lr_factor))
        # stored as plain spellings: the config is hashed into the sweep's fingerprint (JSON)
        object.__setattr__(self, "normalize", Normalization.parse(self.normalize).value)
        object.__setattr__(self, "init_scale", positive_real("init_scale", self.init_scale))
        object.__setattr__(self, "dtype", Precision.parse(self.dtype).value)
        object.__setattr__(self, "device", Device.parse(self.device).value)
        object.__setattr__(self, "log_every", positive_int("log_every", self.log_every))
        object.__setattr__(self, "checkpoint_every", positive_int("checkpoint_every", self.checkpoint_every))
        object.__setattr__(self, "cpu_threads", positive_int("cpu_threads", self.cpu_threads))

    def lr_at(self, epoch: int) -> float:
        """Learning rate in epoch ``epoch`` (0-based): lr * lr_factor^(number of milestones <= epoch)."""
        return self.lr * self.lr_factor ** sum(1 for m in self.milestones if m <= epoch)


@dataclass
class SweepResult(Trajectory):
    """Trajectory of a sweep at the logged epochs (arrays float64 on the CPU), see :class:`Trajectory`.

    ``class_accuracy`` uses the argmax of the raw logits W^T h; ``diverged_epoch`` is the first logged
    epoch at which W or H held NaN/inf (-1 if never). ``final_W`` (B, d, k), ``final_H`` (B, d, n).
    """

    problem: UFMProblem | None = None
    config: TrainConfig | None = None
    final_W: np.ndarray | None = None
    final_H: np.ndarray | None = None
    device: str = "cpu"


@dataclass
class _Data:
    """Per-model constant tensors of the loss on the full training set, class dimension 1."""

    scaling_rows: torch.Tensor  # (B, k, n): A[y_i, c]
    offsets: torch.Tensor | None  # (B, k, 1)
    onehot: torch.Tensor  # (1, k, n) float
    weights: torch.Tensor  # (B, 1, n) per-sample loss weights
    labels: torch.Tensor  # (n,)
    class_avg: torch.Tensor  # (n, k): onehot / n_c, so H @ class_avg = class means


def _build_data(problem: UFMProblem, specs: Sequence[RunSpec], dtype: torch.dtype, device: torch.device) -> _Data:
    imb = problem.imbalance
    y_np = imb.labels()
    y = torch.as_tensor(y_np, device=device)
    A, iota = scaling_tensors([s.parameterization(imb) for s in specs], dtype=dtype, device=device)
    rows = A[:, y, :].transpose(1, 2).contiguous()
    offsets = iota[:, :, None] if bool((iota != 0).any()) else None
    onehot = torch.nn.functional.one_hot(y, imb.k).T.to(dtype)[None].contiguous()
    w = np.stack([s.class_weights(imb)[y_np] for s in specs])
    weights = torch.as_tensor(w, dtype=dtype, device=device)[:, None, :]
    class_avg = onehot[0].T / torch.as_tensor(np.array(imb.counts), dtype=dtype, device=device)
    return _Data(rows, offsets, onehot, weights, y, class_avg.contiguous())


def _logit_gradient(W: torch.Tensor, H: torch.Tensor, rows: torch.Tensor, offsets: torch.Tensor | None,
                    onehot: torch.Tensor, weights: torch.Tensor, normalize: str) -> torch.Tensor:
    """dL/dZ (B, k, b) at Z = W^T H for the mean over the b columns of w_i l_i (or of log L)."""
    S = torch.bmm(W.transpose(1, 2), H).mul_(rows)
    if offsets is not None:
        S.sub_(offsets)
    per_sample = Normalization.NONE if normalize == Normalization.NONE else Normalization.LOSS
    return logit_gradient(S, onehot, rows, weights / H.shape[2], per_sample, dim=1, sample_dims=(2,))


def config_fingerprint(problem: UFMProblem, specs: Sequence[RunSpec], config: TrainConfig) -> str:
    """Canonical JSON of everything that determines a sweep's result (device and checkpoint cadence excluded)."""
    cfg = dataclasses.asdict(config)
    cfg.pop("device")
    cfg.pop("checkpoint_every")
    return json.dumps({"counts": problem.imbalance.counts.tolist(), "k_minor": problem.imbalance.k_minor,
                       "d": problem.d, "specs": [dataclasses.asdict(s) for s in specs], "config": cfg},
                      sort_keys=True)


@dataclass
class _State:
    W: torch.Tensor
    H: torch.Tensor
    buf_W: torch.Tensor | None
    buf_H: torch.Tensor | None
    generators: dict[int, torch.Generator]
    history: SweepLog
    epoch: int = 0
    diverged_epoch: np.ndarray | None = None


def _initial_state(problem: UFMProblem, specs: Sequence[RunSpec], config: TrainConfig,
                   dtype: torch.dtype, device: torch.device, history: SweepLog) -> _State:
    k, n, d = problem.imbalance.k, problem.imbalance.n, problem.d
    gens: dict[int, torch.Generator] = {}
    init: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
    for seed in sorted({s.seed for s in specs}):
        g = torch.Generator().manual_seed(seed)
        W0 = torch.randn(d, k, generator=g, dtype=torch.float64) * config.init_scale
        H0 = torch.randn(d, n, generator=g, dtype=torch.float64) * config.init_scale
        gens[seed] = g
        init[seed] = (W0, H0)
    W = torch.stack([init[s.seed][0] for s in specs]).to(dtype=dtype, device=device)
    H = torch.stack([init[s.seed][1] for s in specs]).to(dtype=dtype, device=device)
    use_buf = config.momentum > 0
    return _State(W, H, torch.zeros_like(W) if use_buf else None, torch.zeros_like(H) if use_buf else None,
                  gens, history, diverged_epoch=np.full(len(specs), -1, dtype=np.int64))


def _state_dict(state: _State, fingerprint: str) -> dict:
    """The checkpoint: tensors and plain types only (read back with ``torch.load(weights_only=True)``)."""
    return {"fingerprint": fingerprint, "epoch": state.epoch, "W": state.W.cpu(), "H": state.H.cpu(),
            "buf_W": None if state.buf_W is None else state.buf_W.cpu(),
            "buf_H": None if state.buf_H is None else state.buf_H.cpu(),
            "generators": {int(s): g.get_state() for s, g in state.generators.items()},
            "history_records": len(state.history), "diverged_epoch": torch.as_tensor(state.diverged_epoch)}


def _logged_count(epoch: int, config: TrainConfig) -> int:
    """Records logged by the end of ``epoch``: epoch 0, every ``log_every``-th epoch and the last one."""
    return 1 + epoch // config.log_every + int(epoch == config.epochs and epoch % config.log_every != 0)


def _restore(saved: dict, state: _State, device: torch.device, config: TrainConfig, where: object) -> None:
    """Load a checkpoint read from ``where`` into ``state`` after checking every entry against the sweep;
    :class:`InputError` naming the file when something does not fit."""

    def bad(why: str) -> InputError:
        return InputError(f"checkpoint {where} does not fit this sweep ({why}); remove it or use another --out")

    expected = {"W": state.W, "H": state.H, "buf_W": state.buf_W, "buf_H": state.buf_H}
    for key, like in expected.items():
        value = saved.get(key)
        if like is None:
            if value is not None:
                raise bad(f"{key} is present but the sweep has no momentum")
        elif not (isinstance(value, torch.Tensor) and value.shape == like.shape and value.dtype == like.dtype):
            raise bad(f"{key} is not a {like.dtype} tensor of shape {tuple(like.shape)}")
    epoch, records, diverged = saved.get("epoch"), saved.get("history_records"), saved.get("diverged_epoch")
    if not (isinstance(epoch, int) and 0 <= epoch <= config.epochs):
        raise bad(f"epoch {epoch!r} is not in [0, {config.epochs}]")
    if records != _logged_count(epoch, config):
        raise bad(f"history_records {records!r} does not match epoch {epoch}")
    if not (isinstance(diverged, torch.Tensor) and diverged.shape == (state.W.shape[0],)
            and diverged.dtype == torch.int64 and bool(((diverged >= -1) & (diverged <= epoch)).all())):
        raise bad("diverged_epoch is not one epoch (or -1) per model")
    generators = saved.get("generators")
    if not (isinstance(generators, dict) and set(generators) == set(state.generators)
            and all(isinstance(g, torch.Tensor) and g.dtype == torch.uint8 for g in generators.values())):
        raise bad("generators do not match the seeds of the sweep")
    try:
        for s, g_state in generators.items():
            state.generators[s].set_state(g_state)
    except RuntimeError:
        raise bad("a generator state is invalid") from None
    state.epoch = epoch
    state.W, state.H = saved["W"].to(device), saved["H"].to(device)
    state.buf_W = None if saved["buf_W"] is None else saved["buf_W"].to(device)
    state.buf_H = None if saved["buf_H"] is None else saved["buf_H"].to(device)
    state.history.resume(records)
    state.diverged_epoch = diverged.numpy().copy()


def _batches(state: _State, specs: Sequence[RunSpec], n: int, batch_size: int | None,
             device: torch.device) -> list[torch.Tensor | None]:
    """Column indices (B, b) of each mini-batch of one epoch; ``[None]`` for full-batch GD."""
    if batch_size is None or batch_size >= n:
        return [None]
    perms = {s: torch.randperm(n, generator=g) for s, g in state.generators.items()}
    order = torch.stack([perms[s.seed] for s in specs]).to(device)
    return list(order.split(batch_size, dim=1))


def _sgd_update(param: torch.Tensor, grad: torch.Tensor, buf: torch.Tensor | None, lr: float | torch.Tensor,
                config: TrainConfig) -> None:
    """In-place torch.optim.SGD step (weight decay, momentum, Nesterov); ``lr`` may be (B, 1, 1)."""
    if config.weight_decay:
        grad = grad.add(param, alpha=config.weight_decay)
    if buf is not None:
        buf.mul_(config.momentum).add_(grad)
        grad = grad.add(buf, alpha=config.momentum) if config.nesterov else buf
    if isinstance(lr, torch.Tensor):
        param.sub_(grad * lr)
    else:
        param.sub_(grad, alpha=lr)


def _step(state: _State, data: _Data, idx: torch.Tensor | None, lr: float, config: TrainConfig) -> None:
    W, H = state.W, state.H
    if idx is None:
        Hb, rows, offsets, onehot, weights = H, data.scaling_rows, data.offsets, data.onehot, data.weights
    else:
        B, k, b = W.shape[0], W.shape[2], idx.shape[1]
        Hb = H.gather(2, idx[:, None, :].expand(B, H.shape[1], b))
        cols = idx[:, None, :].expand(B, k, b)
        rows = data.scaling_rows.gather(2, cols)
        offsets = data.offsets
        onehot = data.onehot.expand(B, k, H.shape[2]).gather(2, cols)
        weights = data.weights.gather(2, idx[:, None, :])
    G = _logit_gradient(W, Hb, rows, offsets, onehot, weights, config.normalize)
    step: float | torch.Tensor = lr
    if config.normalize == Normalization.LOSS_NORM:
        step = lr / (W.pow(2).sum((1, 2)) + H.pow(2).sum((1, 2)))[:, None, None]
    gW = torch.bmm(Hb, G.transpose(1, 2))
    gHb = torch.bmm(W, G)
    if idx is None:
        gH = gHb
    else:
        gH = torch.zeros_like(H).scatter_(2, idx[:, None, :].expand_as(gHb), gHb)
    _sgd_update(W, gW, state.buf_W, step, config)
    _sgd_update(H, gH, state.buf_H, step, config)


def _log(state: _State, data: _Data, config: TrainConfig) -> None:
    W, H = state.W, state.H
    finite_t = torch.isfinite(W).all(dim=(1, 2)) & torch.isfinite(H).all(dim=(1, 2))
    finite = finite_t.cpu().numpy()
    newly = (~finite) & (state.diverged_epoch < 0)
    state.diverged_epoch[newly] = state.epoch
    Z = torch.bmm(W.transpose(1, 2), H)
    correct = (Z.argmax(1) == data.labels).to(W.dtype)
    correct[~finite_t] = torch.nan  # the argmax of NaN logits is no prediction: accuracy undefined
    S = Z.mul(data.scaling_rows)
    if data.offsets is not None:
        S.sub_(data.offsets)
    a = wrong_class_lse(S, data.onehot, dim=1)[0]
    loss = (torch.nn.functional.softplus(a) * data.weights).mean(dim=(1, 2))
    state.history.append(state.epoch, W, H @ data.class_avg, loss, correct @ data.class_avg)


def train_sweep(problem: UFMProblem, specs: Sequence[RunSpec], config: TrainConfig = TrainConfig(), *,
                checkpoint: str | Path | None = None, progress: bool = False,
                on_epoch: Callable[[int], None] | None = None) -> SweepResult:
    """Train every model of ``specs`` on the UFM of ``problem`` jointly; see the module docstring.

    ``checkpoint``: a file path; the state is saved there (atomically) every ``checkpoint_every``
    epochs and a later call with the same arguments resumes from it, giving the same result as an
    uninterrupted run. ``on_epoch(epoch)`` is called after each epoch (1-based). NaN/inf in a model is
    recorded per configuration (``SweepResult.diverged``); the other models train on unaffected.
    """
    if not isinstance(problem, UFMProblem):
        raise InputError("problem must be a UFMProblem")
    specs = tuple(specs)
    if not specs or not all(isinstance(s, RunSpec) for s in specs):
        raise InputError("specs must be a non-empty sequence of RunSpec")
    if not isinstance(config, TrainConfig):
        raise InputError("config must be a TrainConfig")
    device = resolve_device(config.device)
    dtype = DTYPES[config.dtype]
    n = problem.imbalance.n
    if config.batch_size is not None and config.batch_size > n:
        raise InputError(f"batch_size must be <= n = {n}, got {config.batch_size}")
    data = _build_data(problem, specs, dtype, device)
    history = SweepLog(len(specs), problem.d, problem.imbalance.k,
                      None if checkpoint is None else Path(checkpoint).with_suffix(".history"))
    state = _initial_state(problem, specs, config, dtype, device, history)
    fingerprint = config_fingerprint(problem, specs, config)
    saved = None if checkpoint is None else load_state(checkpoint)
    if saved is not None:
        if saved.get("fingerprint") != fingerprint:
            raise InputError(f"checkpoint {checkpoint} belongs to a different sweep; use another output directory")
        _restore(saved, state, device, config, checkpoint)
    elif checkpoint is not None:
        history.resume(0)
    if len(history) == 0:
        _log(state, data, config)
    previous_threads = torch.get_num_threads()
    if device.type == "cpu":
        torch.set_num_threads(config.cpu_threads)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=config.epochs, initial=state.epoch, file=sys.stderr, unit="epoch",
                   desc=f"UFM sweep ({len(specs)} models)", mininterval=0.5)
    try:
        while state.epoch < config.epochs:
            lr = config.lr_at(state.epoch)
            for idx in _batches(state, specs, n, config.batch_size, device):
                _step(state, data, idx, lr, config)
            state.epoch += 1
            if state.epoch % config.log_every == 0 or state.epoch == config.epochs:
                _log(state, data, config)
            if checkpoint is not None and (state.epoch % config.checkpoint_every == 0 or state.epoch == config.epochs):
                history.sync()
                save_state(checkpoint, _state_dict(state, fingerprint))
            if bar is not None:
                bar.update(1)
            if on_epoch is not None:
                on_epoch(state.epoch)
    finally:
        torch.set_num_threads(previous_threads)
        if bar is not None:
            bar.close()
    epochs, W_hist, M_hist, loss_hist, acc_hist = history.arrays()
    return SweepResult(imbalance=problem.imbalance, specs=specs, epochs=epochs, W=W_hist, M=M_hist,
                       loss=loss_hist, class_accuracy=acc_hist, diverged_epoch=state.diverged_epoch.copy(), problem=problem, config=config,
                       final_W=state.W.to(device="cpu", dtype=torch.float64).numpy(),
                       final_H=state.H.to(device="cpu", dtype=torch.float64).numpy(), device=str(device))


def require_finite(result: SweepResult) -> SweepResult:
    """``result`` unchanged, or :class:`ComputationError` naming the configurations that diverged."""
    report = result.diverged_report()
    if report:
        raise ComputationError(report)
    return result
