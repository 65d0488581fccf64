"""The runner: how one check is run and judged, including the erratum policy, and the outcome builders.

A check that tests a statement *as printed* names the erratum it expects (``Check.erratum``); when it
fails and that erratum's evidence holds it is reported as ``erratum``, not ``fail`` (and if it passes,
the erratum is contradicted: ``fail``). Every other check fails normally: an erratum never masks an
unrelated failure. An exception inside a check becomes status ``error``, never a crash, and so does a
check whose pass contradicts its own criterion (:func:`meets_criterion`: a pass whose figure is not
<= its tolerance, or not >= its margin, or that has no finite figure to hold to its bound).
A check whose outcome says its premise was not met (``Outcome.premise_met`` False) is
``inconclusive``: neither pass nor fail, and no erratum applies to it.

:func:`property_outcome` bridges hypothesis: it runs a property programmatically with the registry's
settings (derandomised, no example database, no deadline, the check's number of examples) layered over
the active hypothesis profile, so a profile that asks for a more thorough search than hypothesis'
default (``HYPOTHESIS_PROFILE=thorough`` in the test suite) reaches every registry check: it raises the
number of examples to the profile's and uses the profile's randomisation.
"""

from __future__ import annotations

import math
import time
import traceback
from typing import Any, Callable, Mapping

from hypothesis import HealthCheck, given, settings

from proofs_check.model import Check, CheckRecord, Claim, Erratum, Outcome
from theory.core.vocabulary import Criterion, Status


def _finite_or_none(value: float | None) -> float | None:
    """``value`` as a float, ``None`` when it is ``None`` or not finite (the report holds no NaN/Infinity)."""
    return None if value is None or not math.isfinite(float(value)) else float(value)


def meets_criterion(criterion: Criterion, figure: float | None, tolerance: float | None) -> bool:
    """Whether ``figure`` meets the pass criterion against ``tolerance``: ``figure <= tolerance`` for
    ``<=``, ``figure >= tolerance`` for ``>=``; False when either is missing or not finite."""
    if figure is None or tolerance is None or not (math.isfinite(figure) and math.isfinite(tolerance)):
        return False
    return figure <= tolerance if Criterion.parse(criterion) == Criterion.AT_MOST else figure >= tolerance


def _judged(outcome: Outcome, figure: float | None, tol: float | None, detail: str) -> tuple[Status, str]:
    """The status of an outcome held to its own criterion: a pass that does not meet it is an ``error``;
    a failure whose figure meets it failed on a further condition of the check, which the detail notes;
    an outcome whose premise was not met is ``inconclusive``."""
    if not outcome.premise_met:
        return Status.INCONCLUSIVE, detail
    meets = meets_criterion(outcome.criterion, figure, tol)
    if bool(outcome.passed):
        if meets:
            return Status.PASS, detail
        return Status.ERROR, (f"the check reported a pass although its figure {figure} does not meet its own "
                              f"criterion (figure {outcome.criterion} {tol}); {detail}")
    if meets:
        detail = (f"the figure meets its criterion (figure {outcome.criterion} {tol:g}) but the check failed on a "
                  f"further condition: {detail}")
    return Status.FAIL, detail


