"""Proof-step claims of dang2024 (Sec. 7) and yang2022 (Sec. 4.2-4.3, Appendices A-B).

(a) the claims are well formed (every check itself runs in tests/proofs_check/test_registry.py, which
parametrizes over the whole registry); (b) negative controls: the same measures fail on
instances that break a step's hypothesis or on the printed (misprinted) constants, so the checks can fail.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

from proofs_check.claims import _instances as inst
from proofs_check.claims import dang2024_proof as dang
from proofs_check.claims import yang2022_proof as yang
from proofs_check.catalog import all_errata
from proofs_check.errata.yang2022_proofs import ERRATA as YANG_PROOF_ERRATA
from proofs_check.proof_objects import calculus as calc
from proofs_check.proof_objects import etf
from proofs_check.proof_objects import ufm_plus_proof as ufm
from proofs_check.runner import property_outcome
from theory.core.tolerances import FINITE_DIFFERENCE, ROUNDING

CLAIMS = dang.CLAIMS + yang.CLAIMS


def test_claims_are_proof_steps_with_unique_ids() -> None:
    ids = [c.id for c in CLAIMS]
    assert len(set(ids)) == len(ids)
    for claim in CLAIMS:
        assert claim.kind == "proof step" and claim.id.startswith(f"{claim.paper} proof ")
        assert any(c.quick for c in claim.checks) and any(not c.quick for c in claim.checks)


def test_new_errata_are_linked_to_these_claims_and_hold() -> None:
    ids = {c.id for c in CLAIMS}
    new = [e for e in all_errata() if e.id in {"dang2024-step1-norm-index", "dang2024-step4-collapse"}]
    new += YANG_PROOF_ERRATA
    assert len(new) == 4 and len({e.id for e in new}) == 4
    for erratum in new:
        assert erratum.claim_id in ids and erratum.id in next(c for c in CLAIMS if c.id == erratum.claim_id).statement
        assert erratum.printed != erratum.corrected
        evidence = erratum.evidence()
        assert evidence.holds, evidence.detail


# ----------------------------------------------------------------------------- (b) negative controls
def _fails(strategy, measure, tolerance: float, examples: int = 20) -> bool:
    return not property_outcome(strategy, measure, tolerance, "negative control", max_examples=examples).passed


def test_eq33_needs_non_negative_features() -> None:
    """(33) is not an identity: with signed class means its left side can be the smaller one."""
    assert _fails(inst.ufm_points(4, signed=True), lambda p: -dang._eq33_gap(p), ROUNDING)


def test_step2_equality_needs_t_of_eq28() -> None:
    """(27) at twice the t of (28) is not an equality."""
    def at_double_t(p: ufm.UFMPoint) -> float:
        lhs, rhs = dang._step2_sides(p, 2 * ufm.t_equality(ufm.class_exponents(p), p.k))
        return float(np.max(np.abs(lhs - rhs)))
    assert _fails(inst.ufm_points(4, signed=True), at_double_t, ROUNDING)


def test_strict_check_fails_on_its_equality_instances() -> None:
    """The strictness builder reports a failure where the equality condition of (24) holds."""
    check = inst.strict_checks("(24) strict", lambda m: inst.ufm_points(m, features="equal_wrong_logits"),
                               dang._eq24_gap)[0]
    assert not check.run().passed


def test_lemma1_guard_rejects_non_kkt_points() -> None:
    """(43) is only checked at certified KKT points: a perturbed minimiser is rejected (violation inf)."""
    def perturbed(p: ufm.UFMPoint) -> float:
        q = ufm.UFMPoint(p.counts, p.lambda_w, p.lambda_h, "perturbed", 0, p.W * 1.01, p.H)
        return dang._lemma1_at_minimizer(q)
    assert _fails(inst.ufm_minimizers(4, "no_collapse"), perturbed, 1e-10)


def test_printed_c1_breaks_the_equality_of_eq38() -> None:
    """With c_1 as printed in (41) (lambda_W lambda_H outside the square root) (38) is not attained."""
    def printed(p: ufm.UFMPoint) -> float:
        c1 = p.n_total * np.sqrt((p.k - 1) / p.k) * p.lambda_w * p.lambda_h
        return calc.rel_diff(*dang._eq38_sides(p, c1))
    assert _fails(inst.ufm_minimizers(4, "no_collapse"), printed, 1e-10)


def test_eq15_fails_off_the_sphere() -> None:
    """(15) as printed against central differences at ||h|| != sqrt(E_H)."""
    assert _fails(inst.etf_points(4, "free"), yang._dr_gradient_on_sphere, FINITE_DIFFERENCE)


def test_feature_gradient_check_detects_a_sign_error() -> None:
    """(12) with the push term's sign flipped is refuted by the central differences."""
    def flipped(q: etf.LPMPoint) -> float:
        h, c = q.H[:, 0], int(q.labels[0])
        numeric = calc.numeric_gradient(lambda v: etf.cross_entropy(q.W, v, c), h)
        prob = etf.probabilities(q.W, h)
        mask = np.arange(len(q.counts)) != c
        return calc.gradient_error(numeric, -(1 - prob[c]) * q.W[:, c] - q.W[:, mask] @ prob[mask])
    assert _fails(inst.lpm_points(4), flipped, FINITE_DIFFERENCE)


def test_printed_lines_of_eq38_fail() -> None:
    """Lines 3-4 of (38) as printed differ from M."""
    def printed(p: etf.ETFPoint) -> float:
        m = etf.m_lines(p)
        return abs(m["line3_printed"] - m["line1"]) / m["scale"]
    assert _fails(inst.etf_points(4, "cone"), printed, 1e-10)


def test_printed_step_of_eq42_misses_the_bound() -> None:
    """At gamma as printed after (42) (square root over (1 - cos)/(1 - p_k)) the bound (43) is not attained."""
    def printed(p: etf.ETFPoint) -> float:
        pk = float(etf.probabilities(p.W, p.h)[p.label])
        gamma = (p.k - 1) / p.k * np.sqrt(p.e_h / p.e_w * (1 - p.cos) / (1 - pk))
        return abs(yang._ce_ratio_gap(etf.with_gamma(p, float(gamma))))
    assert _fails(inst.etf_points(4, "symmetric"), printed, FINITE_DIFFERENCE)


def test_exp_over_x_is_not_increasing_on_negatives() -> None:
    """The remark before (26) as printed: f(x) = exp(x)/x increasing on x < 0 is refuted."""
    assert _fails(st.tuples(st.floats(-20.0, -0.01), st.floats(0.05, 0.95)), yang._exp_over_x_decreasing, 0.0)


def test_eq39a_needs_equal_wrong_probabilities() -> None:
    """(39)-(40) measured on generic features in the cone (the assumption of Thm 2 dropped) fail."""
    assert _fails(inst.etf_points(4, "cone", min_k=3), yang._eq39_40, 1e-10)
