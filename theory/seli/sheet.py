"""behnia2023's part of the formula sheet: the SELI geometry under STEP imbalance in reduced form.

The public closed forms of :mod:`theory.seli.closed_forms` spell every square root out in k, k_m, R and
Delta and run to hundreds of characters. For reading, the sheet writes each quantity in the internal
symbols of the derivation: a = k - k_m majority classes, k_m minority classes, r = sqrt(R), and
s = sqrt(t) with t the non-zero eigenvalue of the compressed block of X N X^T (behnia2023 Thm 2:
G_W = (X N X^T)^{1/2}, G_M = X^T (X N X^T)^{+1/2} X, G_WM = X). Entries are reduced modulo s^2 = t to
p_0 + p_1 s over a common factored denominator. Cosines between groups are written as an inner product
over the two norms, both given on the sheet. CE is CDT at Delta = 1, written in k and k_m.

:func:`sheet_entries` returns the SymPy expressions, so the test suite can check that every line of the
sheet equals the public closed form it stands for.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from theory.infra.rich import Block
from theory.seli.closed_forms import Delta, R, _reduce, a, internal_forms, k, k_m, m, r, s
from theory.seli.seli_latex import quantity_lhs
from theory.seli.quantities import QUANTITIES

_VEC = {"W": "w", "M": r"\mu"}
_GROUPS = ("maj", "min")


@dataclass(frozen=True)
class SheetEntry:
    """One line of the sheet: ``name`` (a quantity of :data:`QUANTITIES`, or ``"W.inner_maj_min"``,
    ``"M.inner_maj_min"``, ``"WM.inner_maj"``, ``"WM.inner_min"`` for the inner products the
    between-group cosines are built from), its LaTeX left-hand side and the reduced expression."""

    name: str
    lhs: str
    expr: sp.Expr


def _lhs(name: str) -> str:
    """LaTeX left-hand side: a public quantity as :func:`theory.seli.seli_latex.quantity_lhs` writes it, or one
    of the inner products the between-group cosines are built from."""
    block, what = name.split(".")
    if block == "WM":
        g = what.split("_")[1]
        return rf"\langle w_{{\mathrm{{{g}}}}}, \mu_{{\mathrm{{{g}}}}}\rangle"
    if what == "inner_maj_min":
        v = _VEC[block]
        return rf"\langle {v}_{{\mathrm{{maj}}}}, {v}_{{\mathrm{{min}}}}\rangle"
    return quantity_lhs(name)


def sheet_t(loss: str) -> sp.Expr:
    """t of the loss in sheet symbols (s = sqrt(t))."""
    return _present(internal_forms("LDT" if loss == "LDT" else "CDT").t, loss)


def _present(expr: sp.Expr, loss: str) -> sp.Expr:
    """Sheet symbols: CE substitutes Delta = 1 and a = k - k_m; the others keep a; m is shown as k_m."""
    if loss == "CE":
        expr = expr.subs(Delta, 1).subs(a, k - m)
    return expr.subs(m, k_m)


def sheet_entries(loss: str) -> list[SheetEntry]:
    """The reduced lines of one loss (CE, CDT or LDT), in the order of :data:`QUANTITIES`."""
    form = internal_forms("LDT" if loss == "LDT" else "CDT")
    t = form.t
    if loss == "CE":
        t = t.subs(Delta, 1).subs(a, k - m)

    def reduced(expr: sp.Expr) -> sp.Expr:
        if loss == "CE":
            expr = expr.subs(Delta, 1).subs(a, k - m)
        return _reduce(expr, t).subs(m, k_m)

    out: list[SheetEntry] = []
    for name in QUANTITIES:
        block, what = name.split(".")
        if block == "WM":
            g = 0 if what.endswith("maj") else 1
            entry = f"WM.inner_{_GROUPS[g]}"
            out.append(SheetEntry(entry, _lhs(entry), reduced(form.X.entry(g, g, True))))
            continue
        G = form.G_W if block == "W" else form.G_M
        if what == "cos_maj_min":
            entry = f"{block}.inner_maj_min"
            out.append(SheetEntry(entry, _lhs(entry), reduced(G.entry(0, 1, False))))
            continue
        out.append(SheetEntry(name, _lhs(name), reduced(form.quantities[name])))
    return out


def public_value(entries: dict[str, sp.Expr], name: str) -> sp.Expr:
    """The public quantity ``name`` assembled from sheet entries (cosines from inner products and norms)."""
    block, what = name.split(".")
    if block == "WM":
        g = what.split("_")[1]
        return entries[f"WM.inner_{g}"] / sp.sqrt(entries[f"W.sq_norm_{g}"] * entries[f"M.sq_norm_{g}"])
    if what == "cos_maj_min":
        return entries[f"{block}.inner_maj_min"] / sp.sqrt(entries[f"{block}.sq_norm_maj"]
                                                           * entries[f"{block}.sq_norm_min"])
    return entries[name]


def substitute_public(expr: sp.Expr, loss: str) -> sp.Expr:
    """Replace the sheet symbols by k, k_m, R, Delta (s = sqrt(t), r = sqrt(R), a = k - k_m)."""
    return expr.subs(s, sp.sqrt(sheet_t(loss))).subs(r, sp.sqrt(R)).subs(a, k - k_m)


def _cos_line(block: str, what: str) -> str:
    if block == "WM":
        g = what.split("_")[1]
        return (rf"\cos(w_{{\mathrm{{{g}}}}}, \mu_{{\mathrm{{{g}}}}}) = \langle w_{{\mathrm{{{g}}}}}, "
                rf"\mu_{{\mathrm{{{g}}}}}\rangle / (\|w_{{\mathrm{{{g}}}}}\|\,\|\mu_{{\mathrm{{{g}}}}}\|)")
    v = _VEC[block]
    return (rf"\cos({v}_{{\mathrm{{maj}}}}, {v}_{{\mathrm{{min}}}}) = \langle {v}_{{\mathrm{{maj}}}}, "
            rf"{v}_{{\mathrm{{min}}}}\rangle / (\|{v}_{{\mathrm{{maj}}}}\|\,\|{v}_{{\mathrm{{min}}}}\|)")


def symbols_text(loss: str) -> str:
    """The sentence that introduces the sheet's symbols for ``loss`` (ends with "with", before t = ...)."""
    if loss == "CE":
        return r"CE is CDT at $\Delta = 1$. Symbols: $r = \sqrt{R}$ and $s = \sqrt{t}$ with"
    return (r"Symbols: $a = k - k_m$ majority classes, $k_m$ minority classes, $r = \sqrt{R}$, "
            r"$\Delta = \delta_{\mathrm{maj}} / \delta_{\mathrm{min}}$ and $s = \sqrt{t}$ with")


