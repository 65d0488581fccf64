"""Every yang2022 erratum re-derives its evidence and the evidence confirms the correction."""

from __future__ import annotations

import pytest

from proofs_check.errata.yang2022 import ERRATA


def test_ids_are_unique_and_name_the_paper():
    ids = [e.id for e in ERRATA]
    assert len(ids) == len(set(ids))
    assert all(e.paper == "yang2022" and e.id.startswith("yang2022-") for e in ERRATA)


@pytest.mark.parametrize("erratum", ERRATA, ids=lambda e: e.id)
def test_evidence_holds(erratum):
    evidence = erratum.evidence()
    assert evidence.holds, evidence.detail
