"""The verification report as a reader sees it: one self-contained HTML page and its Markdown twin.

Both are rendered from the report document (the dictionary written as ``report.json``): per-paper
verdicts first, then per paper a verdict table of its claims, each claim opening to its checks (measured
figure against its pass criterion, erratum linked both ways), proof steps folded under the result they
prove, the errata (printed / corrected / evidence), the formula sheet typeset with KaTeX, the figures,
and the provenance of the run. The HTML embeds KaTeX (shipped in ``proofs_check/assets/katex``, fonts as
data URIs) and the figures (base64 PNG), so it typesets and displays with no network and when mailed alone.
"""

from __future__ import annotations

import base64
import html
import re
from importlib import resources
from typing import Any, Iterable, Mapping

from theory.core.vocabulary import Criterion, Paper, Setting, Status

_ORDER = {s.value: i for i, s in enumerate(Status)}
_VERDICT = {Status.PASS: "holds", Status.ERRATUM: "holds as corrected (erratum)",
            Status.INCONCLUSIVE: "inconclusive (premise not met, or the interval straddles)", Status.FAIL: "FAILS", Status.ERROR: "ERROR"}
#: the verdict of a claim checked only in a reduced setting (issue 21): never the paper's pass or fail
_REDUCED_VERDICT = {Status.PASS: "consistent in a reduced setting", Status.ERRATUM: "consistent in a reduced setting",
                    Status.INCONCLUSIVE: "inconclusive in a reduced setting",
                    Status.FAIL: "inconsistent in a reduced setting", Status.ERROR: "ERROR (reduced setting)"}

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1100px;padding:1.5em;
color:#1d1d1f;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em} h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0;width:100%} td,th{border:1px solid #d4d4d4;padding:4px 6px;
font-size:13px;vertical-align:top;text-align:left} th{background:#f3f3f3}
.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{background:#dff3df}.erratum{background:#fff1c4}.inconclusive{background:#e4e9f2}.fail,.error{background:#f7d4d4}
.consistency{background:#e3ecfa;color:#23456e;font-size:11px;padding:0 3px;border-radius:3px}
details{margin:.3em 0} summary{cursor:pointer} .muted{color:#666;font-size:12px}
.toc{columns:2;font-size:14px} .texd{margin:.5em 0;overflow-x:auto} figure{margin:1em 0}
figure img{max-width:100%;border:1px solid #eee} code{font-size:12px}
"""

_BOOT = """
document.addEventListener('DOMContentLoaded', function () {
  var n = 0, bad = 0;
  document.querySelectorAll('.tex, .texd').forEach(function (el) {
    try { katex.render(el.textContent, el, {displayMode: el.classList.contains('texd'), throwOnError: true});
          n++; }
    catch (e) { el.classList.add('tex-error'); el.title = String(e); bad++; }
  });
  document.body.dataset.typeset = n; document.body.dataset.typesetErrors = bad;
});
"""


def anchor(kind: str, ident: str) -> str:
    """A stable HTML id for a claim or an erratum, e.g. ``claim-behnia2023-thm-2-i``."""
    return f"{kind}-" + re.sub(r"[^a-z0-9]+", "-", ident.lower()).strip("-")


def _asset(name: str) -> bytes:
    return resources.files("proofs_check").joinpath("assets", "katex", name).read_bytes()


def katex_inline() -> str:
    """KaTeX's stylesheet (fonts embedded as woff2 data URIs) and script, for a page with no network."""
    css = _asset("katex.min.css").decode()

    def font(match: re.Match) -> str:
        data = base64.b64encode(_asset(f"fonts/{match.group(1)}.woff2")).decode()
        return f'src:url(data:font/woff2;base64,{data}) format("woff2")'

    css = re.sub(r'src:url\(fonts/([\w-]+)\.woff2\) format\("woff2"\)(?:,url\([^)]*\) format\("[^"]*"\))*', font, css)
    if "url(fonts/" in css:
        raise RuntimeError("KaTeX stylesheet still references external fonts")
    return f"<style>{css}</style><script>{_asset('katex.min.js').decode()}</script><script>{_BOOT}</script>"


def tex_html(text: str) -> str:
    """Text with inline math in ``$...$`` (a claim's ``statement_tex``, an erratum's printed / corrected
    form) as HTML: the text escaped, each ``$...$`` a ``<span class='tex'>`` that the embedded KaTeX
    typesets when the page loads. ValueError on an unbalanced ``$``."""
    parts = text.split("$")
    if len(parts) % 2 == 0:
        raise ValueError(f"unbalanced $ in {text!r}")
    return "".join(html.escape(p) if i % 2 == 0 else f"<span class='tex'>{html.escape(p)}</span>"
                   for i, p in enumerate(parts))


def _typeset(row: Mapping[str, Any], key: str) -> str:
    """``row[key + '_tex']`` typeset when present, else the plain ``row[key]`` escaped."""
    tex = row.get(f"{key}_tex")
    return tex_html(tex) if tex else html.escape(str(row.get(key, "")))


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def criterion(check: Mapping[str, Any]) -> str:
    """The pass criterion of a check row as text: ``figure ≤ tol`` or ``figure ≥ margin`` (its
    ``criterion``, see :class:`theory.core.vocabulary.Criterion`); ``no figure`` for a row without a bound
    (a check that raised). An ``inconclusive`` check's figure is its premise's
    (:func:`proofs_check.runner.premise_not_met`)."""
    tol = check.get("tolerance")
    if tol is None:
        return "no figure"
    if check.get("interval") is not None:  # a training-level decision over seeds (proofs_check.decision)
        lo, hi = check["interval"]
        relation = "≥" if Criterion.parse(check["criterion"]) == Criterion.AT_LEAST else "≤"
        return f"interval [{_fmt(float(lo))}, {_fmt(float(hi))}] over {len(check.get('seeds') or ())} seeds vs {relation} {_fmt(tol)}"
    if check.get("status") == Status.INCONCLUSIVE:
        return f"premise: figure ≤ {_fmt(tol)}"
    relation = Criterion.parse(check["criterion"])
    return f"figure {'≥' if relation == Criterion.AT_LEAST else '≤'} {_fmt(tol)}"


def claim_status(checks: Iterable[Mapping[str, Any]]) -> str:
    """The worst status of a claim's checks (pass < erratum < inconclusive < fail < error)."""
    return max((c["status"] for c in checks), key=lambda s: _ORDER[s])


EXTENSIONS_ROW = "extensions"
"""The headline row of the extension claims (not statements of the papers; :attr:`proofs_check.model.Claim.extension`)."""


def is_extension(claim: Mapping[str, Any]) -> bool:
    """Whether a report claim (or its check rows) is marked as an extension claim."""
    return bool(claim.get("extension") or any(ch.get("extension") for ch in claim.get("checks", ())))


def reduced(check: Mapping[str, Any]) -> bool:
    """True for a check row run in a reduced setting (its outcome is not the paper's verdict, issue 21)."""
    return check.get("setting") == Setting.REDUCED


def setting_statuses(checks: list[Mapping[str, Any]]) -> tuple[str | None, str | None]:
    """(paper status, reduced status) of a claim's check rows: the worst status of the checks that verify the
    paper (every check not run in a reduced setting), and of those run in a reduced setting; None where a
    claim has no such check."""
    paper = [c for c in checks if not reduced(c)]
    red = [c for c in checks if reduced(c)]
    return (claim_status(paper) if paper else None), (claim_status(red) if red else None)


def claim_verdict(claim: Mapping[str, Any]) -> str:
    """A claim's verdict in words: the paper's verdict from its paper-setting (and untrained) checks, followed
    by the reduced-setting one where it has reduced-setting checks; a claim checked only in a reduced setting
    gets only the latter (consistent / inconsistent / inconclusive in a reduced setting)."""
    paper, red = setting_statuses(list(claim["checks"]))
    words = [_VERDICT[paper]] if paper is not None else []
    if red is not None:
        words.append(_REDUCED_VERDICT[red])
    return "; ".join(words)


def _setting_line(check: Mapping[str, Any]) -> str:
    """``setting reduced (dataset ..., width ...); seeds 0, 1, 2`` of a training row, '' for other rows."""
    if not check.get("setting"):
        return ""
    departures = check.get("departures") or []
    text = f"setting {check['setting']}" + (f" ({'; '.join(departures)})" if departures else "")
    if check.get("seeds"):
        text += f"; seeds {', '.join(map(str, check['seeds']))}"
    if check.get("rule"):
        text += f"; rule: {check['rule']}"
    return text


def _headline_row(name: str, mine: list[Mapping[str, Any]], errata: int) -> dict[str, Any]:
    """One headline row over the claims ``mine`` (:func:`paper_headlines`)."""
    split = [setting_statuses(list(c["checks"])) for c in mine]
    status = [p for p, _ in split if p is not None]
    red = [r for _, r in split if r is not None]
    return {"paper": name, "claims": len(status), "passed": status.count(Status.PASS),
            "with_erratum": status.count(Status.ERRATUM), "inconclusive": status.count(Status.INCONCLUSIVE),
            "failed": status.count(Status.FAIL) + status.count(Status.ERROR),
            "checks": sum(1 for c in mine for ch in c["checks"] if not ch.get("consistency") and not reduced(ch)),
            "consistency": sum(1 for c in mine for ch in c["checks"] if ch.get("consistency")),
            "reduced_consistent": red.count(Status.PASS) + red.count(Status.ERRATUM),
            "reduced_inconsistent": red.count(Status.FAIL) + red.count(Status.ERROR),
            "reduced_inconclusive": red.count(Status.INCONCLUSIVE),
            "errata": errata}


def paper_headlines(claims: list[Mapping[str, Any]], errata: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per paper: claims checked in the paper's setting, passed, with a recorded erratum, inconclusive, failed
    (from each claim's checks that are not run in a reduced setting, :func:`setting_statuses`); checks that
    verify the paper and, apart, implementation-consistency checks (two routes of one formula,
    ``consistency``); claims with reduced-setting checks by their worst such outcome, consistent /
    inconsistent / inconclusive in a reduced setting, never counted as the paper's pass or fail (issue 21);
    errata recorded. Extension claims (:func:`is_extension`: not statements of the papers) are never counted
    in a paper's row or the total: they get their own row (:data:`EXTENSIONS_ROW`) after the total."""
    rows = []
    for paper in Paper:
        mine = [c for c in claims if c["paper"] == paper.value and not is_extension(c)]
        if not mine and not any(e["paper"] == paper.value for e in errata):
            continue
        rows.append(_headline_row(paper.value, mine, sum(1 for e in errata if e["paper"] == paper.value)))
    if rows:
        rows.append({"paper": "total", **{k: sum(r[k] for r in rows) for k in rows[0] if k != "paper"}})
    extensions = [c for c in claims if is_extension(c)]
    if extensions:
        rows.append(_headline_row(EXTENSIONS_ROW, extensions, 0))
    return rows


_HEAD_COLUMNS = (("claims", "claims checked in the paper's setting"), ("passed", "passed"),
                 ("with_erratum", "with a recorded erratum"), ("inconclusive", "inconclusive"), ("failed", "failed"),
                 ("checks", "checks of the paper"), ("consistency", "implementation-consistency checks"),
                 ("reduced", "consistent / inconsistent / inconclusive in a reduced setting"),
                 ("errata", "errata recorded"))


def head_cell(row: Mapping[str, Any], key: str) -> str:
    """One cell of the headline: the reduced-setting column is ``consistent / inconsistent / inconclusive``."""
    if key == "reduced":
        return f"{row['reduced_consistent']} / {row['reduced_inconsistent']} / {row['reduced_inconclusive']}"
    return str(row[key])


def headline_markdown(rows: list[Mapping[str, Any]]) -> str:
    """The per-paper headline as a Markdown table (README shows the same table)."""
    lines = ["| paper | " + " | ".join(t for _, t in _HEAD_COLUMNS) + " |",
             "| --- |" + " --- |" * len(_HEAD_COLUMNS)]
    lines += ["| " + " | ".join([str(r["paper"])] + [head_cell(r, k) for k, _ in _HEAD_COLUMNS]) + " |" for r in rows]
    return "\n".join(lines)


CONSISTENCY_LABEL = "implementation consistency"
"""The label of a check that compares two routes of one formula in this project (it verifies the code, not
the paper)."""


def _consistency_html(check: Mapping[str, Any]) -> str:
    return (f"<span class='consistency' title='two routes of one formula: verifies the implementation, not the "
            f"paper'>[{CONSISTENCY_LABEL}]</span> " if check.get("consistency") else "")


def consistency_only(claim: Mapping[str, Any]) -> bool:
    """True when every check of the claim (as run) is an implementation-consistency check: its verdict then
    says the code agrees with itself, not that the paper's statement was verified."""
    return all(ch.get("consistency") for ch in claim["checks"])


def _check_rows(claim: Mapping[str, Any], esc=html.escape) -> str:
    rows = []
    for c in claim["checks"]:
        link = ""
        if c.get("erratum"):
            link = f" — <a href='#{anchor('erratum', c['erratum'])}'>erratum {esc(c['erratum'])}</a>"
        rows.append(f"<tr class='{c['status']}'><td>{esc(c['level'])}</td><td>{_consistency_html(c)}{esc(c['check'])}</td>"
                    f"<td>{esc(c['status'])}{link}</td><td class='num'>{_fmt(c.get('figure'))}</td>"
                    f"<td>{esc(criterion(c))}</td><td class='num'>{c['seconds']:.2f}</td>"
                    f"<td class='muted'>{esc(_setting_line(c) + ('. ' if _setting_line(c) else ''))}"
                    f"{esc(str(c.get('detail', '')))}</td></tr>")
    return ("<table><tr><th>level</th><th>check</th><th>status</th><th>figure</th><th>pass criterion</th>"
            "<th>s</th><th>detail</th></tr>" + "".join(rows) + "</table>")


def _claim_details(claim: Mapping[str, Any], errata_of: Mapping[str, list[str]]) -> str:
    esc = html.escape
    cid = claim["id"]
    linked = "".join(f" <a href='#{anchor('erratum', e)}'>[erratum {esc(e)}]</a>" for e in errata_of.get(cid, []))
    return (f"<details id='{anchor('claim', cid)}' class='claim'><summary><b>{esc(cid)}</b> — "
            f"<span class='{claim['status']}'>{esc(claim_verdict(claim))}</span>{linked}</summary>"
            f"<p class='statement'>{_typeset(claim, 'statement')}</p><p class='muted'>Assumptions: {esc(claim.get('assumptions', ''))}</p>"
            f"{_check_rows(claim)}</details>")


def _paper_section(paper: str, claims: list[Mapping[str, Any]], errata_of: Mapping[str, list[str]]) -> str:
    esc = html.escape
    results = [c for c in claims if c["paper"] == paper and c.get("kind", "claim") == "claim"]
    steps = [c for c in claims if c["paper"] == paper and c.get("kind", "claim") != "claim"]
    rows = "".join(
        f"<tr class='{c['status']}'><td><a href='#{anchor('claim', c['id'])}'>{esc(c['id'])}</a></td>"
        f"<td class='statement'>{_typeset(c, 'statement')}</td><td>{esc(claim_verdict(c))}"
        f"{' <span class=consistency>[' + CONSISTENCY_LABEL + ' only]</span>' if consistency_only(c) else ''}</td>"
        f"<td>{esc(', '.join(c['levels']))}</td><td class='num'>{len(c['checks'])}</td></tr>" for c in results)
    out = [f"<h2 id='paper-{paper}'>{paper}</h2>",
           "<table class='verdict'><tr><th>claim</th><th>statement</th><th>verdict</th><th>levels</th><th>checks</th></tr>"
           f"{rows}</table>"]
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for c in steps:
        groups.setdefault(c.get("proves") or f"{paper}: derivations outside a theorem's proof", []).append(c)

    def folded(target: str) -> str:
        members = groups.pop(target)
        worst = claim_status([{"status": c["status"]} for c in members])
        return (f"<details class='proof'><summary>Proof steps of <b>{esc(target)}</b>: {len(members)} "
                f"claims, <span class='{worst}'>{esc(_VERDICT[worst])}</span></summary>"
                + "".join(_claim_details(c, errata_of) for c in members) + "</details>")

    for c in results:  # each result, then the steps of its proof folded under it
        out.append(_claim_details(c, errata_of))
        if c["id"] in groups:
            out.append(folded(c["id"]))
    out += [folded(target) for target in list(groups)]
    return "\n".join(out)


def _errata_section(errata: list[Mapping[str, Any]], claim_ids: set[str]) -> str:
    esc = html.escape
    out = ["<h2 id='errata'>Errata</h2>"]
    for e in errata:
        ok = "confirmed" if e["evidence_holds"] else "NOT confirmed"
        claim = esc(e["claim"])
        if e["claim"] in claim_ids:  # a claim filtered out of this report gets no dangling link
            claim = f"<a href='#{anchor('claim', e['claim'])}'>{claim}</a>"
        out.append(f"<div id='{anchor('erratum', e['id'])}' class='erratum-entry'><h3>{esc(e['id'])}</h3>"
                   f"<p><b>{esc(e['paper'])}, {esc(e['location'])}</b> — claim {claim}</p>"
                   f"<table><tr><th>printed</th><td class='printed'>{_typeset(e, 'printed')}</td></tr>"
                   f"<tr><th>corrected</th><td class='corrected'>{_typeset(e, 'corrected')}</td></tr>"
                   f"<tr><th>evidence ({ok})</th><td>{esc(e['evidence'])}</td></tr></table></div>")
    return "\n".join(out)


def _provenance(prov: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in prov.items() if v is not None)


def provenance(level: str, seconds: float) -> dict[str, Any]:
    """Package version, git commit (when run from a checkout), date, library versions, platform."""
    import datetime
    import importlib.metadata as md
    import platform
    import subprocess
    from pathlib import Path

    def version(dist: str) -> str | None:
        try:
            return md.version(dist)
        except md.PackageNotFoundError:
            return None

    commit = None
    try:
        here = Path(__file__).resolve().parent
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True, text=True,
                             timeout=5)
        commit = out.stdout.strip() or None if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"implicit-geometry": version("implicit-geometry"), "git commit": commit,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "python": platform.python_version(), "torch": version("torch"), "cvxpy": version("cvxpy"),
            "sympy": version("sympy"), "numpy": version("numpy"), "platform": platform.platform(),
            "level": level, "seconds": round(float(seconds), 1)}


def document(checks: list[Mapping[str, Any]], claims: Iterable[Any], errata: list[Mapping[str, Any]],
             figures: list[str], failures: list[Mapping[str, str]], summary: Mapping[str, Any],
             prov: Mapping[str, Any]) -> dict[str, Any]:
    """The report document (``report.json``): the flat ``checks`` rows grouped under their claims, the
    per-paper headline, errata, figure names, failures while writing the report, and provenance."""
    meta = {c.id: c for c in claims}
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for row in checks:
        grouped.setdefault(row["id"], []).append(row)
    out_claims = []
    for cid, rows in grouped.items():
        c = meta.get(cid)
        out_claims.append({"id": cid, "paper": rows[0]["paper"], "kind": rows[0]["kind"],
                           "statement": getattr(c, "statement", ""), "statement_tex": getattr(c, "statement_tex", None),
                           "assumptions": getattr(c, "assumptions", ""),
                           "proves": getattr(c, "proves", None), "status": claim_status(rows),
                           "extension": bool(getattr(c, "extension", False) or any(r.get("extension") for r in rows)),
                           "levels": sorted({r["level"] for r in rows}), "checks": rows})
    return {"summary": dict(summary), "papers": paper_headlines(out_claims, errata), "claims": out_claims,
            "checks": checks, "errata": errata, "figures": figures, "failures": failures, "provenance": dict(prov)}


def render_html(doc: Mapping[str, Any], figures: Mapping[str, bytes] | None = None,
                formulas_html: str = "") -> str:
    """The self-contained HTML report of a report document (``figures``: PNG bytes by file name)."""
    esc = html.escape
    claims, errata = list(doc["claims"]), list(doc["errata"])
    errata_of: dict[str, list[str]] = {}
    for e in errata:
        errata_of.setdefault(e["claim"], []).append(e["id"])
    heads = paper_headlines(claims, errata)
    head_rows = "".join(
        (f"<tr><td><b>{r['paper']}</b></td>" if r["paper"] in ("total", EXTENSIONS_ROW)
         else f"<tr><td><a href='#paper-{r['paper']}'>{r['paper']}</a></td>")
        + "".join(f"<td class='num'>{head_cell(r, k)}</td>" for k, _ in _HEAD_COLUMNS) + "</tr>" for r in heads)
    papers = [r["paper"] for r in heads if r["paper"] not in ("total", EXTENSIONS_ROW)]
    failures = doc.get("failures") or []
    toc = ["<ul class='toc'>"] + [f"<li><a href='#paper-{p}'>{p}</a></li>" for p in papers]
    if any(r["paper"] == EXTENSIONS_ROW for r in heads):
        toc.append(f"<li><a href='#paper-{EXTENSIONS_ROW}'>Extensions (not statements of the papers)</a></li>")
    toc += ["<li><a href='#errata'>Errata</a></li>"]
    if formulas_html:
        toc.append("<li><a href='#formulas'>Formula sheet</a></li>")
    if figures:
        toc.append("<li><a href='#figures'>Figures</a></li>")
    if failures:
        toc.append("<li><a href='#failures'>Failed report steps</a></li>")
    toc += ["<li><a href='#provenance'>Provenance</a></li>", "</ul>"]
    body = [f"<h1>implicit-geometry: verification report ({esc(str(doc['summary'].get('level', '')))})</h1>",
            f"<p class='muted'>{esc(_provenance(doc.get('provenance', {})))}</p>",
            "<table><tr><th>paper</th>" + "".join(f"<th>{t}</th>" for _, t in _HEAD_COLUMNS) + f"</tr>{head_rows}</table>",
            "".join(toc)]
    if failures:
        body.append("<h2 id='failures'>Failed report steps</h2><ul>"
                    + "".join(f"<li><b>{esc(f['step'])}</b>: {esc(f['error'])}</li>" for f in failures) + "</ul>")
    body += [_paper_section(p, [c for c in claims if not is_extension(c)], errata_of) for p in papers]
    if any(r["paper"] == EXTENSIONS_ROW for r in heads):
        body.append(_paper_section(EXTENSIONS_ROW, [{**c, "paper": EXTENSIONS_ROW} for c in claims if is_extension(c)],
                                   errata_of))
    body.append(_errata_section(errata, {c['id'] for c in claims}))
    if formulas_html:
        body.append(f"<h2 id='formulas'>Formula sheet</h2>{formulas_html}")
    if figures:
        body.append("<h2 id='figures'>Figures</h2>" + "".join(
            f"<figure><img alt='{esc(name)}' src='data:image/png;base64,{base64.b64encode(data).decode()}'>"
            f"<figcaption>{esc(name)}</figcaption></figure>" for name, data in figures.items()))
    body.append("<h2 id='provenance'>Provenance</h2><table>" + "".join(
        f"<tr><th>{esc(str(k))}</th><td>{esc(_fmt(v))}</td></tr>" for k, v in doc.get("provenance", {}).items())
        + "</table>")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>implicit-geometry report</title><style>{_CSS}</style>{katex_inline()}</head><body>"
            + "\n".join(body) + "</body></html>\n")


def render_markdown(doc: Mapping[str, Any]) -> str:
    """The Markdown report: the same order as the HTML, checks as nested lists."""
    claims, errata = list(doc["claims"]), list(doc["errata"])
    heads = paper_headlines(claims, errata)
    cell = lambda text: str(text).replace("|", "\\|")  # noqa: E731
    lines = [f"# implicit-geometry: verification report ({doc['summary'].get('level', '')})", "",
             _provenance(doc.get("provenance", {})), "", headline_markdown(heads), ""]
    if doc.get("failures"):
        lines += ["## Failed report steps", ""] + [f"- {f['step']}: {f['error']}" for f in doc["failures"]]
    for row in heads:
        if row["paper"] == "total":
            continue
        title = "extensions (not statements of the papers; not counted in their verdicts)" \
            if row["paper"] == EXTENSIONS_ROW else row["paper"]
        lines += ["", f"## {title}", "", "| claim | kind | verdict | levels | checks |",
                  "| --- | --- | --- | --- | --- |"]
        mine = ([c for c in claims if is_extension(c)] if row["paper"] == EXTENSIONS_ROW
                else [c for c in claims if c["paper"] == row["paper"] and not is_extension(c)])
        lines += [f"| {cell(c['id'])} | {c.get('kind', 'claim')} | {claim_verdict(c)}"
                  f"{f' ({CONSISTENCY_LABEL} only)' if consistency_only(c) else ''} | "
                  f"{', '.join(c['levels'])} | {len(c['checks'])} |" for c in mine]
        for c in mine:
            lines += ["", f"### {c['id']}", "", c["statement"], ""]
            for ch in c["checks"]:
                er = f" (erratum {ch['erratum']})" if ch.get("erratum") else ""
                tag = f"[{CONSISTENCY_LABEL}] " if ch.get("consistency") else ""
                setting = _setting_line(ch)
                lines.append(f"- {ch['level']}: {tag}{ch['check']} — **{ch['status']}**{er}; figure {_fmt(ch.get('figure'))}, "
                             f"{criterion(ch)}" + (f"; {setting}" if setting else ""))
    lines += ["", "## Errata", ""]
    for e in errata:
        lines += [f"### {e['id']} — {e['paper']}, {e['location']} (claim {e['claim']})", "",
                  f"- printed: {e['printed']}", f"- corrected: {e['corrected']}",
                  f"- evidence ({'confirmed' if e['evidence_holds'] else 'NOT confirmed'}): {e['evidence']}", ""]
    if doc.get("figures"):
        lines += ["## Figures", ""] + [f"![{name}]({name})" for name in doc["figures"]]
    return "\n".join(lines) + "\n"