def t_line(loss: str) -> str:
    """``t = ...``: the eigenvalue whose square root s the sheet's lines use."""
    return "t = " + sp.latex(sheet_t(loss))


def quantity_lines(loss: str) -> list[tuple[str, str]]:
    """(quantity of :data:`QUANTITIES`, LaTeX line) pairs of the sheet, in order: a quantity written
    directly has one line; a between-group cosine has its inner product and the cosine built from it.
    ``igeom latex`` and the sheet print these same lines."""
    out = []
    for entry in sheet_entries(loss):
        block, what = entry.name.split(".")
        stands_for = entry.name
        if what == "inner_maj_min":
            stands_for = f"{block}.cos_maj_min"
        elif block == "WM":
            stands_for = f"WM.cos_{what.split('_')[1]}"
        out.append((stands_for, f"{entry.lhs} = {sp.latex(entry.expr)}"))
        if stands_for != entry.name:
            out.append((stands_for, _cos_line(block, what if block == "WM" else "cos_maj_min")))
    return out


def sheet_blocks(loss: str, quantity: str | None = None) -> list[Block]:
    """The sheet's blocks of one loss: the definition of t, then every line (or those of ``quantity``)."""
    blocks = [Block("text", symbols_text(loss)), Block("math", t_line(loss))]
    blocks += [Block("math", line) for q, line in quantity_lines(loss) if quantity is None or q == quantity]
    return blocks
