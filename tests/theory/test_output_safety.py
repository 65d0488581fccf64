"""theory.infra.jsonout, outdir and budget: strict JSON, output checks and lock, up-front refusal."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from theory.core.errors import ComputationError, InputError
from theory.core.imbalance import Imbalance
from theory.infra import budget
from theory.infra.jsonout import dumps, non_finite_field, require_finite
from theory.infra.outdir import OutputError, check_output, claim_output, lock_path, output_lock


# ---- strict JSON ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan"), np.float32("inf")])
def test_non_finite_number_is_an_error_naming_the_field(bad) -> None:
    obj = {"ok": 1.5, "numeric": {"M": [0.0, 1.0, bad]}}
    assert non_finite_field(obj) == "$.numeric.M[2]"
    with pytest.raises(ComputationError, match=r"\$\.numeric\.M\[2\]"):
        dumps(obj)
    with pytest.raises(ComputationError, match=r"\$\.numeric\.M\[2\]"):
        require_finite(obj)


def test_strict_json_round_trips_numpy_values_and_null() -> None:
    obj = {"a": np.arange(3.0), "b": np.int64(7), "c": None, "d": [np.float32(0.5), True]}
    assert json.loads(dumps(obj)) == {"a": [0.0, 1.0, 2.0], "b": 7, "c": None, "d": [0.5, True]}


# ---- counts outside the exact range --------------------------------------------------------------------

@pytest.mark.parametrize("counts", [[2**62, 2**62, 2], [10**30, 2], [2**53 + 1, 1], [2**52, 2**52, 1]])
def test_counts_beyond_2_pow_53_are_refused(counts) -> None:
    with pytest.raises(InputError, match="2\\^53"):
        Imbalance(counts)


def test_total_is_exact_at_the_limit() -> None:
    assert Imbalance([2**52, 2**52]).n == 2**53


def test_step_with_huge_R_is_refused_without_overflow() -> None:
    with pytest.raises(InputError, match="2\\^53"):
        Imbalance.step(4, 2, 1e308, 10)


# ---- output locations ----------------------------------------------------------------------------------

def test_output_location_checks(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_text("x")
    for path, directory, message in [("", True, "must name a directory"), ("  ", False, "must name a file"),
                                     (plain, True, "is not a directory"), (plain / "sub", True, "is a file"),
                                     (plain / "a.tex", False, "is a file"), (tmp_path, False, "is a directory"),
                                     ("/proc/igeom-x", True, "cannot write"),
                                     ("/proc/igeom-x/f.tex", False, "cannot write")]:
        with pytest.raises(InputError, match=message):
            check_output(path, "--out", directory)
    made = check_output(tmp_path / "new" / "dir", "--out")
    assert made.is_dir() and list(made.iterdir()) == []  # the probe file is gone


def test_lock_excludes_a_second_writer_and_is_released(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    with output_lock(target, "--out") as lock:
        assert lock.read_text().strip() == str(os.getpid())
        with pytest.raises(InputError, match=f"in use by process {os.getpid()}"):
            with output_lock(target, "--out"):
                pass
    assert not lock.exists()
    with output_lock(target, "--out"):  # free again
        pass


def test_lock_of_a_live_process_refuses_and_a_dead_one_is_taken_over(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    code = ("import sys, time; from pathlib import Path; from theory.infra.outdir import output_lock\n"
            f"with output_lock(Path({str(target)!r}), '--out'):\n"
            "    print('locked', flush=True); time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2])
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(InputError, match=f"in use by process {holder.pid}"):
            with output_lock(target, "--out"):
                pass
    finally:
        holder.kill()
        holder.wait()
    # the killed holder left its lock file with its (now dead) PID: taken over
    assert lock_path(target).read_text().strip() == str(holder.pid)
    with output_lock(target, "--out") as lock:
        assert lock.read_text().strip() == str(os.getpid())


def test_os_error_during_the_work_is_one_line_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as info:
        with claim_output(tmp_path / "out", "--out") as out:
            (out / "missing-dir" / "x.json").write_text("{}")
    message = str(info.value)
    assert "\n" not in message and "missing-dir/x.json" in message
    assert isinstance(info.value, ComputationError)


# ---- budget --------------------------------------------------------------------------------------------

def test_failed_work_leaves_no_created_directory_but_keeps_existing_ones(tmp_path: Path) -> None:
    """Bad input found inside the command: the directories the check created are removed again (the
    lock too); a directory that existed before, or one that the work filled, is kept."""
    for directory, target, created in [(True, tmp_path / "a" / "b", tmp_path / "a"),
                                       (False, tmp_path / "c" / "sheet.tex", tmp_path / "c")]:
        with pytest.raises(InputError, match="refused"):
            with claim_output(target, "--out", directory):
                assert created.is_dir()
                raise InputError("refused")
        assert not created.exists() and sorted(tmp_path.iterdir()) == []
    kept = tmp_path / "kept"
    kept.mkdir()
    with pytest.raises(KeyboardInterrupt):
        with claim_output(kept, "--out"):
            raise KeyboardInterrupt
    filled = tmp_path / "filled"
    with pytest.raises(InputError):
        with claim_output(filled, "--out"):
            (filled / "partial.json").write_text("{}")
            raise InputError("late")
    assert kept.is_dir() and (filled / "partial.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["filled", "kept"]


def test_refusal_names_the_estimate_and_the_override(monkeypatch) -> None:
    monkeypatch.setattr(budget, "available_memory", lambda: 10**9)
    big = budget.Estimate("job", 2e9, 1.0)
    with pytest.raises(InputError, match=r"job needs about 2 GB of memory.*1 GB available.*--force"):
        budget.require_within(big)
    assert budget.require_within(big, force=True) is big
    slow = budget.Estimate("job", 1e6, 2 * budget.TIME_LIMIT_S)
    with pytest.raises(InputError, match=r"would take about 2 h.*--force"):
        budget.require_within(slow)


def test_available_memory_is_below_physical_memory() -> None:
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    assert 0 < budget.available_memory() <= physical


def _peak_rss(code: str) -> float:
    """Peak resident bytes of a fresh interpreter running ``code`` (Linux ru_maxrss is in kB)."""
    script = code + "\nimport resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout
    return float(out.split()[-1])


def test_memory_model_is_within_a_factor_three_of_a_measured_cone_program() -> None:
    """The CS-SVM model against the peak memory of a real class-level solve at k = 120 (a few seconds)."""
    code = ("import numpy, scipy, cvxpy, torch\n"
            "from theory.core.parameterization import Parameterization\n"
            "from theory.seli.seli_geometry import step_counts\nfrom theory.seli.step_setting import step_delta\n"
            "from numerics.cs_svm import solve_cs_svm\n"
            "solve_cs_svm(step_counts(120, 60, 10.0, 5), Parameterization.from_name('CDT', step_delta(120, 60, 2.0)),"
            " reduced=True)")
    start = time.perf_counter()
    measured = _peak_rss(code)
    assert time.perf_counter() - start < 120
    estimate = budget.cs_svm(120, 120).memory
    assert measured / 3 <= estimate <= 3 * measured, (estimate, measured)
