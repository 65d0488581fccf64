"""The report opens with a banner (issue 22 item 4): the overall verdict, then every errored, failing and
inconclusive claim linked to its entry; an errored check's reason reaches report.md and the terminal."""

from __future__ import annotations

import re

from proofs_check.model import CheckRecord
from proofs_check.render import anchor, banner_html, banner_markdown, document, overall_verdict, render_html, \
    render_markdown


def _row(cid: str, paper: str, status: str, detail: str = "") -> dict:
    return CheckRecord(cid, paper, "claim", "numeric", f"check of {cid}", status, None if status == "error" else 0.5,
                       None if status == "error" else 1e-9, 0.01, detail).as_dict()


def _doc(rows: list[dict]) -> dict:
    return document(rows, [], [], [], [], {"level": "quick"}, {})


MIXED = [_row("behnia2023 Thm 2(i)", "behnia2023", "pass"),
         _row("behnia2023 Thm 2(ii)", "behnia2023", "fail", "off by half"),
         _row("dang2024 Thm 1", "dang2024", "error", "RuntimeError: solver exploded at k = 3"),
         _row("yang2022 Thm 2", "yang2022", "inconclusive", "premise not met")]


def test_banner_names_and_links_every_claim_that_needs_a_look() -> None:
    doc = _doc(MIXED)
    assert overall_verdict(doc["claims"]) == ("1 of 4 claims hold; 1 errored (the check could not run), 1 failed, "
                                              "1 inconclusive (premise not met).")
    banner = banner_html(doc["claims"])
    for cid in ("behnia2023 Thm 2(ii)", "dang2024 Thm 1", "yang2022 Thm 2"):
        assert f"href='#{anchor('claim', cid)}'" in banner  # a link to the claim's entry ...
        assert f"id='{anchor('claim', cid)}'" in render_html(doc)  # ... which exists in the page
    assert "behnia2023 Thm 2(i)<" not in banner  # a passing claim is not named
    page = render_html(doc)
    assert page.index("id='verdict'") < page.index("<table")  # the banner opens the report, before the headline


def test_all_pass_banner_says_so_and_names_nothing() -> None:
    doc = _doc([MIXED[0]])
    assert overall_verdict(doc["claims"]) == "The 1 claim checked holds."
    assert "<a " not in banner_html(doc["claims"])


def test_markdown_banner_links_resolve_to_headings_and_errored_reason_is_shown() -> None:
    md = render_markdown(_doc(MIXED))
    head = md[:md.index("| paper |")]
    links = re.findall(r"\]\(#([^)]+)\)", head)
    assert len(links) == 3
    headings = {re.sub(r"[^\w\- ]", "", line[4:].strip().lower()).replace(" ", "-")
                for line in md.splitlines() if line.startswith("### ")}
    assert set(links) <= headings
    # the errored check's reason is in report.md (issue 22: it was only "**error**; figure -")
    (line,) = [x for x in md.splitlines() if "**error**" in x]
    assert "RuntimeError: solver exploded at k = 3" in line
    assert "off by half" in md


def test_banner_markdown_is_one_bold_line_when_all_hold() -> None:
    assert banner_markdown(_doc([MIXED[0]])["claims"]) == ["**The 1 claim checked holds.**", ""]


def test_progress_line_of_an_errored_check_gives_its_reason() -> None:
    from igeom.commands.verify import progress_lines

    rec = CheckRecord("dang2024 Thm 1", "dang2024", "claim", "numeric", "a check", "error", None, None, 0.06,
                      "RuntimeError: solver exploded at k = 3")
    text = " ".join(line.strip() for line in progress_lines(rec, 2, 3, 1.0, 200))
    assert "error: RuntimeError: solver exploded at k = 3" in text
    ok = CheckRecord("dang2024 Thm 1", "dang2024", "claim", "numeric", "a check", "pass", 0.0, 1e-9, 0.06, "fine")
    assert "fine" not in " ".join(progress_lines(ok, 2, 3, 1.0, 200))  # a pass stays one short entry


def test_headline_fits_a_600_px_window_in_chromium(tmp_path) -> None:
    """issue 22 item 4: at 600 px the report forced horizontal scrolling; now the page (banner, headline
    table) is no wider than the window, and the banner comes first."""
    import os
    import shutil

    import pytest

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium missing in CI (.ci/run installs Debian's chromium)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright import sync_api

    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(_doc(MIXED)))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 600, "height": 800})
        page.goto(page_file.as_uri())
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth,"
                               " document.querySelector('table.headline').getBoundingClientRect().right]")
        first = page.evaluate("document.querySelector('h1').nextElementSibling.id")
        browser.close()
    scroll, client, right = widths
    assert scroll <= client == 600 and right <= client, widths
    assert first == "verdict"


def test_a_reduced_setting_failure_is_named_as_such_not_as_the_papers() -> None:
    """A claim checked only in a reduced setting (issue 21) is never the paper's fail: the banner says
    "inconsistent in a reduced setting"."""
    row = _row("dang2024 NC deep nets", "dang2024", "fail", "NC2 levels off")
    row["setting"] = "reduced"
    doc = _doc([MIXED[0], row])
    assert overall_verdict(doc["claims"]) == "1 of 2 claims hold; 1 inconsistent in a reduced setting."
    assert "<b>inconsistent in a reduced setting</b>" in banner_html(doc["claims"])
    assert "failed" not in banner_html(doc["claims"])
