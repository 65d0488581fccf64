"""Every dang2024 erratum's evidence re-derives its finding."""

from __future__ import annotations

import pytest

from proofs_check.errata.dang2024 import ERRATA


@pytest.mark.parametrize("erratum", ERRATA, ids=[e.id for e in ERRATA])
def test_evidence_holds(erratum) -> None:
    evidence = erratum.evidence()
    assert evidence.holds, evidence.detail


def test_ids_are_unique_and_entries_complete() -> None:
    assert len({e.id for e in ERRATA}) == len(ERRATA)
    for e in ERRATA:
        assert e.paper == "dang2024" and e.location and e.printed and e.corrected and e.printed != e.corrected
