"""Every recorded erratum (all papers) re-derives its evidence, the entries are complete, and an erratum's
evidence never runs the code path of the check it excuses."""

import sys

import pytest

from proofs_check.catalog import all_claims, all_errata
from theory.core.vocabulary import Paper

ERRATA = all_errata()
CLAIMS = all_claims()
EXCUSED = {check.erratum: (claim, check) for claim in CLAIMS for check in claim.checks if check.erratum}
"""Erratum id -> the (claim, check) that names it: the only place the runner consults an evidence."""

SHARED = ("proofs_check.model.",)
"""Functions a check and an evidence may both run: the constructors of the model's records (Outcome,
Evidence), which compute nothing."""

NOT_AN_EXCUSE = {
    "dang2024-step4-sqrt-n": "SymPy identity in t and the printed identity evaluated at one point; the claim's "
                             "check evaluates the corrected identity numerically on configurations",
    "dang2024-lemma2-index": "SymPy span vectors and the solver's KKT residual at a row-permuted classifier; the "
                             "claim's checks evaluate (44)-(51) at configurations and minimisers",
    "dang2024-dual-variables": "gradient of the solver's objective at the closed-form minimiser; the claim's checks "
                               "test the trace identity (43) only",
    "dang2024-proof-gap-tk": "solver against closed forms at lambda = 0.1 (shares that route with the Thm 1 "
                             "solver check, which must pass on its own: no check names this erratum)",
    "dang2024-cor1-class-means": "Gram matrices of the closed-form minimiser; the claim's checks are SymPy",
    "dang2024-step1-norm-index": "an explicit counter-example and random classes in numpy, no project code",
    "dang2024-step4-collapse": "shares the proof objects of Step 4 (c_1*, c_2, g_k, x_bar) with the claim's checks, "
                               "which test the corrected statement and must pass on their own",
    "yang2022-appB-step": "shares numerics.eta_regularity.contraction with the Thm 2 check, which this erratum "
                          "does not excuse (yang2022-thm2-eta does, by an independent route)",
    "yang2022-thm1-monotone": "SymPy sign of the derivative and a numpy grid; the claim's checks solve the DLPM",
    "yang2022-dr-gradient-sphere": "central differences of the DR loss (proof objects) off the sphere; the claim's "
                                   "checks test the corrected gradient and must pass on their own",
    "yang2022-eq38-term": "the terms of (38) from the vectors (proof objects), shared with the (37)-(38) checks of "
                          "the corrected lines, which must pass on their own",
}
"""Errata that no check names, with why their evidence cannot mask a defect: the runner consults an
erratum only for a check that names it (proofs_check.runner.run_check), so these evidences never turn a
failing check into 'erratum'; each entry says what the evidence computes against the claim's checks."""


def _project_calls(fn) -> set[str]:
    """Qualified names of the project's functions (theory, numerics, training, proofs_check) that ``fn`` runs."""
    seen: set[str] = set()

    def profile(frame, event, arg):  # noqa: ARG001 - sys.setprofile's signature
        if event == "call":
            module = frame.f_globals.get("__name__", "")
            if module.split(".")[0] in ("theory", "numerics", "training", "proofs_check"):
                seen.add(f"{module}.{getattr(frame.f_code, 'co_qualname', frame.f_code.co_name)}")

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(previous)
    return seen


def _overlap(check, erratum) -> set[str]:
    shared = _project_calls(check.run) & _project_calls(erratum.evidence)
    return {name for name in shared if not name.startswith(SHARED)}


@pytest.mark.parametrize("erratum", ERRATA, ids=[e.id for e in ERRATA])
def test_evidence_holds(erratum):
    evidence = erratum.evidence()
    assert evidence.holds, evidence.detail


def test_entries_are_complete_unique_and_linked():
    ids = [e.id for e in ERRATA]
    assert len(ids) == len(set(ids))
    claim_ids = {c.id for c in CLAIMS}
    for e in ERRATA:
        assert e.paper in Paper and e.id.startswith(f"{e.paper}-")
        assert e.location and e.printed and e.corrected and e.printed != e.corrected
        assert e.claim_id in claim_ids, (e.id, e.claim_id)


EXCUSED_CHECKS = [(check.erratum, check) for claim in CLAIMS for check in claim.checks if check.erratum]
"""Every (erratum id, check) pair: one erratum may excuse several checks (one slip shown in several places)."""


@pytest.mark.parametrize("erratum_id,check", EXCUSED_CHECKS,
                         ids=[f"{e}:{c.description[:40]}" for e, c in EXCUSED_CHECKS])
def test_evidence_shares_no_code_with_the_check_it_excuses(erratum_id, check):
    """The functions the evidence runs and those the excused check runs are disjoint (model constructors
    aside): a defect in the check's code path cannot also make the evidence hold."""
    erratum = next(e for e in ERRATA if e.id == erratum_id)
    assert _overlap(check, erratum) == set()


def test_the_tracer_sees_a_shared_code_path():
    """Negative control: a check traced against itself shares its whole path, so the test above can fail."""
    _, check = EXCUSED["yang2022-thm2-eta"]
    same = type("Same", (), {"evidence": staticmethod(check.run)})()
    assert any(name.startswith("numerics.eta_regularity.") for name in _overlap(check, same))


def test_every_erratum_is_an_excuse_or_documented():
    """Each erratum either excuses a check (and is traced above) or is documented in NOT_AN_EXCUSE, never both."""
    ids = {e.id for e in ERRATA}
    assert set(EXCUSED) | set(NOT_AN_EXCUSE) == ids
    assert not set(EXCUSED) & set(NOT_AN_EXCUSE)
