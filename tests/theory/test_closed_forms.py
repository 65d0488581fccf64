"""SymPy closed forms (behnia2023 Thm 2 under STEP imbalance) against the numeric eigen route."""

import math

import numpy as np
import pytest

from theory.core.errors import InputError
from hypothesis import given, settings
from hypothesis import strategies as st

from theory.seli.closed_forms import closed_forms, evaluate
from theory.seli.seli_geometry import seli_geometry, step_counts, step_groups
from theory.core.parameterization import Parameterization
from theory.seli.quantities import QUANTITIES
from theory.seli.step_geometry import predict_step
from theory.seli.step_setting import StepSetting, step_delta

REL = 1e-9


def numeric_quantities(loss, k, k_minor, R, delta_ratio, n_min=1.0, delta_min=1.0, precision="extended"):
    """Every quantity measured on the numeric eigen route at (n_min, delta_min) = given values."""
    d = np.array([delta_ratio * delta_min] * (k - k_minor) + [delta_min] * k_minor)
    geo = seli_geometry(step_counts(k, k_minor, R, n_min), Parameterization.from_name(loss, d), precision)
    maj, mnr = step_groups(k, k_minor)
    out = {}
    for block, G in (("W", geo.G_W), ("M", geo.G_M)):
        out[f"{block}.sq_norm_maj"] = G[maj[0], maj[0]]
        out[f"{block}.sq_norm_min"] = G[mnr[0], mnr[0]]
    summary = geo.summary(maj, mnr)
    for q in QUANTITIES:
        block, name = q.split(".")
        if not name.startswith("sq_norm"):
            out[q] = summary[block][name]
    return out


def assert_close(sym, num, label):
    for q in QUANTITIES:
        if sym[q] is None or num[q] is None:
            assert sym[q] is None and num[q] is None, (label, q)
            continue
        assert math.isclose(sym[q], num[q], rel_tol=REL, abs_tol=0.0), (label, q, sym[q], num[q])


@settings(max_examples=12)
@given(k=st.integers(2, 40), data=st.data(),
       R=st.one_of(st.floats(1.0, 1000.0), st.integers(1, 1000).map(float)),
       gamma=st.floats(-1.5, 1.5))
def test_symbolic_equals_numeric_route(k, data, R, gamma):
    """Closed forms (30-digit evaluation) vs the extended-precision eigen route, to 1e-9 relative."""
    k_minor = data.draw(st.integers(1, k - 1), label="k_minor")
    delta_ratio = R**gamma
    for loss in ("CDT", "LDT"):
        sym = evaluate(loss, k, k_minor, R, delta_ratio)
        num = numeric_quantities(loss, k, k_minor, R, delta_ratio)
        assert_close(sym, num, (loss, k, k_minor, R, gamma))


@pytest.mark.parametrize("loss, k, k_minor, R, gamma", [
    ("CDT", 10, 5, 1000.0, -1.5), ("CDT", 10, 5, 1000.0, 1.5), ("LDT", 10, 5, 1000.0, -1.5),
    ("LDT", 10, 5, 1000.0, 1.5), ("CDT", 2, 1, 1000.0, 1.5), ("LDT", 40, 39, 1000.0, -1.5),
    ("CDT", 40, 1, 1.0, 0.0), ("CE", 7, 3, 123.4, 0.0)])
def test_extreme_settings(loss, k, k_minor, R, gamma):
    """The corners of the range, where cond(X N X^T) reaches ~1e12."""
    delta_ratio = R**gamma
    num_loss = "CDT" if loss == "CE" else loss
    assert_close(evaluate(loss, k, k_minor, R, delta_ratio),
                 numeric_quantities(num_loss, k, k_minor, R, delta_ratio), (loss, k, k_minor, R, gamma))


@settings(max_examples=15)
@given(k=st.integers(2, 12), data=st.data(), R=st.floats(1.0, 50.0), gamma=st.floats(-1.0, 1.0),
       n_min=st.floats(0.1, 20.0), delta_min=st.floats(0.05, 20.0))
