"""B networks of one architecture trained together as one program (a gamma sweep, a set of seeds).

The B models' parameters and buffers are stacked along a leading model dimension
(``torch.func.stack_module_state``) and one forward pass runs them all: an :class:`~training.nets.MLP`
as one batched matrix product per layer (``torch.baddbmm``), any other network under ``torch.func.vmap``
over ``functional_call``. Each model has its own loss (logit-scaling matrix, offsets and class weights
of behnia2023 eq. (1), or yang2022's dot regression with a fixed classifier), its own mini-batch order
(one ``torch.Generator`` per seed, seeded as a model trained alone) and its own momentum buffer. The
optimiser is ``torch.optim.SGD`` written on stacked tensors with the same operations (weight decay added
to the gradient, b <- mu b + g, p <- p - lr b), and the learning rate follows ``MultiStepLR``. Models
never mix: the gradient of the summed losses with respect to model b's slice is model b's own gradient.

On the CPU the B models are split into contiguous groups, one per thread (``cpu_threads``, default the
process's ``torch.get_num_threads()``); each group is a stacked program of its own, every thread runs
one intra-op thread, and the groups meet once per epoch. Small tensors gain little from this (the
13-model digits MLP sweep: 1.1-1.2x on 2 cores, ``benchmarks/bench_deepnet.py``): every operator releases
and retakes Python's GIL, so the threads' hundreds of small operators per step largely take turns.

A model whose epoch loss is NaN/inf is marked diverged at that epoch, its parameters, buffers and
momentum are set to 0 (a stationary point of SGD with weight decay, so it stays finite and cheap) and its
metrics are reported as null; the others continue unaffected.

On the CPU an MLP's trajectory does not depend on the other models of the program or on the threads:
trained alone (a program of one) it ends bit for bit where it ends inside a sweep
(tests/training/test_batched.py; this needs one intra-op thread per thread, the padding of
:func:`_pad_samples` and optimiser arithmetic without fused ``alpha=`` terms). Convolutions run as
grouped convolutions under ``vmap``, whose weight gradients sum in another order than one model's: conv
nets agree with their lone runs to float32 rounding. The usual single-model loop (``nn.Module`` +
``torch.optim.SGD`` + autograd) computes the same forward pass bit for bit, but its backward kernels
differ from the batched ones in the last bits (e.g. the weight gradient of a linear layer is formed from
batched products here), so it agrees to float32 rounding, not bitwise (tested with a stated tolerance).

On CUDA the program runs in float32 proper and with deterministic kernels (:func:`exact_float32`): by
default cuDNN computes convolutions in TF32 (a 10-bit mantissa) and picks non-deterministic grouped-
convolution backward kernels, and on an H100 a small ResNet then ended 0.37 (relative) away from its
CPU run after 7 steps and two CUDA runs of one sweep 0.55 apart after 21; with both switched off the
CPU and CUDA runs agree to 1e-6 (tests/training/test_batched_gpu.py).
"""

from __future__ import annotations

import contextlib
import copy
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from theory.core.errors import InputError
from theory.core.collapse_metrics import class_means
from theory.core.validate import finite_real, positive_int, positive_real
from training.checkpoint import save_state
from training.losses import wrong_class_lse
from training.nets import MLP

CLASSIFIER = "net.classifier.weight"


