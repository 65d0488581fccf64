"""The claim registry: every checkable statement of the three papers with its checks.

A :class:`Claim` (paper, label, statement, assumptions) carries :class:`Check` objects at up to three
levels — ``symbolic`` (SymPy proves an identity or inequality), ``numeric`` (convex / non-convex
solvers, closed forms evaluated), ``training`` (SGD) — each returning an :class:`Outcome` with the
measured figure and its tolerance. Claims live in the modules of :mod:`proofs_check.claims` (a list
``CLAIMS`` per module) and are collected by :func:`all_claims`; pytest parametrizes over them, so a
new claim is tested automatically.

A check that tests a statement *as printed* names the erratum it expects (``Check.erratum``); when it
fails and that erratum's evidence holds it is reported as ``erratum``, not ``fail`` (and if it passes,
the erratum is contradicted: ``fail``). Every other check fails normally: an erratum never masks an
unrelated failure.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

LEVELS = ("symbolic", "numeric", "training")
PAPERS = ("behnia2023", "dang2024", "yang2022")
STATUSES = ("pass", "fail", "erratum", "error")


@dataclass(frozen=True)
class Outcome:
    """Result of one check: ``figure`` is the measured number (a deviation, a residual count, an
    accuracy ...) and ``tolerance`` the bound it was held to; ``detail`` says what was measured."""

    passed: bool
    figure: float | None
    tolerance: float | None
    detail: str


@dataclass(frozen=True)
class Check:
    """One way of checking a claim. ``quick`` checks run in ``igeom verify --level quick`` and in the
    default pytest run; the others only in ``--level full`` / ``pytest -m slow``. ``erratum``: the id
    of the recorded erratum this check is expected to hit (it tests the printed statement)."""

    level: str
    description: str
    run: Callable[[], Outcome]
    quick: bool = True
    erratum: str | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown check level {self.level!r}; expected one of {LEVELS}")


@dataclass(frozen=True)
class Claim:
    """A statement of a paper. ``id`` is unique, e.g. ``"behnia2023 Thm 2(i)"``; ``kind`` is
    ``"claim"`` for theorems, definitions, remarks and experiments, ``"proof step"`` for the individual
    equalities/inequalities of a proof."""

    id: str
    paper: str
    statement: str
    assumptions: str
    checks: tuple[Check, ...]
    kind: str = "claim"

    def __post_init__(self) -> None:
        if self.paper not in PAPERS:
            raise ValueError(f"unknown paper {self.paper!r}")
        if not self.id.startswith(self.paper):
            raise ValueError(f"claim id {self.id!r} must start with its paper {self.paper!r}")
        if not self.checks:
            raise ValueError(f"claim {self.id!r} has no checks")


@dataclass(frozen=True)
class CheckRecord:
    """What running one check produced (one row of ``report.json``)."""

    claim_id: str
    paper: str
    kind: str
    level: str
    description: str
    status: str
    figure: float | None
    tolerance: float | None
    seconds: float
    detail: str
    erratum: str | None = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        """JSON form (keys of report.json)."""
        return {"id": self.claim_id, "paper": self.paper, "kind": self.kind, "level": self.level,
                "check": self.description, "status": self.status, "figure": self.figure,
                "tolerance": self.tolerance, "seconds": round(self.seconds, 4), "detail": self.detail,
                "erratum": self.erratum}


def all_claims() -> list[Claim]:
    """Every claim of every module in :mod:`proofs_check.claims`; ids are checked to be unique."""
    import proofs_check.claims as pkg

    out: list[Claim] = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        out.extend(getattr(module, "CLAIMS", []))
    seen: set[str] = set()
    for claim in out:
        if claim.id in seen:
            raise ValueError(f"duplicate claim id {claim.id!r}")
        seen.add(claim.id)
    return out


def run_check(claim: Claim, check: Check, errata: dict[str, Any] | None = None) -> CheckRecord:
    """Run one check, timing it; an exception becomes status ``error`` with its last line as detail.

    ``errata`` maps erratum ids to :class:`proofs_check.errata.Erratum` (default: all recorded).
    """
    start = time.perf_counter()
    try:
        outcome = check.run()
        status = "pass" if bool(outcome.passed) else "fail"
        figure = None if outcome.figure is None else float(outcome.figure)
        tol = None if outcome.tolerance is None else float(outcome.tolerance)
        detail = str(outcome.detail)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, never swallowed
        status, figure, tol = "error", None, None
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0] + " | " + \
            traceback.format_exc().strip().splitlines()[-3].strip()
    if check.erratum is not None and status in ("pass", "fail"):
        table = errata_by_id() if errata is None else errata
        if check.erratum not in table:
            status, detail = "error", f"unknown erratum {check.erratum!r}; {detail}"
        elif status == "pass":
            status, detail = "fail", f"the printed statement held, contradicting erratum {check.erratum}; {detail}"
        elif table[check.erratum].evidence().holds:
            status = "erratum"
        else:
            detail = f"erratum {check.erratum}'s evidence does not hold; {detail}"
    return CheckRecord(claim.id, claim.paper, claim.kind, check.level, check.description, status, figure,
                       tol, time.perf_counter() - start, detail, check.erratum if status == "erratum" else None)


def errata_by_id() -> dict[str, Any]:
    """Recorded errata by id."""
    from proofs_check.errata import all_errata

    return {e.id: e for e in all_errata()}


# ------------------------------------------------------------------------------ check builders
def within(figure: float, tolerance: float, detail: str) -> Outcome:
    """Pass iff |figure| <= tolerance (figure is a deviation or residual)."""
    return Outcome(bool(abs(figure) <= tolerance), float(figure), float(tolerance), detail)


def symbolic_outcome(proof: Any) -> Outcome:
    """Outcome of a :class:`theory.seli.special_cases.SymbolicProof`-like object (``residuals``, ``holds``):
    figure = number of residuals that did not simplify to 0, tolerance 0."""
    nonzero = sum(1 for r in proof.residuals if r != 0)
    return Outcome(bool(proof.holds), float(nonzero), 0.0,
                   f"{len(proof.residuals)} residual(s) simplify to 0" if proof.holds
                   else f"{nonzero} of {len(proof.residuals)} residual(s) do not simplify to 0 (or a sign is unproven)")


def property_outcome(strategy: Any, measure: Callable[[Any], float], tolerance: float, detail: str,
                     max_examples: int = 50) -> Outcome:
    """Run a hypothesis property programmatically: ``measure(example)`` returns a violation figure that
    must be <= ``tolerance`` on every example (derandomised, no example database). The figure reported
    is the largest violation seen; a failing example, shrunk by hypothesis, is quoted in the detail."""
    from hypothesis import HealthCheck, given, settings

    seen: list[float] = []

    @settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def prop(example: Any) -> None:
        value = float(measure(example))
        seen.append(value)
        assert value <= tolerance, f"violation {value:.3g} > {tolerance:g} at {example!r}"

    try:
        prop()
    except AssertionError as exc:
        return Outcome(False, max(seen), tolerance, f"{detail}; counter-example: {str(exc).splitlines()[0]}")
    return Outcome(True, max(seen), tolerance, f"{detail}; largest of {len(seen)} examples")
