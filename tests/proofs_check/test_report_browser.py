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

from proofs_check.catalog import all_claims
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
    rows = [run_check(c, ch).as_dict() for c in claims for ch in c.checks if ch.quick]
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
            # an erratum and its claim link to each other
            erratum = anchor("erratum", "behnia2023-def1-U-orthonormal")
            claim = anchor("claim", "behnia2023 Def. 1(a) SVD")
            assert page.evaluate(f"!!document.querySelector('#{claim} a[href=\"#{erratum}\"]')")
            assert page.evaluate(f"!!document.querySelector('#{erratum} a[href=\"#{claim}\"]')")
            page.screenshot(path=str(tmp_path / "report.png"))
            assert (tmp_path / "report.png").stat().st_size > 10_000
        finally:
            browser.close()


@pytest.mark.parametrize("row, text", [
    ({"tolerance": 0.1, "figure": 0.265, "status": "pass"}, "figure ≥ 0.1"),     # a margin met
    ({"tolerance": 1e-9, "figure": 1e-12, "status": "pass"}, "figure ≤ 1e-09"),  # a deviation within bound
    ({"tolerance": 1e-9, "figure": 0.5, "status": "erratum"}, "figure ≤ 1e-09"),  # a printed form off
    ({"tolerance": 1.0, "figure": 0.5, "status": "fail"}, "figure ≥ 1"),          # a margin missed
    ({"tolerance": 1.0, "figure": 3.0, "status": "fail", "criterion": ">="}, "figure ≥ 1"),
    ({"tolerance": None, "figure": None, "status": "pass"}, "no exception"),
    ({"tolerance": 0.0, "figure": 12.0, "status": "inconclusive"}, "premise: figure ≤ 0"),  # its premise's bound
])
def test_pass_criterion_follows_the_outcome(row, text) -> None:
    from proofs_check.render import criterion

    assert criterion(row) == text
