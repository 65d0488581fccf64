"""``igeom geometry --gammas A:B:N [--R-values ...] --csv | --plot``: the closed forms over a grid (issue 14).

Every (R, gamma) point is validated and evaluated by the ``geometry`` kind of ``igeom sweep``
(:data:`igeom.sweep.kinds.GEOMETRY`, behnia2023 Thm 2) in this process, without Dask.
"""

from __future__ import annotations

import argparse
import sys

from igeom.commands._args import real
from igeom.commands.train import gamma_grid


def add_grid_arguments(p: argparse.ArgumentParser) -> None:
    """--gammas, --R-values, --plot, --metric (the grid prints with the command's --csv); --R becomes
    optional (run() checks one R is given)."""
    grid = p.add_argument_group("grid over gamma (and R), closed forms only")
    grid.add_argument("--gammas", type=gamma_grid, metavar="A:B:N",
                      help="gamma grid start:stop:count (write --gammas=-1:1:5 for a negative start)")
    grid.add_argument("--R-values", type=real_list, metavar="R1,R2,...", help="R grid (default: --R)")
    grid.add_argument("--plot", metavar="PNG", help="draw --metric against gamma, one curve per R")
    grid.add_argument("--metric", default="W.norm_ratio", help="quantity of --plot (default W.norm_ratio)")
    for action in p._actions:  # --R is replaced by --R-values in grid mode; run() checks one of them is given
        if action.dest == "R":
            action.required = False


def real_list(text: str) -> list[float]:
    """Comma-separated finite reals, e.g. ``2,5,10``."""
    return [real(t) for t in text.split(",")]


def run_grid(args: argparse.Namespace) -> int:
    """``--gammas``: every (R, gamma) of the grid from the closed forms, as CSV and/or a PNG of curves."""
    from igeom.commands._table import write_csv
    from igeom.sweep.kinds import GEOMETRY
    from igeom.sweep.spec import parse_spec
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

        from igeom.sweep.plot import curves

        curves(pd.DataFrame(rows), "gamma", args.metric, args.plot, hue="R",
               title=f"{args.loss} k={args.k} k_minor={args.k_minor}: {args.metric} (behnia2023 Thm 2)")
        sys.stderr.write(f"igeom: wrote {args.plot}\n")
    if args.csv:
        write_csv(rows)
    return 0
