"""Benchmark of ``igeom measure``'s streaming NC statistics against a one-shot numpy implementation (issue 12).

Data: an n x d float32 ``.npy`` (default 2,000,000 x 512 = 4.1 GB) of k = 100 classes (class centres plus
unit Gaussian noise, labels uniform) written in chunks to a temporary directory (default /tmp) and deleted
at the end. Targets: streaming peak RSS <= 1 GB and throughput >= 200 MB/s.

* streaming: :func:`proofs_check.tasks.feature_measurement.measure` over :class:`proofs_check.tasks.feature_files.FeatureSource`
  (row batches read from the file, ClassStatistics in float64: class means, within-class scatter by
  Chan's update, NC1 through the d x k pseudo-inverse), end to end with the CE prediction.
* one-shot: the way common NC-metric code does it: ``np.load`` the whole matrix, per class
  ``X[y == c]`` in float64 -> mean and scatter, Sigma_B, and ``trace(Sigma_W @ pinv(Sigma_B)) / k`` with
  the d x d pseudo-inverse (float64 throughout: in float32 the pseudo-inverse of the rank-(k-1) Sigma_B
  inverts rounding noise and NC1 comes out wrong by orders of magnitude, measured).

Each run is its own subprocess, so its peak resident memory (ru_maxrss from wait4) is its own. Times are
medians over ``--repeats`` runs (wall clock and CPU time; on a shared machine wall time includes waiting
for a core, so the load average is printed with the results). Both NC1 values are printed: they agree to
rounding.

``--compare-with DIR`` times another checkout's streaming route in the same interleaved runs (the
before/after of a change). MB/s cpu = file size / CPU seconds of the process.

    python benchmarks/bench_measure.py [--rows 2000000] [--d 512] [--repeats 3] [--threads N] [--dir /tmp]
                                       [--compare-with DIR] [--skip-one-shot]
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
CHUNK = 100_000
ROOT = Path(__file__).resolve().parents[1]

STREAMING = """
import json, sys, time, numpy as np
from proofs_check.tasks.feature_files import FeatureSource
from proofs_check.tasks.feature_measurement import PredictionSpec, measure
t = time.perf_counter()
res = measure(FeatureSource.open(sys.argv[1]), np.load(sys.argv[2]), None, PredictionSpec("CE"))
print(json.dumps({"seconds": time.perf_counter() - t, "nc1": res.nc["nc1"]}))
"""

ONE_SHOT = """
import json, sys, time, numpy as np
t = time.perf_counter()
X = np.load(sys.argv[1])
y = np.load(sys.argv[2])
k, d = int(y.max()) + 1, X.shape[1]
means = np.zeros((k, d))
sigma_w = np.zeros((d, d))
for c in range(k):
    Xc = X[y == c].astype(np.float64)
    means[c] = Xc.mean(axis=0)
    Xc -= means[c]
    sigma_w += Xc.T @ Xc
sigma_w /= X.shape[0]
B = means - X.mean(axis=0, dtype=np.float64)
sigma_b = B.T @ B / k
nc1 = float(np.trace(sigma_w @ np.linalg.pinv(sigma_b)) / k)
print(json.dumps({"seconds": time.perf_counter() - t, "nc1": nc1}))
"""


def write_features(path: Path, rows: int, d: int, seed: int = 0) -> Path:
    """n x d float32 .npy written chunk by chunk (never whole in memory) and the labels beside it."""
    import numpy as np

    rng = np.random.default_rng(seed)
    centres = (3.0 * rng.standard_normal((K, d))).astype(np.float32)
    labels = rng.integers(0, K, rows)
    np.save(path.with_name("labels.npy"), labels)
    with open(path, "wb") as fh:
        np.lib.format.write_array_header_1_0(fh, {"descr": "<f4", "fortran_order": False, "shape": (rows, d)})
        for start in range(0, rows, CHUNK):
            y = labels[start:start + CHUNK]
            (centres[y] + rng.standard_normal((y.size, d), dtype=np.float32)).tofile(fh)
    return path


def run_once(script: str, features: Path, threads: int, source: Path = ROOT) -> dict:
    """One subprocess (BLAS limited to ``threads``, the project imported from ``source``): its JSON result
    plus its peak RSS and CPU seconds."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(threads), "OMP_NUM_THREADS": str(threads),
           "PYTHONPATH": str(source)}
    proc = subprocess.Popen([sys.executable, "-c", script, str(features), str(features.with_name("labels.npy"))],
                            stdout=subprocess.PIPE, cwd=source, env=env)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"benchmark subprocess failed with status {status}")
    result = json.loads(out)
    result["peak_rss_gb"] = usage.ru_maxrss * 1024 / 1e9
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    return result


