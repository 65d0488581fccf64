"""Every registry check runs as a pytest test: quick checks by default, the others under -m slow."""

import pytest

from proofs_check.registry import Check, Claim, Outcome, all_claims, errata_by_claim, run_check

ERRATA = errata_by_claim()


def _params():
    out = []
    for claim in all_claims():
        for i, check in enumerate(claim.checks):
            marks = [] if check.quick else [pytest.mark.slow]
            out.append(pytest.param(claim, check, id=f"{claim.id} [{check.level} {i}]", marks=marks))
    return out


@pytest.mark.parametrize("claim, check", _params())
def test_registry_check(claim, check):
    record = run_check(claim, check, ERRATA)
    assert record.status in ("pass", "erratum"), record.as_dict()
    if record.status == "erratum":
        assert record.erratum is not None


def test_errata_evidence_holds():
    from proofs_check.errata import all_errata

    for erratum in all_errata():
        ev = erratum.evidence()
        assert ev.holds, (erratum.id, ev.detail)


def test_registry_reports_failures_and_errors():
    """Negative controls: a failing check is 'fail', an exception is 'error' (never swallowed)."""
    claim = Claim("behnia2023 test", "behnia2023", "s", "a",
                  (Check("numeric", "fails", lambda: Outcome(False, 2.0, 1.0, "too big")),))
    assert run_check(claim, claim.checks[0]).status == "fail"

    def boom() -> Outcome:
        raise RuntimeError("solver exploded")

    bad = Check("numeric", "raises", boom)
    rec = run_check(claim, bad)
    assert rec.status == "error" and "solver exploded" in rec.detail


def test_claim_validation():
    with pytest.raises(ValueError, match="must start with its paper"):
        Claim("x Thm 1", "dang2024", "s", "a", (Check("numeric", "c", lambda: None),))
    with pytest.raises(ValueError, match="unknown check level"):
        Check("vibes", "c", lambda: None)
