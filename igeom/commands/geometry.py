"""``igeom geometry``: predicted SELI geometry of a STEP setting (behnia2023 Thm 2, Appendix A.1)."""

from __future__ import annotations

import argparse
import sys

from igeom.commands._args import add_step_arguments, add_word_argument
from igeom.commands._guard import add_force_argument
from igeom.commands._table import add_format_arguments
from theory.core.vocabulary import CLOSED_FORM_LOSSES, Loss, Route
from igeom.commands._geometry_grid import add_grid_arguments


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``geometry``."""
    p = sub.add_parser("geometry", help="closed-form norm ratios and cosines of the CS-SVM minimiser",
                       description="Norm ratios and cosines of classifiers (W), class means (M) and their "
                       "alignment (WM) at the global minimiser of the CS-SVM (behnia2023 Thm 2). "
                       "Majority classes first; Delta = R^gamma when --gamma is given.")
    add_word_argument(p, "--loss", Loss, CLOSED_FORM_LOSSES, required=True,
                      help="CE, CDT (logit scaling) or LDT (logit scaling of the true logit only)")
    add_step_arguments(p)
    add_word_argument(p, "--method", Route, default=Route.SYMBOLIC,
                   help="SymPy closed forms (default) or the numeric eigen route; both agree")
    add_format_arguments(p, "one row: the setting and every quantity (W.norm_ratio is a squared-norm ratio); "
                         "with --gammas one row per (R, gamma)")
    add_grid_arguments(p)
    add_force_argument(p)
    return p


def run(args: argparse.Namespace) -> int:
    """Print the prediction as JSON, CSV or a table."""
    from igeom.commands._args import resolve_delta
    from igeom.commands._table import flatten, geometry_lines, write_csv
    from theory.core.errors import InputError
    from theory.infra import budget
    from theory.infra.jsonout import print_json, require_finite
    from theory.seli.closed_forms import check_step_args
    from theory.seli.step_geometry import predict_step

    if args.gammas is not None or args.R is None:
        if args.gammas is None or (args.R is None and args.R_values is None):
            raise InputError("the following arguments are required: --R (or --gammas with --R-values)")
        from igeom.commands._geometry_grid import run_grid

        return run_grid(args)
    delta = resolve_delta(args.loss, args.R, args.gamma, args.delta_ratio)
    if args.method == Route.NUMERIC:
        budget.require_within(budget.geometry_numeric(check_step_args(args.k, args.k_minor, args.R, delta)[0]),
                              args.force)
    out = require_finite(predict_step(args.loss, args.k, args.k_minor, args.R, delta, method=args.method,
                                      force=args.force))
    if args.R < 1:  # after the work: an error is then the only line on stderr
        sys.stderr.write("igeom: note: R < 1, so the leading k - k_minor classes ('maj') are the smaller ones\n")
    if args.json:
        print_json(out)
        return 0
    if args.csv:
        write_csv([flatten(out)])
        return 0
    print(f"{out['loss']}  k={out['k']}  k_minor={out['k_minor']}  R={out['R']:g}  "
          f"Delta={out['delta_ratio']:.6g}  ({args.method})")
    print("\n".join(geometry_lines(out)))
    return 0
