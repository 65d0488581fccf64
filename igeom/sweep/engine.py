"""Run the tasks of a sweep on Dask distributed and record their rows as they finish.

Without a scheduler address an embedded :class:`distributed.LocalCluster` (worker processes running
one task at a time, bound to 127.0.0.1, no dashboard; its HTTP endpoint on a free loopback port, not 8787) starts and stops with the sweep; with one, the sweep
connects to that scheduler (``dask scheduler`` / ``dask worker``, or a ``dask-jobqueue`` cluster). Every
task is submitted under the key ``KIND-HASH`` (:func:`igeom.sweep.spec.task_key`). A task whose
computation raises (``ComputationError`` or any other exception) returns rows with status ``failed``
and its message; the other tasks go on. A worker that dies mid-task is replaced (its nanny restarts
it) and the scheduler reruns the task elsewhere; only a task that kills
``distributed.scheduler.allowed-failures`` workers is recorded as failed. Finished tasks are skipped
on a re-run (:class:`igeom.sweep.results.ResultStore`); when nothing is left no cluster starts.

Embedded workers (:func:`dask_client`): each process gets ``threads_per_worker`` intra-op threads (torch,
OpenMP, MKL, OpenBLAS; default 1, so N workers use N cores and no more): the environment variables of
the worker process (they override the caller's) and :class:`~igeom.sweep.workers.ThreadLimit`
(``torch.set_num_threads`` and threadpoolctl) when its worker starts. The processes are forked from a
``forkserver`` that imports the kind's modules (:attr:`igeom.sweep.kinds.Kind.modules`: torch,
SymPy, ...) once, instead of every spawned worker importing them again: with ``spawn`` each extra
worker repeated ~5 s of imports on the CPUs the tasks need, and closing a cluster took 2-4 s against 0.05 s.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from igeom.sweep.kinds import KINDS
from igeom.sweep.results import ResultStore, column_value
from igeom.sweep.spec import SweepSpec, Task
from theory.core.errors import InputError
from theory.core.vocabulary import TaskOutcome


@dataclass(frozen=True)
class SweepSummary:
    """What one invocation did: tasks and points in the spec, tasks run and skipped, outcome counts."""

    results: Path
    tasks: int
    points: int
    ran: int
    skipped: int
    counts: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of ``igeom sweep --json``."""
        return {"results": str(self.results), "tasks": self.tasks, "points": self.points, "ran": self.ran,
                "skipped": self.skipped, "rows": {str(k): v for k, v in self.counts.items()}}


def one_line(exc: BaseException) -> str:
    """``exc`` as one line: its message (prefixed by the type unless a ComputationError)."""
    from theory.core.errors import ComputationError

    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if isinstance(exc, ComputationError) else f"{type(exc).__name__}: {text}"


def rows_of(task: Task, metrics: Sequence[dict[str, Any]] | None, seconds: float,
            error: BaseException | None = None) -> list[dict[str, Any]]:
    """The result rows of ``task``: parameters, metrics, status, error, seconds, task hash, kind."""
    out = []
    for i, point in enumerate(task.points):
        m = dict(metrics[i]) if metrics is not None else {}
        status = m.pop("status", TaskOutcome.OK if error is None else TaskOutcome.FAILED)
        message = m.pop("error", None if error is None else one_line(error))
        out.append({**{k: column_value(v) for k, v in point.items()}, **m, "status": str(status),
                    "error": message, "seconds": seconds, "task": task.key, "kind": task.kind})
    return out


