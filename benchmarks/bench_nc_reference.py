"""Side by side with the field's reference NC library (issue 24): ``igeom measure`` against
rhubarbwu/neural-collapse's accumulators and against a measured compute floor, on the same features.

Setting: n x d float32 features (default 400,000 x 512) in a ``.npy``, k = 100 classes with long-tailed
counts n_c proportional to rho^(-c/(k-1)) (rho = 100), a classifier W (k x d), NC1-NC4 with two passes and
float64 accumulation in every implementation. Each implementation runs in its own subprocess (peak RSS =
its ru_maxrss from wait4), the repeats interleaved so that all see the same machine load; medians printed
with the load average before and after.

* ``project``: ``igeom measure --features F --labels L --classifier W --loss CE --two-pass --json`` (in
  process through ``igeom.cli.main``): :class:`training.collapse_stream.CollapseAccumulator` (pass 1)
  and :class:`training.collapse_stream.DecisionAccumulator` (pass 2), batches of 16,384 rows read by
  :class:`proofs_check.tasks.feature_files.FeatureSource`, plus the CE prediction and every distance.
* ``reference``: the library's own accumulators, loaded from ``--peer PATH`` (a local checkout; the benchmark
  skips it when absent), ``dtype=torch.float64`` on the CPU: pass 1 ``MeanAccumulator``, pass 2
  ``CovarAccumulator`` and ``DecAccumulator`` (its minimum for NC1-NC4), then ``covariance_ratio``,
  ``simplex_etf_error``, ``self_duality_error``, ``clf_ncc_agreement``. Batches of 16,384 rows, fed as a user
  of a memory-mapped ``.npy`` would (``torch.from_numpy`` of slices of ``np.load(mmap_mode="r")``; the
  mapped pages it touches count in its RSS); ``reference (reader)`` feeds it the project's reader instead
  (what its accumulators alone cost). The project additionally computes the CDNV, GNC2 and UNC3.
* ``floor``: the arithmetic no implementation of these metrics can skip, with nothing else: pass 1 reads
  every batch, casts it to float64 and forms the upper triangle of X^T X (the n d^2 / 2 of the within-class
  scatter, by the fastest kernel found here: MKL block products, ``training.collapse_stream._upper_gram_into``;
  SciPy/OpenBLAS ``dsyrk`` was 2x slower); pass 2 reads, casts and multiplies by the d x 2k matrix
  [M, W^T] (both NC4 decisions, ``dgemm``) and takes the arg-min/max. Same reader, same kernels, no
  centring, no per-class sums, no prediction, no imports beyond NumPy, SciPy and torch.

    python benchmarks/bench_nc_reference.py --peer ../shared/peers/rhubarbwu-neural-collapse \\
        [--rows 400000] [--d 512] [--repeats 3] [--dir /tmp] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

K = 100
RHO = 100.0
BATCH = 16384
CHUNK = 50_000
ROOT = Path(__file__).resolve().parents[1]

PROJECT = r"""
import contextlib, io, json, sys, time
t = time.perf_counter()
from igeom.cli import main
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    rc = main(["measure", "--features", sys.argv[1], "--labels", sys.argv[2], "--classifier", sys.argv[3],
               "--loss", "CE", "--two-pass", "--json"])
obj = json.loads(buf.getvalue())
print(json.dumps({"seconds": time.perf_counter() - t, "rc": rc, "nc1": obj["nc"]["nc1"],
                  "nc4": obj["nc"]["nc4"], "nc2_etf": obj["nc"]["nc2_etf"]}))
