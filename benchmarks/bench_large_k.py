"""Benchmark: certified class-level prediction at large k, active-set Newton against the SCS route.

Issue 12 part 4: the geometry of a positive logit-scaling matrix A at k = 250, 500, 1000 (target: k = 1000
in <= 30 s and <= 2 GB). Setting: long-tailed counts n_c = round(1000 * 100^(-c/(k-1))) (ImageNet-LT-like,
1000 down to 10) and a near-CDT matrix A[y,c] = (n_c/n_max)^(1/2) u_yc with u_yc uniform in [0.9, 1.1]
(seeded; no closed form, every margin active); ``--kind random`` uses A uniform in [0.8, 1.25] instead
(a few margins inactive at the optimum).

* newton: ``numerics.large_k.solve_large_k`` + ``geometry()`` (what ``igeom check-param --predict-only``
  runs above ``proofs_check.tasks.parameterization_check.LARGE_K_MIN``), KKT certificate included.
* scs: ``numerics.cs_svm.solve_cs_svm(..., reduced=True)`` + ``geometry()``, the route before; run only
  for k <= ``--scs-max-k`` (its time grows like k^2.4 and its memory like k^2: 36 s / 1.1 GB at k = 400).

Each (k, solver) runs in its own subprocess (peak resident memory ru_maxrss is its own); times are
medians of ``--repeats`` runs, wall clock and process CPU time (on a shared machine wall time includes
waiting for a core; CPU time does not).

``--compare-with DIR`` also times the Newton solver of another checkout of the project (the before/after
of a change), each (k, solver) in its own subprocess as above.

    python benchmarks/bench_large_k.py [--sizes 250 500 1000] [--repeats 3] [--scs-max-k 250] [--kind near-CDT]
                                       [--compare-with DIR]
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


def setting(k: int, kind: str):
    """(counts, Parameterization) of the module docstring."""
    import numpy as np

    from theory.core.parameterization import Parameterization

    rng = np.random.default_rng(k)
    counts = np.round(1000.0 * 100.0 ** (-np.arange(k) / (k - 1)))
    if kind == "near-CDT":
        A = np.tile((counts / counts.max()) ** 0.5, (k, 1)) * rng.uniform(0.9, 1.1, size=(k, k))
    elif kind == "random":
        A = rng.uniform(0.8, 1.25, size=(k, k))
    else:
        raise SystemExit(f"unknown --kind {kind!r}")
    return counts, Parameterization.custom(A)


def _child(k: int, solver: str, kind: str, repeats: int) -> None:
    """Run one (k, solver) ``repeats`` times; print one JSON line."""
    from numerics.cs_svm import solve_cs_svm
    from numerics.large_k import solve_large_k

    counts, param = setting(k, kind)
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        sol = solve_large_k(counts, param) if solver == "newton" else solve_cs_svm(counts, param, reduced=True)
        sol.geometry()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(json.dumps({"wall": wall, "cpu": cpu, "objective": sol.objective, "gap": sol.certificate.relative_gap,
                      "iterations": sol.iterations, "baseline_mb": baseline_mb,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _measure(k: int, solver: str, kind: str, repeats: int, source: str | None = None) -> dict:
    """One (k, solver) subprocess; ``source``: another checkout of the project whose solver is timed."""
    script = os.path.join(source, "benchmarks", "bench_large_k.py") if source else __file__
    env = {**os.environ, "PYTHONPATH": source} if source else None
    proc = subprocess.run([sys.executable, script, "--child", str(k), solver, "--kind", kind,
                           "--repeats", str(repeats)], capture_output=True, text=True, check=True, env=env)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000])
    parser.add_argument("--repeats", type=int, default=3, help="runs per (k, solver); the median is reported")
    parser.add_argument("--scs-max-k", type=int, default=250, help="largest k given to the SCS route")
    parser.add_argument("--kind", default="near-CDT", choices=["near-CDT", "random"])
    parser.add_argument("--compare-with", metavar="DIR",
                        help="another checkout of the project (e.g. `git worktree add DIR COMMIT`): its Newton "
                        "solver is timed beside this one as 'newton (DIR)'")
    parser.add_argument("--child", nargs=2, metavar=("K", "SOLVER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(int(args.child[0]), args.child[1], args.kind, args.repeats)
        return
    print(f"load average before: {os.getloadavg()[0]:.2f}; A = {args.kind}; medians of {args.repeats} runs; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    solvers = ["newton"] + ([f"newton ({os.path.basename(os.path.abspath(args.compare_with))})"]
                            if args.compare_with else []) + ["scs"]
    width = max(map(len, solvers))
    print(f"{'k':>5} {'solver':{width}}{'wall s':>9}{'cpu s':>9}{'peak MB':>9}{'base MB':>9}{'Newton its':>11}"
          f"{'rel. gap':>10}{'objective':>20}")
    results = {}
    for k in args.sizes:
        for solver in solvers:
            if solver == "scs" and k > args.scs_max_k:
                print(f"{k:5d} {solver:{width}}  skipped (k > --scs-max-k {args.scs_max_k})", flush=True)
                continue
            other = args.compare_with if solver.startswith("newton (") else None
            r = results[k, solver] = _measure(k, solver.split()[0], args.kind, args.repeats,
                                              os.path.abspath(other) if other else None)
            print(f"{k:5d} {solver:{width}}{statistics.median(r['wall']):9.2f}{statistics.median(r['cpu']):9.2f}"
                  f"{r['peak_mb']:9.0f}{r['baseline_mb']:9.0f}{str(r['iterations']):>11}{r['gap']:10.1e}"
                  f"{r['objective']:20.10f}", flush=True)
    for k in args.sizes:
        if len(solvers) == 3 and (k, solvers[1]) in results:
            n, o = results[k, "newton"], results[k, solvers[1]]
            print(f"k = {k}: {solvers[1]} / newton  "
                  f"wall {statistics.median(o['wall']) / statistics.median(n['wall']):.2f}x  "
                  f"cpu {statistics.median(o['cpu']) / statistics.median(n['cpu']):.2f}x  "
                  f"|objective difference| / objective {abs(o['objective'] - n['objective']) / n['objective']:.1e}")
        if (k, "scs") in results:
            n, s = results[k, "newton"], results[k, "scs"]
            ratio = lambda key: statistics.median(s[key]) / statistics.median(n[key])  # noqa: E731
            print(f"k = {k}: SCS / Newton  wall {ratio('wall'):.1f}x  cpu {ratio('cpu'):.1f}x  "
                  f"peak memory {s['peak_mb'] / n['peak_mb']:.1f}x  "
                  f"|objective difference| / objective {abs(s['objective'] - n['objective']) / n['objective']:.1e}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main()
