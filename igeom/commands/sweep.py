"""``igeom sweep``: run a TOML grid of one task kind on Dask distributed into a Parquet table (issue 14)."""

from __future__ import annotations

import argparse
import sys

from igeom.commands._args import integer
from igeom.commands._guard import add_force_argument


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``sweep``."""
    p = sub.add_parser("sweep", help="run a parameter grid (TOML spec) on Dask into one Parquet table",
                       description="Run every point of the spec's [grid] (Cartesian product, [fixed] values "
                       "added) as Dask tasks: an embedded LocalCluster by default, or an existing scheduler. "
                       "Rows go to DIR/results.parquet as tasks finish; re-running skips finished tasks. "
                       "Exit 1 when a task failed or diverged, 130 on Ctrl-C (finished rows kept).")
    p.add_argument("spec", metavar="SPEC", help="TOML spec: kind, [grid], [fixed]")
    p.add_argument("--scheduler", metavar="ADDRESS", help="address of a running Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--workers", type=integer, default=None,
                   help="worker processes of the embedded LocalCluster (default: number of cores)")
    p.add_argument("--threads-per-worker", type=integer, default=None, metavar="T",
                   help="intra-op threads (torch, OpenMP, MKL, OpenBLAS) of each embedded worker process "
                   "(default 1: N workers use N cores); the training kinds keep their own 1 thread")
    p.add_argument("--out", metavar="DIR", default=None, help="output directory (default: SPEC's name without .toml)")
    p.add_argument("--plot", action="store_true",
                   help="also draw DIR/sweep.png: a phase diagram over the first two grid axes (not seed), or "
                   "curves over the one axis, of the kind's default metric (see 'igeom sweep-plot')")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_force_argument(p)
    return p


def run(args: argparse.Namespace) -> int:
    """Validate the spec, run or resume the sweep, print the summary; exit 1 if any row failed."""
    from pathlib import Path

    import os

    from igeom.sweep.engine import run_sweep
    from igeom.sweep.spec import load_spec, task_estimate
    from theory.core.errors import ComputationError, InputError
    from theory.core.vocabulary import TaskOutcome
    from theory.infra import budget
    from theory.infra.outdir import claim_output

    spec = load_spec(args.spec, args.force)
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers must be >= 1, got {args.workers}")
    if args.threads_per_worker is not None and args.threads_per_worker < 1:
        raise InputError(f"--threads-per-worker must be >= 1, got {args.threads_per_worker}")
    for option, value in (("--workers", args.workers), ("--threads-per-worker", args.threads_per_worker)):
        if args.scheduler is not None and value is not None:
            raise InputError(f"{option} sizes the embedded cluster; it cannot be combined with --scheduler")
    tasks = spec.tasks()
    workers = 0 if args.scheduler is not None else (args.workers or os.cpu_count() or 1)
    seconds, memory = task_estimate(spec, tasks)
    budget.require_within(budget.sweep_grid(sum(len(t.points) for t in tasks), len(tasks), workers, seconds, memory),
                          args.force)
    out = Path(args.out) if args.out is not None else Path(Path(args.spec).stem)
    with claim_output(out, "--out"):  # a second sweep into the same folder is refused, not interleaved
        summary = run_sweep(spec, out, scheduler=args.scheduler, workers=args.workers,
                            threads_per_worker=args.threads_per_worker or 1)
    if args.plot:
        from igeom.sweep.plot import default_figure

        figure = default_figure(spec, summary.results, out / "sweep.png")
        sys.stderr.write(f"igeom: wrote {figure}\n")
    if args.json:
        from theory.infra.jsonout import print_json

        print_json(summary.as_dict())
    else:
        rows = ", ".join(f"{v} {k}" for k, v in summary.counts.items())
        print(f"{spec.kind}: {summary.points} points in {summary.tasks} tasks; ran {summary.ran}, skipped "
              f"{summary.skipped} finished; rows: {rows}")
        print(f"results: {summary.results}")
    bad = summary.counts[str(TaskOutcome.FAILED)] + summary.counts[str(TaskOutcome.DIVERGED)]
    if bad:
        raise ComputationError(f"{bad} of {summary.points} grid points failed or diverged (see the status and "
                               f"error columns of {summary.results})")
    return 0
