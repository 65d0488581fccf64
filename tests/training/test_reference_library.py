"""Our accumulator reproduces the reference NC library's numbers (rhubarbwu/neural-collapse, MIT) on the same
features when asked for its conventions, and differs from them under the project's defaults only where the
conventions differ (docs/metrics.md). The library is loaded from a local checkout (``IGEOM_NC_PEER``, default
../shared/peers/rhubarbwu-neural-collapse beside the repository); the test is skipped without it.

Tolerances: the library's float64 paths (NC1 by pinv / svd / quotient, NC2 and NC3 against the ETF, NC4,
UNC3) agree to rounding amplified by the conditioning of Sigma_B on its range: rel <= 100 kappa d u with
kappa = s_max^2 / s_min^2 of the centred means' nonzero singular values and u = 2^-53. Its kernel grids
(CDNV, GNC2) are float32 (``tiling`` allocates ``torch.zeros`` in the default dtype): each entry is rounded
to float32 (2^-24 relative) and the folds are summed in float32 (at most K terms each, then K folds), so
rel <= 4 K 2^-24 for the CDNV, and the GNC2 variance is within 4 K 2^-24 max(dist) max|dist - mean|.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from theory.core.measure import REFERENCE_CONVENTIONS, Conventions
from training.collapse_stream import CollapseAccumulator

ROOT = Path(__file__).resolve().parents[2]
PEER = Path(os.environ.get("IGEOM_NC_PEER", ROOT.parent / "shared" / "peers" / "rhubarbwu-neural-collapse"))
U, F32 = 2.0**-53, 2.0**-24
K, D = 8, 12


@pytest.fixture(scope="module")
def nc():
    if not (PEER / "neural_collapse" / "accumulate.py").is_file():
        pytest.skip(f"reference library not found at {PEER} (set IGEOM_NC_PEER)")
    sys.path.insert(0, str(PEER))
    try:
        import neural_collapse.accumulate as accumulate
        import neural_collapse.kernels as kernels
        import neural_collapse.measure as measure
    finally:
        sys.path.remove(str(PEER))
    return accumulate, measure, kernels


def features(counts, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(K), counts))
    centres = 2.0 * rng.standard_normal((K, D))
    X = centres[y] + rng.standard_normal((y.size, D)) * rng.uniform(0.5, 1.5, K)[y][:, None]
    W = centres - centres.mean(axis=0) + 0.8 * rng.standard_normal((K, D))
    return X, y, W


def reference(nc, X, y, W, weighted=False):
    """The library's accumulators over batches of 300 rows, float64, and its metric functions."""
    accumulate, measure, kernels = nc
    f64 = torch.float64
    batches = [(torch.from_numpy(X[s:s + 300]), torch.from_numpy(y[s:s + 300])) for s in range(0, y.size, 300)]
    Wt = torch.from_numpy(W)
    mean_acc = accumulate.MeanAccumulator(K, D, "cpu", f64)
    for xb, yb in batches:
        mean_acc.accumulate(xb, yb)
    means, mG = mean_acc.compute()
    if weighted:  # its compute(weighted=True) fails on a shape error (counts (K, 1) @ means (K, D), in the
        # snapshot read): the weighted mean from its own counts and means, handed to its metric functions
        n = mean_acc.ns_samples.to(f64)
        mG = (n[:, None] * means).sum(dim=0) / n.sum()
    covar = accumulate.CovarAccumulator(K, D, "cpu", f64, M=means)
    var_norms = accumulate.VarNormAccumulator(K, D, "cpu", f64, M=means)
    dec = accumulate.DecAccumulator(K, D, "cpu", f64, M=means, W=Wt)
    for xb, yb in batches:
        covar.accumulate(xb, yb, means)
        var_norms.accumulate(xb, yb, means)
        dec.accumulate(xb, yb, Wt, means)
    Sw, V = covar.compute(), var_norms.compute()[0]
    return {"pinv": measure.covariance_ratio(Sw, means, mG), "svd": measure.covariance_ratio(Sw, means, mG, "svd"),
            "quotient": measure.covariance_ratio(Sw, means, mG, "quotient"),
            "cdnv": measure.variability_cdnv(V, means), "etf": measure.simplex_etf_error(means, mG),
            "dual": measure.self_duality_error(Wt, means, mG), "agree": measure.clf_ncc_agreement(dec),
            "gnc2": kernels.kernel_stats(means, mG)[1], "unc3": measure.similarities(Wt, means, mG).var().item()}


