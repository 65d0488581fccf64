"""Helpers of the sweep tests: spec files and a bounded embedded cluster."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def write_spec(tmp_path):
    """Write TOML text to tmp_path/NAME.toml and return its path."""

    def write(text: str, name: str = "spec") -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(text)
        return path

    return write


@pytest.fixture(scope="module")
def local_scheduler():
    """Address of a 2-process LocalCluster on 127.0.0.1 shared by the tests of this package."""
    import logging

    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        yield cluster.scheduler_address
