"""Every registry check runs as a pytest test: quick checks by default, the others under -m slow."""

import pytest

from proofs_check.catalog import all_claims, errata_by_id
from proofs_check.model import Check, Claim, Outcome
from proofs_check.runner import run_check
from theory.core.vocabulary import Status

ERRATA = errata_by_id()

#: (claim id, check index) of the checks whose failure is a recorded finding: a paper's statement that did not
#: reproduce here (README "Registered findings that fail" and *Deep nets*; each check's docstring gives the
#: figures). The test asserts that they still fail, so a change of outcome is noticed and the finding revised.
FINDINGS = {("dang2024 NC deep nets", 0), ("behnia2023 Thm 2 SGD", 2), ("dang2024 Fig. 3", 0)}


def _params():
    out = []
    for claim in all_claims():
        for i, check in enumerate(claim.checks):
            marks = [] if check.quick else [pytest.mark.slow]
            out.append(pytest.param(claim, check, (claim.id, i) in FINDINGS, id=f"{claim.id} [{check.level} {i}]",
                                    marks=marks))
    return out


def test_every_finding_names_a_check() -> None:
    checks = {(c.id, i) for c in all_claims() for i in range(len(c.checks))}
    assert FINDINGS <= checks, FINDINGS - checks


@pytest.mark.parametrize("claim, check, finding", _params())
def test_registry_check(claim, check, finding):
    record = run_check(claim, check, ERRATA)
    if record.status == Status.INCONCLUSIVE:  # the experiment missed the statement's premise: no verdict
        pytest.skip(f"inconclusive: {record.detail}")
    expected = "fail" if finding else "erratum" if check.erratum else "pass"
    assert record.status == expected, record.as_dict()


def test_registry_reports_failures_and_errors():
    """Negative controls: a failing check is 'fail', an exception is 'error' (never swallowed)."""
    claim = Claim("behnia2023 test", "behnia2023", "s", "a",
                  (Check("numeric", "fails", lambda: Outcome(False, 2.0, 1.0, "too big")),))
    assert run_check(claim, claim.checks[0], errata_by_id()).status == "fail"

    def boom() -> Outcome:
        raise RuntimeError("solver exploded")

    bad = Check("numeric", "raises", boom)
    rec = run_check(claim, bad, errata_by_id())
    assert rec.status == "error" and "solver exploded" in rec.detail


def test_a_non_finite_figure_is_recorded_as_null_and_named_in_the_detail():
    """report.json is strict JSON: a check whose figure is inf or NaN fails with figure null, the value in
    its detail, and its record serialises through the strict writer."""
    from theory.infra.jsonout import dumps

    for value, text in ((float("inf"), "figure inf"), (float("nan"), "figure nan")):
        check = Check("numeric", "non-finite", lambda value=value: Outcome(False, value, float("inf"), "diverged"))
        claim = Claim("behnia2023 test", "behnia2023", "s", "a", (check,))
        rec = run_check(claim, check, errata_by_id())
        assert rec.status == "fail" and rec.figure is None and rec.tolerance is None
        assert rec.detail.startswith(text) and '"figure": null' in dumps(rec.as_dict())


def test_erratum_never_masks_an_unrelated_failure():
    """A failing check without an expected erratum is 'fail' even on a claim that has errata; a check
    expecting an erratum that passes contradicts it ('fail'); an unknown erratum id is an 'error'."""
    claim = next(c for c in all_claims() if c.id == "dang2024 Thm 1")
    failing = Check("numeric", "unrelated failure", lambda: Outcome(False, 1.0, 0.0, "x"))
    assert run_check(claim, failing, ERRATA).status == "fail"
    holds = Check("numeric", "printed holds", lambda: Outcome(True, 0.0, 0.0, "x"), erratum="dang2024-mbar-sqrt")
    assert run_check(claim, holds, ERRATA).status == "fail"
    expected = Check("numeric", "printed fails", lambda: Outcome(False, 1.0, 0.0, "x"), erratum="dang2024-mbar-sqrt")
    assert run_check(claim, expected, ERRATA).status == "erratum"
    unknown = Check("numeric", "typo", lambda: Outcome(False, 1.0, 0.0, "x"), erratum="no-such-erratum")
    assert run_check(claim, unknown, ERRATA).status == "error"


def test_claim_validation():
    with pytest.raises(ValueError, match="must start with its paper"):
        Claim("x Thm 1", "dang2024", "s", "a", (Check("numeric", "c", lambda: None),))
    with pytest.raises(ValueError, match="unknown check level"):
        Check("vibes", "c", lambda: None)
