"""Report honesty (issue 11): every check states its pass criterion (figure <= tolerance, or figure >= margin),
the runner holds a pass to its own criterion, and implementation-consistency checks are shown and counted
apart from the checks that verify a paper."""

from __future__ import annotations

import math

import pytest

from proofs_check.catalog import all_claims
from proofs_check.model import Check, Claim, Outcome
from proofs_check.render import criterion, document, paper_headlines, render_html, render_markdown
from proofs_check.catalog import errata_by_id
from proofs_check.runner import at_least, meets_criterion, run_check, within
from theory.core.errors import InputError
from theory.core.vocabulary import CheckLevel, Criterion, Status


def _claim(outcome: Outcome, consistency: bool = False) -> tuple[Claim, Check]:
    check = Check(CheckLevel.NUMERIC, "probe", lambda: outcome, consistency=consistency)
    return Claim("behnia2023 probe", "behnia2023", "a probe", "none", (check,)), check


@pytest.mark.parametrize("relation, figure, bound, meets", [
    ("<=", 0.5, 1.0, True), ("<=", 1.0, 1.0, True), ("<=", 1.5, 1.0, False), ("<=", -3.0, -0.8, True),
    (">=", 1.5, 1.0, True), (">=", 1.0, 1.0, True), (">=", 0.5, 1.0, False), (">=", -0.9, -0.8, False),
    ("<=", math.nan, 1.0, False), (">=", math.inf, 1.0, False), ("<=", None, 1.0, False), (">=", 1.0, None, False),
])
def test_meets_criterion(relation, figure, bound, meets) -> None:
    assert meets_criterion(Criterion.parse(relation), figure, bound) is meets


def test_outcome_builders_state_their_criterion() -> None:
    assert within(-0.5, 1.0, "d").criterion == Criterion.AT_MOST and within(-0.5, 1.0, "d").passed
    assert not within(-1.5, 1.0, "d").passed  # a deviation is held by its size
    assert at_least(2.0, 1.0, "d").criterion == Criterion.AT_LEAST and at_least(2.0, 1.0, "d").passed
    assert not at_least(0.5, 1.0, "d").passed
    assert Outcome(True, 0.0, 0.0, "d").criterion == Criterion.AT_MOST  # the default
    assert Outcome(True, 2.0, 1.0, "d", ">=").criterion == Criterion.AT_LEAST  # parsed from its spelling
    with pytest.raises(InputError, match="<=, >="):
        Outcome(True, 0.0, 0.0, "d", "<")


@pytest.mark.parametrize("outcome, status", [
    (Outcome(True, 0.5, 1.0, "ok"), Status.PASS),
    (Outcome(True, 2.0, 1.0, "ok", Criterion.AT_LEAST), Status.PASS),
    (Outcome(False, 2.0, 1.0, "too large"), Status.FAIL),
    (Outcome(False, 0.5, 1.0, "too small", Criterion.AT_LEAST), Status.FAIL),
    # a pass that contradicts its own criterion is an error, in either direction
    (Outcome(True, 2.0, 1.0, "claims a pass"), Status.ERROR),
    (Outcome(True, 0.5, 1.0, "claims a pass", Criterion.AT_LEAST), Status.ERROR),
    # a pass with no finite figure to hold to its bound
    (Outcome(True, None, 1.0, "no figure"), Status.ERROR),
    (Outcome(True, math.nan, 1.0, "NaN figure"), Status.ERROR),
])
def test_the_runner_holds_a_pass_to_its_own_criterion(outcome, status) -> None:
    claim, check = _claim(outcome)
    record = run_check(claim, check, errata={})
    assert record.status == status
    assert record.criterion == outcome.criterion and record.as_dict()["criterion"] == str(outcome.criterion)
    if status == Status.ERROR:
        assert "does not meet its own criterion" in record.detail


def test_a_failure_on_a_further_condition_says_so() -> None:
    """A check may fail on a condition beside its figure (e.g. zero training error): the figure meets the
    criterion, the verdict is still ``fail`` and the detail says why the row reads that way."""
    claim, check = _claim(Outcome(False, 0.01, 0.05, "a run missed zero training error"))
    record = run_check(claim, check, errata={})
    assert record.status == Status.FAIL and "failed on a further condition" in record.detail