"""

REFERENCE = r"""
import json, sys, time
t = time.perf_counter()
import numpy as np, torch as pt
sys.path.insert(0, sys.argv[4])
from neural_collapse.accumulate import CovarAccumulator, DecAccumulator, MeanAccumulator
from neural_collapse.measure import clf_ncc_agreement, covariance_ratio, self_duality_error, simplex_etf_error
feed, B = sys.argv[5], int(sys.argv[6])
y = np.load(sys.argv[2]); W = pt.from_numpy(np.load(sys.argv[3]))
def batches():
    if feed == "mmap":
        X = np.load(sys.argv[1], mmap_mode="r")
        for s in range(0, X.shape[0], B):
            yield pt.from_numpy(np.ascontiguousarray(X[s:s + B])), pt.from_numpy(y[s:s + B])
    else:
        from proofs_check.tasks.feature_files import FeatureSource
        s = 0
        for X in FeatureSource.open(sys.argv[1]).batches(B):
            yield pt.from_numpy(X), pt.from_numpy(y[s:s + X.shape[0]]); s += X.shape[0]
k, d = W.shape
f64 = pt.float64
mean_acc = MeanAccumulator(k, d, "cpu", f64)
for X, Y in batches():
    mean_acc.accumulate(X, Y)
means, mG = mean_acc.compute()
covar = CovarAccumulator(k, d, "cpu", f64, M=means)
dec = DecAccumulator(k, d, "cpu", f64, M=means, W=W)
for X, Y in batches():
    covar.accumulate(X, Y, means)
    dec.accumulate(X, Y, W, means)
Sw = covar.compute()
res = {"nc1": covariance_ratio(Sw, means, mG), "nc2_etf": simplex_etf_error(means, mG),
       "nc3": self_duality_error(W, means, mG), "nc4_agree": clf_ncc_agreement(dec)}
print(json.dumps({"seconds": time.perf_counter() - t, **res}))
"""

FLOOR = r"""
import json, sys, time
t = time.perf_counter()
import numpy as np, torch
from scipy.linalg.blas import dgemm
from proofs_check.tasks.feature_files import FeatureSource
from training.collapse_stream import _upper_gram_into
B = int(sys.argv[6])
W = np.load(sys.argv[3]); k, d = W.shape
src = FeatureSource.open(sys.argv[1])
S = torch.zeros(d, d, dtype=torch.float64)
for X in src.batches(B):
    _upper_gram_into(S, torch.from_numpy(X.astype(np.float64)))
C = np.concatenate([np.ones((d, k)), W.T], axis=1)
hits = 0
for X in src.batches(B):
    P = dgemm(1.0, C.T, X.astype(np.float64).T).T
    hits += int(np.count_nonzero(P[:, :k].argmin(1) == P[:, k:].argmax(1)))
print(json.dumps({"seconds": time.perf_counter() - t, "trace": float(S.trace()), "hits": hits}))
"""


def long_tailed_counts(rows: int, k: int = K, rho: float = RHO):
    """n_c proportional to rho^(-c/(k-1)), summing to ``rows`` (largest remainder), every n_c >= 1."""
    import numpy as np

    w = rho ** (-np.arange(k) / (k - 1))
    raw = rows * w / w.sum()
    n = np.maximum(np.floor(raw).astype(np.int64), 1)
    n[np.argsort(raw - np.floor(raw))[::-1][: rows - n.sum()]] += 1
    return n


def write_data(folder: Path, rows: int, d: int, seed: int = 0) -> tuple[Path, Path, Path]:
    """Features (written chunk by chunk, never whole in memory), labels and a classifier near the centred
    means (so NC4 is neither 0 nor 1)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    counts = long_tailed_counts(rows)
    labels = rng.permutation(np.repeat(np.arange(K), counts))
    centres = (2.0 * rng.standard_normal((K, d))).astype(np.float32)
    feats, lab, clf = folder / "features.npy", folder / "labels.npy", folder / "classifier.npy"
    np.save(lab, labels)
    W = centres - centres.mean(axis=0) + 4.0 * rng.standard_normal((K, d)).astype(np.float32)
    np.save(clf, W.astype(np.float64))
    with open(feats, "wb") as fh:
        np.lib.format.write_array_header_1_0(fh, {"descr": "<f4", "fortran_order": False, "shape": (rows, d)})
        for start in range(0, rows, CHUNK):
            y = labels[start:start + CHUNK]
            (centres[y] + 3.0 * rng.standard_normal((y.size, d), dtype=np.float32)).tofile(fh)
    return feats, lab, clf