@dataclass(frozen=True)
class SGDConfig:
    """Mini-batch SGD settings shared by the B models (``torch.optim.SGD`` + ``MultiStepLR`` semantics).

    ``classifier_weight_decay``: a separate weight decay for the last layer W (lambda_W of the UFM+,
    dang2024 problem (4)); ``None``: ``weight_decay`` everywhere. ``tf32``: on CUDA, leave TF32 and
    non-deterministic cuDNN kernels on (faster: a 13-model ResNet-18 epoch took 50 s instead of 173 s on an
    H100, but the runs are neither reproducible nor float32-exact); default off (:func:`exact_float32`)."""

    epochs: int = 100
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 0.0
    batch_size: int = 128
    milestones: tuple[int, ...] = ()
    lr_factor: float = 0.1
    classifier_weight_decay: float | None = None
    tf32: bool = False

    def __post_init__(self) -> None:
        if self.classifier_weight_decay is not None and finite_real("classifier_weight_decay",
                                                                    self.classifier_weight_decay) < 0:
            raise InputError(f"classifier_weight_decay must be >= 0, got {self.classifier_weight_decay}")
        object.__setattr__(self, "epochs", positive_int("epochs", self.epochs))
        object.__setattr__(self, "batch_size", positive_int("batch_size", self.batch_size))
        object.__setattr__(self, "lr", positive_real("lr", self.lr))
        if not 0.0 <= finite_real("momentum", self.momentum) < 1.0:
            raise InputError(f"momentum must lie in [0, 1), got {self.momentum}")
        if finite_real("weight_decay", self.weight_decay) < 0:
            raise InputError(f"weight_decay must be >= 0, got {self.weight_decay}")
        object.__setattr__(self, "milestones", tuple(sorted(positive_int("milestone", m) for m in self.milestones)))
        object.__setattr__(self, "lr_factor", positive_real("lr_factor", self.lr_factor))

    def decay(self, name: str) -> float:
        """Weight decay of the stacked parameter ``name``."""
        if name == CLASSIFIER and self.classifier_weight_decay is not None:
            return self.classifier_weight_decay
        return self.weight_decay

    def lr_at(self, epoch: int) -> float:
        """Learning rate of ``epoch`` (0-based): MultiStepLR multiplies by ``lr_factor`` at each milestone."""
        lr = self.lr
        for m in self.milestones:
            if epoch >= m:
                lr = lr * self.lr_factor
        return lr


