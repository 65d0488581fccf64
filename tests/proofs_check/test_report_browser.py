"""The HTML report in a real headless Chromium: formulas typeset by the embedded KaTeX, every internal link
resolves, every image loads, and nothing is fetched from the network (the page works when mailed alone).

Chromium comes from Debian's package (`.ci/run` installs it when missing) and is driven by Playwright
without any browser download. The document is built from real checks of the registry.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

from proofs_check.catalog import all_claims, all_errata
from proofs_check.catalog import errata_by_id
from proofs_check.runner import run_check
from proofs_check.render import anchor, document, provenance, render_html, render_markdown
from proofs_check.report import errata_table
from theory.formula_sheet import sheet_blocks
from theory.infra.rich import to_html

#: fast claims: one plain, one whose printed statement is an erratum
CLAIMS = ("behnia2023 Def. 1 delta=1", "behnia2023 Def. 1(a) SVD", "yang2022 Def. 1")


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium missing in CI (.ci/run installs Debian's chromium)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    return exe


def _png() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


@pytest.fixture(scope="module")
def report_doc() -> dict:
    claims = [c for c in all_claims() if c.id in CLAIMS]
    assert {c.id for c in claims} == set(CLAIMS)
    rows = [run_check(c, ch, errata_by_id()).as_dict() for c in claims for ch in c.checks if ch.quick]
    summary = {"level": "quick", "checks": len(rows)}
    return document(rows, claims, errata_table(), ["tiny.png"], [{"step": "figure x", "error": "planted"}],
                    summary, provenance("quick", 1.0))


def test_document_groups_checks_under_claims(report_doc: dict) -> None:
    by_id = {c["id"]: c for c in report_doc["claims"]}
    assert by_id["behnia2023 Def. 1(a) SVD"]["status"] == "erratum"
    assert by_id["behnia2023 Def. 1 delta=1"]["status"] == "pass"
    assert sum(len(c["checks"]) for c in report_doc["claims"]) == len(report_doc["checks"])
    md = render_markdown(report_doc)
    assert "| behnia2023 |" in md and "planted" in md and "erratum behnia2023-def1-U-orthonormal" in md


#: text nodes outside KaTeX's output that still hold a "$" (an untypeset TeX delimiter)
_RAW_DOLLARS = """(() => { const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); const out = [];
  for (let n = w.nextNode(); n; n = w.nextNode()) {
    const el = n.parentElement;
    if (el.closest('.katex, script, style') === null && n.textContent.includes('$')) out.push(n.textContent);
  }
  return out; })()"""


def test_every_statement_and_erratum_typesets_in_chromium(tmp_path: Path) -> None:
    """The TeX of every catalogued claim (verdict table and claim details) and of every erratum (printed and
    corrected) typesets with the embedded KaTeX: no KaTeX error, no raw $ left. The check rows are
    placeholders (only the statements are under test), the errata's evidence is not re-run."""
    exe = _chromium()
    from playwright import sync_api

    claims = all_claims()
    rows = [{"id": c.id, "paper": str(c.paper), "kind": c.kind, "level": "symbolic", "check": "placeholder",
             "status": "pass", "figure": None, "tolerance": None, "seconds": 0.0, "detail": "", "erratum": None,
             "criterion": "<=", "consistency": False} for c in claims]
    errata = [{"id": e.id, "paper": str(e.paper), "location": e.location, "claim": e.claim_id, "printed": e.printed,
               "corrected": e.corrected, "printed_tex": e.printed_tex, "corrected_tex": e.corrected_tex,
               "evidence_holds": True, "evidence": "not re-run in this test"} for e in all_errata()]
    path = tmp_path / "statements.html"
    path.write_text(render_html(document(rows, claims, errata, [], [], {"level": "quick"}, {})))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(path.as_uri())
            page.wait_for_function("document.body.dataset.typeset !== undefined", timeout=60_000)
            errors = page.evaluate("Array.from(document.querySelectorAll('.tex-error')).map(e => e.textContent + ': ' + e.title)")
            assert errors == []
            n_tex = page.evaluate("document.querySelectorAll('.tex').length")
            assert int(page.evaluate("document.body.dataset.typeset")) == n_tex > 2 * len(claims)
            statements = page.evaluate("document.querySelectorAll('table.verdict td.statement').length")
            assert statements == sum(1 for c in claims if c.kind == "claim")
            assert page.evaluate("document.querySelectorAll('.erratum-entry td.corrected .katex').length") >= len(errata)
            assert page.evaluate(_RAW_DOLLARS) == []
        finally:
            browser.close()


def test_report_renders_offline_in_chromium(report_doc: dict, tmp_path: Path) -> None:
    exe = _chromium()
    from playwright import sync_api  # a test dependency (pyproject's test extra)

    page_html = render_html(report_doc, {"tiny.png": _png()}, to_html(sheet_blocks("CE"), heading_level=3))
    path = tmp_path / "report.html"
    path.write_text(page_html)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            page.wait_for_function("document.body.dataset.typeset !== undefined", timeout=60_000)
            n_tex = page.evaluate("document.querySelectorAll('.tex, .texd').length")
            assert n_tex > 20
            assert int(page.evaluate("document.body.dataset.typeset")) == n_tex
            assert int(page.evaluate("document.body.dataset.typesetErrors")) == 0
            assert page.evaluate("document.querySelectorAll('.katex').length") >= n_tex
            # KaTeX's fonts came from the page itself (data URIs) and were used
            assert page.evaluate("document.fonts.check('16px KaTeX_Main')")
            dangling = page.evaluate("""Array.from(document.querySelectorAll("a[href^='#']"))
                .map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))""")
            assert dangling == []
            assert page.evaluate("document.querySelectorAll(\"a[href^='#']\").length") > 10
            images = page.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
            assert images == [True]
            assert requests == [path.as_uri()]  # the page itself, nothing else (no network, no files beside it)
            # claim statements are typeset inside the verdict table rows, and no raw $ is left anywhere
            assert page.evaluate("document.querySelectorAll('table.verdict td.statement .katex').length") >= 3
            assert page.evaluate(_RAW_DOLLARS) == []
            # an erratum and its claim link to each other
            erratum = anchor("erratum", "behnia2023-def1-U-orthonormal")
            claim = anchor("claim", "behnia2023 Def. 1(a) SVD")
            assert page.evaluate(f"!!document.querySelector('#{claim} a[href=\"#{erratum}\"]')")
            assert page.evaluate(f"!!document.querySelector('#{erratum} a[href=\"#{claim}\"]')")
            page.screenshot(path=str(tmp_path / "report.png"))
            assert (tmp_path / "report.png").stat().st_size > 10_000
        finally:
            browser.close()
