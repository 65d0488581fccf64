"""Fuzz every ``igeom`` sub-command's parser with generated argument lists (hypothesis).

The option vocabulary is read from the parser itself, so a new option or sub-command is fuzzed without
editing this file. Values mix valid small sizes with hostile ones (NaN, inf, subnormal and huge numbers,
empty strings, unwritable and plain-file paths, malformed lists). The heavy library calls (convex and
non-convex solves, the UFM+ solver, training, the claim registry) are replaced by stand-ins that raise
``ComputationError``, so every example stays fast while parsing, validation, the up-front estimates and
the output checks run for real; ``--force`` is left out (it would let a huge size through to real work).

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
          "LDT", "wCE", "VS", "quick"]
SKIP_OPTIONS = {"-h", "--help", "--force"}


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


COMMANDS = _subparsers(build_parser())


def _value(action: argparse.Action) -> st.SearchStrategy[str]:
    pool = st.sampled_from(VALUES) | st.integers(-3, 6).map(str) | st.floats().map(repr)
    if action.choices:
        return st.sampled_from([str(c) for c in action.choices]) | pool
    return pool


@st.composite
def argument_lists(draw: st.DrawFn, name: str) -> list[str]:
    """``[name, options...]`` with each option of the sub-command included at random (required ones
    mostly), written ``--opt=value`` so that values starting with '-' stay values."""
    argv = [name]
    actions = [a for a in COMMANDS[name]._actions
               if a.option_strings and not SKIP_OPTIONS & set(a.option_strings)]
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


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import numerics.cs_svm
    import numerics.nonconvex
    import numerics.ufm_plus_solver
    import proofs_check.tasks.parameterization_check
    import proofs_check.report
    import training.resumable_sweep

    for module, name in [(numerics.cs_svm, "solve_cs_svm"), (numerics.nonconvex, "solve_nonconvex"),
                         (numerics.ufm_plus_solver, "solve"), (training.resumable_sweep, "run_sweep"),
                         (proofs_check.tasks.parameterization_check, "check_parameterization"),
                         (proofs_check.report, "write_report")]:
        monkeypatch.setattr(module, name, _stand_in)
    monkeypatch.chdir(tmp_path)
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


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_fuzzed_arguments_keep_the_contract(name: str, sandbox: Path, capsys: pytest.CaptureFixture[str]) -> None:
    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
    @given(argv=argument_lists(name))
    def check(argv: list[str]) -> None:
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
            # verify streams its progress to stderr before the work; every other command prints one line
            assert len(lines) == 1 or (name == "verify" and lines[0].startswith("igeom verify --level")
                                       and len(lines) == 2), (argv, err)
        if "--json" in argv and out.strip():
            for line in out.strip().splitlines():
                assert all(abs(x) < float("inf") for x in _numbers(_strict(line))), (argv, line)
        assert os.getcwd() == str(sandbox)

    check()
