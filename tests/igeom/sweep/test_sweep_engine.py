"""The engine on a 2-process LocalCluster: rows equal in-process runs, resume, failure isolation."""

from __future__ import annotations

import pandas as pd
import pytest

import igeom.sweep.engine as engine
from igeom.sweep.engine import execute, run_sweep
from igeom.sweep.results import read_rows
from igeom.sweep.spec import parse_spec
from sweep_helpers import small_ufm
from theory.core.vocabulary import TaskOutcome


def _key(r):
    return (r["task"], r["loss"], r["gamma"], r["seed"])


def _without_seconds(rows):
    return {_key(r): {k: v for k, v in r.items() if k != "seconds"} for r in rows}


def test_embedded_cluster_rows_bit_identical_to_one_process(tmp_path):
    """Every row computed on 2 worker processes equals the same task run here, bit for bit (CPU, fixed seeds)."""
    spec = parse_spec(small_ufm())
    summary = run_sweep(spec, tmp_path, workers=2)
    assert (summary.tasks, summary.points, summary.ran, summary.skipped) == (2, 16, 2, 0)
    assert summary.counts[str(TaskOutcome.OK)] == 16
    df = pd.read_parquet(tmp_path / "results.parquet")
    assert len(df) == 16
    for col in ("loss", "gamma", "R", "seed", "k", "epochs", "distance.W", "distance.M", "distance.WM",
                "train_error", "status", "error", "seconds", "task"):
        assert col in df.columns
    here = [r for t in spec.tasks() for r in execute(t)]
    assert _without_seconds(read_rows(tmp_path / "results.parquet")) == _without_seconds(here)


def _worker_threads() -> tuple:
    """(torch threads, OMP_NUM_THREADS, the largest BLAS/OpenMP pool threadpoolctl finds) in this process."""
    import os

    import torch
    from threadpoolctl import threadpool_info

    return torch.get_num_threads(), os.environ.get("OMP_NUM_THREADS"), max(p["num_threads"] for p in threadpool_info())


@pytest.mark.parametrize("threads", [1, 2])
def test_embedded_workers_get_threads_per_worker_intra_op_threads(threads):
    """Every worker process of the embedded cluster runs torch, OpenMP and BLAS with the requested threads."""
    with engine.dask_client(workers=2, threads_per_worker=threads, modules=("torch", "numpy")) as client:
        client.wait_for_workers(2)
        seen = client.run(_worker_threads)
    assert len(seen) == 2
    assert set(seen.values()) == {(threads, str(threads), threads)}


def test_resume_skips_finished_tasks_without_a_cluster(tmp_path, local_scheduler, monkeypatch):
    spec = parse_spec({"kind": "geometry", "grid": {"R": [2.0, 4.0], "gamma": [0.0, 1.0]},
                       "fixed": {"loss": "CDT", "k": 4, "k_minor": 2, "method": "numeric"}})
    first = run_sweep(spec, tmp_path, scheduler=local_scheduler)
    assert (first.ran, first.skipped) == (4, 0)
    before = (tmp_path / "results.parquet").read_bytes()

    def no_cluster(*args, **kwargs):
        raise AssertionError("a finished sweep must not start a cluster")

    monkeypatch.setattr(engine, "dask_client", no_cluster)
    again = run_sweep(spec, tmp_path, scheduler=local_scheduler)
    assert (again.ran, again.skipped, again.counts[str(TaskOutcome.OK)]) == (0, 4, 4)
    assert (tmp_path / "results.parquet").read_bytes() == before


def test_grown_grid_runs_only_new_points(tmp_path, local_scheduler):
    base = {"kind": "geometry", "grid": {"R": [2.0, 4.0]},
            "fixed": {"loss": "CE", "k": 4, "k_minor": 2, "method": "numeric"}}
    run_sweep(parse_spec(base), tmp_path, scheduler=local_scheduler)
    grown = {**base, "grid": {"R": [2.0, 4.0, 8.0]}}
    summary = run_sweep(parse_spec(grown), tmp_path, scheduler=local_scheduler)
    assert (summary.ran, summary.skipped) == (1, 2)
    assert sorted(pd.read_parquet(tmp_path / "results.parquet")["R"]) == [2.0, 4.0, 8.0]


def test_failed_task_isolated_and_rerun_on_resume(tmp_path, local_scheduler):
    spec = parse_spec({"kind": "svm", "grid": {"max_iters": [2, 100_000]},
                       "fixed": {"loss": "CDT", "k": 4, "k_minor": 2, "R": 3.0, "gamma": 0.5, "n_min": 1,
                                 "reduced": True}})
    summary = run_sweep(spec, tmp_path, scheduler=local_scheduler)
    assert summary.counts[str(TaskOutcome.OK)] == 1 and summary.counts[str(TaskOutcome.FAILED)] == 1
    df = pd.read_parquet(tmp_path / "results.parquet").set_index("max_iters")
    assert df.loc[2, "status"] == "failed" and "SCS" in df.loc[2, "error"]
    assert df.loc[100_000, "status"] == "ok" and pd.isna(df.loc[100_000, "error"])
    assert pd.isna(df.loc[2, "distance.W"]) and df.loc[100_000, "distance.W"] < 1e-4
    again = run_sweep(spec, tmp_path, scheduler=local_scheduler)  # the failed task runs again, the other not
    assert (again.ran, again.skipped) == (1, 1)
    assert len(pd.read_parquet(tmp_path / "results.parquet")) == 2


def test_results_dir_of_another_kind_is_refused(tmp_path, local_scheduler):
    from theory.core.errors import InputError

    run_sweep(parse_spec({"kind": "geometry", "fixed": {"loss": "CE", "k": 3, "k_minor": 1, "method": "numeric"}}),
              tmp_path, scheduler=local_scheduler)
    with pytest.raises(InputError, match="kind 'geometry'"):
        run_sweep(parse_spec({"kind": "ufm-plus", "fixed": {"lambda_w": 1e-3, "lambda_h": 1e-3}}), tmp_path,
                  scheduler=local_scheduler)
