"""Runs the quick registry in this process and writes one JSON row per check (claim, check, status,
figure, tolerance) plus the BLAS kernel and thread counts in force: the worker of
``test_numerical_configurations.py``, started under different numerical configurations.

    python tests/proofs_check/registry_worker.py OUT.json [quick|full]
"""

from __future__ import annotations

import json
import sys

import threadpoolctl
import torch

from proofs_check.report import run_registry


def main(out: str, level: str = "quick") -> None:
    """Run every check of ``level`` and write the rows and the configuration to ``out``."""
    rows = [{"id": r.claim_id, "check": r.description, "status": str(r.status), "figure": r.figure,
             "tolerance": r.tolerance, "detail": r.detail} for r in run_registry(level)]
    blas = [{k: info.get(k) for k in ("internal_api", "num_threads", "architecture")}
            for info in threadpoolctl.threadpool_info() if info.get("user_api") == "blas"]
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"rows": rows, "blas": blas, "torch_threads": torch.get_num_threads()}, fh)


if __name__ == "__main__":
    main(*sys.argv[1:3])
