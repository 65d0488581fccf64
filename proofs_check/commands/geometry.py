"""``igeom geometry``: predicted SELI geometry of a STEP setting (behnia2023 Thm 2, Appendix A.1)."""

from __future__ import annotations

import argparse
import json
import sys

from proofs_check.commands._args import add_step_arguments, real
from proofs_check.commands.train import gamma_grid


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``geometry``."""
    p = sub.add_parser("geometry", help="closed-form norm ratios and cosines of the CS-SVM minimiser",
                       description="Norm ratios and cosines of classifiers (W), class means (M) and their "
                       "alignment (WM) at the global minimiser of the CS-SVM (behnia2023 Thm 2). "
                       "Majority classes first; Delta = R^gamma when --gamma is given.")
    p.add_argument("--loss", required=True, type=str.upper, choices=["CE", "CDT", "LDT"])
    add_step_arguments(p)
    p.add_argument("--method", choices=["symbolic", "numeric"], default="symbolic",
                   help="SymPy closed forms (default) or the numeric eigen route; both agree")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    grid = p.add_argument_group("grid over gamma (and R), closed forms only")
    grid.add_argument("--gammas", type=gamma_grid, metavar="A:B:N",
                      help="gamma grid start:stop:count (write --gammas=-1:1:5 for a negative start)")
    grid.add_argument("--R-values", type=real_list, metavar="R1,R2,...", help="R grid (default: --R)")
    grid.add_argument("--csv", action="store_true", help="print the grid as CSV (one row per (R, gamma))")
    grid.add_argument("--plot", metavar="PNG", help="draw --metric against gamma, one curve per R")
    grid.add_argument("--metric", default="W.norm_ratio", help="quantity of --plot (default W.norm_ratio)")
    for action in p._actions:  # --R is replaced by --R-values in grid mode; run() checks one of them is given
        if action.dest == "R":
            action.required = False
    return p


def real_list(text: str) -> list[float]:
    """Comma-separated finite reals, e.g. ``2,5,10``."""
    return [real(t) for t in text.split(",")]


def _grid(args: argparse.Namespace) -> int:
    """``--gammas``: every (R, gamma) of the grid from the closed forms, as CSV and/or a PNG of curves."""
    import csv

    from proofs_check.sweep.kinds import GEOMETRY
    from proofs_check.sweep.spec import parse_spec
    from theory.core.errors import InputError

    if args.gamma is not None or args.delta_ratio is not None or args.json:
        raise InputError("--gammas replaces --gamma/--delta-ratio and prints --csv (not --json)")
    if not (args.csv or args.plot):
        raise InputError("--gammas needs --csv and/or --plot PNG")
    Rs = args.R_values if args.R_values is not None else [args.R]
    spec = parse_spec({"kind": GEOMETRY.name, "grid": {"R": Rs, "gamma": args.gammas},
                       "fixed": {"loss": args.loss, "k": args.k, "k_minor": args.k_minor, "method": args.method}},
                      "--R-values/--gammas")
    points = spec.points()
    rows = [{"R": p["R"], "gamma": p["gamma"], **m} for p, m in zip(points, GEOMETRY.run(points))]
    if args.plot:
        import pandas as pd

        from proofs_check.sweep.plot import curves

        curves(pd.DataFrame(rows), "gamma", args.metric, args.plot, hue="R",
               title=f"{args.loss} k={args.k} k_minor={args.k_minor}: {args.metric} (behnia2023 Thm 2)")
        sys.stderr.write(f"igeom: wrote {args.plot}\n")
    if args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in rows)
    return 0


def run(args: argparse.Namespace) -> int:
    """Print the prediction as JSON or as a table."""
    from proofs_check.commands._args import resolve_delta
    from proofs_check.commands._table import geometry_lines
    from theory.core.errors import InputError
    from theory.seli.step_geometry import predict_step

    if args.gammas is not None or args.R is None:
        if args.gammas is None or (args.R is None and args.R_values is None):
            raise InputError("the following arguments are required: --R (or --gammas with --R-values)")
        return _grid(args)
    delta = resolve_delta(args.loss, args.R, args.gamma, args.delta_ratio)
    if args.R < 1:
        sys.stderr.write("igeom: note: R < 1, so the leading k - k_minor classes ('maj') are the smaller ones\n")
    out = predict_step(args.loss, args.k, args.k_minor, args.R, delta, method=args.method)
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"{out['loss']}  k={out['k']}  k_minor={out['k_minor']}  R={out['R']:g}  "
          f"Delta={out['delta_ratio']:.6g}  ({args.method})")
    print("\n".join(geometry_lines(out)))
    return 0
