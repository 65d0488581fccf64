"""Up-front memory and time estimates of the heavy computations, and the refusal of impossible work.

Every command that can be asked for more than the machine holds estimates its peak memory and its run
time from the sizes alone, before any allocation, and refuses (:class:`InputError`, exit 2) when

- the memory estimate exceeds the memory available now (``MemAvailable`` of ``/proc/meminfo``), or
- the time estimate exceeds :data:`TIME_LIMIT_S`,

with one line giving the estimate and the override (``--force``). The models are counts of the
arrays each computation holds (entries x 8 bytes x a factor for the solver's working copies) and of
its arithmetic (operations at a throughput measured on the 2-core machine of this project),
calibrated against the peak resident memory and wall time of fresh processes
(``benchmarks/bench_budget.py``); they are meant to be right within a factor of a few, which is what a
refusal needs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from theory.core.errors import InputError

TIME_LIMIT_S = 3600.0
"""Largest estimated run time accepted without ``--force`` (one hour)."""

BYTES = 8
"""Bytes per float64 entry."""


@dataclass(frozen=True)
class Estimate:
    """Peak memory (bytes) and run time (seconds) of one computation, with a short description."""

    what: str
    memory: float
    seconds: float

    def __add__(self, other: "Estimate") -> "Estimate":
        """Two computations in sequence: the larger peak memory, the sum of the times."""
        return Estimate(f"{self.what} + {other.what}", max(self.memory, other.memory), self.seconds + other.seconds)


def available_memory() -> int:
    """Bytes of memory available to a new allocation now (``MemAvailable``; physical memory elsewhere)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def human_bytes(value: float) -> str:
    """``value`` bytes as text, e.g. ``7.7 GB``."""
    units = ("B", "kB", "MB", "GB", "TB", "PB")
    step = 0
    while value >= 1000 and step < len(units) - 1:
        value /= 1000
        step += 1
    return f"{value:.3g} {units[step]}"


def human_seconds(value: float) -> str:
    """``value`` seconds as text, e.g. ``3.2 h``."""
    if value < 120:
        return f"{value:.3g} s"
    if value < 7200:
        return f"{value / 60:.3g} min"
    if value < 2 * 86400 * 365:
        return f"{value / 3600:.3g} h"
    return f"{value / (86400 * 365):.3g} years"


def require_within(estimate: Estimate, force: bool = False) -> Estimate:
    """``estimate`` unchanged when it fits (or ``force``); otherwise :class:`InputError` with one line
    giving the estimate, the limit and the override."""
    if force:
        return estimate
    available = available_memory()
    if not estimate.memory <= available:
        raise InputError(f"{estimate.what} needs about {human_bytes(estimate.memory)} of memory, more than the "
                         f"{human_bytes(available)} available; refusing (--force to run anyway)")
    if not estimate.seconds <= TIME_LIMIT_S:
        raise InputError(f"{estimate.what} would take about {human_seconds(estimate.seconds)}, more than the "
                         f"limit of {human_seconds(TIME_LIMIT_S)}; refusing (--force to run anyway)")
    return estimate


# ---- models (constants measured by benchmarks/bench_budget.py on the 2-core machine) --------------------

BASE_MEMORY = 310e6
"""Resident memory of the interpreter with numpy, scipy, cvxpy and torch imported."""

MPMATH_ENTRY_BYTES = 1000
"""Bytes per entry of a 30-digit mpmath matrix of the numeric geometry route (four live at once)."""

MPMATH_SECONDS_PER_K3 = 5e-5
"""Seconds per k^3 of the 30-digit Jacobi eigen-decomposition (measured 4 s at k = 40, 33 s at k = 80)."""

PSD_ENTRY_BYTES = 1600
"""Peak bytes per entry of the PSD blocks of the CS-SVM cone program (cvxpy canonicalisation + SCS)."""

PSD_ENTRY_SECONDS = 3e-5
"""Seconds of canonicalisation per PSD entry of the CS-SVM cone program."""

