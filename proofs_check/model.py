"""The registry's model: what a claim, a check, an outcome and an erratum are (no behaviour beyond validation).

A :class:`Claim` (paper, label, statement, assumptions) carries :class:`Check` objects at up to three
levels (:class:`theory.core.vocabulary.CheckLevel`: symbolic, numeric, training), each returning an
:class:`Outcome` with the measured figure and its tolerance. An :class:`Erratum` records where a paper's
printed statement differs from what the checks establish, with :class:`Evidence` that re-derives it.
A check that tests the printed statement names its erratum (``Check.erratum``); an erratum names the claim
it qualifies (``Erratum.claim_id``): :mod:`proofs_check.catalog` resolves both links when it loads.
Running checks (and the erratum policy) is :mod:`proofs_check.runner`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from theory.core.vocabulary import PAPER_SILENT, CheckLevel, Criterion, Paper, Setting, Status


@dataclass(frozen=True)
class Outcome:
    """Result of one check: ``figure`` is the measured number (a deviation, a residual count, an
    accuracy ...) and ``tolerance`` the bound it was held to; ``detail`` says what was measured.
    ``criterion`` (:class:`Criterion`, parsed) states how: ``<=`` (the default) passes when the figure is
    at most the tolerance, ``>=`` when it is at least that margin. A pass must meet its own criterion (the
    runner reports an ``error`` otherwise); a failure may also come from a further condition named in
    ``detail``.

    ``premise_met`` is False when the experiment did not reach the regime the statement is about (its
    premise, e.g. zero training error): ``figure`` and ``tolerance`` are then the premise's measured figure
    and bound, ``passed`` is False, and the runner reports the check as ``inconclusive``
    (:func:`proofs_check.runner.premise_not_met` builds such an outcome).

    Training-level decisions (issue 21; :mod:`proofs_check.decision` builds them): ``seeds`` the seeds the
    figure was measured over, ``interval`` (lo, hi) the confidence interval of the figure over them, ``rule``
    the decision rule in words; an interval that straddles the threshold is reported ``inconclusive``
    (``premise_met`` False). ``setting`` / ``departures`` (:func:`checked_setting`): the experiment's setting
    when the outcome knows it better than its check's declaration (a deep-net claim trained on CIFAR-10 with
    the papers' settings instead of digits); None / () keep the check's."""

    passed: bool
    figure: float | None
    tolerance: float | None
    detail: str
    criterion: Criterion = Criterion.AT_MOST
    premise_met: bool = True
    setting: Setting | None = None
    departures: tuple[str, ...] = ()
    seeds: tuple[int, ...] = ()
    interval: tuple[float, float] | None = None
    rule: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "criterion", Criterion.parse(self.criterion))
        if self.setting is not None:
            setting, departures = checked_setting(self.setting, self.departures)
            object.__setattr__(self, "setting", setting)
            object.__setattr__(self, "departures", departures)
        elif self.departures:
            raise ValueError("departures without a setting")
        object.__setattr__(self, "seeds", tuple(int(s) for s in self.seeds))
        if self.interval is not None:
            lo, hi = (float(v) for v in self.interval)
            if not lo <= hi:
                raise ValueError(f"interval ({lo}, {hi}) is not ordered")
            object.__setattr__(self, "interval", (lo, hi))


def checked_setting(setting: Setting | str, departures: tuple[str, ...] | list[str] = ()) -> tuple[Setting, tuple[str, ...]]:
    """(setting, departures) validated (issue 21): ``paper`` allows only departures that fill in where the paper
    is silent (text starting with :data:`theory.core.vocabulary.PAPER_SILENT`); ``reduced`` needs at least one
    real departure (else it is the paper's setting). ValueError otherwise."""
    parsed = Setting.parse(setting)
    items = tuple(str(d) for d in departures)
    real = [d for d in items if not d.startswith(PAPER_SILENT)]
    if parsed == Setting.PAPER and real:
        raise ValueError(f"a paper-setting experiment lists departures {real}; it is a reduced setting")
    if parsed == Setting.REDUCED and not real:
        raise ValueError("a reduced setting must list how it departs from the paper")
    return parsed, items


@dataclass(frozen=True)
class Check:
    """One way of checking a claim. ``quick`` checks run in ``igeom verify --level quick`` and in the
    default pytest run; the others only in ``--level full`` / ``pytest -m slow``. ``erratum``: the id
    of the recorded erratum this check is expected to hit (it tests the printed statement).
    ``level`` is parsed into :class:`CheckLevel` (ValueError naming the choices otherwise).
    ``consistency``: the check compares two routes of one formula inside this project (an
    implementation-consistency check, e.g. SymPy closed forms against the eigen route of the same
    expression); it verifies the code, not the paper, and the report shows and counts it apart.
    ``setting`` / ``departures``: the setting the check's experiment runs in by default (issue 21; every
    training-level check of the catalog names one, tests/proofs_check/test_catalog.py; :func:`checked_setting`);
    an outcome may name another (``Outcome.setting``)."""

    level: CheckLevel
    description: str
    run: Callable[[], Outcome]
    quick: bool = True
    erratum: str | None = None
    consistency: bool = False
    setting: Setting | None = None
    departures: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        try:
            level = CheckLevel.parse(self.level)
        except ValueError as exc:
            raise ValueError(f"unknown check level {self.level!r}; expected one of {CheckLevel.names()}") from exc
        object.__setattr__(self, "level", level)
        if self.setting is not None:
            setting, departures = checked_setting(self.setting, self.departures)
            object.__setattr__(self, "setting", setting)
            object.__setattr__(self, "departures", departures)
        elif self.departures:
            raise ValueError("departures without a setting")


@dataclass(frozen=True)
class Claim:
    """A statement of a paper. ``id`` is unique, e.g. ``"behnia2023 Thm 2(i)"``; ``kind`` is
    ``"claim"`` for theorems, definitions, remarks and experiments, ``"proof step"`` for the individual
    equalities/inequalities of a proof; ``proves`` is the id of the claim whose proof a step belongs to
    (the catalog checks that it resolves; the report folds the steps under it). ``paper`` is parsed into
    :class:`Paper`. ``statement_tex``: the statement in LaTeX (text with inline math in ``$...$``), which
    report.html typesets; ``statement`` stays the plain-text form (terminal, report.md).
    ``extension``: the claim is not a statement of the paper (a finding of this project, a setting the paper
    does not state, the paper's formulas applied beyond its premises): the report lists it apart and the
    headline counts it in its own row, never in the paper's verdict (issue 23's errata policy)."""

    id: str
    paper: Paper
    statement: str
    assumptions: str
    checks: tuple[Check, ...]
    kind: str = "claim"
    proves: str | None = None
    statement_tex: str | None = None
    extension: bool = False

    def __post_init__(self) -> None:
        try:
            paper = Paper.parse(self.paper)
        except ValueError as exc:
            raise ValueError(f"unknown paper {self.paper!r}") from exc
        object.__setattr__(self, "paper", paper)
        if not self.id.startswith(paper.value):
            raise ValueError(f"claim id {self.id!r} must start with its paper {paper.value!r}")
        if not self.checks:
            raise ValueError(f"claim {self.id!r} has no checks")


@dataclass(frozen=True)
class Evidence:
    """Outcome of re-running an erratum's evidence: ``holds`` is True when the correction is confirmed
    (and the printed version refuted, where it is refutable); ``detail`` says what was measured."""

    holds: bool
    detail: str


@dataclass(frozen=True)
class Erratum:
    """One finding. ``claim_id`` links it to the registry claim it qualifies (e.g. "dang2024 Thm 1").
    ``evidence`` re-derives the finding by a route independent of the checks the erratum excuses
    (tests/proofs_check/test_errata.py traces both). ``printed_tex`` / ``corrected_tex``: the printed and
    corrected forms in LaTeX (text with inline math in ``$...$``), typeset in report.html."""

    id: str
    paper: Paper
    location: str
    printed: str
    corrected: str
    evidence: Callable[[], Evidence]
    claim_id: str | None = None
    printed_tex: str | None = None
    corrected_tex: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "paper", Paper.parse(self.paper))


