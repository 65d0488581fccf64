"""``igeom check-param``: a new logit-scaling parameterization against its predicted geometry."""

from __future__ import annotations

import argparse
import sys

from proofs_check.commands._args import integer
from proofs_check.commands._guard import add_force_argument, guards_output
from proofs_check.commands._table import add_format_arguments


def _counts(text: str) -> list[int]:
    """Counts ``n1,n2,...`` or a profile ``step:...`` / ``exp:...`` (:func:`theory.core.profiles.parse_counts`)."""
    from theory.core.profiles import parse_counts

    try:
        return parse_counts(text).tolist()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``check-param``."""
    p = sub.add_parser("check-param", help="predicted geometry of a new logit-scaling matrix vs SGD",
                       description="Solve the CS-SVM of a k x k positive logit-scaling matrix (entry [y, c] "
                       "multiplies logit c for label y) as a certified convex program, train the UFM with SGD on "
                       "the corresponding loss, and report the distances between normalised Gram matrices.")
    p.add_argument("--scaling", required=True, metavar="FILE", help="k x k matrix, .csv (rows) or .json (nested lists)")
    p.add_argument("--counts", required=True, type=_counts, help="class counts n1,n2,... or a profile step:K,K_MINOR,R[,N_MIN] / exp:K,R[,N_MAX]")
    p.add_argument("--iota", metavar="FILE", help="additive offsets (k numbers), .csv or .json")
    p.add_argument("--epochs", type=integer, default=3000, help="SGD epochs (default 3000)")
    p.add_argument("--d", type=integer, help="UFM width (default k)")
    p.add_argument("--seed", type=integer, default=0, help="seed of SGD's initialisation (default 0)")
    p.add_argument("--out", help="directory for check_param.json and check_param.png")
    add_format_arguments(p, "one row per class: predicted norms, squared-norm ratios and cos(w_c, mu_c), "
                         "predicted and after SGD")
    add_force_argument(p)
    return p


@guards_output("out", "--out")
def run(args: argparse.Namespace) -> int:
    """Read the inputs, run the check, print and write the results."""
    from pathlib import Path

    from proofs_check.check_param import check_parameterization, class_rows, estimate, plot, read_matrix
    from proofs_check.commands._table import write_csv
    from theory.infra import budget
    from theory.infra.atomic import write_atomic
    from theory.infra.jsonout import dumps, print_json

    scaling = read_matrix(args.scaling)
    iota = None if args.iota is None else read_matrix(args.iota, "offsets").reshape(-1)
    budget.require_within(estimate(args.counts, epochs=args.epochs, d=args.d), args.force)
    result = check_parameterization(scaling, args.counts, iota, epochs=args.epochs, d=args.d, seed=args.seed)
    obj = result.as_dict()
    if args.out is not None:
        out = Path(args.out)
        write_atomic(out / "check_param.json", dumps(obj, indent=1))
        plot(result, out / "check_param.png")
        sys.stderr.write(f"igeom: wrote {out / 'check_param.json'} and {out / 'check_param.png'}\n")
    if args.json:
        print_json(obj)
        return 0
    rows = class_rows(result)
    if args.csv:
        write_csv(rows)
        return 0
    d = result.distance
    print(f"prediction: {result.program} convex program, certified (relative gap {result.certificate_gap:.1e})")
    print(f"SGD: {result.epochs} epochs, training error {result.train_error:.3f}")
    print(f"distances (App. A.4, normalised Gram matrices): W {d['W']:.4f}   M {d['M']:.4f}   WM {d['WM']:.4f}")
    print(f"{'class':>5}{'count':>7}{'pred ||w_c||':>14}{'pred ||mu_c||':>15}"
          f"{'squared-norm ratio ||w_c||^2/||w_1||^2':>40}{'cos(w_c, mu_c)':>26}")
    print(f"{'':{5 + 7 + 14 + 15}}{'predicted':>20}{'SGD':>20}{'predicted':>13}{'SGD':>13}")
    for r in rows:
        print(f"{r['class']:>5}{r['count']:>7}{r['predicted.w_norm']:>14.6g}{r['predicted.mu_norm']:>15.6g}"
              f"{r['predicted.w_sq_norm_ratio']:>20.6g}{r['sgd.w_sq_norm_ratio']:>20.6g}"
              f"{r['predicted.cos_w_mu']:>13.6g}{r['sgd.cos_w_mu']:>13.6g}")
    return 0
