"""Run the registry and write the report: report.json, report.md, report.html, figures, formula sheet.

``report.json`` is the report document of :func:`proofs_check.render.document`: one entry per check (id,
paper, kind, level, check, status, figure, tolerance, seconds, detail, erratum, criterion, consistency; for a
training-level check also setting, departures, seeds, interval and the decision rule, issue 21),
the same checks grouped under their claims (with their statement and its TeX), the per-paper headline,
the errata with their evidence, a summary, the report steps (figures, the formula sheet, the errata
section) that failed, and provenance. report.md and the
self-contained report.html are rendered from it (:mod:`proofs_check.render`).

A step that fails (issue 9: a figure raising a ComputationError) is listed in all three files and the rest
is still written. The whole set is written as one unit: into a temporary directory beside ``--out``, which
then replaces ``--out`` as a whole (:func:`theory.infra.atomic.replace_directory`), so a reader never sees
a mix of an old and a new report and no file of an older report is left beside a new one.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence, TypeVar

from proofs_check.catalog import all_claims, all_errata, errata_by_id
from proofs_check.claims.deepnets import DIGITS  # the default deep-net data (provenance)
from proofs_check.model import Check, CheckRecord, Claim
from proofs_check.runner import run_check
from proofs_check.render import document, setting_statuses, provenance, render_html, render_markdown
from theory.core.errors import InputError
from theory.core.vocabulary import Paper, Status
from theory.infra.atomic import replace_directory, write_atomic
from theory.infra.jsonout import dumps


T = TypeVar("T")

LEVEL_NAMES = ("quick", "full")


@dataclass(frozen=True)
class StepFailure:
    """A report step (one figure, the formula sheet, the errata section) that raised; the report lists it
    and is still written."""

    step: str
    error: str

    def as_dict(self) -> dict[str, str]:
        """The entry of report.json's ``failures``."""
        return {"step": self.step, "error": self.error}


@dataclass(frozen=True)
class Report:
    """Records of one verification run plus the errata, the written figures and the failed steps."""

    level: str
    records: list[CheckRecord]
    errata: list[dict[str, object]]
    figures: list[str]
    seconds: float
    failures: tuple[StepFailure, ...] = ()

    @property
    def failed(self) -> list[CheckRecord]:
        """Checks that failed or raised and are not covered by a recorded erratum (an ``inconclusive``
        check is not a failure)."""
        return [r for r in self.records if r.status in (Status.FAIL, Status.ERROR)]

    def headlines(self) -> list[dict[str, object]]:
        """The per-paper headline of these records (:func:`proofs_check.render.paper_headlines`: claims
        checked / passed / with erratum / failed, checks, errata recorded), the rows of report.json's
        ``papers``."""
        return document([r.as_dict() for r in self.records], [], self.errata, [], [], {}, {})["papers"]

    def summary(self) -> dict[str, object]:
        """Headline numbers: claims in the paper's setting (by their worst check not run in a reduced setting,
        :func:`proofs_check.render.setting_statuses`), claims with reduced-setting checks (consistent /
        inconsistent / inconclusive in a reduced setting, issue 21) and checks by status; ``checks_consistency``: how many of the checks are implementation-consistency
        checks (two routes of one formula)."""
        grouped: dict[str, list[dict[str, object]]] = {}
        for r in self.records:
            grouped.setdefault(r.claim_id, []).append({"status": r.status, "setting": r.setting})
        split = [setting_statuses(checks) for checks in grouped.values()]
        claims = [p for p, _ in split if p is not None]
        red = [r for _, r in split if r is not None]
        count = lambda seq, s: sum(1 for v in seq if v == s)  # noqa: E731
        statuses = [r.status for r in self.records]
        return {"level": self.level, "claims": len(claims),
                "claims_passed": count(claims, Status.PASS),
                "claims_with_erratum": count(claims, Status.ERRATUM),
                "claims_inconclusive": count(claims, Status.INCONCLUSIVE),
                "claims_failed": count(claims, Status.FAIL) + count(claims, Status.ERROR),
                "claims_reduced_consistent": count(red, Status.PASS) + count(red, Status.ERRATUM),
                "claims_reduced_inconsistent": count(red, Status.FAIL) + count(red, Status.ERROR),
                "claims_reduced_inconclusive": count(red, Status.INCONCLUSIVE),
                "checks": len(statuses), **{f"checks_{s}": count(statuses, s) for s in Status},
                "checks_consistency": sum(1 for r in self.records if r.consistency),
                "errata": len(self.errata), "failed_steps": len(self.failures), "seconds": round(self.seconds, 2)}


