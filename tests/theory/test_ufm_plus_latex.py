"""LaTeX export of the derived dang2024 formulas (theory.ufm_plus.ufm_plus_latex)."""

from __future__ import annotations

import re

from theory.ufm_plus.ufm_plus_latex import formulas


def test_every_result_of_the_paper_is_exported() -> None:
    sources = " ".join(f.source for f in formulas().values())
    for result in ("eq. (6)", "Thm 1(c)", "Thm 1(d)", "Thm 1(e)", "eq. (13)", "Prop. 1", "Cor. 1", "Cor. 2",
                   "Cor. 3", "Cor. 4", "Cor. 4(a)", "eq. (41)", "eq. (39)"):
        assert result in sources, result


def test_lines_are_balanced_and_carry_assumptions() -> None:
    for name, f in formulas().items():
        for line in (f.latex, *f.where):
            body = line.replace(r"\{", "").replace(r"\}", "")
            assert body.count("{") == body.count("}"), name
        assert f.assumptions.count("$") % 2 == 0, name
        assert f.source.startswith("dang2024") and r"\lambda_W, \lambda_H > 0" in f.assumptions, name


def test_corrected_forms_are_exported() -> None:
    f = formulas()
    # eq. (6): lambda_W lambda_H under the square root (erratum dang2024-mbar-sqrt)
    assert r"\sqrt{\lambda_{H}} \sqrt{\lambda_{W}}" in f["M_bar"].latex
    assert not re.search(r"\\lambda_\{H\} \\lambda_\{W\}", f["M_bar"].latex)
    # eq. (14): the feature-norm ratio has no square root over M_i / M_j (erratum dang2024-cor2-feature-ratio)
    assert r"\sqrt{\frac{M" not in f["h_norm_sq_ratio"].latex and "M_{k}" in f["h_norm_sq_ratio"].latex
    assert r"\begin{cases}" in f["M"].latex
