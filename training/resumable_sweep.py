"""A UFM sweep as a reproducible job in an output directory: resume, atomic results, figure.

``run_sweep(problem, specs, config, out)`` trains (or resumes) the sweep and returns the JSON report of
``igeom train --json``. With ``out`` set, the directory holds

- ``checkpoint.pt``: the training state every ``config.checkpoint_every`` epochs (resume point);
- ``results.json``: the report (also the marker of a finished job: re-running returns it unchanged);
- ``history.npz``: distances, losses and accuracies at every logged epoch;
- ``fig2.png``: measured geometry against the prediction over gamma (:func:`training.paper_figures.figure2`).

Every file is written atomically; a directory holding a different sweep is refused.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from theory.core.errors import InputError
from theory.infra.atomic import write_atomic
from training.checkpoint import read_json, write_json
from training.measurements import DISTANCES, Measurements, measure
from training.specs import RunSpec
from training.ufm import SweepResult, TrainConfig, UFMProblem, config_fingerprint, train_sweep


def report(problem: UFMProblem, config: TrainConfig, meas: Measurements, device: str) -> dict[str, Any]:
    """The ``--json`` object: problem, settings and one entry per model (see ``Measurements.run_json``)."""
    imb = problem.imbalance
    return {"k": imb.k, "k_minor": imb.k_minor, "counts": imb.counts.tolist(), "d": problem.d,
            "config": dataclasses.asdict(config),
            "device": device, "runs": [meas.run_json(b) for b in range(len(meas.specs))]}


def _history_npz(meas: Measurements) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, epochs=meas.epochs, loss=meas.loss, train_error=meas.train_error,
             balanced_accuracy=meas.balanced_accuracy, class_accuracy=meas.class_accuracy,
             **{f"distance_{key}": meas.distance[key] for key in DISTANCES})
    return buf.getvalue()


RUN_KEYS = ("gamma", "seed", "distance", "train_error", "zero_error", "diverged")


def _is_report(rep: object) -> bool:
    """True when ``rep`` has the structure :func:`report` writes (what the commands read back)."""
    if not isinstance(rep, dict) or not isinstance(rep.get("runs"), list):
        return False
    return all(isinstance(r, dict) and all(key in r for key in RUN_KEYS) and isinstance(r["distance"], dict)
               and all(key in r["distance"] for key in DISTANCES) for r in rep["runs"])


def run_sweep(problem: UFMProblem, specs: Sequence[RunSpec], config: TrainConfig, out: str | Path | None = None,
              progress: bool = False, figure: bool = True) -> tuple[dict[str, Any], SweepResult | None]:
    """Train (or resume, or reload) a sweep; returns (report, result). ``result`` is ``None`` when
    ``out`` already held the finished sweep and the stored report was returned."""
    fingerprint = config_fingerprint(problem, specs, config)
    if out is None:
        result = train_sweep(problem, specs, config, progress=progress)
        return report(problem, config, measure(result), result.device), result
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} exists and is not a directory")
    done = out / "results.json"
    if done.is_file():
        stored = read_json(done, ("fingerprint", "report"))
        if stored["fingerprint"] != fingerprint:
            raise InputError(f"{out} holds the results of a different sweep; use another output directory")
        if not _is_report(stored["report"]):
            raise InputError(f"{done} does not hold a sweep report; remove it or use another output directory")
        return stored["report"], None
    out.mkdir(parents=True, exist_ok=True)
    result = train_sweep(problem, specs, config, checkpoint=out / "checkpoint.pt", progress=progress)
    meas = measure(result)
    rep = report(problem, config, meas, result.device)
    write_atomic(out / "history.npz", _history_npz(meas))
    if figure:
        from training.paper_figures import figure2

        figure2(meas, problem.imbalance, out / "fig2.png")
    write_json(done, {"fingerprint": fingerprint, "report": rep})
    return rep, result
