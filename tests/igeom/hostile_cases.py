"""The hostile cases of issue 26, one builder per case, shared by the replay test and its script form.

Each case prepares what it needs in an empty directory and returns what to run: a list of ``igeom``
arguments (run in-process through :func:`igeom.cli.main`) or a Python callable (a call of the public
API). The promise checked for every case (:func:`check`):

- bad input: exit status 2 (the API: :class:`theory.core.errors.InputError`) and exactly one stderr
  line that contains the case's fragment (the flag, key or file at fault);
- a failed computation: exit status 1 and one line;
- never a traceback, an "internal error", or NaN / Infinity in output that claims success.

The heavy cases (10^7 grid points, 10^12 epochs, k = 5000, 10^5 workers) must be refused by the up-front
estimates before any allocation, so each of them finishes in well under a second when the promise
holds. Cases that need real processes (two sweeps racing for one ``--out``, Ctrl-C of a running sweep)
are in ``test_hostile_replay.py`` itself.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

Action = list[str] | Callable[[], object]


@dataclass(frozen=True)
class Case:
    """One hostile input: ``build(dir)`` prepares files and returns the action; ``code`` and ``fragment``
    are the promised exit status and a piece of its one stderr line."""

    name: str
    build: Callable[[Path], Action]
    code: int
    fragment: str


@dataclass(frozen=True)
class Result:
    """What one case gave: exit status, stdout, stderr."""

    code: int
    out: str
    err: str


def execute(action: Action) -> Result:
    """Run an action in-process, capturing stdout and stderr (API errors become status 2 or 1 + one line)."""
    from theory.core.errors import ComputationError, InputError

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        if callable(action):
            try:
                value = action()
                code = 0
                print(repr(value))
            except InputError as exc:
                code = 2
                print(f"InputError: {exc}", file=err)
            except ComputationError as exc:
                code = 1
                print(f"ComputationError: {exc}", file=err)
            except Exception as exc:  # noqa: BLE001 - a wrong exception type is what the case detects
                code = 3
                print(f"{type(exc).__name__} (not InputError): {exc}", file=err)
        else:
            from igeom.cli import main

            try:
                code = main(action)
            except SystemExit as exc:
                code = int(exc.code) if isinstance(exc.code, int) else 2
    return Result(code, out.getvalue(), err.getvalue())


def check(case: Case, result: Result) -> list[str]:
    """The broken promises of ``result`` (empty when clean)."""
    problems = []
    if result.code != case.code:
        problems.append(f"exit {result.code}, promised {case.code}")
    if "Traceback" in result.err or "internal error" in result.err:
        problems.append("traceback or internal error on stderr")
    lines = result.err.strip().splitlines()
    if case.code != 0:
        if len(lines) != 1:
            problems.append(f"{len(lines)} stderr lines, promised 1")
        if case.fragment.lower() not in result.err.lower():
            problems.append(f"stderr does not name {case.fragment!r}")
    if result.code == 0 and re.search(r"\b(NaN|Infinity)\b", result.out):
        problems.append("NaN or Infinity in output claiming success")
    return problems


# ---- files ------------------------------------------------------------------------------------------------


def _features(d: Path, y: np.ndarray | None = None) -> tuple[str, str, str]:
    """Features (3 classes, 4 samples each, d = 3), labels and a classifier written under ``d``."""
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 4) if y is None else y
    k = int(max(3, labels.max() + 1)) if labels.dtype.kind in "iu" and labels.max() < 100 else 3
    H = rng.standard_normal((labels.size, 3)) + np.eye(3)[np.arange(labels.size) % 3] * 3
    W = rng.standard_normal((k, 3))
    np.save(d / "H.npy", H)
    np.save(d / "y.npy", labels)
    np.save(d / "W.npy", W)
    return str(d / "H.npy"), str(d / "y.npy"), str(d / "W.npy")


def _measure(d: Path, y: np.ndarray | None = None, *extra: str) -> list[str]:
    H, y_path, _ = _features(d, y)
    return ["measure", "--features", H, "--labels", y_path, "--json", *extra]


def _toml(d: Path, text: str, name: str = "spec") -> str:
    path = d / f"{name}.toml"
    path.write_text(text)
    return str(path)


GEOMETRY_SPEC = 'kind = "ufm-plus"\n[grid]\nR = [2.0, 4.0, 8.0]\n[fixed]\nk = 4\nk_minor = 2\nlambda_w = 0.001\nlambda_h = 0.001\n'


def _finished_sweep(d: Path) -> tuple[str, Path]:
    """A ufm-plus spec and its finished results table (rows computed in this process, no cluster)."""
    from igeom.sweep.engine import execute as run_task
    from igeom.sweep.results import ResultStore
    from igeom.sweep.spec import load_spec

    spec_path = _toml(d, GEOMETRY_SPEC)
    spec = load_spec(spec_path)
    out = d / "out"
    out.mkdir()
    store = ResultStore(out, spec.kind)
    for task in spec.tasks():
        store.add(run_task(task))
    store.flush()
    return spec_path, out


def _tamper_results(d: Path, edit: Callable[[list[dict]], list[dict]]) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    spec, out = _finished_sweep(d)
    rows = pq.read_table(out / "results.parquet").to_pylist()
    pq.write_table(pa.Table.from_pylist(edit(rows)), out / "results.parquet")
    return ["sweep", spec, "--out", str(out), "--workers", "1"]


def _raw_results(d: Path, data: bytes) -> list[str]:
    spec, out = _finished_sweep(d)
    (out / "results.parquet").write_bytes(data)
    return ["sweep", spec, "--out", str(out), "--workers", "1"]


def _nan_metric(rows: list[dict]) -> list[dict]:
    name = next(k for k, v in rows[0].items() if isinstance(v, float) and k not in ("seconds", "R"))
    rows[0][name] = float("nan")
    return rows


DEEPNET = ["experiment", "deepnet-gamma", "--gammas", "0:1:2", "--losses", "CDT", "--epochs", "2", "--log-every", "1",
           "--no-progress", "--device", "cpu", "--json"]


def _deepnet_checkpoint(d: Path, edit: Callable[[dict], object] | None = None, raw: bytes | None = None) -> list[str]:
    """A finished tiny deepnet-gamma run whose results.json is removed (so the next run resumes from
    sweep.ckpt), then its checkpoint edited (``edit`` on the loaded state) or replaced by ``raw`` bytes."""
    import torch

    argv = [*DEEPNET, "--out", str(d / "run")]
    first = execute(argv)
    assert first.code == 0, first.err
    (d / "run" / "results.json").unlink()
    ckpt = d / "run" / "sweep.ckpt"
    if raw is not None:
        ckpt.write_bytes(raw)
    elif edit is not None:
        state = torch.load(ckpt, weights_only=True)
        replaced = edit(state)
        torch.save(state if replaced is None else replaced, ckpt)
    return argv


def _set(state: dict, key: str, value: object) -> None:
    state[key] = value


def _nan_classifier(state: dict) -> None:
    name = next(k for k in state["params"] if "classifier" in k or k.endswith("weight"))
    state["params"][name][0].view(-1)[0] = float("nan")


def _plain_pickle_pt(d: Path) -> list[str]:
    H, y, _ = _features(d)
    with open(d / "H.pt", "wb") as fh:
        pickle.dump({"features": np.load(H).tolist()}, fh)
    return ["measure", "--features", str(d / "H.pt"), "--labels", y]


def _random_npy(d: Path) -> list[str]:
    _, y, _ = _features(d)
    (d / "R.npy").write_bytes(np.random.default_rng(1).bytes(4096))
    return ["measure", "--features", str(d / "R.npy"), "--labels", y]


def _api_measure(**kwargs: object) -> Callable[[], object]:
    from proofs_check.tasks.feature_measurement import measure

    rng = np.random.default_rng(0)
    H, y = rng.standard_normal((12, 3)), np.repeat(np.arange(3), 4)
    return lambda: measure(H, y, **kwargs)


def _api_measure_statistics(stats: object = "ok", nc4: object = None) -> Callable[[], object]:
    from proofs_check.tasks.feature_measurement import PredictionSpec, measure_statistics
    from training.collapse_stream import CollapseAccumulator

    if stats == "ok":
        rng = np.random.default_rng(0)
        stats = CollapseAccumulator(3, 3)
        stats.update(rng.standard_normal((12, 3)) + np.eye(3)[np.arange(12) % 3], np.arange(12) % 3)
    return lambda: measure_statistics(stats, None, PredictionSpec(), nc4=nc4)


def _api_large_k(counts: list) -> Callable[[], object]:
    from numerics.large_k import solve_large_k
    from theory.core.parameterization import Parameterization

    return lambda: solve_large_k(counts, Parameterization.custom(np.ones((len(counts), len(counts)))))


def _cases() -> list[Case]:
    C = Case
    api_predict_step = lambda d: (lambda: __import__("theory.seli.step_geometry", fromlist=["x"]).predict_step(  # noqa: E731
        __import__("theory.seli.step_setting", fromlist=["x"]).StepSetting("CDT", 10**6, 5 * 10**5, 3.0, 1.0),
        method="numeric"))
    return [
        # 1. wrong numbers as success
        C("deepnet ckpt epoch -5", lambda d: _deepnet_checkpoint(d, lambda s: _set(s, "epoch", -5)), 2, "sweep.ckpt"),
        C("deepnet ckpt epoch 1e9", lambda d: _deepnet_checkpoint(d, lambda s: _set(s, "epoch", 10**9)), 2, "sweep.ckpt"),
        C("deepnet ckpt NaN weight", lambda d: _deepnet_checkpoint(d, _nan_classifier), 2, "sweep.ckpt"),
        C("results duplicated rows", lambda d: _tamper_results(d, lambda r: r + r), 2, "results.parquet"),
        C("results unknown status", lambda d: _tamper_results(d, lambda r: [{**x, "status": "weird"} for x in r]), 2,
          "results.parquet"),
        C("results NaN metric in ok row", lambda d: _tamper_results(d, _nan_metric), 2, "results.parquet"),
        C("API measure NaN classifier", lambda d: _api_measure(classifier=np.full((3, 3), np.nan)), 2, "classifier"),
        # 3. tracebacks, hangs, memory blow-ups, internal errors
        C("check-param huge count", lambda d: ["check-param", "--loss", "CDT", "--gamma", "0.5", "--counts",
                                               "10,100000000000000000000,3,3", "--predict-only"], 2, "--counts"),
        C("presets huge count", lambda d: ["experiment", "presets", "--counts", "1e20,1"], 2, "--counts"),
        C("sweep 100000 workers", lambda d: ["sweep", _toml(d, GEOMETRY_SPEC), "--workers", "100000", "--out",
                                             str(d / "o")], 2, "--workers"),
        C("sweep 10^7 grid points", lambda d: ["sweep", _toml(d, 'kind = "ufm-plus"\n[grid]\nR = [' + ", ".join(
            f"{2 + i / 1000:.4f}" for i in range(1000)) + "]\nlambda_w = [" + ", ".join(f"{1e-3 * (1 + i / 1e4):.7g}" for i in range(100))
            + "]\nlambda_h = [" + ", ".join(f"{1e-3 * (1 + i / 1e4):.7g}" for i in range(100)) + "]\n"), "--out", str(d / "o")],
          2, "grid"),
        C("sweep ufm-train epochs 1e12", lambda d: ["sweep", _toml(d, 'kind = "ufm-train"\n[grid]\nloss = ["CDT"]\n'
                                                                   "[fixed]\nepochs = 1000000000000\n"), "--out", str(d / "o")],
          2, "epochs"),
        C("deepnet epochs 1e12", lambda d: ["experiment", "deepnet-gamma", "--epochs", "1000000000000", "--no-progress",
                                            "--device", "cpu"], 2, "1000000000000 epochs"),
        C("deepnet width 1e7", lambda d: ["experiment", "deepnet-gamma", "--width", "10000000", "--no-progress",
                                          "--device", "cpu"], 2, "--force"),
        C("deepnet hidden 1e5,1e5", lambda d: ["experiment", "deepnet-gamma", "--hidden", "100000,100000",
                                               "--no-progress", "--device", "cpu"], 2, "--force"),
        C("presets epochs 1e12", lambda d: ["experiment", "presets", "--epochs", "1000000000000"], 2, "--force"),
        C("presets counts step:5000", lambda d: ["experiment", "presets", "--counts", "step:5000,2500,10"], 2, "--force"),
        # k = 5000 (the case) is estimated at ~7.8 GB and ~42 min by the large-k model: within the
        # limits, so it runs; k = 20000 (16 x the memory, 64 x the time) is what the model refuses
        C("check-param predict-only k 20000", lambda d: ["check-param", "--loss", "wCE", "--gamma", "1", "--counts",
                                                         "step:20000,10000,10", "--predict-only"], 2, "--force"),
        C("measure float label 2^62", lambda d: _measure(d, np.array([0.0, 1.0, 2.0] * 3 + [2.0**62, 1.0, 0.0])), 2, "label"),
        C("measure label 1e9", lambda d: _measure(d, np.array([0, 1, 2] * 3 + [10**9, 1, 0])), 2, "label"),
        C("measure uint64 label", lambda d: _measure(d, np.array([0, 1, 2] * 3 + [2**63 + 5, 1, 0], dtype=np.uint64)),
          2, "9223372036854775813"),
        C("measure --out afile/sub", lambda d: (d.joinpath("afile").write_text("x"),
                                                _measure(d, None, "--out", str(d / "afile" / "sub")))[1], 2, "--out"),
        C("sweep svm k 100000", lambda d: ["sweep", _toml(d, 'kind = "svm"\n[grid]\nloss = ["CDT"]\n[fixed]\nk = 100000\n'
                                                             "k_minor = 50000\ngamma = 0.5\n"), "--out", str(d / "o")],
          2, "--force"),
        C("results truncated", lambda d: _raw_results(d, b"PAR1\x00\x01\x02"), 2, "results.parquet"),
        C("results empty", lambda d: _raw_results(d, b""), 2, "results.parquet"),
        C("results foreign table", lambda d: _tamper_results(d, lambda r: [{"a": 1, "b": 2.0}]), 2, "results.parquet"),
        C("scheduler notaurl", lambda d: ["sweep", _toml(d, GEOMETRY_SPEC), "--scheduler", "notaurl:::", "--out",
                                          str(d / "o")], 2, "--scheduler"),
        C("deepnet ckpt truncated", lambda d: _deepnet_checkpoint(d, raw=b"PK\x03\x04trunc"), 2, "sweep.ckpt"),
        C("deepnet ckpt empty", lambda d: _deepnet_checkpoint(d, raw=b""), 2, "sweep.ckpt"),
        C("deepnet ckpt random bytes", lambda d: _deepnet_checkpoint(d, raw=np.random.default_rng(2).bytes(3000)), 2,
          "sweep.ckpt"),
        C("deepnet ckpt foreign dict", lambda d: _deepnet_checkpoint(d, lambda s: {"epoch": 1, "weights": [1, 2]}), 2,
          "sweep.ckpt"),
        # 4. unclear or silent
        C("refused run leaves no job.json", lambda d: (lambda: _refused_then_corrected(d)), 0, ""),
        C("measure float label reported", lambda d: _measure(d, np.array([0.0, 1.0, 2.0] * 3 + [1.5e19, 1.0, 0.0])), 2,
          "1.5e+19"),
        C("measure plain-pickle .pt", _plain_pickle_pt, 2, "H.pt"),
        C("measure features is a directory", lambda d: (d.joinpath("D").mkdir(), ["measure", "--features", str(d / "D"),
                                                                                  "--labels", _features(d)[1]])[1],
          2, "is a directory"),
        C("measure random bytes .npy", _random_npy, 2, "R.npy"),
        C("measure --batch-rows 0", lambda d: _measure(d, None, "--batch-rows", "0"), 2, "--batch-rows"),
        C("presets --seed -1", lambda d: ["experiment", "presets", "--seed", "-1"], 2, "--seed"),
        C("API measure_statistics nc4 NaN", lambda d: _api_measure_statistics(nc4=float("nan")), 2, "nc4"),
        C("API measure_statistics nc4 -1", lambda d: _api_measure_statistics(nc4=-1.0), 2, "nc4"),
        C("API solve_large_k fractional counts", lambda d: _api_large_k([10.5, 3, 3, 3]), 2, "count"),
        C("API ufm_plus.predict lambda 1e-320", lambda d: (lambda: __import__(
            "theory.ufm_plus.closed_form", fromlist=["x"]).predict([4, 4, 2, 2], 1e-320, 1e-3)), 2, "lambda"),
        C("API predict_step numeric k 1e6", api_predict_step, 2, "k"),
        C("API simplex_etf 1e6", lambda d: (lambda: __import__("theory.etf.simplex", fromlist=["x"]).simplex_etf(
            10**6, 10**6)), 2, "force"),
        C("API measure_statistics None", lambda d: _api_measure_statistics(stats=None), 2, "stats"),
        C("API measure batch_rows 1.5", lambda d: _api_measure(batch_rows=1.5), 2, "batch_rows"),
        C("API solve_large_k 1e20 count", lambda d: _api_large_k([10**20, 1, 1, 1]), 2, "count"),
    ]


def _refused_then_corrected(d: Path) -> str:
    """A refused deepnet-gamma run (missing data folder) leaves nothing in --out: the corrected run then
    starts (here refused only by its own budget check? no: it runs a tiny configuration)."""
    out = str(d / "o1")
    refused = execute(["experiment", "deepnet-gamma", "--dataset", "cifar10", "--data", str(d / "nonexistent"),
                       "--out", out, "--no-progress", "--device", "cpu"])
    assert refused.code == 2, refused.err
    assert not (d / "o1" / "job.json").exists(), "the refused run left job.json"
    corrected = execute([*DEEPNET, "--out", out])
    assert corrected.code == 0, corrected.err
    return "ok"


CASES = _cases()