def test_scaling_law_and_delta_invariance(k, data, R, gamma, n_min, delta_min):
    """Only Delta matters for ratios/cosines; squared norms scale as sqrt(n_min)/delta_min (W) and
    1/(sqrt(n_min) delta_min) (M), the law stated in theory.seli.closed_forms (double precision route)."""
    k_minor = data.draw(st.integers(1, k - 1), label="k_minor")
    Delta = R**gamma
    for loss in ("CDT", "LDT"):
        base = numeric_quantities(loss, k, k_minor, R, Delta, precision="double")
        scaled = numeric_quantities(loss, k, k_minor, R, Delta, n_min, delta_min, precision="double")
        for q in QUANTITIES:
            if base[q] is None:
                continue
            factor = 1.0
            if q.startswith("W.sq_norm"):
                factor = math.sqrt(n_min) / delta_min
            elif q.startswith("M.sq_norm"):
                factor = 1.0 / (math.sqrt(n_min) * delta_min)
            assert math.isclose(scaled[q], factor * base[q], rel_tol=1e-7, abs_tol=1e-12), (loss, q)


def test_ce_is_cdt_at_delta_one():
    assert evaluate("CE", 9, 4, 37.0, 1.0) == pytest.approx(evaluate("CDT", 9, 4, 37.0, 1.0), rel=1e-14)


def test_cosine_of_single_class_group_is_none():
    out = predict_step(StepSetting("CDT", 3, 2, 10.0, 2.0))
    assert out["W"]["cos_maj_maj"] is None and out["M"]["cos_maj_maj"] is None
    assert out["W"]["cos_min_min"] is not None


@pytest.mark.parametrize("loss", ["CE", "CDT", "LDT"])
def test_predict_step_methods_agree(loss):
    Delta = 1.0 if loss == "CE" else 10 ** 0.3
    sym = predict_step(StepSetting(loss, 10, 5, 10.0, Delta), "symbolic")
    num = predict_step(StepSetting(loss, 10, 5, 10.0, Delta), "numeric")
    assert sym.keys() == num.keys()
    for block in ("W", "M", "WM"):
        for key, v in sym[block].items():
            assert v == pytest.approx(num[block][key], rel=1e-9)


def test_step_delta_is_normalised():
    d = step_delta(10, 5, 3.0)
    assert d.sum() == pytest.approx(10.0) and d[0] / d[-1] == pytest.approx(3.0)


@pytest.mark.parametrize("args, msg", [
    (("CDT", 1, 1, 10, 1), "k must be >= 2"), (("CDT", 5, 5, 10, 1), "k_minor must lie"),
    (("CDT", 5, 0, 10, 1), "k_minor must be >= 1"), (("CDT", 5, 2, 0, 1), "R must be > 0"),
    (("CDT", 5, 2, 10, -1), "must be > 0"), (("CDT", 5, 2, float("nan"), 1), "R must be finite"),
    (("XYZ", 5, 2, 10, 1), "unknown loss"), (("CE", 5, 2, 10, 2.0), "CE has Delta = 1")])
def test_bad_input(args, msg):
    with pytest.raises(ValueError, match=msg):
        StepSetting(*args)


@pytest.mark.parametrize("loss, gamma, ok", [("CE", 0.0, True), ("CE", 0.5, False), ("CDT", 0.5, True),
                                             ("LDT", -1.0, True)])
def test_ce_has_delta_one_in_every_form(loss, gamma, ok):
    """CE is CDT at delta = 1: a STEP setting, its gamma form, a trained model's spec and the R -> infinity
    limit all refuse CE with Delta != 1, with one message (theory.core.parameterization.CE_DELTA_ONE)."""
    from theory.core.parameterization import CE_DELTA_ONE
    from theory.seli.limits import limit_R_infinity
    from training.specs import RunSpec

    makers = [lambda: StepSetting(loss, 4, 2, 10.0, 10.0**gamma), lambda: StepSetting.from_gamma(loss, 4, 2, 10.0, gamma),
              lambda: RunSpec(loss, gamma)]
    if loss == "CE":
        makers.append(lambda: limit_R_infinity(loss, "W.cos_min_min", None if ok else "1/2"))
    for make in makers:
        if ok:
            make()
        else:
            with pytest.raises(InputError) as info:
                make()
            assert str(info.value) == CE_DELTA_ONE


def test_every_closed_form_is_present_and_uses_only_public_symbols():
    forms = closed_forms()
    assert len(forms) == 3 * len(QUANTITIES)
    allowed = {"k", "k_m", "R", "Delta"}
    for key, expr in forms.items():
        assert {s.name for s in expr.free_symbols} <= allowed, key
        if key.startswith("CE."):
            assert "Delta" not in {s.name for s in expr.free_symbols}, key
