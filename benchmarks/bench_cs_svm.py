"""Benchmark of numerics.cs_svm against a naive per-constraint cvxpy formulation of the same program.

Cases (issue 3): the full sample-level CS-SVM at the paper's UFM size (behnia2023 App. A.1: k = 10,
R = 10, n_min = 5, n = 275; targets <= 2 s and <= 2 GB) and the class-level program for k = 100
(target <= 5 s), both CDT with Delta = sqrt(R) (gamma = 1/2).

* ours: ``solve_cs_svm`` (vectorised margins L vec(Z) >= 1, block Schur form of the nuclear norm,
  SCS eps = 1e-8), end to end: problem construction, compilation, solve, KKT certificate.
* normnuc: ``cp.normNuc`` (one (k + n)-dimensional PSD cone) with the same vectorised margins; isolates
  the gain of the block form.
* naive: ``cp.normNuc`` with one Python constraint object per (sample, class) pair.

normnuc and naive use SCS with the same eps and scale and skip the certificate.

Each (case, implementation) runs in its own subprocess, so its peak resident memory (ru_maxrss) is
its own; the baseline after imports is printed too. Times are medians of several runs (wall
clock and process CPU time: on a shared machine wall time includes waiting for a core).

    python benchmarks/bench_cs_svm.py [--repeats 5] [--naive-repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

CASES = {
    "full k=10 n=275": {"k": 10, "k_minor": 5, "R": 10, "n_min": 5, "reduced": False, "target_s": 2.0},
    "reduced k=100": {"k": 100, "k_minor": 50, "R": 10, "n_min": 5, "reduced": True, "target_s": 5.0},
}


def _setting(case: dict):
    import numpy as np

    from theory.seli.seli_geometry import step_counts
    from theory.core.imbalance import Imbalance
    from theory.core.parameterization import Parameterization
    from theory.seli.step_setting import step_delta

    k, km, R, n_min = case["k"], case["k_minor"], case["R"], case["n_min"]
    param = Parameterization.cdt(step_delta(k, km, float(np.sqrt(R))))
    counts = step_counts(k, km, R, n_min) if case["reduced"] else Imbalance.step(k, km, R, n_min)
    return counts, param


def _normnuc(counts, param, reduced: bool, vectorised: bool = True) -> float:
    """2 normNuc(Z D) (one (k + m)-dimensional PSD cone); margins as one vectorised constraint or,
    for the naive baseline, one scalar constraint per (column, other class) built in a Python loop."""
    import cvxpy as cp
    import numpy as np

    from numerics.cs_svm import SCS_SCALE
    from theory.seli.cs_svm_problem import CSSVMProblem

    program = CSSVMProblem(counts, param, reduced)
    labels, weights = program.labels, program.weights
    A, k = param.scaling, param.k
    Z = cp.Variable((k, labels.size))
    if vectorised:
        constraints = [param.margin_operator(labels) @ cp.vec(Z, order="F") >= 1]
    else:
        constraints = [A[y, y] * Z[y, i] - A[y, c] * Z[c, i] >= 1
                       for i, y in enumerate(labels) for c in range(k) if c != y]
    objective = 2 * cp.normNuc(Z @ np.diag(weights))
    problem = cp.Problem(cp.Minimize(objective), constraints)
    problem.solve(solver="SCS", eps_abs=1e-8, eps_rel=1e-8, max_iters=100_000, scale=SCS_SCALE[reduced])
    if problem.status != cp.OPTIMAL:
        raise RuntimeError(f"normNuc formulation: status {problem.status}")
    return float(problem.value)


def _ours(counts, param, reduced: bool) -> float:
    from numerics.cs_svm import solve_cs_svm

    return solve_cs_svm(counts, param, reduced=reduced).objective


def _child(case_name: str, impl: str, repeats: int) -> None:
    """Run one (case, implementation) ``repeats`` times; print one JSON line."""
    case = CASES[case_name]
    counts, param = _setting(case)
    import cvxpy  # noqa: F401  (imports before the baseline measurement)

    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    fn = {"ours": _ours, "normnuc": _normnuc,
          "naive": lambda *a: _normnuc(*a, vectorised=False)}[impl]
    wall, cpu, values = [], [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        values.append(fn(counts, param, case["reduced"]))
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(json.dumps({"wall": wall, "cpu": cpu, "value": values[-1], "baseline_mb": baseline_mb,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _measure(case_name: str, impl: str, repeats: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", case_name, impl, "--repeats", str(repeats)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of ours per case (median reported)")
    parser.add_argument("--naive-repeats", type=int, default=3,
                        help="runs of the naive formulation per case (about 1 min each at k = 100)")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "IMPL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], args.repeats)
        return
    print(f"load average before: {os.getloadavg()[0]:.2f}; medians of {args.repeats} (ours) and "
          f"{args.naive_repeats} (naive) runs; naive = normNuc + one constraint per (sample, class)")
    header = (f"{'case':18}{'impl':7}{'wall s':>9}{'cpu s':>9}{'peak MB':>9}{'base MB':>9}"
              f"{'objective':>16}{'target':>9}")
    print(header)
    results = {}
    for name, case in CASES.items():
        for impl in ("ours", "normnuc", "naive"):
            r = _measure(name, impl, args.naive_repeats if impl == "naive" else args.repeats)
            results[name, impl] = r
            target = f"<= {case['target_s']:g} s" if impl == "ours" else ""
            print(f"{name:18}{impl:7}{statistics.median(r['wall']):9.3f}{statistics.median(r['cpu']):9.3f}"
                  f"{r['peak_mb']:9.0f}{r['baseline_mb']:9.0f}{r['value']:16.10f}"
                  f"{target:>9}", flush=True)
    print()
    print(f"{'case':18}{'vs ours':9}{'wall ratio':>12}{'cpu ratio':>12}{'peak ratio':>12}{'|obj diff|/obj':>16}")
    for name in CASES:
        o = results[name, "ours"]
        for impl in ("normnuc", "naive"):
            n = results[name, impl]
            ratio = lambda key: statistics.median(n[key]) / statistics.median(o[key])  # noqa: E731
            print(f"{name:18}{impl:9}{ratio('wall'):12.2f}{ratio('cpu'):12.2f}{n['peak_mb'] / o['peak_mb']:12.2f}"
                  f"{abs(n['value'] - o['value']) / o['value']:16.2e}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main()