PSD_CUBE_SECONDS = 5e-7
"""Seconds per unit of sum over blocks of (block size)^3 (SCS's eigen-decompositions over its iterations)."""

LBFGS_VARIABLE_BYTES = 1000
"""Peak bytes per variable of the L-BFGS-B solvers (memory of 20-30 pairs, bounds, temporaries)."""

NONCONVEX_VARIABLE_SECONDS = 1e-4
"""Seconds per variable of one start of the augmented-Lagrangian CS-SVM solver (50 s at 570,000)."""

UFM_PLUS_START_SECONDS = 0.05
"""Fixed seconds per start of the UFM+ solver (four continuation stages and the polish)."""

UFM_PLUS_KDN_SECONDS = 1e-5
"""Seconds per unit of K d N (the size of the products W H) per start of the UFM+ solver."""

CLOSED_FORM_ENTRY_BYTES = 150
"""Bytes per K x K entry of the UFM+ closed forms as printed (float arrays, Python lists and JSON text)."""

TRAIN_FLOPS = 3e9
"""Floating-point operations per second of the batched UFM trainer (measured 3.2e9 to 9e9)."""

LOG_SECONDS = 1.5e-3
"""Fixed seconds per logged epoch of the UFM trainer (measured 10.4 s for 6000 epochs logged every epoch)."""


def geometry_numeric(k: int) -> Estimate:
    """``igeom geometry --method numeric`` (:func:`theory.seli.seli_geometry.seli_geometry`, extended precision):
    k x k matrices of 30-digit numbers and an O(k^3) Jacobi eigen-decomposition."""
    return Estimate(f"the numeric geometry route at k = {k}", BASE_MEMORY + MPMATH_ENTRY_BYTES * 4.0 * k * k,
                    MPMATH_SECONDS_PER_K3 * float(k) ** 3)