def run_once(script: str, files: tuple[Path, Path, Path], peer: str, feed: str, threads: int) -> dict:
    """One subprocess: its JSON line plus peak RSS (MB) and CPU seconds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if threads:
        env.update(OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    proc = subprocess.Popen([sys.executable, "-c", script, *map(str, files), peer, feed, str(BATCH)],
                            stdout=subprocess.PIPE, cwd=ROOT, env=env)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"benchmark subprocess failed with status {status}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", default=str(ROOT.parent / "shared" / "peers" / "rhubarbwu-neural-collapse"),
                        help="local checkout of github.com/rhubarbwu/neural-collapse (skipped when absent)")
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--d", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--threads", type=int, default=0, help="BLAS/OpenMP threads (default: the libraries' own)")
    parser.add_argument("--no-reader-variant", action="store_true", help="skip 'reference (reader)'")
    args = parser.parse_args(argv)
    peer = Path(args.peer)
    have_peer = (peer / "neural_collapse" / "accumulate.py").is_file()
    if not have_peer:
        print(f"reference library not found at {peer}: timing the project and the floor only")
    impls = {"project": (PROJECT, "-"), "floor": (FLOOR, "-")}
    if have_peer:
        impls["reference"] = (REFERENCE, "mmap")
        if not args.no_reader_variant:
            impls["reference (reader)"] = (REFERENCE, "reader")
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench_nc_ref_") as tmp:
        t = time.perf_counter()
        files = write_data(Path(tmp), args.rows, args.d)
        size = files[0].stat().st_size
        print(f"data: {args.rows} x {args.d} float32 ({size / 1e9:.2f} GB), k = {K}, counts {RHO:g}:1 long-tailed, "
              f"written in {time.perf_counter() - t:.0f} s; batches of {BATCH} rows; {os.cpu_count()} cores")
        load0 = os.getloadavg()
        runs: dict[str, list[dict]] = {name: [] for name in impls}
        for _ in range(args.repeats):
            for name, (script, feed) in impls.items():
                runs[name].append(run_once(script, files, str(peer), feed, args.threads))
        load1 = os.getloadavg()
    print(f"load average (1, 5, 15 min) before: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}; after: "
          f"{load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}; median of {args.repeats}")
    med = {name: {key: statistics.median(r[key] for r in rs) for key in ("seconds", "cpu_s", "peak_mb")}
           for name, rs in runs.items()}
    print(f"{'implementation':<20} {'wall s':>8} {'cpu s':>8} {'peak MB':>9}   walls")
    for name, m in med.items():
        walls = " ".join(f"{r['seconds']:.1f}" for r in runs[name])
        print(f"{name:<20} {m['seconds']:8.1f} {m['cpu_s']:8.1f} {m['peak_mb']:9.0f}   {walls}")
    p = med["project"]
    print(f"project / floor wall: {p['seconds'] / med['floor']['seconds']:.2f} (target <= 2)")
    if have_peer:
        r = runs["project"][0]
        for name in [n for n in impls if n.startswith("reference")]:
            q = med[name]
            print(f"{name} / project: wall {q['seconds'] / p['seconds']:.2f}x (target >= 3), "
                  f"peak memory {q['peak_mb'] / p['peak_mb']:.2f}x (target >= 4)")
        ref = runs["reference"][0]
        print(f"NC1 project {r['nc1']:.8g} (weighted global mean) vs reference {ref['nc1']:.8g} (unweighted): "
              f"relative {abs(ref['nc1'] / r['nc1'] - 1):.2e}; NC4 disagreement {r['nc4']:.6f} vs 1 - agreement "
              f"{1 - ref['nc4_agree']:.6f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
