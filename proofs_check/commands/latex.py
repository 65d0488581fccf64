"""``igeom latex``: LaTeX of the closed forms, or the whole formula sheet as a .tex file."""

from __future__ import annotations

import argparse
import sys

from proofs_check.commands._guard import guards_output


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``latex``."""
    from theory.seli.quantities import QUANTITIES

    p = sub.add_parser("latex", help="print the LaTeX of the closed forms or write the formula sheet",
                       description="Print 'lhs = rhs' LaTeX lines of the closed forms (all by default), or "
                       "write the formula sheet (a standalone .tex document) with --sheet.")
    p.add_argument("--loss", type=str.upper, choices=["CE", "CDT", "LDT"], help="only this loss")
    p.add_argument("--quantity", choices=list(QUANTITIES), help="only this quantity")
    p.add_argument("--sheet", metavar="FILE.tex", help="write the full formula sheet to FILE.tex")
    return p


@guards_output("sheet", "--sheet", directory=False)
def run(args: argparse.Namespace) -> int:
    """Print the selected formulas, or write the sheet."""
    from theory.seli.latex import formula_sheet, latex_closed_form, select
    from theory.infra.atomic import write_atomic

    if args.sheet is not None:
        if not str(args.sheet).endswith(".tex"):
            raise ValueError(f"--sheet must name a .tex file, got {args.sheet!r}")
        path = write_atomic(args.sheet, formula_sheet())
        sys.stderr.write(f"igeom: wrote {path}\n")
        return 0
    for loss, q in select(args.loss, args.quantity):
        print(f"% {loss} {q}")
        print(latex_closed_form(loss, q))
    return 0
