"""The catalog resolves every link between checks, errata and claims when it loads, and fails loudly on a
broken one (deliberately broken catalogs below, built directly and discovered from packages on disk)."""

import sys
import textwrap

import pytest

from proofs_check.catalog import CatalogError, build_catalog, load_catalog
from proofs_check.model import Check, Claim, Erratum, Evidence, Outcome


def _claim(claim_id: str = "dang2024 X", erratum: str | None = None) -> Claim:
    return Claim(claim_id, "dang2024", "s", "a",
                 (Check("numeric", "c", lambda: Outcome(False, 1.0, 0.0, "x"), erratum=erratum),))


def _erratum(erratum_id: str = "dang2024-x", claim_id: str | None = "dang2024 X") -> Erratum:
    return Erratum(erratum_id, "dang2024", "loc", "printed", "corrected", lambda: Evidence(True, "ok"), claim_id)


def test_a_consistent_catalog_loads():
    catalog = build_catalog([_claim(erratum="dang2024-x")], [_erratum()])
    assert list(catalog.errata_by_id()) == ["dang2024-x"]


@pytest.mark.parametrize("claims, errata, message", [
    ([_claim(erratum="dang2024-typo")], [_erratum()], "names erratum 'dang2024-typo'"),
    ([_claim()], [_erratum(claim_id="dang2024 Y")], "qualifies claim 'dang2024 Y'"),
    ([_claim()], [_erratum(claim_id=None)], "qualifies claim None"),
    ([_claim(), _claim()], [], "duplicate claim id"),
    ([_claim()], [_erratum(), _erratum()], "duplicate erratum id"),
    ([_claim(erratum="dang2024-x"), _claim("dang2024 Y")], [_erratum(claim_id="dang2024 Y")],
     "which qualifies claim 'dang2024 Y'"),
    ([Claim("dang2024 step", "dang2024", "s", "a", _claim().checks, kind="proof step", proves="dang2024 Thm 9")],
     [], "proof of 'dang2024 Thm 9', which is not registered"),
])
def test_a_broken_link_fails_loudly(claims, errata, message):
    with pytest.raises(CatalogError, match=message):
        build_catalog(claims, errata)


def test_discovery_of_a_broken_catalog_fails_at_load(tmp_path, monkeypatch):
    """Claim and errata packages on disk whose link has a typo: loading them raises before any check runs."""
    root = tmp_path / "broken_registry"
    for package, body in (("claims", """
            from proofs_check.model import Check, Claim, Outcome
            CLAIMS = [Claim("yang2022 Z", "yang2022", "s", "a",
                            (Check("numeric", "c", lambda: Outcome(True, 0.0, 0.0, "x"), erratum="yang2022-z"),))]
            """), ("errata", """
            from proofs_check.model import Erratum, Evidence
            ERRATA = [Erratum("yang2022-z", "yang2022", "l", "p", "c", lambda: Evidence(True, "d"), "yang2022 Zz")]
            """)):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
        (root / package / "paper.py").write_text(textwrap.dedent(body))
    (root / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises(CatalogError, match="qualifies claim 'yang2022 Zz'"):
            load_catalog("broken_registry.claims", "broken_registry.errata")
    finally:
        for name in [m for m in sys.modules if m.startswith("broken_registry")]:
            del sys.modules[name]


def test_the_registry_loads_with_every_link_resolved():
    catalog = load_catalog()
    ids = catalog.errata_by_id()
    named = [check.erratum for claim in catalog.claims for check in claim.checks if check.erratum]
    assert named and all(e in ids for e in named)
