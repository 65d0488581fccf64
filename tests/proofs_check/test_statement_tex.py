"""Every catalogued claim and erratum carries its statement / printed and corrected forms in LaTeX (inline
math in ``$...$``), which report.html typesets with the embedded KaTeX; the plain text stays for the
terminal and report.md. The TeX is held to its plain twin: the equation numbers and erratum ids that the
plain text cites appear in the TeX too (so a TeX form cannot be attached to the wrong claim unnoticed).
tests/proofs_check/test_report_browser.py typesets every one of them in Chromium."""

from __future__ import annotations

import re

import pytest

from proofs_check.catalog import all_claims, all_errata
from proofs_check.render import document, render_html, render_markdown, tex_html
from proofs_check.report import errata_table

#: what a plain statement cites: equation numbers "(17)" / "eq. 6" (not an argument as in "Xi(1)"), and erratum ids
CITED = re.compile(r"(?<![\w)])\((\d+)\)|eq\. (\d+)|\b((?:behnia2023|dang2024|yang2022)-[\w-]+)")

CLAIMS = all_claims()
ERRATA = all_errata()


def _cited(text: str) -> set[str]:
    return {next(g for g in m if g) for m in CITED.findall(text)}


def _pairs():
    for c in CLAIMS:
        yield c.id, c.statement, c.statement_tex
    for e in ERRATA:
        yield f"{e.id} printed", e.printed, e.printed_tex
        yield f"{e.id} corrected", e.corrected, e.corrected_tex


@pytest.mark.parametrize("ident, plain, tex", list(_pairs()), ids=[p[0] for p in _pairs()])
def test_every_statement_has_its_tex(ident: str, plain: str, tex: str | None) -> None:
    assert tex, f"{ident} has no TeX form (fill statement_tex / printed_tex / corrected_tex)"
    assert tex.count("$") % 2 == 0, f"{ident}: unbalanced $"
    assert _cited(plain) <= _cited(tex), f"{ident}: the TeX drops {_cited(plain) - _cited(tex)}"
    assert tex != plain or "$" not in tex


def test_tex_html_escapes_text_and_marks_math() -> None:
    out = tex_html(r"a <b> & $x < y$ and $\sqrt{R}$")
    assert out == "a &lt;b&gt; &amp; <span class='tex'>x &lt; y</span> and <span class='tex'>\\sqrt{R}</span>"
    with pytest.raises(ValueError, match="unbalanced"):
        tex_html("a $x")


def test_report_shows_tex_in_html_and_plain_text_in_markdown() -> None:
    claim = next(c for c in CLAIMS if c.id == "behnia2023 Cor. 3(i)")
    row = {"id": claim.id, "paper": str(claim.paper), "kind": claim.kind, "level": "symbolic", "check": "c",
           "status": "pass", "figure": 0.0, "tolerance": 0.0, "seconds": 0.0, "detail": "", "erratum": None,
           "criterion": "<=", "consistency": False}
    errata = [e for e in errata_table() if e["id"] == "yang2022-thm1-monotone"]
    doc = document([row], [claim], errata, [], [], {"level": "quick"}, {})
    assert doc["claims"][0]["statement_tex"] == claim.statement_tex
    page = render_html(doc)
    assert tex_html(claim.statement_tex) in page and tex_html(errata[0]["corrected_tex"]) in page
    md = render_markdown(doc)
    assert claim.statement in md and errata[0]["printed"] in md and "$" not in md
