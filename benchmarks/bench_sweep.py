"""``igeom sweep`` on Dask: parallel speed-up, scheduling overhead per task, resume time (issue 14).

Three measurements, printed side by side with the load average before and after (the machine may be
shared; the figures mean little when the load exceeds the core count):

1. CPU-bound grid: ``ufm-train`` with 8 UFM settings (R = 2..9; k=10, k_minor=5, n_min=5, d=20) x 13
   CDT gammas in [-1.5, 1.5] x ``--epochs`` epochs: 8 tasks of 13 batched models, with 1 and with 2
   embedded workers (``--threads-per-worker 1``), alternated, median of ``--repeats``; ratio 1/2.
   (a) whole ``igeom sweep SPEC --workers N`` commands, each a fresh process: wall time and CPU-seconds
   of the process and all its children (imports, cluster start and stop included);
   (b) :func:`igeom.sweep.engine.run_sweep` in this process (cluster start and stop included),
   after one warm-up cluster so that neither side pays the forkserver's one-time imports.
   Reference without Dask, same tasks: this process running them one after the other, against a
   2-process ``concurrent.futures`` pool (spawned) running :func:`~igeom.sweep.engine.execute`:
   the speed-up the machine itself grants two processes at that moment (on a machine shared through
   per-user CPU shares it stays near 1 whatever the engine).
2. Scheduling overhead: ``--noop`` no-op tasks through :func:`igeom.sweep.engine.run_tasks`
   on a warm 2-worker LocalCluster (submit, run, gather, one callback each): wall time per task.
3. Resume: a finished 100-task ``geometry`` sweep (R x gamma = 10 x 10) run again: wall time of
   ``run_sweep`` (read the Parquet file, build and hash the tasks, skip them all), median of 5.

Run: ``python benchmarks/bench_sweep.py [--epochs 6000] [--repeats 3] [--noop 400]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from igeom.sweep.engine import dask_client, run_sweep, run_tasks
from igeom.sweep.spec import Task, parse_spec

ROOT = Path(__file__).resolve().parents[1]


def grid_dict(epochs: int) -> dict:
    return {"kind": "ufm-train",
            "grid": {"R": [float(r) for r in range(2, 10)],
                     "gamma": [round(float(g), 6) for g in np.linspace(-1.5, 1.5, 13)]},
            "fixed": {"loss": "CDT", "k": 10, "k_minor": 5, "n_min": 5, "d": 20, "epochs": epochs}}


def grid(epochs: int):
    return parse_spec(grid_dict(epochs))


def toml_text(spec: dict) -> str:
    """TOML of a spec with scalar and flat-list values."""
    import json

    lines = [f'kind = "{spec["kind"]}"']
    for table in ("grid", "fixed"):
        lines.append(f"[{table}]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in spec[table].items()]
    return "\n".join(lines) + "\n"


def adopt_orphans() -> None:
    """Make this process the reaper of its orphaned descendants (Linux ``PR_SET_CHILD_SUBREAPER``): a sweep's
    forkserver outlives the command by a moment, and its CPU time counts only once someone waits for it."""
    import ctypes

    if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def timed_command(spec_path: Path, workers: int) -> tuple[float, float]:
    """Wall seconds of one ``igeom sweep`` command and the CPU-seconds (user + system) of it and all its
    descendants (reaped here after it exits; see :func:`adopt_orphans`)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "igeom.cli", "sweep", str(spec_path), "--workers", str(workers),
                        "--threads-per-worker", "1", "--out", out], check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        seconds = time.perf_counter() - t0
    while True:  # the orphans (forkserver) exit once the command has gone
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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

    from igeom.sweep.engine import execute

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
    tasks = [Task("noop", ({"i": i},), f"{i:016x}") for i in range(n)]
    with dask_client(workers=2) as client:
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
    adopt_orphans()
    with tempfile.TemporaryDirectory() as tmp:
        spec_path = Path(tmp) / "grid.toml"
        spec_path.write_text(toml_text(grid_dict(args.epochs)))
        runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
        for _ in range(args.repeats):
            for n in (1, 2):
                runs[n].append(timed_command(spec_path, n))
    (w1, c1), (w2, c2) = ([statistics.median(x) for x in zip(*runs[n])] for n in (1, 2))
    print(f"grid: {len(spec.tasks())} tasks x 13 models x {args.epochs} epochs, whole 'igeom sweep' commands: "
          f"1 worker {w1:.2f} s ({c1:.1f} CPU-s)   2 workers {w2:.2f} s ({c2:.1f} CPU-s)   speed-up {w1 / w2:.2f}x   "
          f"(runs: {[round(t, 2) for t, _ in runs[1]]} / {[round(t, 2) for t, _ in runs[2]]})")
    print(f"load: {os.getloadavg()}")
    with dask_client(workers=1, modules=spec.task_kind.modules):  # start the forkserver (its imports) once
        pass
    one, two = [], []
    for _ in range(args.repeats):
        one.append(timed_sweep(spec, 1))
        two.append(timed_sweep(spec, 2))
    m1, m2 = statistics.median(one), statistics.median(two)
    print(f"same grid, run_sweep in this process (warm forkserver): 1 worker {m1:.2f} s   2 workers {m2:.2f} s   "
          f"speed-up {m1 / m2:.2f}x   (runs: {[round(t, 2) for t in one]} / {[round(t, 2) for t in two]})")
    print(f"load: {os.getloadavg()}")
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
