"""Errata: places where a paper's printed statement differs from what the suite's checks establish.

Each paper has a module here (``behnia2023.py``, ``dang2024.py``, ``yang2022.py``; the proof-step
findings of yang2022 in ``yang2022_proofs.py``) exposing a list
``ERRATA`` of :class:`Erratum`. An erratum carries its evidence as a callable that re-derives it (a
SymPy identity, a counter-example evaluated numerically): the tests run every ``evidence`` and the
report shows its outcome, so an erratum is a checked finding, not a comment.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Evidence:
    """Outcome of re-running an erratum's evidence: ``holds`` is True when the correction is confirmed
    (and the printed version refuted, where it is refutable); ``detail`` says what was measured."""

    holds: bool
    detail: str


@dataclass(frozen=True)
class Erratum:
    """One finding. ``claim_id`` links it to the registry claim it qualifies (e.g. "dang2024 Thm 1(c)")."""

    id: str
    paper: str
    location: str
    printed: str
    corrected: str
    evidence: Callable[[], Evidence]
    claim_id: str | None = None


def all_errata() -> list[Erratum]:
    """Every erratum of every paper module in this package."""
    out: list[Erratum] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        out.extend(getattr(module, "ERRATA", []))
    return out
