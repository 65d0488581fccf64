"""``dask scheduler`` + ``dask worker`` processes started here on 127.0.0.1: the same rows as one
process, and a worker killed by its PID mid-sweep loses nothing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from igeom.sweep.engine import execute, run_sweep
from igeom.sweep.results import read_rows
from igeom.sweep.spec import parse_spec
from sweep_helpers import small_ufm
from theory.core.vocabulary import TaskOutcome

DASK = str(Path(sys.executable).with_name("dask"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def scheduler_address():
    """A scheduler and two single-thread workers (each under its nanny) as separate processes."""
    from distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = []
    try:
        procs.append(subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                       "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(2):
            procs.append(subprocess.Popen([DASK, "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                                           "--nworkers", "1", "--no-dashboard"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for p in reversed(procs):
            _stop(p)


def _strip(rows):
    return sorted(({k: v for k, v in r.items() if k != "seconds"} for r in rows),
                  key=lambda r: (r["task"], r["loss"], r["gamma"], r["seed"]))


def test_separate_scheduler_rows_equal_one_process(tmp_path, scheduler_address):
    spec = parse_spec(small_ufm())
    summary = run_sweep(spec, tmp_path, scheduler=scheduler_address)
    assert summary.counts[str(TaskOutcome.OK)] == 16
    assert _strip(read_rows(tmp_path / "results.parquet")) == _strip([r for t in spec.tasks() for r in execute(t)])


def test_worker_killed_mid_sweep_completes_every_row(tmp_path, scheduler_address):
    from distributed import Client

    spec = parse_spec(small_ufm(epochs=4000, R=(2.0, 3.0, 4.0, 5.0)))
    outcome: dict = {}

    def sweep() -> None:
        try:
            outcome["summary"] = run_sweep(spec, tmp_path, scheduler=scheduler_address)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            outcome["error"] = exc

    with Client(scheduler_address, timeout="30s") as client:
        client.wait_for_workers(2, timeout=120)
        pids = client.run(os.getpid)  # worker address -> PID of the worker process (child of its nanny)
        thread = threading.Thread(target=sweep, daemon=True)
        thread.start()
        victim = None
        deadline = time.monotonic() + 120
        while victim is None and time.monotonic() < deadline:
            busy = [w for w, keys in client.processing().items() if keys and w in pids]
            if busy:
                victim = busy[0]
            else:
                time.sleep(0.05)
        assert victim is not None, "no task started within 120 s"
        os.kill(pids[victim], signal.SIGKILL)
        thread.join(timeout=300)
        assert not thread.is_alive(), "the sweep did not finish within 300 s after the kill"
        assert victim not in client.scheduler_info()["workers"]  # that worker process really died
    assert "error" not in outcome, outcome.get("error")
    summary = outcome["summary"]
    rows = read_rows(tmp_path / "results.parquet")
    assert len(rows) == summary.points == 32
    assert all(r["status"] == TaskOutcome.OK for r in rows)
    assert {(r["R"], r["loss"], r["gamma"], r["seed"]) for r in rows} == {
        (R, l, g, s) for R in (2.0, 3.0, 4.0, 5.0) for l in ("CDT", "LDT") for g in (-0.5, 0.5) for s in (0, 1)}
