"""The formula sheet (theory.formula_sheet): what it shows equals what the code derives, and it compiles.

The behnia2023 lines are rewritten into reduced form for reading; :func:`test_sheet_lines_equal_the_closed_forms`
checks (implementation consistency) that each line, turned back into k, k_m, R, Delta, has the value of the
public closed form it stands for. The yang2022 identities are checked against independent numerics.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy as sp

from theory.etf import identities as etf
from theory.formula_sheet import formula_sheet
from theory.infra.rich import Block, latex_plain, rich_html, to_html
from theory.seli.closed_forms import Delta, R, closed_form, k, k_m
from theory.seli.quantities import QUANTITIES
from theory.seli.sheet import public_value, sheet_entries, substitute_public
from theory.seli.special_cases import all_proofs

POINTS = ({k: 10, k_m: 3, R: 7.3, Delta: 1.7}, {k: 25, k_m: 20, R: 300.0, Delta: 0.2},
          {k: 4, k_m: 1, R: 1.5, Delta: 3.0})


@pytest.mark.parametrize("loss", ["CE", "CDT", "LDT"])
def test_sheet_lines_equal_the_closed_forms(loss: str) -> None:
    entries = {e.name: e.expr for e in sheet_entries(loss)}
    for q in QUANTITIES:
        shown = substitute_public(public_value(entries, q), loss)
        public = closed_form(loss, q)
        for pt in POINTS:
            pt = {sym: v for sym, v in pt.items() if loss != "CE" or sym != Delta}
            a = complex(public.evalf(30, subs=pt))
            b = complex(shown.evalf(30, subs=pt))
            assert abs(a - b) <= 1e-20 * max(1.0, abs(a)), (loss, q, pt, a, b)


def test_full_sheet_lists_every_paper_and_proof() -> None:
    sheet = formula_sheet()
    assert sheet.startswith(r"\documentclass") and sheet.rstrip().endswith(r"\end{document}")
    for title in ("behnia2023", "dang2024", "yang2022"):
        assert rf"\section*{{{title}" in sheet
    assert sheet.count("--- proved") == len(all_proofs())
    assert r"\verb" not in sheet


def test_filters_select_behnia2023_lines() -> None:
    sheet = formula_sheet("CDT", "W.cos_maj_min")
    assert r"\subsection*{CDT}" in sheet and r"\subsection*{LDT}" not in sheet
    assert "dang2024" not in sheet and "yang2022" not in sheet
    assert r"\langle w_{\mathrm{maj}}, w_{\mathrm{min}}\rangle" in sheet
    assert r"\left\|\mu_{\mathrm{maj}}\right\|^2 =" not in sheet
    assert r"\left\|\mu_{\mathrm{maj}}\right\|^2 =" in formula_sheet("CDT")  # the control: present unfiltered
    with pytest.raises(ValueError, match="unknown quantity"):
        formula_sheet(None, "W.nope")
    with pytest.raises(ValueError, match="unknown loss"):
        formula_sheet("XX")


def test_rich_text_escapes_plain_parts_and_keeps_math() -> None:
    assert latex_plain("||mu_min|| = sqrt(R) & 1/k^2 {50%}") == (
        r"\textbar{}\textbar{}mu\_min\textbar{}\textbar{} = sqrt(R) \& 1/k\textasciicircum{}2 \{50\%\}")
    assert rich_html("a < b and $x < y$") == "a &lt; b and <span class='tex'>x &lt; y</span>"
    assert to_html([Block("item", "x"), Block("math", r"\frac12")]) == (
        "<ul>\n<li>x</li>\n</ul>\n<div class='texd'>\\frac12</div>")


def _pdflatex() -> str:
    exe = shutil.which("pdflatex")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex missing in CI (.ci/run installs texlive-latex-base)")
        pytest.skip("pdflatex not installed (apt-get install texlive-latex-base texlive-latex-recommended)")
    return exe


@pytest.mark.parametrize("filters", [(None, None), ("LDT", None)], ids=["full", "LDT"])
def test_sheet_compiles_without_overfull_boxes(filters, tmp_path: Path) -> None:
    exe = _pdflatex()
    (tmp_path / "sheet.tex").write_text(formula_sheet(*filters))
    proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", "sheet.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    log = (tmp_path / "sheet.log").read_text(errors="replace")
    assert proc.returncode == 0, log[-2000:]
    assert (tmp_path / "sheet.pdf").stat().st_size > 10_000
    widths = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert all(w <= 10.0 for w in widths), widths


def test_etf_gram_from_eq1_matches_a_constructed_frame() -> None:
    rng = np.random.default_rng(3)
    same, other = etf.etf_gram_entries()
    for K, d, ew in ((3, 3, 1.0), (5, 9, 2.5), (10, 12, 0.3)):
        U = np.linalg.qr(rng.standard_normal((d, K)))[0]
        W = np.sqrt(ew * K / (K - 1)) * U @ (np.eye(K) - np.ones((K, K)) / K)
        G = W.T @ W
        subs = {etf.K: K, etf.E_W: ew}
        assert np.allclose(np.diag(G), float(same.subs(subs)), rtol=1e-12)
        assert np.allclose(G[~np.eye(K, dtype=bool)], float(other.subs(subs)), rtol=1e-12)


def test_optimum_inner_products_maximise_the_alignment() -> None:
    h_same, h_other = etf.optimum_inner_products()
    ew, eh, K = 2.0, 3.0, 4
    c = float(etf.optimal_scale().subs({etf.E_W: ew, etf.E_H: eh}))
    assert c * c * ew == pytest.approx(eh)  # on the constraint ||h||^2 = E_H
    assert float(h_same.subs({etf.E_W: ew, etf.E_H: eh})) == pytest.approx(np.sqrt(ew * eh))
    assert float(h_other.subs({etf.E_W: ew, etf.E_H: eh, etf.K: K})) == pytest.approx(-np.sqrt(ew * eh) / (K - 1))


@pytest.mark.parametrize("n", [2, 3, 4, 6])
def test_ce_logit_gradient_is_softmax_minus_onehot(n: int) -> None:
    assert all(r == 0 for r in etf.ce_logit_gradient(n, label=n - 1))


def test_dr_gradient_against_central_differences() -> None:
    rng = np.random.default_rng(5)
    ew, eh = 1.7, 0.6
    w = rng.standard_normal(6)
    w *= np.sqrt(ew) / np.linalg.norm(w)
    root = np.sqrt(ew * eh)

    def loss(h: np.ndarray) -> float:
        return (w @ h - root) ** 2 / (2 * root)

    coef = sp.lambdify(etf.inner, etf.dr_gradient_coefficient().subs({etf.E_W: ew, etf.E_H: eh}))
    sphere = sp.lambdify(etf.cos_theta, etf.dr_gradient_on_sphere())
    for radius in (np.sqrt(eh), 2.0 * np.sqrt(eh)):
        h = rng.standard_normal(6)
        h *= radius / np.linalg.norm(h)
        numeric = np.array([(loss(h + 1e-6 * e) - loss(h - 1e-6 * e)) / 2e-6 for e in np.eye(6)])
        assert np.allclose(numeric, coef(w @ h) * w, atol=1e-8)
        cos = w @ h / (np.linalg.norm(w) * np.linalg.norm(h))
        on_sphere = np.allclose(numeric, sphere(cos) * w, atol=1e-8)
        assert on_sphere == (radius == np.sqrt(eh))  # (15) holds on the sphere only


def test_sheet_pdf_has_only_outline_fonts(tmp_path: Path) -> None:
    """lmodern with T1 (issue 22 item 6): without it pdflatex embeds bitmap Type 3 EC fonts."""
    exe, pdffonts = _pdflatex(), shutil.which("pdffonts")
    if pdffonts is None:
        if os.environ.get("CI"):
            pytest.fail("pdffonts missing in CI (.ci/run installs poppler-utils)")
        pytest.skip("pdffonts not installed (apt-get install poppler-utils)")
    (tmp_path / "sheet.tex").write_text(formula_sheet("CE"))
    subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", "sheet.tex"], cwd=tmp_path,
                   capture_output=True, text=True, timeout=120, check=True)
    table = subprocess.run([pdffonts, "sheet.pdf"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    fonts = table.splitlines()[2:]
    assert fonts and not [f for f in fonts if "Type 3" in f], table


def test_special_cases_are_typeset_in_math() -> None:
    """Every special case proven symbolically is written with its math in $...$ (no ASCII 'sqrt(R)',
    '||mu||', 'sum_c' or 'Z-hat' left in the sheet's list)."""
    from theory.seli.special_cases import all_proofs

    sheet = formula_sheet()
    part = sheet[sheet.index("Special cases proven symbolically"):sheet.index("dang2024")]
    items = [line for line in part.splitlines() if line.lstrip().startswith(r"\item")]
    assert len(items) == len(all_proofs())
    for item in items:
        assert "$" in item, item
        plain = re.sub(r"\$[^$]*\$", "", item)  # the text outside math
        for ascii_math in ("sqrt", "||", "sum_", "Z-hat", "Delta", "delta", "mu_", "Xi", "1/k", "="):
            assert ascii_math not in plain, (ascii_math, item)
