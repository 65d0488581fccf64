"""The sentence index and docs/coverage.md (issue 23): every entry names registered claims or a reason, every
registered claim that is not an extension covers an indexed sentence, and docs/coverage.md is what the generator
writes now."""

import pytest

from proofs_check.catalog import load_catalog
from proofs_check.coverage import generate
from proofs_check.coverage.index import ENTRIES

CATALOG = load_catalog()


def test_index_and_registry_agree():
    assert generate.problems(CATALOG.claims) == []


def test_docs_coverage_is_current():
    assert generate.OUTPUT.read_text() == generate.render(CATALOG.claims, CATALOG.errata), \
        "docs/coverage.md is stale: run python -m proofs_check.coverage.generate"


def test_a_claim_naming_no_indexed_sentence_is_found():
    """Negative control: an index without the entries of one claim reports that claim."""
    index = [e for e in generate.entries() if "yang2022 Remark 3" not in e.claims]
    assert "claim 'yang2022 Remark 3' covers no indexed sentence" in generate.problems(CATALOG.claims, index)


def test_an_entry_naming_an_unregistered_claim_is_found():
    index = generate.entries()
    bad = [generate.Entry("x:001", "yang2022", "1", "q", ("yang2022 Thm 9",), None)] + index
    assert any("'yang2022 Thm 9', which is not registered" in p for p in generate.problems(CATALOG.claims, bad))


@pytest.mark.parametrize("row", [("1", "q", ()), ("1", "q", ("yang2022 Thm 1",), "citation"), ("1", "q", (), "taste")])
def test_an_entry_without_a_claim_or_a_reason_is_refused(monkeypatch, row):
    monkeypatch.setitem(ENTRIES, "yang2022", [row])
    with pytest.raises(ValueError):
        generate.entries()


def test_counts_add_up():
    for row in generate.counts().values():
        assert row["covered"] + row["not checkable"] == row["indexed"]
        assert sum(v for k, v in row.items() if k.startswith("reason: ")) == row["not checkable"]
