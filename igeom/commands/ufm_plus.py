"""``igeom ufm-plus``: closed-form UFM+ minimiser of dang2024 and, with --solve, a numerical check.

JSON keys (per class, in the order of --counts):

- ``M``: margins M_k of eq. (6) (derived form, sqrt(lambda_W lambda_H)); 0 for a collapsed class.
- ``h_norm_sq``: ||h_k||^2 (Thm 1(c), eq. 9). ``w_norm_sq``: ||w_k||^2 (Prop. 1).
- ``cos_w``: K x K matrix cos(w_k, w_j) (Prop. 1), diagonal 1; null where a classifier is zero.
- ``collapsed``: n_k <= C = N^2 K lambda_W lambda_H / (K - 1), i.e. h_k = 0 (Cor. 4).
- ``minority_collapse_R``: only for counts with exactly two distinct values (K_A classes of n_A >
  n_B, K_B classes of n_B, any order): the smallest imbalance ratio R = n_A / n_B at which the K_B
  minority classes collapse when n_B, K_A, K_B, lambda_W and lambda_H are held fixed,
  R* = (sqrt((K-1) / (K n_B lambda_W lambda_H)) - K_B) / K_A (Cor. 4(a), eq. (17) solved for R);
  R* <= 1 means they collapse already at R = 1. null for other counts.
- ``complete_collapse``: true when every class collapses (n_max <= C, eq. (18)): the minimiser is
  (W, H) = (0, 0).
- ``collapse_threshold``: C. ``numeric``: null, or with --solve the same quantities measured on the
  numerical minimiser (plus objective values, KKT residual, Thm 1(a)/(b) residuals, NC1-NC3) and
  ``max_deviation`` = max |numeric - closed form| over M, h_norm_sq, w_norm_sq and the cos_w entries
  defined on both sides.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from igeom.commands._args import integer, real
from igeom.commands._guard import add_force_argument
from igeom.commands._table import MISSING, add_format_arguments, write_csv


def counts_list(text: str) -> list[int]:
    """Comma-separated class counts, e.g. ``8,8,2,2`` (integers; validated further downstream)."""
    parts = [p.strip() for p in text.split(",")]
    if not parts or any(p == "" for p in parts):
        raise argparse.ArgumentTypeError(f"counts must be a comma-separated list of integers, got {text!r}")
    return [integer(p) for p in parts]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``ufm-plus``."""
    p = sub.add_parser("ufm-plus", help="closed-form UFM+ minimiser of regularised CE (dang2024)",
                       description="Margins, feature and classifier norms, classifier cosines and collapse "
                       "thresholds of the global minimiser of problem (4) of dang2024 (Thm 1, Prop. 1, "
                       "Cor. 4), per class in the order given; --solve also solves (4) numerically.")
    p.add_argument("--counts", type=counts_list, required=True, help="class counts, e.g. 8,8,2,2 (K >= 2)")
    p.add_argument("--lambda-w", type=real, required=True, help="classifier weight decay lambda_W > 0")
    p.add_argument("--lambda-h", type=real, required=True, help="feature decay lambda_H > 0")
    p.add_argument("--d", type=integer, default=None, help="feature dimension, >= K (default 2K)")
    p.add_argument("--solve", action="store_true", help="also solve problem (4) numerically and compare")
    p.add_argument("--starts", type=integer, default=5, help="random starts of the solver (default 5)")
    p.add_argument("--seed", type=integer, default=0, help="seed of the solver's starts (default 0)")
    add_format_arguments(p, "one row per class: n_k, M_k, ||h_k||^2, ||w_k||^2, collapsed (and the numeric "
                         "values with --solve)")
    add_force_argument(p)
    return p


def _num(v: float) -> float | None:
    return None if math.isnan(v) else float(v)


def _quantities(M: Any, h_sq: Any, w_sq: Any, cos: Any, collapsed: Any) -> dict[str, Any]:
    return {"M": [float(v) for v in M], "h_norm_sq": [float(v) for v in h_sq],
            "w_norm_sq": [float(v) for v in w_sq], "cos_w": [[_num(v) for v in row] for row in cos],
            "collapsed": [bool(v) for v in collapsed]}


def _numeric(args: argparse.Namespace, imbalance: Any, d: int, pred: Any) -> dict[str, Any]:
    from numerics.ufm_plus_solver import DEVIATION_TOL, UFMPlusProblem, deviation_scale, largest_deviation, solve
    from theory.core.errors import ComputationError
    from theory.core.collapse_metrics import nc2, nc3
    from theory.ufm_plus.closed_form import objective_value

    sol = solve(UFMPlusProblem(imbalance, args.lambda_w, args.lambda_h, d), starts=args.starts, seed=args.seed)
    m = sol.measure()
    out = _quantities(m["M"], m["h_norm_sq"], m["w_norm_sq"], m["cos_w"], m["collapsed"])
    predicted = {"M": pred.M, "h_norm_sq": pred.h_norm_sq, "w_norm_sq": pred.w_norm_sq, "cos_w": pred.cos_w}
    deviation = largest_deviation(m, predicted)
    if not deviation <= DEVIATION_TOL * deviation_scale(predicted):
        raise ComputationError(f"the numerical minimiser (relative KKT residual {sol.relative_kkt_residual:.2g}) "
                               f"deviates from the closed form by {deviation:.3g} (tolerance "
                               f"{DEVIATION_TOL:g} x {deviation_scale(predicted):.3g})")
    out.update({
        "complete_collapse": m["complete_collapse"],
        "max_deviation": deviation,
        "collapsed_agree": bool((m["collapsed"] == pred.collapsed).all()),
        "objective": sol.objective, "objective_closed_form": objective_value(pred),
        "kkt_residual": sol.kkt_residual, "relative_kkt_residual": sol.relative_kkt_residual, "starts": args.starts, "converged_starts": sol.converged_starts,
        "d": d, "within_class_spread": m["within_class_spread"], "max_mean_cosine": m["max_mean_cosine"],
        "nc1": m["nc1"],
        "nc2": None if pred.complete_collapse else float(nc2(sol.W, sol.H, sol.problem.labels)),
        "nc3": None if pred.complete_collapse else float(nc3(sol.W, sol.H, sol.problem.labels, pred.M)),
    })
    return out


