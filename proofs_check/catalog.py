"""The catalog: discovery of the claim and errata modules, and the links between them resolved at load time.

Claims live in the modules of :mod:`proofs_check.claims` (a list ``CLAIMS`` per module), errata in those
of :mod:`proofs_check.errata` (a list ``ERRATA`` per module); adding a module adds its entries to
``igeom verify``, the report and the pytest run. Loading fails loudly (:class:`CatalogError`) on a
duplicate id, on a ``Check.erratum`` that names no recorded erratum, and on an ``Erratum.claim_id`` that
names no claim (or a check names an erratum of another claim): a typo in either link is found when the
catalog loads, never at run time.
The packages are imported by name (:func:`importlib.import_module`), so this module depends on the model
only and the claim and errata packages may import it.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Iterable

from proofs_check.model import Claim, Erratum

CLAIMS_PACKAGE = "proofs_check.claims"
ERRATA_PACKAGE = "proofs_check.errata"
DYNAMIC_IMPORTS = (CLAIMS_PACKAGE, ERRATA_PACKAGE)
"""The packages :func:`_discover` loads by name (read by tests/test_imports.py's import graph)."""


class CatalogError(RuntimeError):
    """The registry is inconsistent (duplicate id, or a link between a check and an erratum or between an
    erratum and a claim that does not resolve): a defect of the suite, not of the user's input."""


@dataclass(frozen=True)
class Catalog:
    """Every claim and erratum, with their links checked (build it with :func:`build_catalog`)."""

    claims: tuple[Claim, ...]
    errata: tuple[Erratum, ...]

    def errata_by_id(self) -> dict[str, Erratum]:
        """Recorded errata by id."""
        return {e.id: e for e in self.errata}


def _unique(kind: str, ids: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise CatalogError(f"duplicate {kind} id {i!r}")
        seen.add(i)
    return seen


def build_catalog(claims: Iterable[Claim], errata: Iterable[Erratum]) -> Catalog:
    """The catalog of these claims and errata; :class:`CatalogError` when an id repeats or a link
    (``Check.erratum`` -> erratum id, ``Erratum.claim_id`` -> claim id, ``Claim.proves`` -> claim id) does not
    resolve, or a check names an erratum that qualifies another claim."""
    claims, errata = tuple(claims), tuple(errata)
    claim_ids = _unique("claim", (c.id for c in claims))
    _unique("erratum", (e.id for e in errata))
    qualified = {e.id: e.claim_id for e in errata}
    for e in errata:
        if e.claim_id is None or e.claim_id not in claim_ids:
            raise CatalogError(f"erratum {e.id!r} qualifies claim {e.claim_id!r}, which is not registered")
    for claim in claims:
        if claim.proves is not None and claim.proves not in claim_ids:
            raise CatalogError(f"claim {claim.id!r} is a step of the proof of {claim.proves!r}, which is not registered")
        for check in claim.checks:
            if check.erratum is None:
                continue
            if check.erratum not in qualified:
                raise CatalogError(f"check {check.description!r} of claim {claim.id!r} names erratum "
                                   f"{check.erratum!r}, which is not recorded")
            if qualified[check.erratum] != claim.id:
                raise CatalogError(f"check {check.description!r} of claim {claim.id!r} names erratum "
                                   f"{check.erratum!r}, which qualifies claim {qualified[check.erratum]!r}")
    return Catalog(claims, errata)


def _discover(package: str, attribute: str) -> list:
    """The entries ``attribute`` of every module of ``package``, modules in name order."""
    pkg = importlib.import_module(package)
    out: list = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        out.extend(getattr(importlib.import_module(f"{package}.{info.name}"), attribute, []))
    return out


def load_catalog(claims_package: str = CLAIMS_PACKAGE, errata_package: str = ERRATA_PACKAGE) -> Catalog:
    """Discover the claim and errata modules of the two packages and build their catalog."""
    return build_catalog(_discover(claims_package, "CLAIMS"), _discover(errata_package, "ERRATA"))


def all_claims() -> list[Claim]:
    """Every registered claim (the links of the whole catalog checked)."""
    return list(load_catalog().claims)


def all_errata() -> list[Erratum]:
    """Every recorded erratum (the links of the whole catalog checked)."""
    return list(load_catalog().errata)


def errata_by_id() -> dict[str, Erratum]:
    """Recorded errata by id."""
    return load_catalog().errata_by_id()