class Objective:
    """Per-model training loss: ``__call__(features (B, b, d), logits (B, b, k), labels (B, b)) -> (B,)``
    mean losses. ``frozen`` names parameters that are not trained."""

    frozen: tuple[str, ...] = ()

    def __call__(self, h: torch.Tensor, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def select(self, models: Sequence[int]) -> "Objective":
        """The objective of a sub-program holding ``models`` (in that order)."""
        out = copy.copy(self)
        out.__dict__.update({k: v[list(models)] for k, v in self.__dict__.items() if isinstance(v, torch.Tensor)})
        return out

    def to(self, device: torch.device) -> "Objective":
        """A copy with its tensors on ``device``."""
        out = copy.copy(self)
        out.__dict__.update({k: v.to(device) for k, v in self.__dict__.items() if isinstance(v, torch.Tensor)})
        return out


class LogitScaling(Objective):
    """behnia2023 eq. (1): CE on scaled logits A[y, c] z_c - iota_c, per-sample weights ``weights[y]``.

    ``scaling`` (B, k, k), ``offsets`` (B, k), ``class_weights`` (B, k) (ones for unweighted CE).
    ``feature_decay`` lambda_H > 0 adds the feature penalty of dang2024 problem (4), lambda_H / 2 ||H||_F^2
    over the N = ``n_total`` training features, estimated on a batch of b as lambda_H / 2 (N / b)
    sum_batch ||h_i||^2 (the CE term is the batch mean, i.e. (1/N) sum_i CE estimated)."""

    def __init__(self, scaling: torch.Tensor, offsets: torch.Tensor, class_weights: torch.Tensor,
                 feature_decay: float = 0.0, n_total: int = 1) -> None:
        self.scaling, self.offsets, self.class_weights = scaling.float(), offsets.float(), class_weights.float()
        self.feature_decay, self.n_total = finite_real("feature_decay", feature_decay), positive_int("n_total", n_total)

    def __call__(self, h: torch.Tensor, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        B, n, k = z.shape
        z, y, real = _pad_samples(z, y)
        rows = torch.arange(B, device=z.device)[:, None]
        S = self.scaling[rows, y] * z - self.offsets[:, None, :]
        onehot = torch.nn.functional.one_hot(y, k).to(S.dtype)
        a = wrong_class_lse(S, onehot, dim=-1)[0].squeeze(-1)
        ce = (torch.nn.functional.softplus(a) * self.class_weights[rows, y] * real).sum(-1) / n
        if not self.feature_decay:
            return ce
        return ce + (0.5 * self.feature_decay * self.n_total) * (h * h).sum(-1).mean(-1)


#: per-model sample counts are padded to a multiple of this inside the losses (see :func:`_pad_samples`)
SAMPLE_TILE = 64


def _pad_samples(z: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(z, y, real) with the sample dimension padded by zero logits, label 0 and ``real`` = 0 to a multiple
    of :data:`SAMPLE_TILE`.

    Element-wise kernels evaluate exp/log in a vectorised body and a scalar tail whose results differ in
    the last bit; with every model's slice a whole number of vector tiles, no element of any model falls
    in a tail, so a model's loss and gradient are the same bits in a program of one or of many.
    """
    B, n, k = z.shape
    pad = (-n) % SAMPLE_TILE
    real = torch.ones(B, n + pad, dtype=z.dtype, device=z.device)
    if pad:
        z = torch.cat([z, z.new_zeros(B, pad, k)], 1)
        y = torch.cat([y, y.new_zeros(B, pad)], 1)
        real[:, n:] = 0
    return z, y, real


@dataclass
class History:
    """What the program records at the logged epochs (T of them) for its B models (NaN where diverged).

    ``W``/``M`` (T, B, d, k): classifier and uncentred training class means (eval mode); ``loss`` (T, B):
    training loss (eval mode, full training set); ``train_acc``/``test_acc`` (T, B, k): per-class accuracy;
    ``extra``: name -> (T, B) of the scalars returned by the ``measure`` callback; ``final``: the stacked
    parameters and buffers at the end (CPU, names as in the ``nn.Module`` with leading dimension B).
    """

    epochs: list[int]
    W: np.ndarray
    M: np.ndarray
    loss: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    diverged_epoch: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    final: dict[str, torch.Tensor] = field(default_factory=dict)


class _FeatureMap(nn.Module):
    """``forward = net.features`` (so ``functional_call`` reaches the penultimate features)."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net.features(x)  # type: ignore[operator]


class StackedNets:
    """B same-architecture nets as stacked parameter and buffer tensors (leading dimension B)."""

    def __init__(self, nets: Sequence[nn.Module], device: torch.device | str = "cpu", frozen: Sequence[str] = ()) -> None:
        if not nets:
            raise InputError("need at least one network")
        wrapped = [_FeatureMap(n).to(device) for n in nets]
        params, buffers = stack_module_state(wrapped)  # type: ignore[arg-type]
        self.trainable = [k for k in params if k not in frozen]
        self.params = {k: v.detach().requires_grad_(k in self.trainable) for k, v in params.items()}
        self.buffers = {k: v.detach() for k, v in buffers.items()}
        self.base = copy.deepcopy(wrapped[0]).to("meta")
        self.B = len(nets)
        self.layers = _linear_layers(nets[0])

    def forward(self, x: torch.Tensor, train: bool, shared_input: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """(features (B, n, d), logits (B, n, k)) of inputs x ((n, ...) shared or (B, n, ...))."""
        if shared_input:  # a stride-0 batch view, not in_dims=None: vmap would fold B into the matrix sizes
            x = x.expand(self.B, *x.shape)
        if self.layers is not None:
            return self._forward_linear(x)
        self.base.train(train)

        def one(p: dict[str, torch.Tensor], b: dict[str, torch.Tensor], xs: torch.Tensor):
            h = functional_call(self.base, (p, b), (xs,))
            return h, h @ p[CLASSIFIER].T

        return vmap(one)(self.params, self.buffers, x)

    def _forward_linear(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The forward pass of an :class:`~training.nets.MLP` as batched matrix products (one per layer for
        all B models), without ``vmap``'s per-call overhead."""
        h = x.reshape(x.shape[0], x.shape[1], -1)
        for layer in self.layers:  # type: ignore[union-attr]
            if layer is None:
                h = torch.relu(h)
            else:
                h = torch.baddbmm(self.params[f"{layer}.bias"].unsqueeze(1), h,
                                  self.params[f"{layer}.weight"].transpose(1, 2))
        return h, torch.bmm(h, self.params[CLASSIFIER].transpose(1, 2))

    def zero_model(self, b: int) -> None:
        """Set model ``b``'s parameters and buffers to 0 (a diverged model)."""
        with torch.no_grad():
            for t in (*self.params.values(), *self.buffers.values()):
                t[b] = 0


def _linear_layers(net: nn.Module) -> list[str | None] | None:
    """For an :class:`~training.nets.MLP`: its feature layers in order, the stacked-parameter prefix of each
    Linear and None for each ReLU; None for any other network (it runs under ``vmap``)."""
    if type(net) is not MLP:
        return None
    return [f"net.body.{name}" if isinstance(m, nn.Linear) else None
            for name, m in net.body.named_children() if not isinstance(m, nn.Flatten)]


def _class_accuracy(z: torch.Tensor, y: torch.Tensor, k: int) -> torch.Tensor:
    """(B, k) fraction of each class's samples whose largest logit is their label."""
    onehot = torch.nn.functional.one_hot(y, k).to(z.dtype)
    return ((z.argmax(-1) == y).to(z.dtype) @ onehot) / onehot.sum(0)


def _evaluate(groups: Sequence["_Group"], X: torch.Tensor, chunk: int = 512) -> tuple[torch.Tensor, torch.Tensor]:
    """(features (B, n, d), logits (B, n, k)) on the whole of X in eval mode, no grad, ``chunk`` samples
    per model at a time (independent of B, so a model's bits do not depend on the sweep's size)."""
    with torch.no_grad():
        parts = [[g.stack.forward(X[i:i + chunk], train=False, shared_input=True) for i in range(0, X.shape[0], chunk)]
                 for g in groups]
    return (torch.cat([torch.cat([p[0] for p in ps], 1) for ps in parts]),
            torch.cat([torch.cat([p[1] for p in ps], 1) for ps in parts]))


MeasureFn = Callable[[np.ndarray, np.ndarray, np.ndarray], dict[str, float]]


@contextlib.contextmanager
def exact_float32() -> Iterator[None]:
    """Float32 without TF32 in cuDNN / cuBLAS, deterministic kernels; the previous settings restored."""
    saved = (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32,
             torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark,
             torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled())
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32,
         torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark) = saved[:4]
        torch.use_deterministic_algorithms(saved[4], warn_only=saved[5])


def train_batched(nets: Sequence[nn.Module], seeds: Sequence[int], objective: Objective, X: torch.Tensor,
                  y: torch.Tensor, config: SGDConfig, log_epochs: Sequence[int], X_test: torch.Tensor | None = None,
                  y_test: torch.Tensor | None = None, device: torch.device | str = "cpu",
                  checkpoint: str | Path | None = None, resume: dict | None = None, progress: bool = False,
                  measure: MeasureFn | None = None, cpu_threads: int | None = None,
                  checkpoint_interval: float = 10.0) -> History:
    """Train the B ``nets`` as one program; record :class:`History` at ``log_epochs`` (0..epochs).

    ``seeds[b]`` seeds model b's mini-batch order. ``measure(W (k, d), H (d, n), labels)`` (float64
    numpy, training set, eval mode) returns extra scalars per model and logged epoch (e.g. dang2024's NC
    metrics). ``checkpoint``: a path written atomically after the last epoch and after any epoch that
    ends ``checkpoint_interval`` seconds or more after the previous write (0: every epoch; a digits
    sweep's epoch takes about 22 ms, a checkpoint about 7 ms); ``resume``: a state loaded from it
    (``torch.load(..., weights_only=True)``), continued bit-identically.

    On the CPU the models are split into ``cpu_threads`` contiguous groups (default: the process's
    ``torch.get_num_threads()``), whose SGD steps run side by side on as many threads, each with one
    intra-op thread: MKL would split a matrix product differently with more intra-op threads, so a
    model's bits would depend on the sweep's size; and the tensors are small.
    """
    device = torch.device(device)
    if finite_real("checkpoint_interval", checkpoint_interval) < 0:
        raise InputError(f"checkpoint_interval must be >= 0, got {checkpoint_interval}")
    interval = float(checkpoint_interval)
    if device.type != "cpu":
        with contextlib.nullcontext() if config.tf32 else exact_float32():
            return _train(nets, seeds, objective, X, y, config, log_epochs, X_test, y_test, device,
                          checkpoint, interval, resume, progress, measure, 1, None)
    threads = torch.get_num_threads() if cpu_threads is None else positive_int("cpu_threads", cpu_threads)
    threads = max(1, min(threads, len(nets)))
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        # each thread sets its own OpenMP thread count (a new thread starts from the default)
        with (ThreadPoolExecutor(threads - 1, initializer=torch.set_num_threads, initargs=(1,)) if threads > 1
              else contextlib.nullcontext()) as pool:
            return _train(nets, seeds, objective, X, y, config, log_epochs, X_test, y_test, device,
                          checkpoint, interval, resume, progress, measure, threads, pool)
    finally:
        torch.set_num_threads(previous)


def _train(nets: Sequence[nn.Module], seeds: Sequence[int], objective: Objective, X: torch.Tensor, y: torch.Tensor,
           config: SGDConfig, log_epochs: Sequence[int], X_test: torch.Tensor | None, y_test: torch.Tensor | None,
           device: torch.device, checkpoint: str | Path | None, interval: float, resume: dict | None, progress: bool,
           measure: MeasureFn | None, threads: int, pool: ThreadPoolExecutor | None) -> History:
    B, n = len(nets), int(y.numel())
    if B == 0:
        raise InputError("need at least one network")
    if len(seeds) != B:
        raise InputError(f"need one seed per network: {B} nets, {len(seeds)} seeds")
    if config.batch_size > n:
        raise InputError(f"batch_size must be <= n = {n}, got {config.batch_size}")
    k = int(y.max()) + 1
    logged = sorted(set(int(e) for e in log_epochs) | {config.epochs})
    if logged[0] < 0 or logged[-1] > config.epochs:
        raise InputError(f"logged epochs must lie in [0, {config.epochs}]")
    obj = objective.to(device)
    groups = [_Group(slice(int(m[0]), int(m[-1]) + 1), nets, obj, config, device)
              for m in np.array_split(np.arange(B), threads)]
    X, y = X.to(device), y.to(device)
    gens = [torch.Generator().manual_seed(int(s)) for s in seeds]
    T = len(logged)
    d = groups[0].stack.params[CLASSIFIER].shape[-1]
    hist = History(logged, np.full((T, B, d, k), np.nan), np.full((T, B, d, k), np.nan), np.full((T, B), np.nan),
                   np.full((T, B, k), np.nan), np.full((T, B, k), np.nan), {}, np.full(B, -1, dtype=np.int64))
    start = 0
    if resume is not None:
        start = _restore(resume, groups, gens, hist, B, config.epochs, checkpoint)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=config.epochs, initial=start, file=sys.stderr, unit="epoch", desc=f"{B} nets", leave=False)
    shared = len(set(int(s) for s in seeds)) == 1  # one batch order for all: feed x once
    saved = time.monotonic()
    for epoch in range(start, config.epochs + 1):
        if epoch in logged:
            _log(hist, logged.index(epoch), groups, obj, X, y, X_test, y_test, k, measure)
        if epoch == config.epochs:
            break
        lr = config.lr_at(epoch)
        perms = torch.stack([torch.randperm(n, generator=g) for g in gens]).to(device)
        total = torch.zeros(B, device=device)

        def train_epoch(g: int, stop: threading.Event) -> None:  # the groups are independent: one barrier per epoch
            group = groups[g]
            for start_i in range(0, n, config.batch_size):
                if stop.is_set():
                    return
                i = perms[group.models, start_i:start_i + config.batch_size]
                xb = X[i[0]] if shared else X[i]
                total[group.models] += group.sgd_step(xb, y[i], shared, lr, (epoch, start_i) == (0, 0))

        _run(pool, train_epoch, len(groups))
        bad = ~torch.isfinite(total).cpu().numpy() & (hist.diverged_epoch < 0)
        for b in np.flatnonzero(bad):
            hist.diverged_epoch[b] = epoch + 1
        for b in np.flatnonzero(hist.diverged_epoch >= 0):
            group = next(g for g in groups if g.models.start <= b < g.models.stop)
            group.zero_model(int(b) - group.models.start)
        if checkpoint is not None and (epoch + 1 == config.epochs or time.monotonic() - saved >= interval):
            save_state(checkpoint, _state(epoch + 1, groups, gens, hist))
            saved = time.monotonic()
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    hist.final = {name[len("net."):]: t.cpu() for name, t in _stacked(groups, "params", "buffers").items()}
    return hist


class _Group:
    """The models ``models`` (a contiguous run of the B) as one :class:`StackedNets` with their objective
    and momentum buffers: the part of the program one thread trains."""

    def __init__(self, models: slice, nets: Sequence[nn.Module], objective: Objective, config: SGDConfig,
                 device: torch.device) -> None:
        self.models, self.config = models, config
        self.objective = objective.select(range(models.start, models.stop))
        self.stack = StackedNets(nets[models], device, objective.frozen)
        self.params = [self.stack.params[nm] for nm in self.stack.trainable]
        self.momentum = [torch.zeros_like(p) for p in self.params]
        decays = [config.decay(nm) for nm in self.stack.trainable]
        #: (weight decay, indices of the trainable tensors that have it), non-zero decays only
        self.decays = [(lam, [i for i, v in enumerate(decays) if v == lam]) for lam in sorted(set(decays) - {0.0})]

    def sgd_step(self, xb: torch.Tensor, yb: torch.Tensor, shared: bool, lr: float, first: bool) -> torch.Tensor:
        """One step of ``torch.optim.SGD`` (weight decay added to the gradient, b <- mu b + g with b = g at
        the first step, p <- p - lr b) on the models' mini-batches; returns their batch losses."""
        h, z = self.stack.forward(xb, train=True, shared_input=shared)
        losses = self.objective(h, z, yb)
        grads = list(torch.autograd.grad(losses.sum(), self.params))
        with torch.no_grad():
            # separate products and sums (no alpha=: a fused a + alpha b rounds differently in the
            # vectorised body and the scalar tail of a kernel, so bits would depend on B)
            for lam, members in self.decays:
                torch._foreach_add_([grads[i] for i in members], torch._foreach_mul([self.params[i] for i in members], lam))
            if self.config.momentum and not first:
                torch._foreach_mul_(self.momentum, self.config.momentum)
                torch._foreach_add_(self.momentum, grads)
            else:
                torch._foreach_copy_(self.momentum, grads)
            torch._foreach_sub_(self.params, torch._foreach_mul(self.momentum, lr))
        return losses.detach()

    def zero_model(self, b: int) -> None:
        """Set model ``b`` (index within the group) and its momentum to 0 (a diverged model)."""
        self.stack.zero_model(b)
        with torch.no_grad():
            for buf in self.momentum:
                buf[b] = 0


def _stacked(groups: Sequence[_Group], *parts: str) -> dict[str, torch.Tensor]:
    """The groups' ``params`` / ``buffers`` / ``momentum`` tensors joined along the model dimension."""
    out: dict[str, torch.Tensor] = {}
    for part in parts:
        per_group = [dict(zip(g.stack.trainable, g.momentum)) if part == "momentum" else getattr(g.stack, part)
                     for g in groups]
        out.update({name: torch.cat([t[name].detach() for t in per_group]) for name in per_group[0]})
    return out


def _run(pool: ThreadPoolExecutor | None, task: Callable[[int, threading.Event], None], count: int) -> None:
    """``task(i, stop)`` for i = 0..count-1: task 0 on this thread, the others on ``pool``'s threads. When
    task 0 raises (or Ctrl-C arrives), ``stop`` is set, which the other tasks check between steps."""
    stop = threading.Event()
    if pool is None:
        for i in range(count):
            task(i, stop)
        return
    futures = [pool.submit(task, i, stop) for i in range(1, count)]
    try:
        task(0, stop)
    except BaseException:
        stop.set()
        wait(futures)
        raise
    for f in futures:
        f.result()


def _log(hist: History, t: int, groups: Sequence[_Group], obj: Objective, X: torch.Tensor, y: torch.Tensor,
         X_test: torch.Tensor | None, y_test: torch.Tensor | None, k: int, measure: MeasureFn | None) -> None:
    h, z = _evaluate(groups, X)
    with torch.no_grad():
        loss = obj(h, z, y.expand(h.shape[0], -1))
    alive = hist.diverged_epoch < 0
    W = torch.cat([g.stack.params[CLASSIFIER].detach() for g in groups]).transpose(1, 2)
    hist.W[t, alive] = W[alive].cpu().double().numpy()
    hist.loss[t, alive] = loss[alive].cpu().double().numpy()
    hist.train_acc[t, alive] = _class_accuracy(z, y, k)[alive].cpu().double().numpy()
    if X_test is not None and y_test is not None:
        zt = _evaluate(groups, X_test.to(X.device))[1]
        hist.test_acc[t, alive] = _class_accuracy(zt, y_test.to(X.device), k)[alive].cpu().double().numpy()
    labels = y.cpu().numpy()
    for b in np.flatnonzero(alive):
        H = h[b].T.cpu().double().numpy()  # d x n, one model at a time (memory)
        hist.M[t, b] = class_means(H, labels, k)
        if measure is not None:
            for name, v in measure(W[b].T.cpu().double().numpy(), H, labels).items():
                hist.extra.setdefault(name, np.full(hist.loss.shape, np.nan))[t, b] = v


def _state(epoch: int, groups: Sequence[_Group], gens: list[torch.Generator], hist: History) -> dict:
    """A checkpoint of plain tensors and lists only (loadable with ``weights_only=True``)."""
    arrays = {"W": hist.W, "M": hist.M, "loss": hist.loss, "train_acc": hist.train_acc, "test_acc": hist.test_acc,
              "diverged_epoch": hist.diverged_epoch, **{f"extra.{k}": v for k, v in hist.extra.items()}}
    return {"epoch": epoch, **{part: {k: v.cpu() for k, v in _stacked(groups, part).items()}
                               for part in ("params", "buffers", "momentum")},
            "generators": [g.get_state() for g in gens],
            "history": {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in arrays.items()}}


HISTORY_KEYS = ("W", "M", "loss", "train_acc", "test_acc", "diverged_epoch")


def check_state(state: object, groups: Sequence[_Group], hist: History, B: int, epochs: int) -> str | None:
    """What makes ``state`` unusable as the resume point of this program (None when it fits): the
    schema of :func:`_state`; ``epoch`` an integer in [0, epochs]; every tensor of the expected name,
    shape and dtype, parameters, buffers and momentum finite; one uint8 generator state per model;
    ``diverged_epoch`` in [-1, epoch]; and the history consistent with ``epoch`` (the logged epochs
    before it recorded, finite for the models that had not diverged by then; the later ones not yet
    recorded). So a resumed run continues exactly the run that wrote the checkpoint."""
    if not isinstance(state, dict):
        return f"it holds a {type(state).__name__}, not a training state"
    missing = [key for key in ("epoch", "params", "buffers", "momentum", "generators", "history") if key not in state]
    if missing:
        return f"no entry {missing[0]!r}"
    epoch = state["epoch"]
    if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch <= epochs:
        return f"epoch {epoch!r} is not an integer in [0, {epochs}]"
    expected = {"params": groups[0].stack.params, "buffers": groups[0].stack.buffers,
                "momentum": dict(zip(groups[0].stack.trainable, groups[0].momentum))}
    for part, like in expected.items():
        src = state[part]
        if not isinstance(src, dict) or set(src) != set(like):
            return f"{part} do not name the tensors of these networks"
        for name, v in src.items():
            want = (B, *like[name].shape[1:])
            if not isinstance(v, torch.Tensor) or tuple(v.shape) != want or v.dtype != like[name].dtype:
                return f"{part} tensor {name} is not a {like[name].dtype} tensor of shape {want}"
            if v.is_floating_point() and not bool(torch.isfinite(v).all()):
                return f"{part} tensor {name} holds NaN or inf"
    gens = state["generators"]
    if not (isinstance(gens, list) and len(gens) == B and all(isinstance(g, torch.Tensor) and g.dtype == torch.uint8
                                                              for g in gens)):
        return f"generators are not {B} generator states"
    h = state["history"]
    if not isinstance(h, dict):
        return "history is not a table of arrays"
    for name in HISTORY_KEYS:
        like = getattr(hist, name)
        v = h.get(name)
        if not isinstance(v, torch.Tensor) or tuple(v.shape) != like.shape or v.numpy().dtype != like.dtype:
            return f"history {name} is not a {like.dtype} array of shape {like.shape}"
    diverged = h["diverged_epoch"].numpy()
    if np.any((diverged < -1) | (diverged > epoch)):
        return f"diverged_epoch is not -1 or an epoch in [1, {epoch}] for every model"
    for t, logged in enumerate(hist.epochs):
        alive = (diverged < 0) | (diverged > logged)
        for name in ("W", "M", "loss"):
            block = h[name].numpy()[t]
            if logged >= epoch and not np.all(np.isnan(block)):
                return f"history {name} holds epoch {logged}, at or after the checkpoint's epoch {epoch}"
            if logged < epoch and name != "loss" and not np.all(np.isfinite(block[alive])):
                return f"history {name} misses epoch {logged} (before the checkpoint's epoch {epoch}) or holds NaN"
    return None


def _restore(state: dict, groups: Sequence[_Group], gens: list[torch.Generator], hist: History, B: int, epochs: int,
             where: object) -> int:
    """Load a checkpoint read from ``where`` after :func:`check_state`; InputError naming the file otherwise."""
    why = check_state(state, groups, hist, B, epochs)
    if why is not None:
        raise InputError(f"checkpoint {where} does not fit this run: {why}; remove it or use another --out")
    with torch.no_grad():
        for g in groups:
            momentum = dict(zip(g.stack.trainable, g.momentum))
            for src, dst in ((state["params"], g.stack.params), (state["buffers"], g.stack.buffers),
                             (state["momentum"], momentum)):
                for name, v in src.items():
                    dst[name].copy_(v[g.models])
    try:
        for g, s in zip(gens, state["generators"]):
            g.set_state(s)
    except RuntimeError:
        raise InputError(f"checkpoint {where} does not fit this run: a generator state is invalid; remove it or "
                         "use another --out") from None
    h = state["history"]
    for name in HISTORY_KEYS:
        getattr(hist, name)[...] = h[name].numpy()
    hist.extra.update({k[len("extra."):]: h[k].numpy().copy() for k in h if k.startswith("extra.")})
    return int(state["epoch"])
