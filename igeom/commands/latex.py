"""``igeom latex``: LaTeX of the closed forms, or the whole formula sheet as a .tex file."""

from __future__ import annotations

import argparse
import sys

from igeom.commands._args import add_word_argument
from igeom.commands._guard import guards_output
from theory.core.errors import InputError
from theory.core.vocabulary import CLOSED_FORM_LOSSES, Loss


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``latex``."""
    from theory.seli.quantities import QUANTITIES

    p = sub.add_parser("latex", help="print the LaTeX of the closed forms or write the formula sheet",
                       description="Print 'lhs = rhs' LaTeX lines of the closed forms (all by default), or "
                       "write the formula sheet of all three papers (a standalone .tex document) with --sheet. The lines are the "
                       "sheet's own reduced forms (--expanded: spelt out in k, k_m, R, Delta).")
    add_word_argument(p, "--loss", Loss, CLOSED_FORM_LOSSES,
                      help="only this loss (with --sheet: only its behnia2023 closed forms)")
    p.add_argument("--quantity", choices=list(QUANTITIES),
                   help="only this quantity (with --sheet: only its behnia2023 closed forms)")
    p.add_argument("--sheet", metavar="FILE.tex", help="write the full formula sheet to FILE.tex")
    p.add_argument("--expanded", action="store_true",
                   help="print each closed form spelt out in k, k_m, R and Delta only (long; parses back with "
                   "sympy's parse_latex) instead of the sheet's reduced form in a = k - k_m, r = sqrt(R), s = sqrt(t)")
    return p


@guards_output("sheet", "--sheet", directory=False)
def run(args: argparse.Namespace) -> int:
    """Print the selected formulas, or write the sheet."""
    from theory.formula_sheet import formula_sheet
    from theory.seli.seli_latex import latex_closed_form, select
    from theory.infra.atomic import write_atomic

    if args.sheet is not None:
        if not str(args.sheet).endswith(".tex"):
            raise InputError(f"--sheet must name a .tex file, got {args.sheet!r}")
        path = write_atomic(args.sheet, formula_sheet(args.loss, args.quantity))
        sys.stderr.write(f"igeom: wrote {path}\n")
        return 0
    if args.expanded:
        for loss, q in select(args.loss, args.quantity):
            print(f"% {loss} {q}")
            print(latex_closed_form(loss, q))
        return 0
    from theory.seli.sheet import quantity_lines, t_line

    shown = None
    for loss, q in select(args.loss, args.quantity):  # the formula sheet's reduced lines (--expanded: long forms)
        if loss != shown:
            shown = loss
            print(f"% {loss}: " + ("CDT at Delta = 1; symbols r = sqrt(R), s = sqrt(t), with" if loss == "CE" else
                                   "symbols a = k - k_m, r = sqrt(R), Delta = delta_maj / delta_min, s = sqrt(t), with"))
            print(t_line(loss))
        print(f"% {loss} {q}")
        for _, line in (pair for pair in quantity_lines(loss) if pair[0] == q):
            print(line)
    return 0