def cs_svm(k: int, columns: int) -> Estimate:
    """The convex CS-SVM program of :mod:`numerics.cs_svm` with ``columns`` weighted columns (n at sample
    level, k at class level): ceil(columns / b) PSD blocks [[P, Z_b], [Z_b^T, T_b]] of b = min(2k, columns)."""
    b = min(2 * k, columns)
    blocks = -(-columns // b)
    entries = blocks * float(k + b) ** 2
    return Estimate(f"the CS-SVM cone program (k = {k}, {columns} columns)",
                    BASE_MEMORY + PSD_ENTRY_BYTES * entries,
                    PSD_ENTRY_SECONDS * entries + PSD_CUBE_SECONDS * blocks * float(k + b) ** 3)


def nonconvex_svm(k: int, columns: int, d: int, starts: int = 1) -> Estimate:
    """The augmented-Lagrangian solver of :mod:`numerics.nonconvex`: d (k + columns) variables per start."""
    variables = float(d) * (k + columns)
    return Estimate(f"the non-convex CS-SVM solver (d = {d}, {variables:.3g} variables)",
                    BASE_MEMORY + LBFGS_VARIABLE_BYTES * variables, NONCONVEX_VARIABLE_SECONDS * variables * starts)


def ufm_plus_closed_form(K: int) -> Estimate:
    """The UFM+ closed forms of :mod:`theory.ufm_plus.closed_form` as printed: K x K Gram, cosines, logits."""
    return Estimate(f"the UFM+ closed forms for K = {K} classes", BASE_MEMORY + CLOSED_FORM_ENTRY_BYTES * float(K) ** 2,
                    1e-6 * float(K) ** 2)


def ufm_plus_solve(K: int, N: int, d: int, starts: int) -> Estimate:
    """The multi-start UFM+ solver of :mod:`numerics.ufm_plus_solver`: K d + d N variables, K x N logits."""
    variables = float(d) * (K + N)
    return Estimate(f"the UFM+ solver (K = {K}, N = {N}, d = {d}, {starts} starts)",
                    BASE_MEMORY + LBFGS_VARIABLE_BYTES * variables + 10 * BYTES * float(K) * N,
                    starts * (UFM_PLUS_START_SECONDS + UFM_PLUS_KDN_SECONDS * float(K) * d * N))


def ufm_sweep(models: int, k: int, n: int, d: int, epochs: int, log_every: int) -> Estimate:
    """A batched UFM sweep of :func:`training.ufm.train_sweep` and its measurement: parameters, momentum
    buffers and gradients (B, d, k + n), logits (B, k, n), and the logged history W, M (T, B, d, k) with
    T = epochs / log_every + 1, held several times over by the measurement (Gram matrices, centring)."""
    B, T = float(models), float(epochs // log_every + 2)
    state = BYTES * B * (6.0 * d * (k + n) + 6.0 * k * n)
    history = BYTES * T * B * (2.0 * d * k + k + 1)
    measurement = 4 * history + BYTES * 12.0 * T * B * k * k
    flops = B * epochs * (6.0 * d * k * n + 30.0 * k * n) + T * B * 2.0 * d * k * n
    return Estimate(f"the UFM sweep ({models} models, k = {k}, n = {n}, d = {d}, {epochs} epochs, "
                    f"{int(T)} logged epochs)", BASE_MEMORY + state + measurement, flops / TRAIN_FLOPS + LOG_SECONDS * T)


# ---- issue 26: the round-2 commands (measure, sweep, experiment, check-param --predict-only) ----------------

LARGE_K_ENTRY_BYTES = 300
"""Peak bytes per k x k entry of the active-set Newton solver (:mod:`numerics.large_k`; README: 0.34 GB
at k = 1000 including the imports, rounded up for the SVD workspaces)."""

LARGE_K_SECONDS_PER_K3 = 2e-8
"""Seconds per k^3 of the active-set Newton solver (README: 20 s at k = 1000, 34 SVDs and 89
Hessian-vector products of O(k^3) each)."""

PRINTED_GRAM_ENTRY_BYTES = 3 * CLOSED_FORM_ENTRY_BYTES
"""Bytes per k x k entry of three Gram matrices held as Python lists and JSON text (``--json``, ``--out``)."""

MEASURE_GRAMS = 16
"""k x k float64 arrays alive at once in :func:`proofs_check.tasks.feature_measurement.measure_statistics`
(measured and predicted G_W, G_M, G_WM, the centring map, cosines, the SELI route's working copies)."""

STREAM_BYTES_PER_ENTRY = 3
"""Float64 copies of one feature batch held while it is streamed (the batch, its centred copy, a product)."""

WORKER_BYTES = 250e6
"""Resident memory of one embedded Dask worker: a nanny and a worker process forked from the forkserver
with the kind's modules imported."""

WORKER_START_SECONDS = 1.0
"""Seconds to start one embedded worker (nanny + worker process, registration with the scheduler)."""

POINT_BYTES = 3000
"""Bytes per grid point of a sweep while it runs: the resolved point, its task, its result row in the
store and in the Parquet table rewritten as tasks finish."""

TASK_OVERHEAD_SECONDS = 5e-3
"""Seconds of scheduling and bookkeeping per sweep task (submission, result transfer, row store)."""

NET_STEP_SECONDS = 3e-3
"""Fixed seconds per SGD step of a batched deep-net program (:mod:`training.batched`: a digits sweep's
epoch of 7 steps takes about 22 ms)."""

NET_TRAIN_FLOP_FACTOR = 3.0
"""Training operations per forward operation (forward, two backward products)."""

NET_FLOPS = 3e10
"""Operations per second of the batched deep-net program (the 26 digits MLPs: 1.4e9 operations per epoch
in about 22 ms, 6e10/s; halved for the 2-core machine under load)."""


def large_k_program(k: int, printed: bool = False) -> Estimate:
    """The class-level CS-SVM by active-set Newton (:func:`numerics.large_k.solve_large_k`): O(k^2) memory,
    O(k^3) time; ``printed``: its three Gram matrices also go out as JSON."""
    entries = float(k) ** 2
    memory = BASE_MEMORY + LARGE_K_ENTRY_BYTES * entries + (PRINTED_GRAM_ENTRY_BYTES * entries if printed else 0.0)
    return Estimate(f"the large-k CS-SVM program (k = {k})", memory, LARGE_K_SECONDS_PER_K3 * float(k) ** 3)


def feature_measurement(k: int, d: int, n: int, batch_rows: int, passes: int = 1) -> Estimate:
    """``igeom measure`` (:func:`proofs_check.tasks.feature_measurement.measure`): class statistics (k x d
    means, d x d scatter), k x k Gram matrices and one batch of rows at a time; time: the passes over the
    features plus the O(k^3) prediction. ``k`` is the number of classes the labels imply (largest + 1)."""
    k, d = float(k), float(d)
    memory = BASE_MEMORY + BYTES * (3 * k * d + 2 * d * d + MEASURE_GRAMS * k * k
                                    + STREAM_BYTES_PER_ENTRY * min(float(batch_rows), float(n)) * d)
    seconds = passes * (2.0 * float(n) * d * d + float(n) * d) / TRAIN_FLOPS + 20 * k ** 3 / TRAIN_FLOPS
    return Estimate(f"measuring {int(k)} classes (labels up to {int(k) - 1}), d = {int(d)}", memory, seconds)


def simplex(k: int, d: int) -> Estimate:
    """A random simplex ETF (:func:`theory.etf.simplex.simplex_etf`): the k x k centring eigenbasis and a
    d x (k - 1) QR."""
    k, d = float(k), float(d)
    return Estimate(f"a simplex ETF of {int(k)} vectors in d = {int(d)}", BASE_MEMORY + BYTES * (4 * k * k + 3 * d * k),
                    (10 * k ** 3 + 4 * d * k * k) / TRAIN_FLOPS)


def sweep_grid(points: int, tasks: int, workers: int, task_seconds: float = 0.0, task_memory: float = 0.0) -> Estimate:
    """``igeom sweep`` itself: the points and rows it holds, ``workers`` embedded worker processes (0 with
    an external scheduler), each running one task of at most ``task_memory`` bytes at a time; time: the
    tasks' ``task_seconds`` shared by the workers, the per-task overhead and the worker start-up."""
    w = max(1, workers)
    memory = BASE_MEMORY + POINT_BYTES * float(points) + workers * (WORKER_BYTES + max(0.0, task_memory - BASE_MEMORY))
    seconds = task_seconds / w + TASK_OVERHEAD_SECONDS * float(tasks) + WORKER_START_SECONDS * workers
    workers_text = f", --workers {workers}" if workers else ""
    return Estimate(f"the sweep ({points} points in {tasks} tasks{workers_text})", memory, seconds)


def deepnet_program(models: int, parameters: int, forward_flops: float, activations: float, n: int, n_test: int,
                    batch_size: int, epochs: int, logged: int, d: int, k: int) -> Estimate:
    """A batched deep-net program (:func:`training.batched.train_batched`) of ``models`` networks of
    ``parameters`` float32 parameters, ``forward_flops`` operations and ``activations`` activation entries
    per sample: parameters, gradients, momentum and the stacked copy (4 x), the activations of one
    mini-batch per model (kept for the backward pass), the logged history W, M (T, B, d, k) in float64 and
    an evaluation of the training set per logged epoch."""
    B, P = float(models), float(parameters)
    steps = float(epochs) * -(-n // max(1, batch_size))
    memory = (BASE_MEMORY + 4 * 4.0 * B * P + 4 * 2.0 * B * activations * min(batch_size, n)
              + BYTES * 2.0 * logged * B * d * k + 4 * 2.0 * B * (d + k) * max(n, n_test))
    seconds = (steps * (NET_STEP_SECONDS + NET_TRAIN_FLOP_FACTOR * B * forward_flops * min(batch_size, n) / NET_FLOPS)
               + logged * B * forward_flops * (n + n_test) / NET_FLOPS)
    return Estimate(f"training {models} networks of {parameters:.3g} parameters for {epochs} epochs", memory, seconds)
