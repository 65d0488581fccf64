"""``igeom sweep`` on Dask: parallel speed-up, scheduling overhead per task, resume time (issue 14).

Three measurements, printed side by side with the load average before and after (the machine may be
shared; the figures mean little when the load exceeds the core count):

1. CPU-bound grid: ``ufm-train`` with 8 UFM settings (R = 2..9; k=10, k_minor=5, n_min=5, d=20) x 13
   CDT gammas in [-1.5, 1.5] x ``--epochs`` epochs: 8 tasks of 13 batched models. Wall time of
   :func:`proofs_check.sweep.engine.run_sweep` on an embedded LocalCluster with 1 and with 2 worker
   processes (cluster start and stop included), alternated, median of ``--repeats``; ratio 1/2.
   Reference without Dask, same tasks: this process running them one after the other, against a
   2-process ``concurrent.futures`` pool (spawned) running :func:`~proofs_check.sweep.engine.execute`:
   the speed-up the machine itself grants two processes at that moment (on a machine shared through
   per-user CPU shares it stays near 1 whatever the engine).
2. Scheduling overhead: ``--noop`` no-op tasks through :func:`proofs_check.sweep.engine.run_tasks`
   on a warm 2-worker LocalCluster (submit, run, gather, one callback each): wall time per task.
3. Resume: a finished 100-task ``geometry`` sweep (R x gamma = 10 x 10) run again: wall time of
   ``run_sweep`` (read the Parquet file, build and hash the tasks, skip them all), median of 5.

Run: ``python benchmarks/bench_sweep.py [--epochs 6000] [--repeats 3] [--noop 400]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from proofs_check.sweep.engine import run_sweep, run_tasks
from proofs_check.sweep.spec import Task, parse_spec


def grid(epochs: int):
    return parse_spec({"kind": "ufm-train",
                       "grid": {"R": [float(r) for r in range(2, 10)],
                                "gamma": [round(float(g), 6) for g in np.linspace(-1.5, 1.5, 13)]},
                       "fixed": {"loss": "CDT", "k": 10, "k_minor": 5, "n_min": 5, "d": 20, "epochs": epochs}})


def timed_sweep(spec, workers: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        summary = run_sweep(spec, out, workers=workers)
        seconds = time.perf_counter() - t0
    assert summary.counts["ok"] == summary.points, summary
    return seconds


def without_dask(spec) -> tuple[float, float]:
    """Seconds for the tasks run one after the other here, and on a 2-process pool (spawned, warmed up)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from proofs_check.sweep.engine import execute

    tasks = spec.tasks()
    t0 = time.perf_counter()
    for t in tasks:
        execute(t)
    serial = time.perf_counter() - t0
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(noop, tasks[:2]))  # start both processes and import the package before the clock
        t0 = time.perf_counter()
        list(pool.map(execute, tasks))
        parallel = time.perf_counter() - t0
    return serial, parallel


def noop(task: Task) -> list:
    """A task that does nothing (scheduling overhead; pool warm-up)."""
    return []


def overhead(n: int) -> float:
    from distributed import Client, LocalCluster

    tasks = [Task("noop", ({"i": i},), f"{i:016x}") for i in range(n)]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.wait_for_workers(2)
        run_tasks(client, tasks[:20], lambda rows: None, fn=noop)  # warm-up (function shipped, connections open)
        done = []
        t0 = time.perf_counter()
        run_tasks(client, tasks[20:], done.append, fn=noop)
        seconds = time.perf_counter() - t0
    assert len(done) == n - 20
    return seconds / (n - 20)


def resume(repeats: int = 5) -> tuple[float, int]:
    spec = parse_spec({"kind": "geometry", "grid": {"R": [float(r) for r in range(2, 12)],
                                                    "gamma": [round(float(g), 6) for g in np.linspace(-1, 1, 10)]},
                       "fixed": {"loss": "CDT", "k": 10, "k_minor": 5, "method": "numeric"}})
    with tempfile.TemporaryDirectory() as out:
        first = run_sweep(spec, out, workers=2)
        assert first.ran == 100 and first.counts["ok"] == 100, first
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            again = run_sweep(spec, out)
            times.append(time.perf_counter() - t0)
            assert again.ran == 0 and again.skipped == 100
        size = (Path(out) / "results.parquet").stat().st_size
    return statistics.median(times), size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=6000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--noop", type=int, default=400)
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}   load before: {os.getloadavg()}")
    spec = grid(args.epochs)
    one, two = [], []
    for _ in range(args.repeats):
        one.append(timed_sweep(spec, 1))
        two.append(timed_sweep(spec, 2))
    m1, m2 = statistics.median(one), statistics.median(two)
    print(f"grid: {len(spec.tasks())} tasks x 13 models x {args.epochs} epochs   1 worker {m1:.2f} s   "
          f"2 workers {m2:.2f} s   speed-up {m1 / m2:.2f}x   (runs: {[round(t, 2) for t in one]} / "
          f"{[round(t, 2) for t in two]})")
    serial, parallel = without_dask(spec)
    print(f"same grid without Dask: one process {serial:.2f} s   2-process pool {parallel:.2f} s   "
          f"speed-up {serial / parallel:.2f}x")
    per_task = overhead(args.noop)
    print(f"scheduling overhead: {1000 * per_task:.2f} ms per no-op task ({args.noop - 20} tasks, 2 workers)")
    seconds, size = resume()
    print(f"resume of a finished 100-task sweep: {seconds:.3f} s (median of 5; results.parquet {size} bytes)")
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
