"""``igeom sweep-plot``: a phase diagram or curves with seed bands from a sweep's results.parquet."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``sweep-plot``."""
    p = sub.add_parser("sweep-plot", help="phase diagram (two axes) or curves (one axis) from results.parquet",
                       description="With --x and --y: a phase diagram of --metric (mean over the other "
                       "columns) over the two grid axes. With --x only: --metric against --x, mean over "
                       "the other parameters with the min-max band, one line per value of --hue. Rows with status ok only. "
                       "The title and a line on stderr name the parameters each point pools (seed, and e.g. R "
                       "when it varies and is not --x, --y or --hue).")
    p.add_argument("results", metavar="RESULTS", help="a results.parquet written by 'igeom sweep'")
    p.add_argument("--x", required=True, help="column on the horizontal axis, e.g. gamma")
    p.add_argument("--y", help="column on the vertical axis of a phase diagram, e.g. R")
    p.add_argument("--metric", required=True, help="column to show, e.g. distance.W or W.cos_min_min")
    p.add_argument("--hue", help="curves: one line per value of this column, e.g. loss")
    p.add_argument("--out", required=True, metavar="PNG", help="output PNG file")
    return p


def run(args: argparse.Namespace) -> int:
    """Draw the figure."""
    from pathlib import Path

    from igeom.sweep.plot import curves, phase_diagram
    from theory.core.errors import InputError

    if not Path(args.results).is_file():
        raise InputError(f"results file {args.results!r} does not exist")
    if args.y is not None and args.hue is not None:
        raise InputError("--hue draws curves; a phase diagram (--y) takes no --hue")
    import sys

    import pandas as pd

    from igeom.sweep.plot import pooled_columns, pooled_words

    frame = pd.read_parquet(args.results)
    keep = [args.x] + [c for c in (args.y, args.hue) if c is not None]
    if args.y is not None:
        phase_diagram(frame, args.x, args.y, args.metric, args.out)
    else:
        curves(frame, args.x, args.metric, args.out, hue=args.hue)
    if "status" in frame.columns:
        frame = frame[frame["status"] == "ok"]
    pooled = pooled_columns(frame, keep)
    sys.stderr.write(f"igeom: each {'cell' if args.y is not None else 'point'} is the mean over "
                     f"{pooled_words(pooled)}" + ("" if args.y is not None or not pooled else " (band: min-max)")
                     + (f"; add --hue {pooled[-1]} or --y {pooled[-1]} to separate it" if pooled[-1:] and pooled[-1] != "seed"
                        else "") + "\n")
    print(args.out)
    return 0
