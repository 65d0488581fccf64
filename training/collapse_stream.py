"""Streaming neural-collapse statistics in torch, on the device of the features (CPU or CUDA).

:class:`CollapseAccumulator` keeps, per class c, the count n_c, the mean mu_c and the scatter trace
q_c = sum_{y_i = c} ||h_i - mu_c||^2, and the pooled within-class scatter S_W = sum_i (h_i - mu_{y_i})(h_i -
mu_{y_i})^T, all in float64 (``dtype``) on ``device``: memory O(k d + d^2), whatever the number of samples.

A batch is folded in by *shifted sums* (Chan, Golub and LeVeque 1979): every row is shifted by its class's
running mean r_c = mu_c (a class seen for the first time: by its first row in the batch), z_i = h_i - r_{y_i};
with the batch's per-class counts m_c, sums u_c = sum_{y_i = c} z_i, square sums s_c = sum_{y_i = c} ||z_i||^2
and T = sum_i z_i z_i^T,

    n_c' = n_c + m_c,   mu_c' = r_c + u_c / n_c',   S_W' = S_W + T - sum_c u_c u_c^T / n_c',
    q_c' = q_c + s_c - ||u_c||^2 / n_c'.

(The old rows have mean r_c, so their scatter about r_c is S_W's share with no cross term; moving the centre
of the n_c' rows from r_c to mu_c' subtracts n_c' (u_c / n_c')(u_c / n_c')^T.) u_c / n_c' is of the order of
the batch mean's noise, so the subtracted term is small against T: two-pass accuracy, not the cancellation
of the textbook sum h h^T - n mu mu^T. T is one symmetric rank-b update: on the CPU its upper triangle by
column blocks (``torch.addmm_`` into the state, MKL: 0.625 of a product's flops), ``X^T X`` on CUDA. Two accumulators
merge by Chan et al.'s parallel rule, per class (nu_c, P_c the other's means and counts):

    n_c' = n_c + P_c,   mu_c' = mu_c + (P_c / n_c') (nu_c - mu_c),
    S_W' = S_W + S_other + sum_c (n_c P_c / n_c') (nu_c - mu_c)(nu_c - mu_c)^T,
    q_c' = q_c + q_other,c + (n_c P_c / n_c') ||nu_c - mu_c||^2,

which is exact algebra, so a merge of shards equals one pass up to float64 rounding (tests/training/
test_collapse_stream.py states the bound). :class:`DecisionAccumulator` is the second pass of NC4: per class,
the samples and the agreements of the classifier's decision argmax_c w_c^T h with the nearest class centre
argmin_c ||h - mu_c|| (one product of the batch with [M, W^T]).

``compute()`` moves the O(k d + d^2) state to the CPU and returns :func:`theory.core.measure.collapse_metrics`
(float64 NumPy): the numbers do not depend on the device that accumulated them beyond rounding.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch

from theory.core.errors import ComputationError, InputError
from theory.core.measure import CollapseMetrics, Conventions, collapse_metrics
from theory.core.validate import positive_int

#: Rows per internal chunk: the float64 work array is chunk x d (2048 x 512: 8 MiB), so a large input batch
#: never needs a float64 copy of itself (the Gram update on 2048 rows runs at the speed of larger blocks).
CHUNK_ROWS = 2048


def _tensor(x: Any, device: torch.device) -> torch.Tensor:
    """A tensor view of ``x`` (torch tensor or array-like; a read-only NumPy array is not copied: it is only
    read) on ``device``."""
    if isinstance(x, torch.Tensor):
        return x.detach().to(device)
    a = np.asarray(x)
    if a.dtype.kind not in "fiu" or a.dtype.itemsize > 8:
        raise InputError(f"features must be real numbers, got dtype {a.dtype}")
    with warnings.catch_warnings():  # read-only memory maps: never written through this view
        warnings.simplefilter("ignore", UserWarning)
        t = torch.from_numpy(a)
    return t.to(device)


def _check_rows(X: torch.Tensor, d: int) -> None:
    if X.ndim != 2 or X.shape[1] != d:
        raise InputError(f"feature rows must be b x d = b x {d}, got shape {tuple(X.shape)}")
    if X.is_complex() or not (X.is_floating_point() or X.dtype in (torch.int8, torch.int16, torch.int32,
                                                                      torch.int64, torch.uint8)):
        raise InputError(f"features must be real numbers, got dtype {X.dtype}")


def _check_labels(y: Any, b: int, k: int, device: torch.device) -> torch.Tensor:
    if isinstance(y, torch.Tensor):
        t = y.detach()
    else:
        a = np.asarray(y)
        if not np.issubdtype(a.dtype, np.integer):
            raise InputError(f"labels must be integers, got dtype {a.dtype}")
        with warnings.catch_warnings():  # read-only label arrays are only read
            warnings.simplefilter("ignore", UserWarning)
            t = torch.from_numpy(a.astype(np.int64, copy=False))
    if t.is_floating_point() or t.is_complex() or t.dtype == torch.bool:
        raise InputError(f"labels must be integers, got dtype {t.dtype}")
    if t.ndim != 1 or t.numel() != b:
        raise InputError(f"a batch of {b} feature rows needs {b} labels, got shape {tuple(t.shape)}")
    t = t.to(device=device, dtype=torch.int64)
    if b:
        lo, hi = int(t.min()), int(t.max())
        if lo < 0 or hi >= k:
            raise InputError(f"label {lo if lo < 0 else hi} out of range [0, {k - 1}]")
    return t


#: Column blocks of the upper-triangular Gram update: with 4 blocks 10 of the 16 block products of z^T z are
#: formed (0.625 of a full product), each one MKL ``dgemm`` through ``torch.addmm_`` into the state
#: (measured 2.1x faster than SciPy/OpenBLAS ``dsyrk`` on this machine's 2 cores for 4096 x 512).
GRAM_BLOCK = 128


def _upper_gram_into(S: torch.Tensor, z: torch.Tensor) -> None:
    """S[i, j] += (z^T z)[i, j] for j >= i by column blocks (block rows of the upper triangle; the strictly
    lower blocks are never formed and S's lower triangle is not read)."""
    d = z.shape[1]
    blocks = max(1, d // GRAM_BLOCK)
    edges = [round(i * d / blocks) for i in range(blocks + 1)]
    for a, b in zip(edges[:-1], edges[1:]):
        S[a:b, a:].addmm_(z[:, a:b].T, z[:, a:])


class CollapseAccumulator:
    """Running n_c, mu_c, q_c and S_W of features h in R^d with labels in [0, k) (module docstring).

    ``update(features, labels)``: a b x d batch (tensor on any device or array; any real dtype) and b integer
    labels; ``merge(other)``: Chan's parallel update; ``compute(...)``: :class:`CollapseMetrics`. ``device``:
    where the state lives and the arithmetic runs (default: the first batch's device); ``dtype``: the
    accumulation precision (float64; float32 only where a device lacks float64 speed, at ~1e-7 relative).
    """

    def __init__(self, k: int, d: int, *, device: torch.device | str | None = None,
                 dtype: torch.dtype = torch.float64, chunk_rows: int = CHUNK_ROWS) -> None:
        self.k = positive_int("k", k, minimum=2)
        self.d = positive_int("d", d)
        self.chunk_rows = positive_int("chunk_rows", chunk_rows)
        if dtype not in (torch.float64, torch.float32):
            raise InputError(f"accumulation dtype must be torch.float64 or torch.float32, got {dtype}")
        self.dtype = dtype
        self.device: torch.device | None = None if device is None else torch.device(device)
        self._work: tuple[torch.Tensor, torch.Tensor] | None = None
        if self.device is not None:
            self._allocate()

    # ------------------------------------------------------------------------------------------- state
    def _allocate(self) -> None:
        kw = {"device": self.device, "dtype": self.dtype}
        self._n = torch.zeros(self.k, dtype=torch.int64, device=self.device)
        self._mu = torch.zeros(self.k, self.d, **kw)
        self._q = torch.zeros(self.k, **kw)
        self._S = torch.zeros(self.d, self.d, **kw)  # CPU: upper triangle only; CUDA: full
        # the NumPy/SciPy route on the CPU in float64, else torch kernels (tests run both on the CPU)
        self._segmented = self.device.type == "cpu" and self.dtype == torch.float64

    @property
    def _upper_only(self) -> bool:
        """S_W holds its upper triangle only (the NumPy route's blocked update), else the full matrix."""
        return self._segmented

    def _snapshot(self) -> tuple[torch.Tensor, ...]:
        return tuple(t.clone() for t in (self._n, self._mu, self._q, self._S))

    def _restore(self, snap: tuple[torch.Tensor, ...]) -> None:
        self._n, self._mu, self._q, self._S = snap

    def _buffer(self, rows: int) -> torch.Tensor:
        """The NumPy route's one work array (rows x d), kept between batches."""
        if self._work is None or self._work[0].shape[0] < rows:
            self._work = (torch.empty(rows, self.d, device=self.device, dtype=self.dtype),)
        return self._work[0][:rows]

    def _buffers(self, rows: int) -> tuple[torch.Tensor, torch.Tensor]:
        if self._work is None or len(self._work) < 2 or self._work[0].shape[0] < rows:
            self._work = tuple(torch.empty(rows, self.d, device=self.device, dtype=self.dtype) for _ in range(2))
        return self._work[0][:rows], self._work[1][:rows]

    # ------------------------------------------------------------------------------------------ update
    def update(self, features: Any, labels: Any) -> "CollapseAccumulator":
        """Fold a b x d batch with its b labels into the statistics; InputError on bad input (shape, dtype,
        labels out of range, NaN/inf), after which the state is as before the call."""
        X = features if isinstance(features, torch.Tensor) else _tensor(features, torch.device("cpu"))
        if self.device is None:
            self.device = X.device
            self._allocate()
        X = X.detach().to(self.device)
        _check_rows(X, self.d)
        if self._segmented and X.dtype == torch.bfloat16:  # NumPy has no bfloat16 (exact in float32)
            X = X.float()
        y = _check_labels(labels, X.shape[0], self.k, self.device)
        if X.shape[0] == 0:
            return self
        snap = self._snapshot()
        try:
            with torch.no_grad():
                for start in range(0, X.shape[0], self.chunk_rows):
                    self._update_chunk(X[start:start + self.chunk_rows], y[start:start + self.chunk_rows])
        except BaseException:
            self._restore(snap)
            raise
        return self

    def _update_chunk(self, X: torch.Tensor, y: torch.Tensor) -> None:
        if self._segmented:
            self._update_numpy(X.numpy(), y.numpy())
            return
        b = X.shape[0]
        z, g = self._buffers(b)
        m = torch.bincount(y, minlength=self.k)
        fresh = (self._n == 0) & (m > 0)
        shift = self._mu
        if bool(fresh.any()):  # a class seen for the first time: shifted by its first row in the batch
            first = torch.full((self.k,), b, dtype=torch.int64, device=self.device)
            first.scatter_reduce_(0, y, torch.arange(b, device=self.device), reduce="amin")
            idx = torch.nonzero(fresh).flatten()
            shift = self._mu.clone()
            shift[idx] = X[first[idx]].to(self.dtype)
        u, sq = self._shift_indexed(X, y, shift, z, g)
        T = z.T @ z
        if not (bool(torch.isfinite(sq).all()) and bool(torch.isfinite(u).all())):
            if not bool(torch.isfinite(X).all()):
                raise InputError("features contain NaN or inf")
            raise ComputationError("within-class scatter overflows (features too large to square)")
        total = self._n + m
        present = m > 0
        inv = torch.where(present, 1.0 / total.clamp(min=1).to(self.dtype),
                          torch.zeros((), dtype=self.dtype, device=self.device))
        scaled = u * inv.sqrt()[:, None]
        self._S += T
        self._S -= scaled.T @ scaled
        self._q += sq - (u * u).sum(dim=1) * inv
        self._mu = torch.where(present[:, None], shift + u * inv[:, None], self._mu)
        self._n = total

    def _update_numpy(self, X: np.ndarray, y: np.ndarray) -> None:
        """CPU float64 route: the same update in NumPy on views of the state tensors, except the Gram update
        (MKL through ``torch.addmm_``); torch's element-wise kernels are not used (with them the torch route
        was measured 1.8x slower on 2 cores: OpenMP threads spinning against BLAS threads). Rows are sorted
        by class (one gather in the input dtype),
        then per class segment one cast-and-subtract into the work array and one column sum (``index_add_``
        was 20x slower, measured); the square norms come from one ``einsum``."""
        n, mu, q, S = (t.numpy() for t in (self._n, self._mu, self._q, self._S))
        b = X.shape[0]
        z = self._buffer(b).numpy()
        order = np.argsort(y, kind="stable")
        starts = np.flatnonzero(np.diff(y[order], prepend=-1))
        present = y[order[starts]]
        m = np.diff(starts, append=b)
        shift = mu[present]
        fresh = n[present] == 0
        shift[fresh] = X[order[starts[fresh]]]  # a class seen for the first time: shifted by its first row
        rows = np.take(X, order, axis=0)
        sums = np.empty_like(shift)
        with np.errstate(invalid="ignore", over="ignore"):  # NaN/inf input is reported below
            for c, (start, stop) in enumerate(zip(starts.tolist(), np.append(starts[1:], b).tolist())):
                np.subtract(rows[start:stop], shift[c], out=z[start:stop], dtype=np.float64)
                z[start:stop].sum(axis=0, out=sums[c])
            sq = np.add.reduceat(np.einsum("ij,ij->i", z, z), starts)
        if not (np.isfinite(sums).all() and np.isfinite(sq).all()):  # a NaN/inf entry makes its row norm so
            if not np.isfinite(X).all():
                raise InputError("features contain NaN or inf")
            raise ComputationError("within-class scatter overflows float64 (features too large to square)")
        _upper_gram_into(self._S, self._buffer(b))  # S += z^T z, upper triangle
        total = n[present] + m
        scaled = sums / np.sqrt(total)[:, None]
        S -= scaled.T @ scaled
        q[present] += sq - np.einsum("ij,ij->i", sums, sums) / total
        mu[present] = shift + sums / total[:, None]
        n[present] = total

    def _shift_indexed(self, X: torch.Tensor, y: torch.Tensor, shift: torch.Tensor, z: torch.Tensor,
                       g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Accelerator route: z = X - shift[y] and per-class sums by ``index_add_`` (no host round trip)."""
        z.copy_(X)
        torch.index_select(shift, 0, y, out=g)
        z.sub_(g)
        u = torch.zeros(self.k, self.d, device=self.device, dtype=self.dtype).index_add_(0, y, z)
        sq = torch.zeros(self.k, device=self.device, dtype=self.dtype).index_add_(0, y, torch.linalg.vecdot(z, z))
        return u, sq

    def merge(self, other: "CollapseAccumulator") -> "CollapseAccumulator":
        """Fold another accumulator of the same k and d into this one (Chan's parallel update, module
        docstring); the other's state is moved to this one's device."""
        if not isinstance(other, CollapseAccumulator) or (other.k, other.d) != (self.k, self.d):
            raise InputError("can only merge a CollapseAccumulator of the same k and d")
        if other.device is None:
            return self
        if self.device is None:
            self.device = other.device
            self._allocate()
        kw = {"device": self.device, "dtype": self.dtype}
        P = other._n.to(self.device)
        nu = other._mu.to(**kw)
        S_o = other.within_scatter_tensor().to(**kw)
        if self._upper_only:
            S_o = torch.triu(S_o)
        total = self._n + P
        both = (self._n > 0) & (P > 0)
        coef = torch.where(both, self._n.to(self.dtype) * P.to(self.dtype) / total.clamp(min=1).to(self.dtype),
                           torch.zeros((), **kw))
        diff = nu - self._mu
        w = diff * coef.sqrt()[:, None]
        self._S += S_o + (torch.triu(w.T @ w) if self._upper_only else w.T @ w)
        self._q += other._q.to(**kw) + coef * (diff * diff).sum(dim=1)
        frac = torch.where(P > 0, P.to(self.dtype) / total.clamp(min=1).to(self.dtype), torch.zeros((), **kw))
        self._mu = self._mu + diff * frac[:, None]
        self._n = total
        return self

    # ----------------------------------------------------------------------------------------- results
    def _require(self) -> None:
        if self.device is None or int(self._n.sum()) == 0:
            raise InputError("no sample has been accumulated")

    @property
    def counts(self) -> np.ndarray:
        """n_c (int64, length k)."""
        return np.zeros(self.k, dtype=np.int64) if self.device is None else self._n.cpu().numpy().copy()

    @property
    def n(self) -> int:
        """Number of samples seen."""
        return int(self.counts.sum())

    def means_tensor(self) -> torch.Tensor:
        """Class means as a k x d tensor on the accumulator's device (InputError for an empty class)."""
        self._require()
        empty = torch.nonzero(self._n == 0).flatten()
        if empty.numel():
            raise InputError(f"class {int(empty[0])} has no sample (k = {self.k})")
        return self._mu.clone()

    @property
    def means(self) -> np.ndarray:
        """Class means M = [mu_1 .. mu_k] (d x k float64, the project's convention)."""
        return self.means_tensor().T.cpu().numpy().copy()

    @property
    def global_mean(self) -> np.ndarray:
        """mu_G = sum_c n_c mu_c / N (d)."""
        return self.means @ self.counts / self.n

    @property
    def within_scatter(self) -> np.ndarray:
        """S_W = sum_i (h_i - mu_{y_i})(h_i - mu_{y_i})^T (d x d, symmetric, float64 NumPy)."""
        return self.within_scatter_tensor().cpu().numpy().astype(np.float64)

    def within_scatter_tensor(self) -> torch.Tensor:
        """S_W (d x d, symmetric) on the accumulator's device."""
        if self.device is None:
            return torch.zeros(self.d, self.d, dtype=self.dtype)
        if not self._upper_only:
            return (self._S + self._S.T) / 2
        upper = torch.triu(self._S)
        return upper + torch.triu(upper, 1).T

    @property
    def class_scatter(self) -> np.ndarray:
        """q_c = sum_{y_i = c} ||h_i - mu_c||^2 (k, float64)."""
        return np.zeros(self.k) if self.device is None else self._q.cpu().numpy().astype(np.float64)

    def nc1(self) -> float:
        """NC1 = tr(Sigma_W Sigma_B^+)/k (dang2024 eq. 19) with the count-weighted global mean."""
        return self.compute().nc1

    def decisions(self, classifier: Any) -> "DecisionAccumulator":
        """The second pass of NC4 against these class means and ``classifier`` (k x d rows w_c). Releases
        this accumulator's work array (reallocated if it is updated again)."""
        self._work = None
        return DecisionAccumulator(self.means_tensor(), classifier, device=self.device, dtype=self.dtype,
                                   chunk_rows=self.chunk_rows)

    def compute(self, classifier: Any = None, decisions: "DecisionAccumulator | None" = None,
                predicted: Any = None, centering: Any = "global",
                conventions: Conventions = Conventions()) -> CollapseMetrics:
        """:func:`theory.core.measure.collapse_metrics` of the accumulated statistics: NC1 (trace form, CDNV),
        NC2 (simplex ETF; the ``predicted`` Gram matrices, with the measured means centred by ``centering``),
        NC3 and NC4 (from ``decisions``) and the class-mean and classifier Gram matrices."""
        self._require()
        W = None
        if classifier is not None:
            W = (classifier.detach().to("cpu", torch.float64).numpy() if isinstance(classifier, torch.Tensor)
                 else np.asarray(classifier, dtype=np.float64))
        dec = None
        if decisions is not None:
            dec = (decisions.seen.cpu().numpy(), decisions.agree.cpu().numpy())
        return collapse_metrics(self.counts, self.means, self.within_scatter,
                                self.class_scatter, W, dec, predicted, centering, conventions)


class DecisionAccumulator:
    """NC4's second pass: per class, samples and agreements of argmax_c w_c^T h with argmin_c ||h - mu_c||
    (``means`` k x d tensor or array, ``classifier`` k x d). ``merge`` adds the counts of an accumulator of
    the same means and classifier."""

    def __init__(self, means: Any, classifier: Any, *, device: torch.device | str | None = None,
                 dtype: torch.dtype = torch.float64, chunk_rows: int = CHUNK_ROWS) -> None:
        dev = torch.device(device) if device is not None else (
            means.device if isinstance(means, torch.Tensor) else torch.device("cpu"))
        M = _tensor(means, dev).to(dtype)
        W = _tensor(classifier, dev).to(dtype)
        if M.ndim != 2 or W.shape != M.shape:
            raise InputError(f"classifier must be k x d = {tuple(M.shape)}, got {tuple(W.shape)}")
        if not (bool(torch.isfinite(W).all()) and bool(torch.isfinite(M).all())):
            raise InputError("classifier or class means contain NaN or inf")
        self.k, self.d = M.shape
        self.device, self.dtype, self.chunk_rows = dev, dtype, positive_int("chunk_rows", chunk_rows)
        self._M, self._W = M, W
        self._C = torch.cat([M.T, W.T], dim=1).contiguous()  # d x 2k: one product gives both decisions
        self._sq = (M * M).sum(dim=1)
        self.seen = torch.zeros(self.k, dtype=torch.int64, device=dev)
        self.agree = torch.zeros(self.k, dtype=torch.int64, device=dev)
        self._work: torch.Tensor | None = None
        self._torch_route = False  # tests set it to run the accelerator route on the CPU

    def update(self, features: Any, labels: Any) -> "DecisionAccumulator":
        """Add a b x d batch and its labels; InputError on bad input (state unchanged)."""
        X = features if isinstance(features, torch.Tensor) else _tensor(features, self.device)
        X = X.detach().to(self.device)
        _check_rows(X, self.d)
        if X.dtype == torch.bfloat16 and self.device.type == "cpu":  # NumPy has no bfloat16 (exact in float32)
            X = X.float()
        y = _check_labels(labels, X.shape[0], self.k, self.device)
        seen, agree = torch.zeros_like(self.seen), torch.zeros_like(self.agree)
        numpy_route = self.device.type == "cpu" and self.dtype == torch.float64 and not self._torch_route
        from scipy.linalg.blas import dgemm
        with torch.no_grad():
            for start in range(0, X.shape[0], self.chunk_rows):
                Xc, yc = X[start:start + self.chunk_rows], y[start:start + self.chunk_rows]
                if self._work is None or self._work.shape[0] < Xc.shape[0]:
                    self._work = torch.empty(Xc.shape[0], self.d, device=self.device, dtype=self.dtype)
                z = self._work[:Xc.shape[0]]
                if numpy_route:  # NumPy/BLAS only, no torch kernel (see CollapseAccumulator._update_numpy)
                    zn, ycn = z.numpy(), yc.numpy()
                    zn[...] = Xc.numpy()
                    # P^T = C^T z^T through SciPy's BLAS (as dsyrk: one set of BLAS buffers); both operands are
                    # passed as Fortran views (C^T, z^T), so nothing is copied
                    P = dgemm(1.0, self._C.numpy().T, zn.T).T
                    if not np.isfinite(P).all():
                        raise InputError("features contain NaN or inf")
                    P[:, :self.k] *= -2.0
                    P[:, :self.k] += self._sq.numpy()
                    hit = np.argmin(P[:, :self.k], axis=1) == np.argmax(P[:, self.k:], axis=1)
                    seen += torch.from_numpy(np.bincount(ycn, minlength=self.k))
                    agree += torch.from_numpy(np.bincount(ycn[hit], minlength=self.k))
                    continue
                z.copy_(Xc)
                P = z @ self._C
                if not bool(torch.isfinite(P).all()):
                    raise InputError("features contain NaN or inf")
                ncc = torch.argmin(self._sq[None, :] - 2.0 * P[:, :self.k], dim=1)
                lin = torch.argmax(P[:, self.k:], dim=1)
                seen += torch.bincount(yc, minlength=self.k)
                agree.index_add_(0, yc, (ncc == lin).to(torch.int64))
        self.seen += seen
        self.agree += agree
        return self

    def merge(self, other: "DecisionAccumulator") -> "DecisionAccumulator":
        """Add another second pass over the same means and classifier."""
        if not isinstance(other, DecisionAccumulator) or other._C.shape != self._C.shape or not torch.equal(
                other._C.to(self.device), self._C):
            raise InputError("can only merge a DecisionAccumulator of the same class means and classifier")
        self.seen += other.seen.to(self.device)
        self.agree += other.agree.to(self.device)
        return self

    @property
    def disagreement(self) -> float:
        """Fraction of samples on which the two decisions differ (NC4, 0 at collapse)."""
        total = int(self.seen.sum())
        if total == 0:
            raise InputError("NC4 needs at least one sample")
        return 1.0 - int(self.agree.sum()) / total
