"""A check's result depends on the code it checks: a few-percent error planted in a theory-side prediction
makes at least one quick registry check of the paper end differently from its expectation (issue 11).

The plant replaces the prediction function in every loaded module that imported it (claims import by
name), then the paper's quick checks run in registry order until the first one that does not end as
expected ("erratum" for a check of a printed statement, "pass" otherwise).
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any, Callable

import numpy as np
import pytest

import theory.core.collapse_metrics as measure_mod
import theory.etf.simplex as etf_mod
import theory.seli.sel as sel_mod
import theory.ufm_plus.closed_form as ufm_mod
from proofs_check.catalog import all_claims, errata_by_id
from proofs_check.runner import run_check

ERROR = 1.03  # the planted relative error


def _plant(monkeypatch: pytest.MonkeyPatch, original: Callable, wrapper: Callable) -> int:
    hits = 0
    for module in list(sys.modules.values()):
        for name, value in list(vars(module).items()) if module is not None else []:
            if value is original:
                monkeypatch.setattr(module, name, wrapper)
                hits += 1
    return hits


def _first_deviation(paper: str) -> tuple[str, str] | None:
    errata = errata_by_id()
    for claim in all_claims():
        if str(claim.paper) != paper:
            continue
        for check in claim.checks:
            if not check.quick:
                continue
            record = run_check(claim, check, errata)
            expected = "erratum" if check.erratum else "pass"
            if str(record.status) != expected:
                return claim.id, f"{check.description}: {record.status} ({record.detail[:120]})"
    return None


def _seli_logits(original: Callable) -> Callable:
    def planted(*args: Any, **kwargs: Any) -> np.ndarray:
        X = np.array(original(*args, **kwargs), dtype=object if kwargs.get("precision") else None, copy=True)
        X[0, 1] = X[0, 1] * ERROR
        return X
    return planted


def _scaled(original: Callable) -> Callable:
    def planted(*args: Any, **kwargs: Any) -> np.ndarray:
        return np.asarray(original(*args, **kwargs)) * ERROR
    return planted


def _ufm_gram(original: Callable) -> Callable:
    def planted(*args: Any, **kwargs: Any) -> Any:
        pred = original(*args, **kwargs)
        gram = np.array(pred.w_gram, copy=True)
        gram[0, 1] *= ERROR
        gram[1, 0] *= ERROR
        return dataclasses.replace(pred, w_gram=gram)
    return planted


def _etf(original: Callable) -> Callable:
    def planted(*args: Any, **kwargs: Any) -> np.ndarray:
        W = np.array(original(*args, **kwargs), copy=True)
        W[:, 0] *= ERROR
        return W
    return planted


#: the first three reach their first deviating check after 0.5-2 minutes of checks: slow-marked
PLANTS = {
    "SELI class logits (behnia2023)": (sel_mod, "class_logits", _seli_logits, "behnia2023", True),
    "UFM+ margins M_k (dang2024)": (ufm_mod, "margins", _scaled, "dang2024", True),
    "UFM+ classifier Gram matrix (dang2024)": (ufm_mod, "predict", _ufm_gram, "dang2024", True),
    "simplex ETF (yang2022)": (etf_mod, "simplex_etf", _etf, "yang2022", False),
}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if v[4] else n for n, v in PLANTS.items()])
def test_planted_error_is_caught(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    all_claims()  # load every claim module first, so the plant reaches the names they imported
    module, attr, make, paper, _ = PLANTS[name]
    original = getattr(module, attr)
    assert _plant(monkeypatch, original, make(original)) >= 1
    caught = _first_deviation(paper)
    assert caught is not None, f"a {ERROR - 1:.0%} error in {name} changed no quick check of {paper}"


@pytest.mark.parametrize("metric", ["nc1", "nc2", "nc3"])
def test_multiplicative_nc_error_is_caught(metric: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 3 % scale error in NC1, NC2 or NC3: invisible where the metric is 0 (at the minimiser), caught by
    the quick check that evaluates the definitions exactly away from collapse (claim dang2024 NC metrics)."""
    all_claims()
    original = getattr(measure_mod, metric)
    assert _plant(monkeypatch, original, _scaled(original)) >= 1
    claim = next(c for c in all_claims() if c.id == "dang2024 NC metrics (19)-(21)")
    assert all(check.quick for check in claim.checks)
    record = run_check(claim, claim.checks[0], errata_by_id())
    assert str(record.status) == "fail", record.detail


def test_nc_metrics_error_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """NC1 with an additive error of 0.03 changes a quick check of dang2024 (at the minimiser)."""
    all_claims()
    original = measure_mod.nc1
    assert _plant(monkeypatch, original, lambda *a, **k: np.asarray(original(*a, **k)) + 0.03) >= 1
    assert _first_deviation("dang2024") is not None