def ours(X, y, W, conventions):
    acc = CollapseAccumulator(K, D, chunk_rows=128)
    for s in range(0, y.size, 500):
        acc.update(X[s:s + 500], y[s:s + 500])
    dec = acc.decisions(W).update(X, y)
    return acc, dec, acc.compute(W, dec, conventions=conventions)


def kappa(acc, weighted):
    M = acc.means
    w = acc.counts if weighted else np.ones(K)
    s = np.linalg.svd(M - (M @ w / w.sum())[:, None], compute_uv=False)[:K - 1]
    return (s[0] / s[-1]) ** 2


def test_reference_numbers_are_reproduced_from_the_definitions(nc):
    counts = [600, 400, 250, 160, 100, 60, 40, 25]  # long-tailed
    X, y, W = features(counts)
    ref = reference(nc, X, y, W)
    acc, dec, res = ours(X, y, W, REFERENCE_CONVENTIONS)
    tol = 100 * kappa(acc, weighted=False) * D * U
    assert res.nc1 == pytest.approx(ref["pinv"], rel=tol)
    for method in ("svd", "quotient"):
        value = acc.compute(W, dec, conventions=Conventions(global_mean="unweighted", nc1=method)).nc1
        assert value == pytest.approx(ref[method], rel=tol)
    assert res.nc2_etf == pytest.approx(ref["etf"], rel=tol)
    assert res.nc3 == pytest.approx(ref["dual"], rel=tol)
    assert res.nc4 == pytest.approx(ref["agree"], rel=1e-12)
    assert res.unc3 == pytest.approx(ref["unc3"], rel=tol)
    assert res.nc1_cdnv == pytest.approx(ref["cdnv"], rel=4 * K * F32)
    # GNC2: the variance of the pairwise distances of the normalised centred means
    B = acc.means - acc.means.mean(axis=1, keepdims=True)
    Un = B / np.linalg.norm(B, axis=0)
    dist = np.array([np.linalg.norm(Un[:, i] - Un[:, j]) for i in range(K) for j in range(i + 1, K)])
    assert res.gnc2 == pytest.approx(ref["gnc2"], abs=4 * K * F32 * dist.max() * np.abs(dist - dist.mean()).max())


def test_where_ours_differs_it_is_the_convention(nc):
    """Project defaults: the global mean weighted by the counts (the mean of all samples, dang2024 Sec. 3)
    and NC4 as disagreement. On long-tailed counts NC1 then differs from the library's default (unweighted
    mean of the class means) by far more than rounding, and equals the library's own NC1 once it is handed
    the weighted mean (its ``compute(weighted=True)`` raises a shape error, so the mean of its own counts and
    means); on balanced counts the two means coincide."""
    X, y, W = features([600, 400, 250, 160, 100, 60, 40, 25])
    acc, dec, res = ours(X, y, W, Conventions())
    ref, ref_w = reference(nc, X, y, W), reference(nc, X, y, W, weighted=True)
    tol = 100 * max(kappa(acc, True), kappa(acc, False)) * D * U
    assert abs(res.nc1 / ref["pinv"] - 1) > 1e3 * tol
    assert res.nc1 == pytest.approx(ref_w["pinv"], rel=tol)
    assert res.nc2_etf == pytest.approx(ref_w["etf"], rel=tol)
    assert res.nc4 == pytest.approx(1 - ref["agree"], abs=1e-12)
    balanced = features([150] * K, seed=1)
    acc_b, dec_b, res_b = ours(*balanced, Conventions())
    assert res_b.nc1 == pytest.approx(reference(nc, *balanced)["pinv"], rel=100 * kappa(acc_b, True) * D * U)
