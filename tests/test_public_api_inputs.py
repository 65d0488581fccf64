"""Issue 26 item 5: every public function and class named in README and docs/ validates its arguments like
the CLI and raises :class:`theory.core.errors.InputError` (never a TypeError, AttributeError,
MemoryError, a ComputationError or a silent result) for bad input.

The names are read from the ``from MODULE import NAMES`` lines of README.md and docs/**/*.md, so a
function added to the documentation without a bad-input case here fails
:func:`test_every_documented_name_has_bad_input_cases`. Each case is a call that must be refused.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from theory.core.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
IMPORT = re.compile(r"from ((?:theory|numerics|training|proofs_check|igeom)[\w.]*) import ([\w, ]+)")


def documented_names() -> set[tuple[str, str]]:
    """(module, name) of every public callable imported in README's and docs' code."""
    names = set()
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for module, listed in IMPORT.findall(doc.read_text()):
            for name in (n.strip() for n in listed.split(",")):
                if name and not name.startswith("_"):
                    names.add((module, name))
    return names


def _imb():
    from theory.core.imbalance import Imbalance

    return Imbalance([4, 4, 2, 2])


def _param(k: int = 4):
    from theory.core.parameterization import Parameterization

    return Parameterization.custom(np.ones((k, k)))


def _get(module: str, name: str) -> Callable:
    return getattr(importlib.import_module(module), name)


NAN = float("nan")
H = np.random.default_rng(0).standard_normal((3, 12))
Y = np.arange(12) % 3

#: name -> calls that must raise InputError (each a zero-argument lambda)
BAD: dict[str, list[Callable[[], object]]] = {
    "compare_with_theory": [lambda: _get("numerics.compare", "compare_with_theory")(None),
                            lambda: _get("numerics.compare", "compare_with_theory")("solution")],
    "solve_cs_svm": [lambda: _get("numerics.cs_svm", "solve_cs_svm")([4, 4, 2.5, 2], _param()),
                     lambda: _get("numerics.cs_svm", "solve_cs_svm")(_imb(), _param(3)),
                     lambda: _get("numerics.cs_svm", "solve_cs_svm")(_imb(), _param(), max_iters=0)],
    "solve_large_k": [lambda: _get("numerics.large_k", "solve_large_k")([10.5, 3, 3, 3], _param()),
                      lambda: _get("numerics.large_k", "solve_large_k")([10**20, 1, 1, 1], _param()),
                      lambda: _get("numerics.large_k", "solve_large_k")(_imb(), _param(), tol=NAN)],
    "solve_nonconvex": [lambda: _get("numerics.nonconvex", "solve_nonconvex")(_imb(), _param(), d=0),
                        lambda: _get("numerics.nonconvex", "solve_nonconvex")([1, -1], _param(2))],
    "compare_to_convex": [lambda: _get("numerics.nonconvex", "compare_to_convex")([], None),
                          lambda: _get("numerics.nonconvex", "compare_to_convex")(None, None)],
    "UFMPlusProblem": [lambda: _get("numerics.ufm_plus_solver", "UFMPlusProblem")(_imb(), -1.0, 1e-3, 8),
                       lambda: _get("numerics.ufm_plus_solver", "UFMPlusProblem")(_imb(), 1e-3, 1e-3, 2)],
    "solve": [lambda: _get("numerics.ufm_plus_solver", "solve")(None),
              lambda: _get("numerics.ufm_plus_solver", "solve")(_get("numerics.ufm_plus_solver", "UFMPlusProblem")(
                  _imb(), 1e-3, 1e-3, 8), starts=0)],
    "largest_deviation": [lambda: _get("numerics.ufm_plus_solver", "largest_deviation")({}, {"M": np.ones(2)}),
                          lambda: _get("numerics.ufm_plus_solver", "largest_deviation")(None, None)],
    "PredictionSpec": [lambda: _get("proofs_check.tasks.feature_measurement", "measure_statistics")(
        None, None, _get("proofs_check.tasks.feature_measurement", "PredictionSpec")())],
    "measure_statistics": [lambda: _get("proofs_check.tasks.feature_measurement", "measure_statistics")(
        None, None, _get("proofs_check.tasks.feature_measurement", "PredictionSpec")())],
    "check_parameterization": [
        lambda: _get("proofs_check.tasks.parameterization_check", "check_parameterization")(np.ones((2, 2)), [3, 1],
                                                                                          epochs=0),
        lambda: _get("proofs_check.tasks.parameterization_check", "check_parameterization")(np.full((2, 2), NAN), [3, 1])],
    "Imbalance": [lambda: _get("theory.core.imbalance", "Imbalance")([1.5, 2]),
                  lambda: _get("theory.core.imbalance", "Imbalance")([10**20, 1])],
    "nc1": [lambda: _get("theory.core.collapse_metrics", "nc1")(H, Y, 2), lambda: _get("theory.core.collapse_metrics", "nc1")(None, Y, 3)],
    "nc2": [lambda: _get("theory.core.collapse_metrics", "nc2")(np.ones((2, 3)), H, Y),
            lambda: _get("theory.core.collapse_metrics", "nc2")(None, H, Y)],
    "nc3": [lambda: _get("theory.core.collapse_metrics", "nc3")(np.full((3, 3), NAN), H, Y, np.ones((3, 3))),
            lambda: _get("theory.core.collapse_metrics", "nc3")(None, H, Y, None)],
    "Parameterization": [lambda: _get("theory.core.parameterization", "Parameterization").custom(np.full((2, 2), NAN)),
                         lambda: _get("theory.core.parameterization", "Parameterization").custom(-np.ones((2, 2)))],
    "preset_loss": [lambda: _get("theory.core.loss_presets", "preset_loss")("nope", [4, 2]),
                    lambda: _get("theory.core.loss_presets", "preset_loss")("CDT", [4, 2], gamma=NAN)],
    "closed_form": [lambda: _get("theory.seli.closed_forms", "closed_form")("nope", "W.norm_ratio"),
                    lambda: _get("theory.seli.closed_forms", "closed_form")("CDT", "nope")],
    "CSSVMProblem": [lambda: _get("theory.seli.cs_svm_problem", "CSSVMProblem")(_imb(), _param(3), False)],
    "limit_R_infinity": [lambda: _get("theory.seli.limits", "limit_R_infinity")("nope", "W.norm_ratio"),
                         lambda: _get("theory.seli.limits", "limit_R_infinity")("CDT", "W.norm_ratio", gamma=NAN)],
    "ldt_etf_at_sqrt_R": [],  # takes no arguments: nothing to refuse
    "predict_step": [lambda: _get("theory.seli.step_geometry", "predict_step")(
                         _get("theory.seli.step_setting", "StepSetting")("CDT", 10**6, 5 * 10**5, 3.0, 1.0), method="numeric"),
                     lambda: _get("theory.seli.step_geometry", "predict_step")("CDT")],  # not a StepSetting
    "StepSetting": [lambda: _get("theory.seli.step_setting", "StepSetting")("CDT", 4, 2, NAN, 1.0),
                    lambda: _get("theory.seli.step_setting", "StepSetting")("CE", 4, 2, 3.0, 2.0)],
    "step_delta": [lambda: _get("theory.seli.step_setting", "step_delta")(4, 5, 2.0),
                   lambda: _get("theory.seli.step_setting", "step_delta")(4, 2, NAN)],
    "CollapseAccumulator": [lambda: _get("training.collapse_stream", "CollapseAccumulator")(1, 4),
                            lambda: _get("training.collapse_stream", "CollapseAccumulator")(3, 0)],
    "predict": [lambda: _get("theory.ufm_plus.closed_form", "predict")([4, 4, 2, 2], 1e-320, 1e-3),
                lambda: _get("theory.ufm_plus.closed_form", "predict")([4], 1e-3, 1e-3)],
    "digits_step": [lambda: _get("training.data", "digits_step")(k_minor=0),
                    lambda: _get("training.data", "digits_step")(R=NAN)],
    "collect_features": [lambda: _get("training.features", "collect_features")(None, None, [], 3)],
    "linear_classifier": [lambda: _get("training.features", "linear_classifier")(None)],
    "measure": [lambda: _get("training.measurements", "measure")(None),
                lambda: _get("proofs_check.tasks.feature_measurement", "measure")(H.T, Y, np.full((3, 3), NAN)),
                lambda: _get("proofs_check.tasks.feature_measurement", "measure")(H.T, Y, batch_rows=1.5)],
    "MLP": [lambda: _get("training.nets", "MLP")(64, 10, d=0), lambda: _get("training.nets", "MLP")(64, 1)],
    "log_preset_loss": [lambda: _get("training.preset_training", "log_preset_loss")(None, None, None)],
    "RunSpec": [lambda: _get("training.specs", "RunSpec")("nope", 0.0, 0),
                lambda: _get("training.specs", "RunSpec")("CDT", NAN, 0),
                lambda: _get("training.specs", "RunSpec")("CDT", 0.0, -1)],
    "Conventions": [lambda: _get("theory.core.collapse_metrics", "Conventions")(nc1="nope"),
                    lambda: _get("theory.core.collapse_metrics", "Conventions")(cdnv_exponent=NAN)],
    "REFERENCE_CONVENTIONS": [],  # a constant (a Conventions instance): nothing to call
    "CollapseMonitor": [lambda: _get("training.collapse_monitor", "CollapseMonitor")(
        __import__("torch").nn.Linear(3, 2), __import__("torch").nn.ReLU(), [], 2),
        lambda: _get("training.collapse_monitor", "CollapseMonitor")(None, None, [], 2)],
    "TrainConfig": [lambda: _get("training.ufm", "TrainConfig")(epochs=0),
                    lambda: _get("training.ufm", "TrainConfig")(lr=NAN)],
    "UFMProblem": [lambda: _get("training.ufm", "UFMProblem").step(4, 5, 2.0, 1, 5),
                   lambda: _get("training.ufm", "UFMProblem").step(4, 2, 2.0, 1, 0)],
    "train_sweep": [lambda: _get("training.ufm", "train_sweep")(None, []),
                    lambda: _get("training.ufm", "train_sweep")(_get("training.ufm", "UFMProblem").step(4, 2, 2.0, 1, 5),
                                                                [])],
}


def test_every_documented_name_has_bad_input_cases() -> None:
    named = {name for _, name in documented_names()}
    assert len(named) >= 25  # the parser still finds README's imports
    assert sorted(named - set(BAD)) == []


@pytest.mark.parametrize("name,index", [(name, i) for name, calls in sorted(BAD.items()) for i in range(len(calls))])
def test_bad_input_raises_input_error(name: str, index: int) -> None:
    with pytest.raises(InputError):
        BAD[name][index]()