def _class_rows(out: dict[str, Any]) -> list[dict[str, Any]]:
    """The CSV rows: one per class (numbered from 1) with the closed form and, with --solve, the numeric values."""
    num = out["numeric"]
    rows = []
    for c, n in enumerate(out["counts"]):
        row = {"class": c + 1, "n_k": n, **{key: out[key][c] for key in ("M", "h_norm_sq", "w_norm_sq", "collapsed")}}
        if num is not None:
            row.update({f"numeric.{key}": num[key][c] for key in ("M", "h_norm_sq", "w_norm_sq", "collapsed")})
        rows.append(row)
    return rows


def _print_table(out: dict[str, Any]) -> None:
    print(f"UFM+ (dang2024)  counts={out['counts']}  lambda_W={out['lambda_w']:g}  lambda_H={out['lambda_h']:g}  "
          f"d={out['d']}")
    r_star = out["minority_collapse_R"]
    print(f"collapse threshold C = {out['collapse_threshold']:.6g}   complete collapse: {out['complete_collapse']}"
          f"   minority-collapse R*: {MISSING if r_star is None else format(r_star, '.6g')}")
    num = out["numeric"]
    head = f"{'class':>5}{'n_k':>7}{'M_k':>14}{'||h_k||^2':>14}{'||w_k||^2':>14}{'collapsed':>10}"
    print(head + ("" if num is None else f"{'num M_k':>14}{'num ||h||^2':>14}{'num ||w||^2':>14}"))
    for c, n in enumerate(out["counts"]):
        row = (f"{c + 1:>5}{n:>7}{out['M'][c]:>14.8g}{out['h_norm_sq'][c]:>14.8g}{out['w_norm_sq'][c]:>14.8g}"
               f"{str(out['collapsed'][c]):>10}")
        if num is not None:
            row += f"{num['M'][c]:>14.8g}{num['h_norm_sq'][c]:>14.8g}{num['w_norm_sq'][c]:>14.8g}"
        print(row)
    if num is not None:
        print(f"numeric: max deviation {num['max_deviation']:.3g}, objective {num['objective']:.12g} "
              f"(closed form {num['objective_closed_form']:.12g}), KKT residual {num['kkt_residual']:.2g}, "
              f"{num['converged_starts']}/{num['starts']} starts converged")


def run(args: argparse.Namespace) -> int:
    """Print the closed-form minimiser (and the numerical check with --solve)."""
    from theory.core.errors import InputError
    from theory.core.validate import positive_int, positive_real, seed_value
    from theory.core.imbalance import Imbalance
    from theory.infra import budget
    from theory.infra.jsonout import print_json, require_finite
    from theory.ufm_plus.closed_form import predict

    imbalance = Imbalance(args.counts)
    for option, value in (("--lambda-w", args.lambda_w), ("--lambda-h", args.lambda_h)):
        if positive_real(f"lambda ({option})", value) < sys.float_info.min:
            raise InputError(f"{option} {value:g} is below the smallest normal float {sys.float_info.min:.3g}: "
                             "the closed forms are not meaningful there")
    d = 2 * imbalance.k if args.d is None else positive_int(f"--d (needs d >= K = {imbalance.k})", args.d,
                                                             minimum=imbalance.k)
    positive_int("--starts", args.starts)
    seed_value("--seed", args.seed)
    estimate = budget.ufm_plus_closed_form(imbalance.k)
    if args.solve:
        estimate = estimate + budget.ufm_plus_solve(imbalance.k, imbalance.n, d, args.starts)
    budget.require_within(estimate, args.force)
    pred = predict(imbalance.counts, args.lambda_w, args.lambda_h)
    out: dict[str, Any] = {"counts": [int(c) for c in imbalance.counts], "lambda_w": args.lambda_w,
                           "lambda_h": args.lambda_h, "d": d}
    out.update(_quantities(pred.M, pred.h_norm_sq, pred.w_norm_sq, pred.cos_w, pred.collapsed))
    out.update({"minority_collapse_R": pred.minority_collapse_R, "complete_collapse": pred.complete_collapse,
                "collapse_threshold": pred.threshold,
                "numeric": _numeric(args, imbalance, d, pred) if args.solve else None})
    require_finite(out)
    if args.json:
        print_json(out)
    elif args.csv:
        write_csv(_class_rows(out))
    else:
        _print_table(out)
    return 0
