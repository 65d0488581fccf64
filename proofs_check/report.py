"""Run the registry and write the report: report.json, report.md, report.html, figures, formula sheet.

``report.json`` holds one entry per check (id, paper, kind, level, check, status, figure, tolerance,
seconds, detail, erratum), the errata with their evidence, and a summary. The Markdown and HTML reports
show the headline table (claims checked, passed, errata), one row per check, the errata and figures.
"""

from __future__ import annotations

import html
import json
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from proofs_check.registry import CheckRecord, all_claims, errata_by_id, run_check
from theory.infra.atomic import write_atomic

LEVEL_NAMES = ("quick", "full")


@dataclass(frozen=True)
class Report:
    """Records of one verification run plus the errata and the written figures."""

    level: str
    records: list[CheckRecord]
    errata: list[dict[str, object]]
    figures: list[str]
    seconds: float

    @property
    def failed(self) -> list[CheckRecord]:
        """Checks that failed or raised and are not covered by a recorded erratum."""
        return [r for r in self.records if r.status in ("fail", "error")]

    def summary(self) -> dict[str, object]:
        """Headline numbers: claims and checks by status."""
        claims: dict[str, str] = {}
        for r in self.records:
            order = {"pass": 0, "erratum": 1, "fail": 2, "error": 3}
            if r.claim_id not in claims or order[r.status] > order[claims[r.claim_id]]:
                claims[r.claim_id] = r.status
        count = lambda seq, s: sum(1 for v in seq if v == s)  # noqa: E731
        statuses = [r.status for r in self.records]
        return {"level": self.level, "claims": len(claims),
                "claims_passed": count(claims.values(), "pass"),
                "claims_with_erratum": count(claims.values(), "erratum"),
                "claims_failed": count(claims.values(), "fail") + count(claims.values(), "error"),
                "checks": len(statuses), **{f"checks_{s}": count(statuses, s) for s in ("pass", "erratum", "fail", "error")},
                "errata": len(self.errata), "seconds": round(self.seconds, 2)}


def run_registry(level: str = "quick", progress: Callable[[CheckRecord], None] | None = None,
                 claims: Iterable | None = None) -> list[CheckRecord]:
    """Run every check of the level (``quick``: quick checks; ``full``: all), reporting each record."""
    if level not in LEVEL_NAMES:
        raise ValueError(f"level must be one of {LEVEL_NAMES}, got {level!r}")
    errata = errata_by_id()
    records = []
    for claim in (all_claims() if claims is None else claims):
        for check in claim.checks:
            if level == "quick" and not check.quick:
                continue
            rec = run_check(claim, check, errata)
            records.append(rec)
            if progress:
                progress(rec)
    return records


def errata_table() -> list[dict[str, object]]:
    """Every recorded erratum with its re-run evidence."""
    from proofs_check.errata import all_errata

    out = []
    for e in all_errata():
        try:
            ev = e.evidence()
            holds, detail = ev.holds, ev.detail
        except Exception as exc:  # noqa: BLE001 - reported as an evidence error
            holds, detail = False, f"evidence raised {type(exc).__name__}: {exc}"
        out.append({"id": e.id, "paper": e.paper, "location": e.location, "claim": e.claim_id,
                    "printed": e.printed, "corrected": e.corrected, "evidence_holds": bool(holds),
                    "evidence": str(detail)})
    return out