def main(argv: list[str] | None = None) -> int:
    """Write the data, time both implementations, print a table, delete the data."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--d", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="BLAS threads of both implementations (default: every core; on an oversubscribed "
                        "machine 1 thread was measured 2.3x faster than 2)")
    parser.add_argument("--skip-one-shot", action="store_true", help="time the streaming route only")
    parser.add_argument("--compare-with", type=Path, metavar="DIR",
                        help="another checkout of the project (e.g. `git worktree add DIR COMMIT`): its streaming "
                        "route is timed in the same runs, interleaved, as 'streaming (DIR)'")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench_measure_") as tmp:
        features = Path(tmp) / "features.npy"
        t = time.perf_counter()
        write_features(features, args.rows, args.d)
        size = features.stat().st_size
        print(f"data: {args.rows} x {args.d} float32, {size / 1e9:.2f} GB, k = {K} (written in {time.perf_counter() - t:.0f} s)")
        impls = {"streaming": (STREAMING, ROOT)}
        if args.compare_with:
            impls[f"streaming ({args.compare_with.name})"] = (STREAMING, args.compare_with.resolve())
        if not args.skip_one_shot:
            impls["one-shot"] = (ONE_SHOT, ROOT)
        runs: dict[str, list[dict]] = {name: [] for name in impls}
        for _ in range(args.repeats):  # interleaved, so all see the same machine load
            for name, (script, source) in impls.items():
                runs[name].append(run_once(script, features, args.threads, source))
        print(f"load average after the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {args.threads} BLAS thread(s); "
              f"median of {args.repeats} run(s)")
        width = max(map(len, impls))
        print(f"{'implementation':<{width}} {'wall s':>8} {'cpu s':>8} {'MB/s':>8} {'MB/s cpu':>9} {'peak RSS GB':>12} {'NC1':>14}")
        med = {}
        for name, rs in runs.items():
            wall = statistics.median(r["seconds"] for r in rs)
            cpu = statistics.median(r["cpu_s"] for r in rs)
            med[name] = wall
            print(f"{name:<{width}} {wall:8.1f} {cpu:8.1f} {size / wall / 1e6:8.0f} {size / cpu / 1e6:9.0f} "
                  f"{max(r['peak_rss_gb'] for r in rs):12.2f} {rs[0]['nc1']:14.8g}")
        cpu_med = {name: statistics.median(r["cpu_s"] for r in rs) for name, rs in runs.items()}
        for name in med:
            if name.startswith("streaming ("):
                print(f"{name} / streaming: wall-time ratio {med[name] / med['streaming']:.2f}, CPU-time ratio "
                      f"{cpu_med[name] / cpu_med['streaming']:.2f}; NC1 relative difference "
                      f"{abs(runs[name][0]['nc1'] / runs['streaming'][0]['nc1'] - 1):.1e}")
        if "one-shot" in med:
            print(f"one-shot / streaming wall-time ratio: {med['one-shot'] / med['streaming']:.2f}; "
                  f"NC1 relative difference {abs(runs['one-shot'][0]['nc1'] / runs['streaming'][0]['nc1'] - 1):.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
