"""Spec parsing and validation (issue 14 item 1): every bad spec is one InputError line."""

from __future__ import annotations

import pytest

from igeom.sweep.spec import load_spec, parse_spec, task_key
from theory.core.errors import InputError

UFM = """
kind = "ufm-train"
[grid]
loss = ["CDT", "LDT"]
gamma = [-1.0, 0, 1.0]
R = [5, 10]
seed = [0, 1]
[fixed]
k = 10
k_minor = 5
n_min = 5
epochs = 2000
"""


def test_issue_example_product_and_batches(write_spec):
    spec = load_spec(write_spec(UFM))
    points = spec.points()
    assert len(points) == 2 * 3 * 2 * 2
    assert {(p["loss"], p["gamma"], p["R"], p["seed"]) for p in points} == {
        (l, g, r, s) for l in ("CDT", "LDT") for g in (-1.0, 0.0, 1.0) for r in (5.0, 10.0) for s in (0, 1)}
    assert all(isinstance(p["gamma"], float) and isinstance(p["R"], float) for p in points)  # TOML 0 -> 0.0
    assert all(p["epochs"] == 2000 and p["d"] == 20 for p in points)  # fixed value and default
    tasks = spec.tasks()
    # losses, gammas and seeds of one UFM setting share one batched program: one task per R
    assert len(tasks) == 2
    assert sorted(len(t.points) for t in tasks) == [12, 12]
    assert all(len({p["R"] for p in t.points}) == 1 for t in tasks)
    assert len({t.key for t in tasks}) == 2


def test_task_key_is_a_function_of_the_work():
    a = [{"loss": "CE", "k": 3}]
    assert task_key("geometry", a) == task_key("geometry", [{"k": 3, "loss": "CE"}])  # key order irrelevant
    assert task_key("geometry", a) != task_key("geometry", [{"loss": "CE", "k": 4}])
    assert task_key("geometry", a) != task_key("svm", a)


def test_unbatched_kind_has_one_task_per_point():
    spec = parse_spec({"kind": "geometry", "grid": {"R": [2, 3], "gamma": [0.0, 0.5, 1.0]},
                       "fixed": {"loss": "CDT", "k": 4, "k_minor": 2}})
    assert len(spec.tasks()) == 6


BAD = {
    "not toml": ("kind = ", "not valid TOML"),
    "unknown top-level": ('kind = "geometry"\nfoo = 1\n[fixed]\nloss = "CE"', "unknown top-level key 'foo'"),
    "unknown kind": ('kind = "nope"', "kind must be one of"),
    "missing kind": ('[grid]\nR = [1]', "kind must be one of"),
    "grid not table": ('kind = "geometry"\ngrid = 3', "[grid] must be a table"),
    "unknown grid key": ('kind = "geometry"\n[grid]\nfoo = [1]\n[fixed]\nloss = "CE"', "unknown key grid.foo"),
    "unknown fixed key": ('kind = "geometry"\n[fixed]\nloss = "CE"\nbar = 2', "unknown key fixed.bar"),
    "empty list": ('kind = "geometry"\n[grid]\nR = []\n[fixed]\nloss = "CE"', "grid.R must be a non-empty list"),
    "scalar grid": ('kind = "geometry"\n[grid]\nR = 3\n[fixed]\nloss = "CE"', "grid.R must be a non-empty list"),
    "repeated value": ('kind = "geometry"\n[grid]\nR = [2, 2.0]\n[fixed]\nloss = "CE"', "grid.R repeats a value"),
    "both tables": ('kind = "geometry"\n[grid]\nR = [2]\n[fixed]\nR = 3\nloss = "CE"', "in both [grid] and [fixed]"),
    "missing required": ('kind = "geometry"\n[grid]\nR = [2]', "needs loss"),
    "wrong type": ('kind = "geometry"\n[grid]\nk = [3.5]\n[fixed]\nloss = "CE"', "grid.k[0]: expected an integer"),
    "bool for number": ('kind = "geometry"\n[fixed]\nloss = "CE"\nR = true', "fixed.R: expected a number"),
    "bad choice": ('kind = "geometry"\n[fixed]\nloss = "XE"', "expected one of CE, CDT, LDT"),
    "negative R": ('kind = "geometry"\n[grid]\nR = [2, -1]\n[fixed]\nloss = "CDT"', "R=-1.0"),
    "CE with gamma": ('kind = "geometry"\n[grid]\ngamma = [0, 1]\n[fixed]\nloss = "CE"', "CE has Delta = 1"),
    "k_minor too big": ('kind = "svm"\n[fixed]\nloss = "CDT"\nk = 3\nk_minor = 3', "k_minor"),
    "ufm-train d < k-1": ('kind = "ufm-train"\n[fixed]\nloss = "CDT"\nk = 10\nd = 3', "d must be >= k - 1"),
    "ufm-train bad momentum": ('kind = "ufm-train"\n[grid]\nmomentum = [0.5, 1.5]\n[fixed]\nloss = "CE"',
                               "momentum must lie in [0, 1)"),
    "ufm-train R n_min": ('kind = "ufm-train"\n[fixed]\nloss = "CE"\nR = 2.5\nn_min = 1', "integer"),
    "ufm-plus lambda": ('kind = "ufm-plus"\n[fixed]\nlambda_w = 0\nlambda_h = 1e-3', "lambda_w"),
    "check-param shape": ('kind = "check-param"\n[fixed]\nscaling = [[1, 1], [1, 1]]\ncounts = [3, 2, 1]',
                          "2 x 2 but there are 3"),
    "check-param matrix type": ('kind = "check-param"\n[fixed]\nscaling = [1, 1]\ncounts = [3, 2]',
                                "array of arrays"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_spec_is_one_input_error_line(name, write_spec):
    text, fragment = BAD[name]
    with pytest.raises(InputError) as info:
        load_spec(write_spec(text))
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message and message.startswith("spec")


def test_missing_file():
    with pytest.raises(InputError, match="does not exist"):
        load_spec("/nonexistent/spec.toml")