def _fmt(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


def _cell(text: str) -> str:
    """A Markdown table cell: pipes escaped."""
    return str(text).replace("|", "\\|")


def to_markdown(report: Report) -> str:
    """The Markdown report."""
    s = report.summary()
    lines = [f"# implicit-geometry verification report ({report.level})", "",
             f"Python {platform.python_version()} on {platform.machine()}; {s['seconds']} s.", "",
             "| claims checked | passed | with erratum | failed | checks | errata recorded |",
             "| --- | --- | --- | --- | --- | --- |",
             f"| {s['claims']} | {s['claims_passed']} | {s['claims_with_erratum']} | {s['claims_failed']} | "
             f"{s['checks']} | {s['errata']} |", "",
             "## Checks", "", "| claim | level | check | status | figure | tolerance | s |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in report.records:
        status = r.status if r.status != "erratum" else f"erratum ({r.erratum})"
        lines.append(f"| {_cell(r.claim_id)} | {r.level} | {_cell(r.description)} | {status} | {_fmt(r.figure)} | "
                     f"{_fmt(r.tolerance)} | {r.seconds:.2f} |")
    lines += ["", "## Errata", ""]
    for e in report.errata:
        lines += [f"### {e['id']} — {e['paper']}, {e['location']}", "", f"- printed: {e['printed']}",
                  f"- corrected: {e['corrected']}",
                  f"- evidence ({'confirmed' if e['evidence_holds'] else 'NOT confirmed'}): {e['evidence']}", ""]
    if report.figures:
        lines += ["## Figures", ""] + [f"![{Path(f).stem}]({Path(f).name})" for f in report.figures]
    return "\n".join(lines) + "\n"


def to_html(report: Report) -> str:
    """The HTML report (self-contained apart from the PNG figures beside it)."""
    esc = html.escape
    s = report.summary()
    color = {"pass": "#d4f4d4", "erratum": "#fff2c6", "fail": "#f8d0d0", "error": "#f8d0d0"}
    rows = "".join(
        f"<tr style='background:{color[r.status]}'><td>{esc(r.claim_id)}</td><td>{r.level}</td>"
        f"<td>{esc(r.description)}</td><td>{r.status}{' (' + esc(r.erratum) + ')' if r.erratum else ''}</td>"
        f"<td>{_fmt(r.figure)}</td><td>{_fmt(r.tolerance)}</td><td>{r.seconds:.2f}</td>"
        f"<td>{esc(r.detail)}</td></tr>" for r in report.records)
    errata = "".join(
        f"<h3>{esc(e['id'])}</h3><p><b>{esc(str(e['paper']))}, {esc(str(e['location']))}</b><br>"
        f"printed: {esc(str(e['printed']))}<br>corrected: {esc(str(e['corrected']))}<br>"
        f"evidence ({'confirmed' if e['evidence_holds'] else 'NOT confirmed'}): {esc(str(e['evidence']))}</p>"
        for e in report.errata)
    figs = "".join(f"<figure><img src='{esc(Path(f).name)}' style='max-width:100%'><figcaption>"
                   f"{esc(Path(f).stem)}</figcaption></figure>" for f in report.figures)
    head = "".join(f"<td>{s[k]}</td>" for k in ("claims", "claims_passed", "claims_with_erratum",
                                                 "claims_failed", "checks", "errata"))
    return ("<!doctype html><html><head><meta charset='utf-8'><title>implicit-geometry report</title>"
            "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:3px;"
            "font-size:13px}table{border-collapse:collapse}</style></head><body>"
            f"<h1>implicit-geometry verification report ({report.level})</h1>"
            "<table><tr><th>claims checked</th><th>passed</th><th>with erratum</th><th>failed</th>"
            f"<th>checks</th><th>errata</th></tr><tr>{head}</tr></table>"
            "<h2>Checks</h2><table><tr><th>claim</th><th>level</th><th>check</th><th>status</th>"
            f"<th>figure</th><th>tolerance</th><th>s</th><th>detail</th></tr>{rows}</table>"
            f"<h2>Errata</h2>{errata}<h2>Figures</h2>{figs}</body></html>\n")


def figure_makers(level: str) -> list[Callable[[Path], list[Path]]]:
    """Makers of the report figures for the level; each writes PNGs into the output directory.

    quick: Fig. 1-style 3-D geometries, the UFM+ collapse plot and Fig. 2 trained with the best recipe;
    full: Fig. 2 and Fig. 4 for both the paper's recipe and the best one (App. A.1, 6000 epochs).
    """
    from proofs_check.figures import geometry_3d, ufm_plus_collapse
    from training.convergence import RECIPES, paper_figures

    def fig2_best(out: Path) -> list[Path]:
        from training.convergence import paper_problem, paper_specs
        from training.figures import figure2
        from training.measurements import measure
        from training.ufm import train_sweep

        meas = measure(train_sweep(paper_problem(), paper_specs(), RECIPES["best"]))
        return [figure2(meas, paper_problem().imbalance, out / "fig2-best.png",
                        title="Fig. 2 (behnia2023): SGD, best recipe, 6000 epochs, vs Thm 2; k=10, R=10")]

    makers: list[Callable[[Path], list[Path]]] = [
        lambda out: [geometry_3d(out / "fig1_geometry_k3.png")],
        lambda out: [ufm_plus_collapse(out / "ufm_plus_collapse.png")]]
    if level == "quick":
        return makers + [fig2_best]
    return makers + [lambda out, r=r: paper_figures(out, RECIPES[r], tag=f"-{r}") for r in ("paper", "best")]


def write_report(out_dir: str | Path, level: str = "quick",
                 progress: Callable[[CheckRecord], None] | None = None) -> Report:
    """Run the registry and write every report file into ``out_dir``."""
    from theory.formula_sheet import formula_sheet

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    records = run_registry(level, progress)
    figures = [str(path) for make in figure_makers(level) for path in make(out)]
    write_atomic(out / "formula_sheet.tex", formula_sheet())
    report = Report(level, records, errata_table(), figures, time.perf_counter() - start)
    write_atomic(out / "report.json", json.dumps({"summary": report.summary(),
                                                  "checks": [r.as_dict() for r in records],
                                                  "errata": report.errata,
                                                  "figures": [Path(f).name for f in figures]}, indent=1))
    write_atomic(out / "report.md", to_markdown(report))
    write_atomic(out / "report.html", to_html(report))
    return report