@dataclass(frozen=True)
class CheckRecord:
    """What running one check produced (one row of ``report.json``): ``criterion`` is the check's pass
    criterion (``<=`` / ``>=``), ``consistency`` marks an implementation-consistency check; ``setting``,
    ``departures``, ``seeds``, ``interval`` and ``rule`` as in :class:`Outcome` (None / empty for a check
    that is not a training-level decision); ``extension``
    a check of an extension claim (:attr:`Claim.extension`: not a statement of the paper)."""

    claim_id: str
    paper: Paper
    kind: str
    level: CheckLevel
    description: str
    status: Status
    figure: float | None
    tolerance: float | None
    seconds: float
    detail: str
    erratum: str | None = field(default=None)
    criterion: Criterion = Criterion.AT_MOST
    consistency: bool = False
    setting: Setting | None = None
    departures: tuple[str, ...] = ()
    seeds: tuple[int, ...] = ()
    interval: tuple[float, float] | None = None
    rule: str | None = None
    extension: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON form (keys of report.json); vocabulary words as their plain spelling."""
        return {"id": self.claim_id, "paper": str(self.paper), "kind": self.kind, "level": str(self.level),
                "check": self.description, "status": str(self.status), "figure": self.figure,
                "tolerance": self.tolerance, "seconds": round(self.seconds, 4), "detail": self.detail,
                "erratum": self.erratum, "criterion": str(self.criterion), "consistency": self.consistency,
                "setting": None if self.setting is None else str(self.setting), "departures": list(self.departures),
                "seeds": list(self.seeds), "interval": None if self.interval is None else list(self.interval),
                "rule": self.rule, "extension": self.extension}
