"""issue 21: no verdict of the quick registry depends on the BLAS kernel or the thread counts.

The quick registry runs twice, in two processes at once, under two numerical configurations of this
machine: (a) one BLAS, OpenMP and torch thread; (b) two threads of each and, on x86-64 where the
environment has not pinned a kernel, a different OpenBLAS kernel (``SandyBridge``: AVX without FMA, so
dot products round differently from the Haswell/Zen/SkylakeX kernels; ``Prescott`` where SandyBridge is
already the one in use). Where the environment sets ``OPENBLAS_CORETYPE`` itself (some processors need it
for correct results) it is left alone and only the thread counts differ.

Every check must end with the same status in both runs, and every figure must agree to the check's own
tolerance (|figure_a - figure_b| <= tolerance where the check states a positive one; to rounding,
:data:`theory.core.tolerances.ROUNDING` relative, where it is held to a sign). The quick run costs about
140 CPU seconds (two runs of the quick registry, side by side); the full registry's version is marked slow.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from theory.core.tolerances import ROUNDING

WORKER = Path(__file__).with_name("registry_worker.py")
ROOT = Path(__file__).resolve().parents[2]


def _kernel_in_use() -> str | None:
    import threadpoolctl

    arch = [i.get("architecture") for i in threadpoolctl.threadpool_info() if i.get("internal_api") == "openblas"]
    return arch[0] if arch else None


def _configurations() -> tuple[dict[str, str], dict[str, str]]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    base["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    a = dict(base, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    b = dict(base, OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="2", MKL_NUM_THREADS="2")
    if "OPENBLAS_CORETYPE" not in os.environ and platform.machine().lower() in ("x86_64", "amd64"):
        b["OPENBLAS_CORETYPE"] = "Prescott" if (_kernel_in_use() or "").lower() == "sandybridge" else "SandyBridge"
    return a, b


def _agree(row_a: dict, row_b: dict) -> str | None:
    """None when two rows of one check agree, else the reason."""
    if row_a["status"] != row_b["status"]:
        return f"status {row_a['status']} vs {row_b['status']} ({row_a['detail']} | {row_b['detail']})"
    fa, fb, tol = row_a["figure"], row_b["figure"], row_a["tolerance"]
    if fa is None or fb is None:
        return None if fa == fb else f"figure {fa} vs {fb}"
    if tol is not None and math.isfinite(tol) and tol > 0:
        return None if abs(fa - fb) <= tol else f"figure {fa:.6g} vs {fb:.6g} differs by more than its tolerance {tol:g}"
    # a figure held to a sign (tolerance 0 or none): two float64 evaluations agree to rounding
    bound = ROUNDING * max(1.0, abs(fa), abs(fb))
    return None if abs(fa - fb) <= bound else f"figure {fa!r} vs {fb!r} differs by more than rounding ({bound:.1e})"


def _compare(tmp_path: Path, level: str) -> None:
    outs, procs = [], []
    for name, env in zip("ab", _configurations()):
        out = tmp_path / f"{name}.json"
        outs.append(out)
        procs.append(subprocess.Popen([sys.executable, str(WORKER), str(out), level], env=env, cwd=ROOT,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for proc in procs:
        log, _ = proc.communicate(timeout=3600)
        assert proc.returncode == 0, log[-3000:]
    a, b = (json.loads(p.read_text()) for p in outs)
    # the two runs really ran under different configurations
    assert a["torch_threads"] == 1 and b["torch_threads"] == 2
    assert [x["num_threads"] for x in a["blas"]] != [x["num_threads"] for x in b["blas"]]
    if "OPENBLAS_CORETYPE" not in os.environ and platform.machine().lower() in ("x86_64", "amd64"):
        assert [x["architecture"] for x in a["blas"]] != [x["architecture"] for x in b["blas"]]
    keys_a = [(r["id"], r["check"]) for r in a["rows"]]
    assert keys_a == [(r["id"], r["check"]) for r in b["rows"]] and keys_a
    bad = [f"{ra['id']} / {ra['check']}: {why}" for ra, rb in zip(a["rows"], b["rows"])
           if (why := _agree(ra, rb)) is not None]
    assert not bad, "\n".join(bad)
    assert not [r for r in a["rows"] if r["status"] == "error"], "a check errored"


def test_quick_registry_verdicts_do_not_depend_on_threads_or_blas_kernel(tmp_path: Path) -> None:
    _compare(tmp_path, "quick")


@pytest.mark.slow
def test_full_registry_verdicts_do_not_depend_on_threads_or_blas_kernel(tmp_path: Path) -> None:
    _compare(tmp_path, "full")
