"""The exit-code discipline of ``igeom`` (igeom/cli.py): every outcome is one line on stderr and a
fixed status, in process and through a real process (the console entry point).

2 bad input (argparse, InputError); 1 failed computation (ComputationError, a solver's own error) or
internal error (anything else, a plain ValueError included); 130 interrupted; 141 and silence when
stdout's reader went away; --debug / IGEOM_DEBUG=1 add the traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import igeom.commands.latex as latex_command
from igeom.cli import EXIT_BROKEN_PIPE, main
from theory.core.errors import ComputationError, InputError

CASES = [  # exception raised by a command, exit status, the one stderr line
    (InputError("k must be >= 2, got 1"), 2, "igeom: error: k must be >= 2, got 1"),
    (ComputationError("SCS returned status 'infeasible'"), 1, "igeom: failed: SCS returned status 'infeasible'"),
    (np.linalg.LinAlgError("SVD did not converge"), 1, "igeom: failed: SVD did not converge"),
    (ValueError("operands could not be broadcast"), 1,
     "igeom: internal error: ValueError: operands could not be broadcast"),
    (KeyError("G_W"), 1, "igeom: internal error: KeyError: 'G_W'"),
    (KeyboardInterrupt(), 130, "igeom: interrupted"),
]


def _raising(exc: BaseException):
    def run(args):
        raise exc
    return run


@pytest.mark.parametrize("exc, status, line", CASES)
def test_each_exception_maps_to_its_status_and_one_line(monkeypatch, capsys, exc, status, line) -> None:
    monkeypatch.setattr(latex_command, "run", _raising(exc))
    monkeypatch.delenv("IGEOM_DEBUG", raising=False)
    assert main(["latex"]) == status
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [line]


def test_a_multi_line_message_is_still_one_line(monkeypatch, capsys) -> None:
    monkeypatch.setattr(latex_command, "run", _raising(ComputationError("first\nsecond")))
    assert main(["latex"]) == 1
    assert capsys.readouterr().err == "igeom: failed: first second\n"


def test_argparse_error_is_exit_2_and_one_line(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["geometry", "--loss", "wCE", "--k", "3", "--k-minor", "1", "--R", "2"])
    assert info.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("igeom: error:") and "choose from CE, CDT, LDT" in err[0]


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_debug_adds_the_traceback_before_the_line(monkeypatch, capsys, how) -> None:
    monkeypatch.setattr(latex_command, "run", _raising(ValueError("boom")))
    if how == "environment":
        monkeypatch.setenv("IGEOM_DEBUG", "1")
    assert main(["--debug", "latex"] if how == "flag" else ["latex"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and err.endswith("igeom: internal error: ValueError: boom\n")


def test_broken_pipe_is_a_quiet_exit(monkeypatch, capsys) -> None:
    monkeypatch.setattr(latex_command, "run", _raising(BrokenPipeError()))
    assert main(["latex"]) == EXIT_BROKEN_PIPE
    assert capsys.readouterr() == ("", "")


# ------------------------------------------------------------------ through a real process
_DRIVER = """
import sys
import igeom.commands.latex as m
from theory.core.errors import ComputationError, InputError
from igeom.cli import main

def run(args):
    raise {exc}

m.run = run
raise SystemExit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("exc, status, prefix", [
    ("InputError('bad k')", 2, "igeom: error: bad k"),
    ("ComputationError('no optimum')", 1, "igeom: failed: no optimum"),
    ("ValueError('library defect')", 1, "igeom: internal error: ValueError: library defect"),
    ("KeyboardInterrupt()", 130, "igeom: interrupted"),
])
def test_mapping_in_a_real_process(exc, status, prefix) -> None:
    env = {k: v for k, v in os.environ.items() if k != "IGEOM_DEBUG"}
    proc = subprocess.run([sys.executable, "-c", _DRIVER.format(exc=exc), "latex"], capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == status and proc.stdout == ""
    assert proc.stderr.splitlines() == [prefix], proc.stderr


def test_closed_stdout_gives_no_traceback_in_a_real_process() -> None:
    """``igeom latex | head -0``: the reader is gone before the first write."""
    proc = subprocess.Popen([sys.executable, "-m", "igeom.cli", "latex", "--loss", "CDT"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == EXIT_BROKEN_PIPE and err == b""


def test_ctrl_c_during_a_real_run_exits_130(tmp_path) -> None:
    """SIGINT while ``igeom train`` trains (a pure PyTorch loop): one line, status 130, no traceback.

    (``igeom verify`` is not used here: SCS installs its own SIGINT handler during a solve, and a signal
    that arrives while a solve is finishing is consumed by SCS and lost; see the closing note.)"""
    proc = subprocess.Popen([sys.executable, "-m", "igeom.cli", "train", "--loss", "CDT", "--k", "4",
                             "--k-minor", "2", "--n-min", "2", "--epochs", "2000000", "--log-every", "100000",
                             "--progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stderr.read(1)  # the progress bar started: the command is past parsing and training
    assert first
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=300)
    assert proc.returncode == 130
    assert "Traceback" not in rest and rest.rstrip().splitlines()[-1].endswith("igeom: interrupted")


@pytest.mark.parametrize("argv", [
    ["svm", "--loss", "CE", "--k", "3", "--k-minor", "1", "--R", "2", "--n-min", "1", "--solver", "nonconvex",
     "--seed", str(2**64)],
    ["ufm-plus", "--counts", "8,2", "--lambda-w", "1e-3", "--lambda-h", "1e-3", "--solve", "--seed", str(2**64)],
    ["train", "--loss", "CDT", "--k", "3", "--k-minor", "1", "--n-min", "1", "--seeds", f"0,{2**64}"],
])
def test_a_seed_beyond_two_to_the_64_is_bad_input_naming_the_seed(capsys, argv) -> None:
    with pytest.raises(SystemExit) as info:
        raise SystemExit(main(argv))
    assert info.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "seed must be <= 18446744073709551615" in err[0], err