def execute(task: Task) -> list[dict[str, Any]]:
    """Run one task where it is called (a Dask worker or this process); failures become ``failed`` rows."""
    start = time.perf_counter()
    try:
        metrics = KINDS[task.kind].run(task.points)
    except Exception as exc:  # noqa: BLE001 - isolate the task: record its message, let the sweep go on
        return rows_of(task, None, time.perf_counter() - start, exc)
    return rows_of(task, metrics, time.perf_counter() - start)


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None, threads_per_worker: int = 1,
                modules: Sequence[str] = ()) -> Iterator[Any]:
    """A :class:`distributed.Client` on ``scheduler`` or on an embedded LocalCluster of ``workers`` processes
    with ``threads_per_worker`` intra-op threads each, forked from a server that imported ``modules``."""
    import dask
    from distributed import Client, LocalCluster

    from igeom.sweep.workers import THREAD_VARIABLES, ThreadLimit, forkserver_preload

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except Exception as exc:  # noqa: BLE001 - OSError (closed port), ValueError / TypeError (not an address)
            raise InputError(f"--scheduler {scheduler!r}: cannot connect to a Dask scheduler there "
                             f"({one_line(exc)})") from None
        with client:
            yield client
        return
    n = (os.cpu_count() or 1) if workers is None else workers
    if n < 1:
        raise InputError(f"--workers must be >= 1, got {n}")
    if threads_per_worker < 1:
        raise InputError(f"--threads-per-worker must be >= 1, got {threads_per_worker}")
    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        forkserver_preload(modules)
        from distributed.deploy.spec import SpecCluster

        before = set(SpecCluster._instances)
        try:
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL,  # None binds :8787
                                   env=dict.fromkeys(THREAD_VARIABLES, str(threads_per_worker)),
                                   plugins=(ThreadLimit(threads_per_worker),))
            with Client(cluster) as client:
                yield client
        finally:  # also a cluster whose start was interrupted (it registered itself before it was returned)
            for started in set(SpecCluster._instances) - before:
                _close_quietly(started)


def _close_quietly(cluster: Any) -> None:
    """Close an embedded cluster; after Ctrl-C a worker caught mid-restart makes ``close`` fail (an
    assertion on its status), and distributed's atexit hook would then print that traceback: the
    failure is dropped (the workers are children of this process and die with it) and the cluster is
    taken off the atexit list."""
    from distributed.deploy.spec import SpecCluster

    try:
        cluster.close(timeout=10)
    except BaseException:  # noqa: BLE001 - shutting down after an interrupt: nothing left to report
        pass
    SpecCluster._instances.discard(cluster)


def run_tasks(client: Any, tasks: Sequence[Task], on_rows: Callable[[list[dict[str, Any]]], None],
              fn: Callable[[Task], list[dict[str, Any]]] = execute) -> None:
    """Submit every task (key ``KIND-HASH``), pass each task's rows to ``on_rows`` as it finishes.

    A task lost by the cluster (e.g. ``KilledWorker`` after repeated worker deaths) yields failed rows.
    On any exception (Ctrl-C included) the unfinished futures are cancelled before it propagates.
    """
    from distributed import as_completed

    futures = {client.submit(fn, t, key=f"{t.kind}-{t.key}", pure=False): t for t in tasks}
    try:
        for fut in as_completed(futures):
            try:
                rows = fut.result()
            except Exception as exc:  # noqa: BLE001 - the cluster gave up on this task
                rows = rows_of(futures[fut], None, 0.0, exc)
            on_rows(rows)
    except BaseException:
        client.cancel(list(futures))
        raise


def run_sweep(spec: SweepSpec, out: str | Path, scheduler: str | None = None, workers: int | None = None,
              flush_every: float = 1.0, threads_per_worker: int = 1) -> SweepSummary:
    """Run (or resume) ``spec`` into ``out/results.parquet``; see the module docstring (``workers`` and
    ``threads_per_worker`` size the embedded cluster)."""
    tasks = spec.tasks()
    store = ResultStore(out, spec.kind, flush_every)
    store.check_against(tasks)
    done = store.finished()
    pending = [t for t in tasks if t.key not in done]
    if pending:
        with dask_client(scheduler, workers, threads_per_worker, spec.task_kind.modules) as client:
            try:
                run_tasks(client, pending, store.add)
            finally:
                store.flush()  # before the cluster stops: an interrupted sweep keeps its rows even if closing hangs
    counts: dict[str, int] = {str(o): 0 for o in TaskOutcome}
    keys = {t.key for t in tasks}
    for r in store.rows:
        if r["task"] in keys:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
    return SweepSummary(store.path, len(tasks), sum(len(t.points) for t in tasks), len(pending),
                        len(tasks) - len(pending), counts)