def select_claims(claims: Iterable[Claim], papers: Sequence[str] = (), prefixes: Sequence[str] = ()) -> list[Claim]:
    """The claims of ``papers`` (all papers when empty) that match one of ``prefixes`` (all when empty).

    A prefix selects the claim whose id it is (case-insensitive) or else the one claim whose id starts
    with it; InputError when a prefix matches no claim of the selected papers (naming the choices) or
    several (naming them)."""
    wanted = {Paper.parse(p) for p in papers}
    pool = [c for c in claims if not wanted or c.paper in wanted]
    if not prefixes:
        return pool
    chosen: set[str] = set()
    for text in prefixes:
        key = text.strip().lower()
        exact = [c.id for c in pool if c.id.lower() == key]
        matches = exact or [c.id for c in pool if c.id.lower().startswith(key)]
        if not matches:
            raise InputError(f"--claim {text!r} matches no claim{' of ' + ', '.join(sorted(wanted)) if wanted else ''}; "
                             f"choose from: {'; '.join(c.id for c in pool)}")
        if len(matches) > 1:
            raise InputError(f"--claim {text!r} matches {len(matches)} claims, give one of: {'; '.join(matches)}")
        chosen.add(matches[0])
    return [c for c in pool if c.id in chosen]


def planned_checks(level: str = "quick", claims: Iterable[Claim] | None = None) -> list[tuple[Claim, Check]]:
    """The (claim, check) pairs a run of the level executes, in order (``quick``: quick checks; ``full``:
    all) over ``claims`` (default: every registered claim)."""
    if level not in LEVEL_NAMES:
        raise ValueError(f"level must be one of {LEVEL_NAMES}, got {level!r}")
    return [(claim, check) for claim in (all_claims() if claims is None else claims) for check in claim.checks
            if level == "full" or check.quick]


def run_registry(level: str = "quick", progress: Callable[[CheckRecord], None] | None = None,
                 claims: Iterable[Claim] | None = None) -> list[CheckRecord]:
    """Run every check of the level over ``claims`` (default: all; :func:`planned_checks`), reporting
    each record."""
    errata = errata_by_id()
    records = []
    for claim, check in planned_checks(level, claims):
        rec = run_check(claim, check, errata)
        records.append(rec)
        if progress:
            progress(rec)
    return records


def errata_table() -> list[dict[str, object]]:
    """Every recorded erratum with its re-run evidence."""
    out = []
    for e in all_errata():
        try:
            ev = e.evidence()
            holds, detail = ev.holds, ev.detail
        except Exception as exc:  # noqa: BLE001 - reported as an evidence error
            holds, detail = False, f"evidence raised {type(exc).__name__}: {exc}"
        out.append({"id": e.id, "paper": e.paper, "location": e.location, "claim": e.claim_id,
                    "printed": e.printed, "corrected": e.corrected, "printed_tex": e.printed_tex,
                    "corrected_tex": e.corrected_tex, "evidence_holds": bool(holds),
                    "evidence": str(detail)})
    return out


def figure_makers(level: str, papers: Iterable[str] = tuple(Paper)) -> list[tuple[str, Callable[[Path], list[Path]]]]:
    """Named makers of the report figures of ``papers`` for the level; each writes PNGs into the given
    directory.

    quick: Fig. 1-style 3-D geometries and Fig. 2 trained with the best recipe (behnia2023), the UFM+
    collapse plot (dang2024); full: Fig. 2 and Fig. 4 for both the paper's recipe and the best one (App.
    A.1, 6000 epochs) instead of the quick Fig. 2.
    """
    from proofs_check.figures import geometry_3d, ufm_plus_collapse
    from training.convergence import paper_figure2, paper_figures
    from training.recipes import RECIPES

    makers: list[tuple[str, str, Callable[[Path], list[Path]]]] = [
        (Paper.BEHNIA2023, "fig1_geometry_k3.png", lambda out: [geometry_3d(out / "fig1_geometry_k3.png")]),
        (Paper.DANG2024, "ufm_plus_collapse.png", lambda out: [ufm_plus_collapse(out / "ufm_plus_collapse.png")])]
    if level == "quick":
        makers.append((Paper.BEHNIA2023, "fig2-best.png", lambda out: [paper_figure2(
            out / "fig2-best.png", RECIPES["best"],
            title="Fig. 2 (behnia2023): SGD, best recipe, 6000 epochs, vs Thm 2; k=10, R=10")]))
    else:
        makers += [(Paper.BEHNIA2023, f"fig2-{r}.png, fig4-{r}.png",
                    lambda out, r=r: paper_figures(out, RECIPES[r], tag=f"-{r}")) for r in ("paper", "best")]
    wanted = set(papers)
    return [(step, make) for paper, step, make in makers if paper in wanted]


