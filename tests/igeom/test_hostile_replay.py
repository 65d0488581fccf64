"""Replay of issue 26: every hostile case against ``measure``, ``sweep``, ``experiment``, ``check-param``
and the Python API, each from a clean directory, must keep the promise of docs/limits.md (exit 2 and
one stderr line naming the flag or file for bad input, exit 1 for a failed computation, never a
traceback, a hang or NaN in success output). The cases are in ``hostile_cases.py``.

As a script, ``python tests/igeom/test_hostile_replay.py [NAME-FRAGMENT ...]`` runs each case in a fresh
process (address space capped at 6 GB, 120 s each, so that an unrefused allocation fails instead of
swapping the machine) and prints the counts tried / clean.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile_cases import CASES, Case, check, execute  # noqa: E402

HEAVY = ("deepnet ckpt", "refused run")


def _marks(case: Case) -> list:
    return [pytest.mark.slow] if case.name.startswith("deepnet ckpt") and case.name != "deepnet ckpt epoch -5" else []


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=_marks(c)) for c in CASES])
def test_hostile_case_keeps_the_promise(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    action = case.build(tmp_path)
    start = time.perf_counter()
    result = execute(action)
    assert check(case, result) == [], (case.name, result.code, result.err[-2000:])
    if not any(case.name.startswith(h) for h in HEAVY):
        assert time.perf_counter() - start < 10, "a refusal must come before the work (under 10 s)"


def _sweep_process(spec: Path, out: Path, workers: int = 1) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "igeom.cli", "sweep", str(spec), "--workers", str(workers),
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "PYTHONPATH": os.getcwd()})


def _slow_spec(tmp_path: Path, epochs: int = 4000) -> Path:
    spec = tmp_path / "grid.toml"
    spec.write_text('kind = "ufm-train"\n[grid]\nloss = ["CDT"]\nR = [2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]\n'
                    f"[fixed]\nk = 4\nk_minor = 2\nn_min = 1\nd = 5\nepochs = {epochs}\nlog_every = 100\n")
    return spec


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)  # the group this test started: igeom and its worker processes
        proc.wait(timeout=30)


@pytest.mark.slow
def test_two_sweeps_into_one_out_second_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 26 item 2: a second sweep into a folder a running sweep writes is exit 2 naming the lock
    holder; the first sweep's rows are all kept."""
    monkeypatch.chdir(Path(__file__).parents[2])
    spec, out = _slow_spec(tmp_path, epochs=1500), tmp_path / "out"
    first = _sweep_process(spec, out)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".out.igeom-lock")) and time.monotonic() < deadline:
            time.sleep(0.05)
        second = _sweep_process(spec, out)
        _, err2 = second.communicate(timeout=120)
        assert second.returncode == 2, err2
        assert len(err2.strip().splitlines()) == 1 and "in use by process" in err2
        _, err1 = first.communicate(timeout=300)
        assert first.returncode == 0, err1
    finally:
        _stop(first)
    import pyarrow.parquet as pq

    rows = pq.read_table(out / "results.parquet").to_pylist()
    assert len(rows) == 8 and all(r["status"] == "ok" for r in rows)


@pytest.mark.slow
@pytest.mark.xfail(strict=False, reason="known gap (issue 26, open): a SIGINT while the embedded workers are still "
                   "starting can leave the forkserver starting a worker after the sweep exited, whose SemLock "
                   "traceback reaches stderr; passes when the interrupt comes after the workers started")
def test_ctrl_c_of_a_two_worker_sweep_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGINT 4-5 s into ``igeom sweep --workers 2``: exit 130 and the one line ``igeom: interrupted``
    (no Dask shutdown tracebacks)."""
    monkeypatch.chdir(Path(__file__).parents[2])
    proc = _sweep_process(_slow_spec(tmp_path, epochs=200000), tmp_path / "out", workers=2)
    try:
        time.sleep(4.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        _stop(proc)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == ["igeom: interrupted"], err


@pytest.mark.slow
def test_embedded_cluster_leaves_port_8787_alone() -> None:
    """The embedded LocalCluster's scheduler HTTP endpoint (health and metrics; no bokeh dashboard is
    installed) binds a free port on the loopback interface, never 8787: a second sweep, or anything else
    on 8787, meets no port conflict and no warning (distributed binds :8787 even for dashboard_address=None)."""
    from igeom.sweep.engine import dask_client

    with dask_client(workers=1) as client:
        services = client.scheduler_info()["services"]
        link = client.dashboard_link
    assert services.get("dashboard") != 8787, services
    assert link.startswith("http://127.0.0.1:"), link


def _one(name: str) -> int:
    """Run the case called ``name`` in this process from an empty temporary directory; 0 when clean."""
    case = next(c for c in CASES if c.name == name)
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            result = execute(case.build(Path(tmp)))
        except BaseException as exc:  # noqa: BLE001 - a broken build is reported as a defect too
            print(f"build failed: {type(exc).__name__}: {exc}")
            return 1
        problems = check(case, result)
    print("; ".join(problems) if problems else "clean", "|", " ".join(result.err.split())[:300])
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    """Run the selected cases (all by default) each in a fresh capped process; print tried / clean."""
    if argv[:1] == ["--one"]:
        return _one(argv[1])
    import resource

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))

    chosen = [c for c in CASES if not argv or any(a in c.name for a in argv)]
    clean = 0
    root = Path(__file__).parents[2]
    for case in chosen:
        start = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, __file__, "--one", case.name], capture_output=True, text=True,
                                  timeout=120, preexec_fn=cap, env={**os.environ, "PYTHONPATH": str(root)})
            line = (proc.stdout.strip().splitlines() or [proc.stderr.strip()[-300:]])[-1]
            ok = proc.returncode == 0
        except subprocess.TimeoutExpired:
            line, ok = "timed out after 120 s", False
        clean += ok
        print(f"{'clean ' if ok else 'DEFECT'} {time.perf_counter() - start:6.1f} s  {case.name}: {line}", flush=True)
    print(f"tried {len(chosen)}, clean {clean}")
    return 0 if clean == len(chosen) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
