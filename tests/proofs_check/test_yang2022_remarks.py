"""yang2022_remarks: every check passes, and a planted error makes each claim fail (negative controls)."""

from __future__ import annotations

import numpy as np
import pytest

from proofs_check.claims import yang2022_remarks as mod
from proofs_check.proof_objects.etf import cross_entropy


def _claim(label: str):
    return next(c for c in mod.CLAIMS if c.id == f"yang2022 {label}")


def _run(label: str, description: str):
    check = next(c for c in _claim(label).checks if c.quick and c.description.startswith(description))
    return check.run()


@pytest.mark.parametrize("claim", mod.CLAIMS, ids=lambda c: c.id)
def test_quick_checks_pass(claim) -> None:
    for check in claim.checks:
        if check.quick:
            out = check.run()
            assert out.passed, (check.description, out.detail)


def test_fig2_figures() -> None:
    out = _run("Sec. 4.2.2 and Fig. 2", "Fig. 2 configuration")
    assert 0.05 < out.figure < 0.07          # about 20 degrees between -grad CE and w*_3 (K = 3, E = 1)


def test_dr_direction_fails_for_a_loss_with_a_push_term(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: 'DR' replaced by CE, whose gradient has a push term; the 'always towards w*_c' check fails."""
    monkeypatch.setattr(mod, "dot_regression", lambda p, h: cross_entropy(p.W, h, p.label))
    assert not _run("Sec. 4.2.2 and Fig. 2", "DR: 1 - cos").passed
    assert not _run("Sec. 4.2.2 and Fig. 2", "Fig. 2 configuration").passed


def test_push_projection_fails_without_the_etf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: an off-diagonal ETF Gram entry 10 % too large; F_push^T w_c is no longer E_W (1 - p_c)/(K-1)."""
    same, other = mod.etf_gram_entries()
    monkeypatch.setattr(mod, "etf_gram_entries", lambda: (same, other * 1.1))
    assert not _run("Sec. 4.2.2 and Fig. 2", "F_push^T w_c and the Gram").passed


def test_remark2_fails_when_the_push_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: the minority gradients without their push term (pull only): their cosine stays -1/(K-1)."""
    original = mod.remark2_gradients

    def planted(*args):
        R, tot, pull, push = original(*args)
        return R, {i: pull[i] for i in tot}, pull, push
    mod._remark2_limits.cache_clear()
    monkeypatch.setattr(mod, "remark2_gradients", planted)
    try:
        assert not _run("Remark 2", "SymPy gradient").passed
    finally:
        mod._remark2_limits.cache_clear()


def test_remark2_numeric_fails_for_another_loss(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: the loss differentiated numerically is the squared loss ||W^T h - e_y||^2 / 2 (its pull/push
    balance differs from CE's; a mere logit scale would not change the cosine, which is scale-free)."""
    monkeypatch.setattr(mod, "cross_entropy", lambda W, h, y: 0.5 * float(np.sum((W.T @ h - np.eye(W.shape[1])[y]) ** 2)))
    assert not _run("Remark 2", "central differences").passed


def test_app_c_fails_without_class_dependent_lengths(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: sqrt(E_w_k) = N/K (no 1/n_k): the per-class bound is no longer 2 sigma/K and majority classes
    exceed 2/K."""
    monkeypatch.setattr(mod, "class_length", lambda total, k, n_k: total / k)
    assert not _run("App. C", "DR with length s").passed
    assert not _run("App. C", "class lengths").passed


def test_app_c_bound_fails_for_a_steeper_loss(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: DR scaled by 1.05; its gradient exceeds 2 sqrt(E_W) at h = -h*."""
    original = mod.dot_regression
    monkeypatch.setattr(mod, "dot_regression", lambda p, h: 1.05 * original(p, h))
    assert not _run("App. C", "the bound is attained").passed


@pytest.mark.slow
@pytest.mark.parametrize("label", ["footnote 1", "Remark 1"])
def test_lpm_checks_meet_their_expectation(label: str) -> None:
    """Every check passes except the one that tests footnote 1 as printed under imbalance, which fails (its
    erratum yang2022-footnote1-optimality)."""
    for check in _claim(label).checks:
        out = check.run()
        assert out.passed == (check.erratum is None), (check.description, out.detail)


@pytest.mark.slow
def test_footnote1_fails_on_imbalanced_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: the 'balanced' case run on (5, 5, 1, 1): the two optima differ and the check fails."""
    monkeypatch.setattr(mod, "_BALANCED", mod._STEP)
    assert not next(c for c in _claim("footnote 1").checks if c.description.startswith("balanced")).run().passed


@pytest.mark.slow
def test_remark1_fails_without_imbalance(monkeypatch: pytest.MonkeyPatch) -> None:
    """Planted: the 'extreme' case run on balanced counts: the minority classifiers do not merge."""
    monkeypatch.setattr(mod, "_EXTREME", mod._BALANCED)
    assert not next(c for c in _claim("Remark 1").checks if c.description.startswith("learnable")).run().passed
