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
                       "write the formula sheet of all three papers (a standalone .tex document) with --sheet.")
    add_word_argument(p, "--loss", Loss, CLOSED_FORM_LOSSES,
                      help="only this loss (with --sheet: only its behnia2023 closed forms)")
    p.add_argument("--quantity", choices=list(QUANTITIES),
                   help="only this quantity (with --sheet: only its behnia2023 closed forms)")
    p.add_argument("--sheet", metavar="FILE.tex", help="write the full formula sheet to FILE.tex")
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
    for loss, q in select(args.loss, args.quantity):
        print(f"% {loss} {q}")
        print(latex_closed_form(loss, q))
    return 0
