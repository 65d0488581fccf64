"""``igeom svm``: solve the UFM CS-SVM of a STEP setting and compare it with theory (behnia2023 eq. 3, Thm 2)."""

from __future__ import annotations

import argparse
import sys

from proofs_check.commands._args import add_step_arguments, integer
from proofs_check.commands._guard import add_force_argument


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``svm``."""
    p = sub.add_parser("svm", help="solve the CS-SVM (convex certificate or non-convex solver) and compare "
                       "with the predicted SELI geometry",
                       description="Solve behnia2023 eq. (3a)/(3b) for an (R, rho)-STEP setting: globally through "
                       "the convex nuclear-norm program with a KKT certificate (default) or directly over (W, H) "
                       "with an augmented-Lagrangian L-BFGS solver from one random start. Prints the optimal "
                       "value, its prediction 2||Z-hat||_*, the deviation from Z-hat, the collapse error and the "
                       "measured geometry (keys of 'igeom geometry --json'). Majority classes first.")
    p.add_argument("--loss", required=True, type=str.upper, choices=["CE", "CDT", "LDT"])
    add_step_arguments(p)
    p.add_argument("--n-min", type=integer, required=True, help="samples per minority class (>= 1)")
    p.add_argument("--solver", choices=["convex", "nonconvex"], default="convex",
                   help="convex program with certificate (default) or the non-convex (W, H) solver")
    p.add_argument("--reduced", action="store_true",
                   help="class-level program (one column per class, weighted by sqrt(n_c)); R * n_min may "
                   "then be any positive real")
    p.add_argument("--d", type=integer, help="feature dimension (>= k - 1; default k)")
    p.add_argument("--seed", type=integer, default=0, help="random start of the non-convex solver (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_force_argument(p)
    return p


def run(args: argparse.Namespace) -> int:
    """Solve, measure and print (JSON or table)."""
    import time

    import numpy as np

    from proofs_check.commands._args import resolve_delta
    from proofs_check.commands._table import fmt, geometry_lines
    from theory.seli.closed_forms import check_step_args
    from theory.core.errors import ComputationError
    from theory.seli.geometry import step_counts, step_groups
    from theory.core.imbalance import Imbalance
    from theory.core.parameterization import Parameterization
    from theory.seli.sel import class_logits
    from theory.seli.step_geometry import step_delta
    from theory.infra import budget
    from theory.infra.jsonout import print_json, require_finite

    delta = resolve_delta(args.loss, args.R, args.gamma, args.delta_ratio)
    k, k_minor, R, delta = check_step_args(args.k, args.k_minor, args.R, delta)
    if args.n_min is None or args.n_min < 1:
        raise ValueError(f"n_min must be a positive integer, got {args.n_min}")
    if args.d is not None and args.d < k - 1:
        raise ValueError(f"d must be >= k - 1 = {k - 1} (behnia2023 Thm 2), got {args.d}")
    if args.seed < 0:
        raise ValueError(f"seed must be >= 0, got {args.seed}")
    counts = step_counts(k, k_minor, R, args.n_min) if args.reduced else Imbalance.step(k, k_minor, R, args.n_min)
    columns = k if args.reduced else counts.n
    budget.require_within(budget.cs_svm(k, columns) if args.solver == "convex" else
                          budget.nonconvex_svm(k, columns, k if args.d is None else args.d), args.force)
    param = Parameterization.from_name(args.loss, step_delta(k, k_minor, delta))

    if args.solver == "convex":
        import cvxpy  # noqa: F401  (imported before the clock starts: "seconds" times the solve)

        from numerics.cs_svm import solve_cs_svm

        start = time.perf_counter()
        sol = solve_cs_svm(counts, param, reduced=args.reduced)
        sol.factors(args.d)  # checks that d is at least the rank of the solution
        seconds = time.perf_counter() - start
        status, objective, Z, labels = sol.certificate.status, sol.objective, sol.Z, sol.labels
        weights, violation, collapse, geometry = sol.weights, sol.certificate.max_violation, \
            sol.collapse_error(), sol.geometry()
    else:
        from numerics.nonconvex import solve_nonconvex

        start = time.perf_counter()
        run_ = solve_nonconvex(counts, param, reduced=args.reduced, d=args.d, starts=1, seed=args.seed)[0]
        seconds = time.perf_counter() - start
        if not run_.converged:
            raise ComputationError(f"non-convex solver did not converge from seed {args.seed} (violation "
                                   f"{run_.max_violation:.3g}, stationarity {run_.stationarity:.3g})")
        status, objective, Z, labels = "converged", run_.objective, run_.W.T @ run_.H, run_.labels
        n = counts if args.reduced else counts.counts
        weights = np.sqrt(np.asarray(n, dtype=float)) if args.reduced else np.ones(labels.size)
        violation, geometry = run_.max_violation, run_.geometry()
        collapse = None if args.reduced else run_.collapse_error()
    Z_hat = class_logits(param)[:, labels]
    out = {"status": status, "objective": objective,
           "predicted_objective": 2.0 * float(np.linalg.norm(Z_hat * weights[None, :], "nuc")),
           "max_abs_dev_Z": float(np.max(np.abs(Z - Z_hat))), "collapse_error": collapse,
           "max_violation": violation, "geometry": geometry.summary(*step_groups(k, k_minor)),
           "seconds": seconds}
    require_finite(out)
    if R < 1:  # after the work: an error is then the only line on stderr
        sys.stderr.write("igeom: note: R < 1, so the leading k - k_minor classes ('maj') are the smaller ones\n")
    if args.json:
        print_json(out)
        return 0
    level = "class level" if args.reduced else "sample level"
    print(f"{args.loss}  k={k}  k_minor={k_minor}  R={R:g}  n_min={args.n_min}  Delta={delta:.6g}  "
          f"({args.solver}, {level})")
    for key in ("status", "objective", "predicted_objective", "max_abs_dev_Z", "collapse_error",
                "max_violation", "seconds"):
        value = out[key]
        print(f"{key:22}{value if isinstance(value, str) else fmt(value)}")
    print("\n".join(geometry_lines(out["geometry"])))
    return 0
