"""``igeom geometry``: predicted SELI geometry of a STEP setting (behnia2023 Thm 2, Appendix A.1)."""

from __future__ import annotations

import argparse
import sys

from igeom.commands._args import add_step_arguments, add_word_argument, integer
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
    lam = p.add_argument_group("finite weight decay (extension, docs/finite-lambda.md)")
    lam.add_argument("--lambdas", type=_positive_list, metavar="L1,L2,...",
                     help="curves over lambda = lambda_W = lambda_H: the certified regularised-UFM prediction at "
                     "each (one --csv/--json row per lambda); CDT/LDT delta_c = (n_c/n_max)^gamma")
    lam.add_argument("--n-min", type=integer, default=1, help="with --lambdas: samples per minority class "
                     "(the prediction depends on N; default 1)")
    add_force_argument(p)
    return p


def _positive_list(text: str) -> list[float]:
    """Comma-separated positive reals (``--lambdas``)."""
    from igeom.commands._args import real

    values = [real(t) for t in text.split(",")]
    if not values or min(values) <= 0:
        raise argparse.ArgumentTypeError(f"every lambda must be > 0, got {text!r}")
    return values


def _run_lambdas(args: argparse.Namespace) -> int:
    """``--lambdas``: the regularised-ufm sweep kind over lambda for the STEP counts of the arguments."""
    from igeom.commands._table import write_csv
    from igeom.sweep.kinds import REGULARISED_UFM
    from igeom.sweep.spec import parse_spec
    from theory.core.errors import InputError
    from theory.infra.jsonout import print_json

    if args.delta_ratio is not None or args.gammas is not None or args.R is None:
        raise InputError("--lambdas takes --R and --gamma (not --delta-ratio or --gammas)")
    counts = f"step:{args.k},{args.k_minor},{args.R:g},{args.n_min}"
    fixed = {"loss": str(args.loss), "counts": counts}
    if args.gamma is not None:
        fixed["gamma"] = args.gamma
    spec = parse_spec({"kind": REGULARISED_UFM.name, "grid": {"lambda_w": args.lambdas},
                       "fixed": {**fixed, "lambda_h": 1.0}}, "--lambdas")
    points = [{**pt, "lambda_h": pt["lambda_w"]} for pt in spec.points()]
    for pt in points:
        REGULARISED_UFM.check(pt)
    rows = [{"lambda_w": pt["lambda_w"], "lambda_h": pt["lambda_h"], **m} for pt, m in zip(points, REGULARISED_UFM.run(points))]
    if args.json:
        print_json({"counts": counts, "loss": str(args.loss), "rows": rows})
    elif args.csv:
        write_csv(rows)
    else:
        for r in rows:
            fmt = lambda v: "n/a" if v is None else f"{v:.4g}"  # noqa: E731
            state = "complete collapse" if r["complete_collapse"] else (
                f"max cos(w_c, w_c') {fmt(r['max_classifier_cosine'])}, aligned groups {r['aligned_groups']}, "
                f"zero classifiers {r['zero_classifiers']}, zero means {r['zero_means']}, ||w|| max/min "
                f"{fmt(r['w_norm_ratio'])}")
            print(f"lambda {r['lambda_w']:g}: objective {r['objective']:.6g} (gap {r['certificate.relative_gap']:.1e}); {state}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Print the prediction as JSON, CSV or a table."""
    from igeom.commands._args import step_setting
    from igeom.commands._table import flatten, geometry_lines, write_csv
    from theory.core.errors import InputError
    from theory.infra import budget
    from theory.infra.jsonout import print_json, require_finite
    from theory.seli.step_geometry import predict_step

    if args.lambdas is not None:
        return _run_lambdas(args)
    if args.gammas is not None or args.R is None:
        if args.gammas is None or (args.R is None and args.R_values is None):
            raise InputError("the following arguments are required: --R (or --gammas with --R-values)")
        from igeom.commands._geometry_grid import run_grid

        return run_grid(args)
    setting = step_setting(args)
    if args.method == Route.NUMERIC:
        budget.require_within(budget.geometry_numeric(setting.k), args.force)
    out = require_finite(predict_step(setting, method=args.method, force=args.force))
    if setting.R < 1:  # after the work: an error is then the only line on stderr
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
