"""Fuzz every ``igeom`` sub-command's parser with generated argument lists (hypothesis).

The option vocabulary is read from the parser itself, so a new option or sub-command is fuzzed without
editing this file. Values mix valid small sizes with hostile ones (NaN, inf, subnormal and huge numbers,
empty strings, unwritable and plain-file paths, malformed lists). The heavy library calls (convex and
non-convex solves, the UFM+ solver, training, the claim registry) are replaced by stand-ins that raise
``ComputationError``, so every example stays fast while parsing, validation, the up-front estimates and
the output checks run for real; ``--force`` is left out (it would let a huge size through to real work).

Besides every top-level sub-command, each ``igeom experiment NAME``, ``check-param --predict-only`` and
``sweep`` with generated TOML specs (every kind, its parameters given hostile values) are fuzzed (issue 26);
``measure`` finds small valid feature, label and classifier files among the values.

Asserted for every example: exit status in {0, 1, 2}, no traceback, exactly one line on stderr when the
status is not 0 (``verify`` prints its progress header first), and any JSON printed is strict (no NaN /
Infinity) with finite numbers.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from igeom.cli import build_parser, main
from theory.core.errors import ComputationError

VALUES = ["0", "1", "2", "3", "4", "5", "-1", "-2", "0.5", "2.5", "1e-320", "1e-200", "1e308", "1e300", "nan",
          "inf", "-inf", "1" + "0" * 30, str(2**62), "1000000000", "", " ", "x", "2,1", "3,2,1", "8,8,2,2", "1,,2",
          "2,2,2", "0:1:2", "-1.5:1.5:3", "1:0:1", "0:1:0", "0:1:100000000", "/proc/igeom-x", "/proc/igeom-x/f.tex",
          "plain", "plain/sub", "out", "s.tex", "A.csv", "A.json", "bad.csv", "missing.csv", ".", "CE", "CDT",
          "LDT", "wCE", "VS", "quick", "H.npy", "y.npy", "W.npy", "y.csv", "R.npy", "step:3,1,2", "step:5000,2500,10",
          "1e20,1", "10,100000000000000000000,3,3", "1000000000000", "100000"]
SKIP_OPTIONS = {"-h", "--help", "--force"}


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


COMMANDS = _subparsers(build_parser())
#: argv prefix -> parser of every fuzzed target: the sub-commands, each experiment, check-param --predict-only
TARGETS: dict[str, tuple[list[str], argparse.ArgumentParser]] = {name: ([name], p) for name, p in COMMANDS.items()}
TARGETS.update({f"experiment {name}": (["experiment", name], p)
                for name, p in _subparsers(COMMANDS["experiment"]).items()})
TARGETS["check-param --predict-only"] = (["check-param", "--predict-only"], COMMANDS["check-param"])


def _value(action: argparse.Action) -> st.SearchStrategy[str]:
    pool = st.sampled_from(VALUES) | st.integers(-3, 6).map(str) | st.floats().map(repr)
    if action.choices:
        return st.sampled_from([str(c) for c in action.choices]) | pool
    return pool


@st.composite
def argument_lists(draw: st.DrawFn, name: str) -> list[str]:
    """``[prefix..., options...]`` with each option of the target included at random (required ones
    mostly), written ``--opt=value`` so that values starting with '-' stay values."""
    prefix, parser = TARGETS[name]
    argv = list(prefix)
    actions = [a for a in parser._actions
               if a.option_strings and not SKIP_OPTIONS & set(a.option_strings) and a.option_strings[-1] not in argv]
    for action in draw(st.permutations(actions)):
        if not draw(st.booleans()) and not (action.required and draw(st.integers(0, 9)) > 0):
            continue
        option = action.option_strings[-1]
        if action.nargs == 0:
            argv.append(option)
        else:
            argv.append(f"{option}={draw(_value(action))}")
    return argv


def _stand_in(*args: object, **kwargs: object) -> None:
    raise ComputationError("heavy computation skipped in the fuzz test")


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {float("inf"): "inf", float("-inf"): "-inf"}.get(value, "nan" if value != value else repr(value))
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)


SPEC_VALUES = st.one_of(st.integers(-3, 12), st.sampled_from([0.5, 2.0, 10.0, -1.0, 1e-320, 1e308, float("nan"),
                                                              float("inf"), 10**12, 10**5, 2**63 - 1]),
                        st.sampled_from(["CE", "CDT", "LDT", "wCE", "x", "", "numeric", "symbolic", "H.npy", "y.npy",
                                         "W.npy", "cpu", "cuda", "digits", "mlp"]), st.booleans(),
                        st.lists(st.integers(-1, 6), max_size=4), st.lists(st.lists(st.floats(0.5, 2), min_size=2,
                                                                                    max_size=2), max_size=2))


@st.composite
def sweep_specs(draw: st.DrawFn) -> str:
    """TOML text of a sweep spec: a kind (or a wrong one), grid lists and fixed values over its parameters
    (and an unknown key now and then), each value drawn from hostile pools."""
    from igeom.sweep.kinds import KINDS

    kind = draw(st.sampled_from([*KINDS, "nope"]))
    names = [p.name for p in KINDS[kind].params] if kind in KINDS else ["k"]
    keys = draw(st.lists(st.sampled_from([*names, "bogus"]), unique=True, max_size=6))
    lines = [f"kind = {json.dumps(kind)}", "[grid]"]
    fixed = []
    for key in keys:
        if draw(st.booleans()):
            lines.append(f"{key} = {_toml_value(draw(st.lists(SPEC_VALUES, min_size=1, max_size=3)))}")
        else:
            fixed.append(f"{key} = {_toml_value(draw(SPEC_VALUES))}")
    return "\n".join(lines + ["[fixed]", *fixed]) + "\n"


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import numpy as np

    import igeom.sweep.engine
    import numerics.cs_svm
    import numerics.large_k
    import numerics.nonconvex
    import numerics.ufm_plus_solver
    import proofs_check.tasks.parameterization_check
    import proofs_check.report
    import training.convergence_study
    import training.deepnet
    import training.fixed_etf
    import training.experiments.etf_table
    import training.experiments.gamma_sweep
    import training.experiments.nc_relu_training
    import training.preset_training
    import training.resumable_sweep

    for module, name in [(numerics.cs_svm, "solve_cs_svm"), (numerics.nonconvex, "solve_nonconvex"),
                         (numerics.ufm_plus_solver, "solve"), (training.resumable_sweep, "run_sweep"),
                         (numerics.large_k, "solve_large_k"), (igeom.sweep.engine, "run_sweep"),
                         (training.deepnet, "train_nets"), (training.convergence_study, "paper_figures"), (training.preset_training, "train_ufm_presets"),
                         (training.experiments.gamma_sweep, "train_nets"), (training.experiments.nc_relu_training, "train_nets"),
                         (training.fixed_etf, "train_method"), (training.experiments.etf_table, "train_method"),
                         (proofs_check.tasks.parameterization_check, "check_parameterization"),
                         (proofs_check.report, "write_report")]:
        if hasattr(module, name):
            monkeypatch.setattr(module, name, _stand_in)
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    np.save("H.npy", rng.standard_normal((12, 3)) + np.eye(3)[np.arange(12) % 3])
    np.save("y.npy", np.arange(12) % 3)
    np.save("W.npy", rng.standard_normal((3, 3)))
    Path("y.csv").write_text(",".join(str(i % 3) for i in range(12)))
    Path("R.npy").write_bytes(rng.bytes(512))
    Path("plain").write_text("x")
    Path("A.csv").write_text("1,2\n2,1\n")
    Path("A.json").write_text("[[1, 2, 1], [1, 1, 3], [2, 1, 1]]")
    Path("bad.csv").write_text("1,a\n\x00")
    return tmp_path


def _strict(text: str) -> object:
    def refuse(token: str) -> None:
        raise AssertionError(f"non-standard JSON constant {token} printed")

    return json.loads(text, parse_constant=refuse)


def _numbers(obj: object) -> list[float]:
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in _numbers(v)]
    if isinstance(obj, list):
        return [x for v in obj for x in _numbers(v)]
    return [float(obj)] if isinstance(obj, (int, float)) and not isinstance(obj, bool) else []


def _keeps_contract(name: str, argv: list[str], sandbox: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Run ``igeom argv`` in-process and assert the contract of the module docstring."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    if code != 0:
        lines = err.splitlines()
        assert lines and lines[-1].startswith(("igeom: error:", "igeom: failed:")), (argv, err)
        # verify streams its progress to stderr before the work (and, under --claim, the claims it selected);
        # every other command prints one line
        assert len(lines) == 1 or (name == "verify" and lines[0].startswith("igeom verify --level")
                                   and (len(lines) == 2 or (len(lines) == 3 and lines[1].startswith("--claim selects")))), \
            (argv, err)
    if "--json" in argv and out.strip():
        for line in out.strip().splitlines():
            assert all(abs(x) < float("inf") for x in _numbers(_strict(line))), (argv, line)
    assert os.getcwd() == str(sandbox)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzzed_arguments_keep_the_contract(name: str, sandbox: Path, capsys: pytest.CaptureFixture[str]) -> None:
    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
    @given(argv=argument_lists(name))
    def check(argv: list[str]) -> None:
        _keeps_contract(name.split()[0], argv, sandbox, capsys)

    check()


def test_fuzzed_sweep_specs_keep_the_contract(sandbox: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``igeom sweep SPEC`` with generated specs: every kind and parameter, hostile values (the sweep's
    execution is stubbed; loading, point checks, estimates and the --out lock run for real)."""
    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
    @given(text=sweep_specs(), extra=st.lists(st.sampled_from(["--workers=2", "--workers=100000", "--workers=0",
                                                               "--scheduler=notaurl:::", "--json", "--out=plain/sub",
                                                               "--threads-per-worker=0"]), unique=True, max_size=2))
    def check(text: str, extra: list[str]) -> None:
        Path("fuzz.toml").write_text(text)
        _keeps_contract("sweep", ["sweep", "fuzz.toml", "--out=o", *extra], sandbox, capsys)

    check()
