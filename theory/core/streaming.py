"""Streaming class statistics of features: counts, class means and the within-class scatter, batch by batch.

Features h_i (rows of a batch, d numbers each) with labels y_i in [0, k) are accumulated in float64 without
ever holding the whole set: memory is O(k d + d^2). Per class c the running state is (n_c, mu_c), and the
within-class scatter S_W = sum_i (h_i - mu_{y_i})(h_i - mu_{y_i})^T is kept summed over classes.

A batch is added by *shifted sums*: every row is shifted by its class's running mean r_c = mu_c (a class
seen for the first time: its first row in the batch), z_i = h_i - r_{y_i}, and with the batch's per-class
counts m_c, shifted sums u_c = sum_{y_i = c} z_i and T = sum_i z_i z_i^T,

    n_c' = n_c + m_c,   mu_c' = r_c + u_c / n_c',   S_W' = S_W + T - sum_c u_c u_c^T / n_c'.

(The old data have scatter S_W about r_c = mu_c, so the scatter of all data about r_c is S_W + T, and
moving the centre to mu_c' = r_c + u_c / n_c' subtracts n_c' (u_c / n_c')(u_c / n_c')^T.) Because r_c is
the running mean, u_c / n_c' is of the order of the noise of the batch mean and the subtracted term is
small against T: this is the two-pass accuracy of Chan, Golub and LeVeque's shifted algorithm (1979),
not the cancellation of the one-pass textbook formula sum h h^T - n mu mu^T (tested with an offset of
1e3 to 1e-10). T is one symmetric rank-b update (BLAS ``dsyrk``, half the flops of a matrix product) of
the shifted batch, formed in one cast-and-subtract from the input dtype (float32 features are never
copied to float64 first). Two accumulators are combined by Chan et al.'s parallel update, per class:

    n_c' = n_c + m_c,   mu_c' = mu_c + (m_c / n_c') (nu_c - mu_c),
    S_W' = S_W + S_b + sum_c (n_c m_c / n_c') (nu_c - mu_c)(nu_c - mu_c)^T.

NC1 = tr(Sigma_W Sigma_B^+) / k (dang2024 eq. (19), the definition of :func:`theory.core.collapse_metrics.nc1`) with
Sigma_W = S_W / N and Sigma_B = B B^T / k, B = [mu_c - mu_G] (d x k), mu_G the global mean. Since
(B B^T)^+ = B^{+T} B^+, NC1 = tr(B^+ Sigma_W B^{+T}): a d x k pseudo-inverse instead of a d x d one.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg.blas import dsyrk

from theory.core.errors import ComputationError, InputError
from theory.core.validate import positive_int

#: Singular values of B below this fraction of the largest are its null space (B has rank <= k - 1 because
#: sum_c n_c (mu_c - mu_G) = 0; rounding leaves that direction at ~1e-16 relative, far below this cut).
PINV_RTOL = 1e-8


def _labels(labels: object, b: int, k: int) -> np.ndarray:
    y = np.asarray(labels)
    if y.ndim != 1 or y.size != b:
        raise InputError(f"a batch of {b} feature rows needs {b} labels, got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise InputError(f"labels must be integers, got dtype {y.dtype}")
    if b and (int(y.min()) < 0 or int(y.max()) >= k):
        bad = int(y.min()) if int(y.min()) < 0 else int(y.max())
        raise InputError(f"label {bad} out of range [0, {k - 1}]")
    return y.astype(np.intp, copy=False)


def _rows(features: object, d: int) -> np.ndarray:
    X = np.asarray(features)
    if X.ndim != 2 or X.shape[1] != d:
        raise InputError(f"feature rows must be b x d = b x {d}, got shape {X.shape}")
    if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
        raise InputError(f"features must be real numbers, got dtype {X.dtype}")
    return X


class ClassStatistics:
    """Running (n_c, mu_c) per class and the pooled within-class scatter S_W (module docstring).

    ``update(features, labels)`` takes a b x d batch (any real dtype; accumulated in float64) and b labels;
    ``merge(other)`` combines two accumulators (the same update with the other's state as the batch).
    """

    def __init__(self, k: int, d: int) -> None:
        self.k = positive_int("k", k, minimum=2)
        self.d = positive_int("d", d)
        self._n = np.zeros(self.k, dtype=np.int64)
        self._mu = np.zeros((self.k, self.d))
        self._S = np.zeros((self.d, self.d), order="F")  # upper triangle only until :attr:`within_scatter`
        self._work: np.ndarray | None = None

    def _merge(self, m: np.ndarray, nu: np.ndarray, S_b: np.ndarray) -> None:
        total = self._n + m
        has = m > 0
        diff = nu[has] - self._mu[has]
        coef = self._n[has] * m[has] / total[has]
        self._S += S_b
        if np.any(coef > 0):
            self._S += (diff * coef[:, None]).T @ diff
        self._mu[has] += diff * (m[has] / total[has])[:, None]
        self._n = total

    def update(self, features: object, labels: object) -> "ClassStatistics":
        """Add a batch of feature rows (b x d) with their labels (b); InputError on bad input.

        Shifted sums (module docstring): the rows sorted by class (one gather in the input dtype), one
        cast-and-subtract per class segment, segment sums and one ``dsyrk``. NaN/inf input is found
        through the diagonal of the result (a non-finite entry makes its column's square sum
        non-finite) instead of a pass of its own; a rejected batch leaves the state unchanged.
        """
        X = _rows(features, self.d)
        y = _labels(labels, X.shape[0], self.k)
        if X.shape[0] == 0:
            return self
        b = X.shape[0]
        order = np.argsort(y, kind="stable")  # rows of one class become one segment
        starts = np.flatnonzero(np.diff(y[order], prepend=-1))
        present = y[order[starts]]
        m = np.diff(starts, append=b)
        fresh = self._n[present] == 0
        shift = self._mu[present]
        shift[fresh] = X[order[starts[fresh]]]  # a class seen for the first time: shifted by its first row
        rows = np.take(X, order, axis=0)
        shifted = self._buffer(b)
        sums = np.empty_like(shift)
        with np.errstate(invalid="ignore", over="ignore"):  # NaN/inf input is reported below
            for c, (start, stop) in enumerate(zip(starts, np.append(starts[1:], b))):
                np.subtract(rows[start:stop], shift[c], out=shifted[start:stop], dtype=np.float64)
                shifted[start:stop].sum(axis=0, out=sums[c])  # (np.add.reduceat along rows: 5x slower, measured)
        T = dsyrk(1.0, shifted.T, trans=0, lower=0)  # shifted^T shifted, upper triangle (shifted.T is Fortran-ordered)
        if not (np.isfinite(np.diagonal(T)).all() and np.isfinite(sums).all()):
            if not np.isfinite(X).all():
                raise InputError("features contain NaN or inf")
            raise ComputationError("within-class scatter overflows float64 (features too large to square)")
        total = self._n[present] + m
        self._S += T
        self._S -= (sums / total[:, None]).T @ sums
        self._mu[present] = shift + sums / total[:, None]
        self._n[present] = total
        return self

    def _buffer(self, rows: int) -> np.ndarray:
        """The shifted rows' work array (rows x d float64), kept between batches so that a stream of equal
        batches allocates (and page-faults) it once."""
        if self._work is None or self._work.shape[0] < rows:
            self._work = np.empty((rows, self.d))
        return self._work[:rows]

    def merge(self, other: "ClassStatistics") -> "ClassStatistics":
        """Fold another accumulator of the same k and d into this one (Chan's update)."""
        if (other.k, other.d) != (self.k, self.d):
            raise InputError(f"cannot merge statistics of k, d = {other.k}, {other.d} into {self.k}, {self.d}")
        self._merge(other._n.copy(), other._mu.copy(), np.triu(other._S))
        return self

    @property
    def counts(self) -> np.ndarray:
        """n_c (int64, length k)."""
        return self._n.copy()

    @property
    def n(self) -> int:
        """Number of samples seen."""
        return int(self._n.sum())

    @property
    def means(self) -> np.ndarray:
        """Class means M = [mu_1 .. mu_k] (d x k, the project's convention); InputError for an empty class."""
        empty = np.flatnonzero(self._n == 0)
        if empty.size:
            raise InputError(f"class {int(empty[0])} has no sample (k = {self.k})")
        return self._mu.T.copy()

    @property
    def global_mean(self) -> np.ndarray:
        """mu_G = sum_c n_c mu_c / N (d)."""
        return self.means @ self._n / self.n

    @property
    def within_scatter(self) -> np.ndarray:
        """S_W = sum_i (h_i - mu_{y_i})(h_i - mu_{y_i})^T (d x d, symmetric)."""
        upper = np.triu(self._S)
        return upper + np.triu(upper, 1).T

    def nc1(self) -> float:
        """NC1 = tr(Sigma_W Sigma_B^+) / k (dang2024 eq. (19)) from the streamed statistics (module docstring).
        :class:`ComputationError` where Sigma_B = 0 (all class means equal): 0/0, as in
        :func:`theory.core.collapse_metrics.nc1`."""
        B = self.means - self.global_mean[:, None]
        if not np.any(B):
            raise ComputationError("all class means are equal (Sigma_B = 0): NC1 = tr(Sigma_W Sigma_B^+)/k is 0/0, undefined")
        B_pinv = np.linalg.pinv(B, rcond=PINV_RTOL)
        sigma_w = self.within_scatter / self.n
        return float(np.einsum("ij,jk,ik->", B_pinv, sigma_w, B_pinv))


class NearestCentreAgreement:
    """NC4 (Papyan et al. 2020): the fraction of samples on which the classifier's decision argmax_c w_c^T h
    differs from the nearest class centre argmin_c ||h - mu_c|| (0 at collapse). A second pass over the
    features, given the class means of the first; ``classifier`` is k x d (rows w_c)."""

    def __init__(self, means: np.ndarray, classifier: np.ndarray) -> None:
        self._M = np.asarray(means, dtype=np.float64)
        self._W = np.asarray(classifier, dtype=np.float64)
        if self._M.ndim != 2 or self._W.shape != (self._M.shape[1], self._M.shape[0]):
            raise InputError(f"classifier must be k x d = {self._M.shape[1]} x {self._M.shape[0]}, got {self._W.shape}")
        self._sq = (self._M**2).sum(axis=0)
        self.disagree = 0
        self.seen = 0

    def update(self, features: object) -> "NearestCentreAgreement":
        """Add a batch of feature rows (b x d)."""
        X = _rows(features, self._M.shape[0])
        if not np.isfinite(X).all():
            raise InputError("features contain NaN or inf")
        ncc = np.argmin(self._sq[None, :] - 2.0 * (X @ self._M), axis=1)
        self.disagree += int(np.count_nonzero(ncc != np.argmax(X @ self._W.T, axis=1)))
        self.seen += X.shape[0]
        return self

    @property
    def value(self) -> float:
        """Disagreement fraction in [0, 1]; InputError before any sample."""
        if self.seen == 0:
            raise InputError("NC4 needs at least one sample")
        return self.disagree / self.seen
