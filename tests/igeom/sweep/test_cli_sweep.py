"""``igeom sweep`` and ``igeom sweep-plot`` as a user runs them: exit codes, one-line errors, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from igeom.cli import main
from sweep_helpers import small_ufm, to_toml


def test_bad_spec_exits_2_with_one_line_before_anything_runs(tmp_path, write_spec, capsys):
    spec = write_spec('kind = "ufm-train"\n[grid]\nloss = ["CDT"]\ngamma = []\n')
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "grid.gamma must be a non-empty list" in err
    assert not out.exists()


@pytest.mark.parametrize("extra, fragment", [(["--workers", "0"], "--workers must be >= 1"),
                                              (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"],
                                               "cannot be combined"),
                                              (["--threads-per-worker", "0"], "--threads-per-worker must be >= 1"),
                                              (["--threads-per-worker", "2", "--scheduler", "tcp://127.0.0.1:1"],
                                               "--threads-per-worker sizes the embedded cluster")])
def test_bad_options_exit_2(tmp_path, write_spec, capsys, extra, fragment):
    spec = write_spec('kind = "geometry"\n[fixed]\nloss = "CE"\n')
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o")] + extra) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err


def test_unreachable_scheduler_exits_2(tmp_path, write_spec, capsys):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = write_spec('kind = "geometry"\n[fixed]\nloss = "CE"\n')
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o"), "--scheduler", f"tcp://127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot connect" in err


def test_json_summary_plot_and_exit_1_on_failure(tmp_path, write_spec, capsys, local_scheduler):
    spec = write_spec('kind = "svm"\n[grid]\nmax_iters = [2, 100000]\ngamma = [0.0, 0.5]\n'
                      '[fixed]\nloss = "CDT"\nk = 4\nk_minor = 2\nR = 3.0\nn_min = 1\nreduced = true\n')
    out = tmp_path / "o"
    assert main(["sweep", str(spec), "--out", str(out), "--scheduler", local_scheduler, "--json", "--plot"]) == 1
    cap = capsys.readouterr()
    summary = json.loads(cap.out)
    assert summary["rows"] == {"ok": 2, "failed": 2, "diverged": 0} and summary["points"] == 4
    assert cap.err.strip().splitlines()[-1].startswith("igeom: failed: 2 of 4 grid points failed")
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(pd.read_parquet(out / "results.parquet")) == 4


def test_sweep_plot_command(tmp_path, local_scheduler, write_spec, capsys):
    spec = write_spec('kind = "geometry"\n[grid]\nR = [2.0, 5.0]\ngamma = [-1.0, 0.0, 1.0]\nloss = ["CDT", "LDT"]\n'
                      '[fixed]\nk = 4\nk_minor = 2\nmethod = "numeric"\n')
    out = tmp_path / "o"
    assert main(["sweep", str(spec), "--out", str(out), "--scheduler", local_scheduler]) == 0
    res = str(out / "results.parquet")
    for args in (["--x", "gamma", "--y", "R"], ["--x", "gamma", "--hue", "loss"]):
        png = tmp_path / "fig.png"
        assert main(["sweep-plot", res, "--metric", "W.norm_ratio", "--out", str(png)] + args) == 0
        assert png.read_bytes()[:4] == b"\x89PNG"
        png.unlink()
    capsys.readouterr()
    assert main(["sweep-plot", res, "--x", "gamma", "--metric", "nope", "--out", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no column 'nope'" in err


def test_ctrl_c_exits_130_and_keeps_finished_rows(tmp_path):
    """SIGINT to the igeom process mid-sweep: exit 130, the rows of the tasks that finished are kept."""
    R = [2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    spec = tmp_path / "grid.toml"
    spec.write_text(to_toml(small_ufm(epochs=1500, R=R)))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "igeom.cli", "sweep", str(spec), "--workers", "1",
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own group: a failed test can stop its workers too
    try:
        deadline = time.monotonic() + 240
        while not (out / "results.parquet").exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert (out / "results.parquet").exists(), "no task finished within 240 s"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the group this test started (igeom and its worker processes)
            proc.wait(timeout=30)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "igeom: interrupted"
    df = pd.read_parquet(out / "results.parquet")
    assert 8 <= len(df) < 8 * len(R) and len(df) % 8 == 0  # whole tasks of 8 points, not all of them
    assert (df["status"] == "ok").all()
