"""dang2024_collapse and the Sec. 5.1 errata: every check ends as expected, and a planted error makes each claim
fail (negative controls)."""

from __future__ import annotations

import numpy as np
import pytest

from proofs_check.catalog import errata_by_id
from proofs_check.claims import dang2024_collapse as mod
from proofs_check.errata import dang2024_sec51 as errata_mod
from proofs_check.runner import run_check


def _claim(label: str):
    return next(c for c in mod.CLAIMS if c.id == f"dang2024 {label}")


def _run(label: str, description: str):
    return next(c for c in _claim(label).checks if c.description.startswith(description)).run()


@pytest.mark.parametrize("claim", mod.CLAIMS, ids=lambda c: c.id)
def test_checks_end_as_expected(claim) -> None:
    errata = errata_by_id()
    for check in claim.checks:
        record = run_check(claim, check, errata)
        assert str(record.status) == ("erratum" if check.erratum else "pass"), (check.description, record.detail)


@pytest.mark.parametrize("erratum", errata_mod.ERRATA, ids=lambda e: e.id)
def test_sec51_evidence_holds(erratum) -> None:
    assert erratum.evidence().holds


def test_within_trace_is_the_trace_of_sigma_w() -> None:
    """The evidence's sample-by-sample trace equals trace(Sigma_W) computed from the class means by matrices."""
    counts = (3, 1, 2)
    H = np.random.default_rng(0).random((3, 6))
    y = np.repeat(np.arange(3), counts)
    centred = H - mod.class_means(H, y, 3)[:, y]
    assert errata_mod._within_trace(H, counts, None, None) == pytest.approx(np.sum(centred**2) / 6, rel=1e-12)


def test_eq18_symbolic_fails_for_a_wrong_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    derived = mod.derivation()
    monkeypatch.setattr(mod, "derivation", lambda: {**derived, "C": derived["C"] * 103 / 100})
    assert not _run("Cor. 4(b)", "(18) is").passed


def test_complete_collapse_checks_fail_when_18_is_not_met(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: the lambda of 'C = 1.25 n_A' is that of C = 0.8 n_A; the solver's minimiser is not (0, 0)."""
    original = mod.lambda_for
    monkeypatch.setattr(mod, "lambda_for", lambda counts, ratio: original(counts, 0.8 if ratio > 1 else ratio))
    assert not _run("Cor. 4(b)", "solver of (4): (0, 0)").passed


def test_second_order_edge_fails_off_the_boundary(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: lambda 3 % off (the 'equality' case is no longer on the boundary of (18))."""
    original = mod.lambda_for
    monkeypatch.setattr(mod, "lambda_for", lambda counts, ratio: 1.03 * original(counts, ratio))
    assert not _run("Cor. 4(b)", "edge: equality").passed


def test_norm_checks_fail_where_norms_are_monotone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: lambda = 0.005 puts every class on the decreasing branch; derivative of the wrong sign."""
    monkeypatch.setattr(mod, "_NORM_LAMBDA", 0.005)
    assert not _run("Sec. 4.1 feature norms", "solver at counts").passed
    derived = mod.derivation()
    monkeypatch.setattr(mod, "derivation", lambda: {**derived, "h_norm_sq_derivative_r":
                                                    -derived["h_norm_sq_derivative_r"]})
    assert not _run("Sec. 4.1 feature norms", "d||h_k||^2/dr").passed


def test_nc1_check_fails_with_the_printed_means(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: the corrected NC1 replaced by the printed one (class means with 1/n, n = N/K)."""
    monkeypatch.setattr(mod, "nc1", lambda H, y, k: mod.printed_nc1(H, y, k, n=len(y) / k))
    assert not _run("Sec. 5.1 NC1", "corrected NC1 at").passed


def test_boundary_fails_for_a_perturbed_17(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: the right side of (17) 3 % larger; its equality is no longer n_B = C."""
    monkeypatch.setattr(mod, "PRINTED", {**mod.PRINTED, "minority_collapse_rhs":
                                         mod.PRINTED["minority_collapse_rhs"] * 103 / 100})
    assert not _run("Cor. 4(b)", "edge: equality in (17)").passed