def _attempt(step: str, make: Callable[[], T], failures: list[StepFailure]) -> T | None:
    """``make()``, or ``None`` with the failure appended to ``failures`` (any exception: one step must
    not lose the report; KeyboardInterrupt still stops the run)."""
    try:
        return make()
    except Exception as exc:  # noqa: BLE001 - listed in the report, which then says the run failed
        failures.append(StepFailure(step, f"{type(exc).__name__}: {exc}".splitlines()[0]))
        return None


def _is_report_dir(out: Path) -> bool:
    """True when ``out`` is missing, empty, or holds an earlier report (a report.json with its summary
    and checks): the directories that a new report may replace as a whole."""
    if not out.exists() or not any(out.iterdir()):
        return True
    try:
        data = json.loads((out / "report.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and {"summary", "checks"} <= set(data)


def check_out_dir(out_dir: str | Path) -> Path:
    """``out_dir`` as a Path if a report may be written there (missing, empty, or an earlier report);
    InputError otherwise: a directory of other files is never replaced."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} exists and is not a directory")
    if Path.cwd().resolve().is_relative_to(out.resolve()):
        raise InputError(f"--out {out} holds the current directory, which the new report would remove; "
                         "run from outside it")
    if not _is_report_dir(out):
        raise InputError(f"--out {out} is a non-empty directory that holds no igeom report; "
                         "give a new or empty directory (the report replaces --out as a whole)")
    return out


def _write_set(out: Path, level: str, records: list[CheckRecord], start: float,
               claims: list[Claim] | None = None, deep_nets: str = DIGITS) -> Report:
    """Figures, formula sheet and the three reports into ``out`` (a fresh directory); failures listed.
    With ``claims`` (a filtered run) only the figures of their papers and the errata of those claims."""
    from theory.formula_sheet import formula_sheet, sheet_blocks
    from theory.infra.rich import to_html

    failures: list[StepFailure] = []
    papers = tuple(Paper) if claims is None else {c.paper for c in claims}
    makers = _attempt("figures (loading the figure code)", lambda: figure_makers(level, papers), failures) or []
    figures = [path.name for step, make in makers
               for path in (_attempt(f"figure {step}", lambda make=make: make(out), failures) or [])]
    _attempt("formula sheet formula_sheet.tex", lambda: write_atomic(out / "formula_sheet.tex", formula_sheet()),
             failures)
    formulas = _attempt("formula sheet section of report.html",
                        lambda: to_html(sheet_blocks(), heading_level=3), failures) or ""
    errata = _attempt("errata section (loading the errata)", errata_table, failures) or []
    if claims is not None:
        errata = [e for e in errata if e["claim"] in {c.id for c in claims}]
    seconds = time.perf_counter() - start
    report = Report(level, records, errata, figures, seconds, tuple(failures))
    doc = document([r.as_dict() for r in records], all_claims(), errata, figures,
                   [f.as_dict() for f in report.failures], report.summary(), {**provenance(level, seconds), "deep-net data": deep_nets})
    write_atomic(out / "report.json", dumps(doc, indent=1))
    write_atomic(out / "report.md", render_markdown(doc))
    write_atomic(out / "report.html", render_html(doc, {name: (out / name).read_bytes() for name in figures},
                                                  formulas))
    return report


def write_report(out_dir: str | Path, level: str = "quick",
                 progress: Callable[[CheckRecord], None] | None = None, claims: list[Claim] | None = None,
                 deep_nets: str = DIGITS) -> Report:
    """Run the registry and write every report file into ``out_dir``, as one unit.

    The set is written into a temporary directory beside ``out_dir`` and then replaces ``out_dir`` as a
    whole. ``out_dir`` must be missing, empty or an earlier report (InputError otherwise, before any
    check runs: a directory of other files is never replaced). A figure or the formula sheet that fails
    is listed in the report (:attr:`Report.failures`) and the rest is written. ``claims`` (default:
    every registered claim; :func:`select_claims`) restricts the run, the figures and the errata.
    ``deep_nets`` names the data the deep-net claims trained on (provenance).
    """
    out = check_out_dir(out_dir).absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    records = run_registry(level, progress, claims)
    staged = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.new."))
    try:
        report = _write_set(staged, level, records, start, claims, deep_nets)
        staged.chmod(0o755)  # mkdtemp creates 0700; the report is meant to be shared
        replace_directory(staged, out)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return report
