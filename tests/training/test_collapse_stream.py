"""The torch streaming NC accumulator (training.collapse_stream, issue 24) against the definitions computed
directly from all the features in float64, shards merged against one pass, both update routes (NumPy/SciPy on
the CPU, torch kernels as on CUDA), conventions and bad input.

Tolerances. A float64 sum of N terms is within gamma_N * sum |terms| of the exact sum (Higham 2002, eq.
(4.4); gamma_N = N u / (1 - N u), u = 2^-53). Both the streamed and the direct S_W are such sums over the N
centred outer products (the shifted algorithm adds the correction sum_c u_c u_c^T / n_c', itself bounded by
the same terms), so entrywise |S_stream - S_direct| <= 4 gamma_N (|Z|^T |Z|) with Z the centred rows: the
bound asserted below. Means: |mu_stream - mu_direct| <= 4 gamma_N (mean of |h - mu| + |mu|).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from theory.core.errors import InputError
from theory.core.measure import Conventions, nc1 as nc1_direct
from training.collapse_stream import CollapseAccumulator, DecisionAccumulator

U = 2.0**-53
K, D = 6, 9


def gamma(n: int) -> float:
    return n * U / (1 - n * U)


def data(n: int = 3000, offset: float = 0.0, seed: int = 1, counts: list[int] | None = None):
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(K), counts)) if counts else rng.integers(0, K, n)
    centres = 3.0 * rng.standard_normal((K, D))
    X = centres[y] + rng.standard_normal((y.size, D)) * rng.uniform(0.5, 2.0, K)[y][:, None] + offset
    return X, y


def direct(X: np.ndarray, y: np.ndarray):
    M = np.stack([X[y == c].mean(axis=0) for c in range(K)])  # k x d
    Z = X - M[y]
    q = np.array([np.sum(Z[y == c] ** 2) for c in range(K)])
    return M, Z, Z.T @ Z, q


def accumulate(X, y, batches, route="numpy", dtype=torch.float64, chunk_rows=257):
    acc = CollapseAccumulator(K, D, device="cpu", dtype=dtype, chunk_rows=chunk_rows)
    acc._segmented = route == "numpy"
    for idx in np.array_split(np.arange(y.size), batches):
        acc.update(X[idx], y[idx])
    return acc


def assert_statistics(acc, X, y):
    M, Z, S, q = direct(X, y)
    N = y.size
    np.testing.assert_array_equal(acc.counts, np.bincount(y, minlength=K))
    assert np.all(np.abs(acc.means.T - M) <= 4 * gamma(N) * (np.abs(Z).mean(axis=0) + np.abs(M)) + 0.0)
    bound = 4 * gamma(N) * (np.abs(Z).T @ np.abs(Z))
    assert np.all(np.abs(acc.within_scatter - S) <= bound)
    assert np.all(np.abs(acc.class_scatter - q) <= 4 * gamma(N) * q)


@pytest.mark.parametrize("route", ["numpy", "torch"])
@pytest.mark.parametrize("offset", [0.0, 1e3])
def test_streamed_statistics_equal_the_direct_ones(route, offset):
    X, y = data(offset=offset)
    assert_statistics(accumulate(X.astype(np.float32), y, 7, route), X.astype(np.float32).astype(np.float64), y)


def test_merge_of_shards_equals_one_pass_within_float64_rounding():
    """Four shards (one of them lacking two classes, one accumulated by the torch route) merged in a tree
    equal one pass, entrywise within 4 gamma_N |Z|^T |Z| (module docstring)."""
    X, y = data(n=4000, offset=10.0)
    parts = np.array_split(np.arange(y.size), 4)
    parts[1] = parts[1][y[parts[1]] < K - 2]
    keep = np.concatenate(parts)
    shards = [accumulate(X[p], y[p], 3, "torch" if i == 2 else "numpy") for i, p in enumerate(parts)]
    merged = CollapseAccumulator(K, D).merge(shards[0].merge(shards[1])).merge(shards[2].merge(shards[3]))
    one = accumulate(X[keep], y[keep], 1)
    N = keep.size
    M, Z, S, q = direct(X[keep], y[keep])
    bound = 4 * gamma(N) * (np.abs(Z).T @ np.abs(Z))
    assert np.all(np.abs(merged.within_scatter - one.within_scatter) <= bound)
    assert np.all(np.abs(merged.class_scatter - one.class_scatter) <= 4 * gamma(N) * q)
    np.testing.assert_array_equal(merged.counts, one.counts)
    assert_statistics(merged, X[keep], y[keep])


def test_the_metrics_equal_their_definitions_on_all_features():
    """NC1 (trace form, against theory.core.measure.nc1's d x d pseudo-inverse on all features), CDNV, NC2
    to the simplex ETF, NC3, NC4 and the quotient/svd/unweighted conventions, each computed here from the
    features directly."""
    X, y = data(counts=[900, 500, 300, 200, 120, 80])
    N = y.size
    rng = np.random.default_rng(5)
    W = rng.standard_normal((K, D))
    acc = accumulate(X, y, 5)
    dec = acc.decisions(W)
    for idx in np.array_split(np.arange(N), 3):
        dec.update(X[idx], y[idx])
    M, Z, S, q = direct(X, y)
    n = np.bincount(y, minlength=K)
    res = acc.compute(W, dec)
    assert res.nc1 == pytest.approx(float(nc1_direct(X.T, y, K)), rel=1e-9)
    V = q / n
    cd = [(V[i] + V[j]) / (2 * np.sum((M[i] - M[j]) ** 2)) for i in range(K) for j in range(i + 1, K)]
    assert res.nc1_cdnv == pytest.approx(np.mean(cd), rel=1e-12)
    Vu = q / (n - 1)  # nc-toolbox: Bessel-corrected class variances, coefficient of variation of the pairs
    cdu = np.array([(Vu[i] + Vu[j]) / (2 * np.sum((M[i] - M[j]) ** 2)) for i in range(K) for j in range(i + 1, K)])
    assert acc.compute(conventions=Conventions(cdnv_reduce="cov", class_variance="unbiased")).nc1_cdnv == \
        pytest.approx(cdu.std() / cdu.mean(), rel=1e-10)
    Mg = M - X.mean(axis=0)
    G = Mg @ Mg.T
    E = np.eye(K) - 1 / K
    assert res.nc2_etf == pytest.approx(np.linalg.norm(G / np.linalg.norm(G) - E / np.linalg.norm(E)), rel=1e-12)
    assert res.nc3 == pytest.approx(np.linalg.norm(W / np.linalg.norm(W) - Mg / np.linalg.norm(Mg)), rel=1e-12)
    ncc = np.argmin(((X[:, None, :] - M[None]) ** 2).sum(-1), axis=1)
    agree = ncc == np.argmax(X @ W.T, axis=1)
    assert res.nc4 == 1 - agree.mean()
    per_class = np.array([agree[y == c].mean() for c in range(K)])
    assert acc.compute(W, dec, conventions=Conventions(nc4="agreement", nc4_average="classes")).nc4 == \
        pytest.approx(per_class.mean(), rel=1e-15)
    Sw, Mu = S / N, M - M.mean(axis=0)
    Sb = Mu.T @ Mu / K
    unweighted = acc.compute(W, conventions=Conventions(global_mean="unweighted"))
    assert unweighted.nc1 == pytest.approx(np.trace(Sw @ np.linalg.pinv(Sb)) / K, rel=1e-9)
    assert acc.compute(conventions=Conventions(nc1="quotient")).nc1 == pytest.approx(
        np.trace(Sw) / np.trace(Mg.T @ Mg / K), rel=1e-12)
    evals, evecs = np.linalg.eigh(Mg.T @ Mg / K)
    top = evecs[:, -(K - 1):] @ np.diag(1 / evals[-(K - 1):]) @ evecs[:, -(K - 1):].T
    assert acc.compute(conventions=Conventions(nc1="svd")).nc1 == pytest.approx(np.trace(Sw @ top) / K, rel=1e-9)
    Z3 = W @ Mu.T
    assert acc.compute(W, conventions=Conventions(global_mean="unweighted", nc3="etf")).nc3 == pytest.approx(
        np.linalg.norm(Z3 / np.linalg.norm(Z3) - E / np.linalg.norm(E)), rel=1e-12)
    # the weighted and unweighted global means differ on imbalanced counts, by more than rounding
    assert abs(unweighted.nc1 / res.nc1 - 1) > 1e-3


def test_decisions_merge_and_routes_agree():
    X, y = data()
    acc = accumulate(X, y, 2)
    W = np.random.default_rng(2).standard_normal((K, D))
    a, b, whole, dev = acc.decisions(W), acc.decisions(W), acc.decisions(W), acc.decisions(W)
    dev._torch_route = True
    a.update(X[:1000], y[:1000])
    b.update(X[1000:], y[1000:])
    whole.update(X, y)
    dev.update(X, y)
    a.merge(b)
    assert torch.equal(a.seen, whole.seen) and torch.equal(a.agree, whole.agree) and torch.equal(dev.agree, whole.agree)
    with pytest.raises(InputError):
        a.merge(acc.decisions(W + 1))


def test_bad_input_is_refused_and_leaves_the_state_unchanged():
    X, y = data(n=600)
    acc = accumulate(X, y, 1)
    before = (acc.counts.copy(), acc.means.copy(), acc.within_scatter.copy())
    bad = X.copy()
    bad[500, 3] = np.nan
    for args in ((bad, y), (X[:, :4], y), (X, y.astype(float)), (X, y[:-1]), (X, np.where(y == 0, K, y)),
                 (X, -y)):
        with pytest.raises(InputError):
            acc.update(*args)
    np.testing.assert_array_equal(acc.counts, before[0])
    np.testing.assert_array_equal(acc.means, before[1])
    np.testing.assert_array_equal(acc.within_scatter, before[2])
    with pytest.raises(InputError):
        CollapseAccumulator(K, D).compute()
    with pytest.raises(InputError):
        Conventions(nc4="agree")
    with pytest.raises(InputError):
        DecisionAccumulator(np.zeros((K, D)), np.zeros((K, D + 1)))


def test_half_precision_and_integer_features_are_accumulated_exactly_as_their_float64_values():
    """bfloat16 / float16 / int32 inputs: the statistics of their exact float64 values (float64 route)."""
    X, y = data(n=800)
    for t in (torch.from_numpy(X).to(torch.bfloat16), torch.from_numpy(X).half(), torch.from_numpy(np.round(X)).int()):
        acc = CollapseAccumulator(K, D).update(t, torch.from_numpy(y))
        assert_statistics(acc, t.double().numpy(), y)
    with pytest.raises(InputError, match="real numbers"):
        CollapseAccumulator(K, D).update(X.astype(complex), y)


def test_an_empty_class_is_named():
    X, y = data(n=300)
    keep = y != 3
    with pytest.raises(InputError, match="class 3"):
        accumulate(X[keep], y[keep], 1).compute()


def test_float32_accumulation_is_near_float64():
    """The float32 route (for devices without fast float64) against float64: relative 1e-4 on S_W, the
    error of float32 sums of 3000 terms (3000 * 2^-24 = 1.8e-4) being the bound."""
    X, y = data(offset=1.0)
    a, b = accumulate(X, y, 3, "torch", torch.float32), accumulate(X, y, 3)
    scale = np.abs(b.within_scatter).max()
    assert np.abs(a.within_scatter - b.within_scatter).max() <= y.size * 2.0**-24 * scale


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_accumulation_equals_the_cpu():
    """CUDA (torch route, float64) against the CPU (NumPy/SciPy route): statistics within the float64
    summation bound, metrics to 1e-9 relative and NC4 decisions identical."""
    X, y = data(n=20000, offset=5.0)
    cpu = accumulate(X.astype(np.float32), y, 4)
    gpu = CollapseAccumulator(K, D, device="cuda")
    for idx in np.array_split(np.arange(y.size), 4):
        gpu.update(torch.from_numpy(X[idx].astype(np.float32)).cuda(), torch.from_numpy(y[idx]).cuda())
    assert_statistics(gpu, X.astype(np.float32).astype(np.float64), y)
    W = np.random.default_rng(3).standard_normal((K, D))
    dc, dg = cpu.decisions(W).update(X, y), gpu.decisions(W).update(torch.from_numpy(X).cuda(), torch.from_numpy(y).cuda())
    rc, rg = cpu.compute(W, dc), gpu.compute(W, dg)
    for name in ("nc1", "nc1_cdnv", "nc2_etf", "nc3"):
        assert getattr(rg, name) == pytest.approx(getattr(rc, name), rel=1e-9)
    assert rg.nc4 == rc.nc4
