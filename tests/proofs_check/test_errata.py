"""Every recorded erratum (all papers) re-derives its evidence, and the entries are complete."""

import pytest

from proofs_check.errata import all_errata
from proofs_check.catalog import all_claims
from theory.core.vocabulary import Paper

ERRATA = all_errata()


@pytest.mark.parametrize("erratum", ERRATA, ids=[e.id for e in ERRATA])
def test_evidence_holds(erratum):
    evidence = erratum.evidence()
    assert evidence.holds, evidence.detail


def test_entries_are_complete_unique_and_linked():
    ids = [e.id for e in ERRATA]
    assert len(ids) == len(set(ids))
    claim_ids = {c.id for c in all_claims()}
    for e in ERRATA:
        assert e.paper in Paper and e.id.startswith(f"{e.paper}-")
        assert e.location and e.printed and e.corrected and e.printed != e.corrected
        assert e.claim_id in claim_ids, (e.id, e.claim_id)