def test_criterion_text_is_the_rows_own() -> None:
    assert criterion({"tolerance": 0.1, "figure": 0.265, "status": "pass", "criterion": ">="}) == "figure ≥ 0.1"
    assert criterion({"tolerance": 1e-9, "figure": 1e-12, "status": "pass", "criterion": "<="}) == "figure ≤ 1e-09"
    # a failing margin reads as a margin: nothing is inferred from the figure or the status any more
    assert criterion({"tolerance": 1.0, "figure": 0.5, "status": "fail", "criterion": ">="}) == "figure ≥ 1"
    assert criterion({"tolerance": 1.0, "figure": 0.5, "status": "fail", "criterion": "<="}) == "figure ≤ 1"
    assert criterion({"tolerance": None, "figure": None, "status": "error", "criterion": "<="}) == "no figure"
    # an inconclusive row's figure and bound are its premise's (runner.premise_not_met)
    assert criterion({"tolerance": 0.0, "figure": 12.0, "status": "inconclusive", "criterion": "<="}) \
        == "premise: figure ≤ 0"


def test_strict_inequality_checks_pass_by_being_large() -> None:
    """The registry's strict-inequality checks (builders of ``_instances.strict_checks``) state ``>=``
    and hold: the smallest gap they measured is at least their floor."""
    from proofs_check.claims._instances import ufm_points, strict_checks

    def gap(point) -> float:  # strictly positive on every drawn point: ||h||^2 + 1 > 0
        return 1.0

    check = strict_checks("probe gap", ufm_points, gap)[0]
    outcome = check.run()
    assert outcome.criterion == Criterion.AT_LEAST and outcome.passed and outcome.figure >= outcome.tolerance


def test_every_check_row_of_a_run_carries_its_criterion() -> None:
    claim = next(c for c in all_claims() if c.id == "yang2022 Thm 1")
    rows = [run_check(claim, ch, errata_by_id()).as_dict() for ch in claim.checks if ch.quick]
    by_check = {r["check"]: r for r in rows}
    control = by_check["negative control: a non-ETF classifier breaks eq. (33)"]
    assert control["criterion"] == ">=" and control["status"] == "pass" and control["figure"] >= control["tolerance"]
    assert all(r["criterion"] == "<=" for name, r in by_check.items() if "negative control" not in name)


# ------------------------------------------------------------------ implementation-consistency checks
def _row(status: str = "pass", consistency: bool = False) -> dict:
    return {"id": "behnia2023 probe", "paper": "behnia2023", "kind": "claim", "level": "numeric",
            "check": "two routes", "status": status, "figure": 0.0, "tolerance": 1e-9, "seconds": 0.1,
            "detail": "", "erratum": None, "criterion": "<=", "consistency": consistency}


def test_consistency_checks_are_counted_apart() -> None:
    rows = [_row(), _row(consistency=True), _row(consistency=True)]
    doc = document(rows, [], [], [], [], {"level": "quick"}, {})
    head = {r["paper"]: r for r in paper_headlines(doc["claims"], [])}
    assert head["behnia2023"]["checks"] == 1 and head["behnia2023"]["consistency"] == 2
    assert head["total"]["checks"] == 1 and head["total"]["consistency"] == 2
    assert "implementation-consistency checks" in render_markdown(doc)
    assert render_markdown(doc).count("[implementation consistency] two routes") == 2
    assert render_html(doc).count("class='consistency'") == 2


def test_the_registry_marks_its_two_route_checks() -> None:
    """behnia2023's closed forms are compared with the eigen route of the same G_W = (X N X^T)^{1/2}: an
    implementation-consistency check (issue 11); the certified-solver checks of Thm 2 verify the paper."""
    claims = {c.id: c for c in all_claims()}
    assert all(ch.consistency for ch in claims["behnia2023 closed forms"].checks if "eigen route" in ch.description)
    assert not any(ch.consistency for ch in claims["behnia2023 Thm 2(i)"].checks)
    marked = [ch for c in claims.values() for ch in c.checks if ch.consistency]
    assert 0 < len(marked) < sum(len(c.checks) for c in claims.values()) / 10


def test_a_claim_checked_only_for_consistency_says_so() -> None:
    """A claim whose every check compares two routes of one formula is marked in the verdict table: its
    verdict says the implementation agrees with itself, not that the paper was verified."""
    only = document([_row(consistency=True)], [], [], [], [], {"level": "quick"}, {})
    mixed = document([_row(), _row(consistency=True)], [], [], [], [], {"level": "quick"}, {})
    assert "holds (implementation consistency only)" in render_markdown(only)
    assert "consistency only" not in render_markdown(mixed)
    assert "[implementation consistency only]" in render_html(only)
    assert "consistency only" not in render_html(mixed)