def run_check(claim: Claim, check: Check, errata: Mapping[str, Erratum]) -> CheckRecord:
    """Run one check, timing it; an exception becomes status ``error`` with its last line as detail.

    ``errata`` maps erratum ids to :class:`proofs_check.model.Erratum` (every recorded one:
    :func:`proofs_check.catalog.errata_by_id`; the caller passes it, so that this module, which the claims
    import, does not import the catalog that discovers them).
    """
    start = time.perf_counter()
    setting, departures = check.setting, check.departures
    seeds: tuple[int, ...] = ()
    interval: tuple[float, float] | None = None
    rule: str | None = None
    try:
        outcome = check.run()
        if outcome.setting is not None:  # the experiment knows its setting better than the declaration
            setting, departures = outcome.setting, outcome.departures
        seeds, rule = outcome.seeds, outcome.rule
        if outcome.interval is not None:  # report.json is strict JSON: an infinite bound is written as None
            interval = outcome.interval if all(math.isfinite(v) for v in outcome.interval) else None
        criterion = outcome.criterion
        figure, tol = _finite_or_none(outcome.figure), _finite_or_none(outcome.tolerance)
        detail = str(outcome.detail)
        if figure is None and outcome.figure is not None:  # report.json is strict JSON: no NaN/Infinity
            detail = f"figure {float(outcome.figure)}; {detail}"
        status, detail = _judged(outcome, figure, tol, detail)
    except Exception as exc:  # noqa: BLE001 - every failure is reported, never swallowed
        status, figure, tol, criterion = Status.ERROR, None, None, Criterion.AT_MOST
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0] + " | " + \
            traceback.format_exc().strip().splitlines()[-3].strip()
    if check.erratum is not None and status in (Status.PASS, Status.FAIL):
        table = errata
        if check.erratum not in table:
            status, detail = Status.ERROR, f"unknown erratum {check.erratum!r}; {detail}"
        elif status == Status.PASS:
            status, detail = Status.FAIL, f"the printed statement held, contradicting erratum {check.erratum}; {detail}"
        elif table[check.erratum].evidence().holds:
            status = Status.ERRATUM
        else:
            detail = f"erratum {check.erratum}'s evidence does not hold; {detail}"
    return CheckRecord(claim.id, claim.paper, claim.kind, check.level, check.description, status, figure,
                       tol, time.perf_counter() - start, detail, check.erratum if status == Status.ERRATUM else None,
                       criterion, check.consistency, setting, departures, seeds, interval, rule, claim.extension)


# ------------------------------------------------------------------------------ outcome builders
def within(figure: float, tolerance: float, detail: str) -> Outcome:
    """Pass iff |figure| <= tolerance (figure is a deviation or residual; criterion ``<=``)."""
    return Outcome(bool(abs(figure) <= tolerance), float(figure), float(tolerance), detail)


def premise_not_met(figure: float, tolerance: float, premise: str, detail: str) -> Outcome:
    """An inconclusive outcome: the experiment's premise figure ``figure`` (e.g. the number of models
    with a training error; the premise is figure <= tolerance) missed its bound ``tolerance``; ``premise`` states the premise, ``detail``
    what the claim's own figure would have been."""
    return Outcome(False, float(figure), float(tolerance), f"premise not met ({premise}): figure {float(figure):.3g} > "
                   f"{float(tolerance):g}; {detail}", premise_met=False)


def symbolic_outcome(proof: Any) -> Outcome:
    """Outcome of a :class:`theory.seli.special_cases.SymbolicProof`-like object (``residuals``, ``holds``):
    figure = number of residuals that did not simplify to 0, tolerance 0."""
    nonzero = sum(1 for r in proof.residuals if r != 0)
    return Outcome(bool(proof.holds), float(nonzero), 0.0,
                   f"{len(proof.residuals)} residual(s) simplify to 0" if proof.holds
                   else f"{nonzero} of {len(proof.residuals)} residual(s) do not simplify to 0 (or a sign is unproven)")


def registry_settings(max_examples: int) -> settings:
    """The hypothesis settings of a registry property: derandomised with ``max_examples`` examples, no
    example database, no deadline, no health check, over the active profile (:data:`settings.default`).
    When the active profile asks for more examples than hypothesis' own default profile (a request for
    a thorough search, e.g. the test suite's ``thorough``), its count (if larger than the check's) and its
    randomisation win."""
    active = settings.default
    thorough = active.max_examples > settings.get_profile("default").max_examples
    return settings(active, max_examples=max(max_examples, active.max_examples) if thorough else max_examples,
                    derandomize=active.derandomize if thorough else True, database=None, deadline=None,
                    suppress_health_check=list(HealthCheck))


def at_least(figure: float, margin: float, detail: str) -> Outcome:
    """Pass iff figure >= margin (a gap, a distance of a negative control, a trend; criterion ``>=``)."""
    return Outcome(bool(figure >= margin), float(figure), float(margin), detail, Criterion.AT_LEAST)


def property_outcome(strategy: Any, measure: Callable[[Any], float], tolerance: float, detail: str,
                     max_examples: int = 50) -> Outcome:
    """Run a hypothesis property programmatically: ``measure(example)`` returns a violation figure that
    must be <= ``tolerance`` on every example (settings of :func:`registry_settings`). The figure reported
    is the largest violation seen; a failing example, shrunk by hypothesis, is quoted in the detail."""
    seen: list[float] = []

    @registry_settings(max_examples)
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
