"""``igeom svm``: solve the UFM CS-SVM of a STEP setting and compare it with theory (behnia2023 eq. 3, Thm 2)."""

from __future__ import annotations

import argparse
import sys

from igeom.commands._args import add_step_arguments, add_word_argument, integer
from igeom.commands._guard import add_force_argument
from igeom.commands._table import add_format_arguments
from theory.core.vocabulary import CLOSED_FORM_LOSSES, Loss, Solver


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``svm``."""
    p = sub.add_parser("svm", help="solve the CS-SVM (convex certificate or non-convex solver) and compare "
                       "with the predicted SELI geometry",
                       description="Solve behnia2023 eq. (3a)/(3b) for an (R, rho)-STEP setting: globally through "
                       "the convex nuclear-norm program with a KKT certificate (default) or directly over (W, H) "
                       "with an augmented-Lagrangian L-BFGS solver from one random start. Prints the optimal "
                       "value, its prediction 2||Z-hat||_*, the deviation from Z-hat, the collapse error and the "
                       "measured geometry (keys of 'igeom geometry --json'). Majority classes first.")
    add_word_argument(p, "--loss", Loss, CLOSED_FORM_LOSSES, required=True,
                      help="CE, CDT (logit scaling) or LDT (logit scaling of the true logit only)")
    add_step_arguments(p)
    p.add_argument("--n-min", type=integer, required=True, help="samples per minority class (>= 1)")
    add_word_argument(p, "--solver", Solver, default=Solver.CONVEX,
                   help="convex program with certificate (default) or the non-convex (W, H) solver")
    p.add_argument("--reduced", action="store_true",
                   help="class-level program (one column per class, weighted by sqrt(n_c)); R * n_min may "
                   "then be any positive real")
    p.add_argument("--d", type=integer, help="feature dimension (>= k - 1; default k)")
    p.add_argument("--seed", type=integer, default=0, help="random start of the non-convex solver (default 0)")
    add_format_arguments(p, "one row: the scalar results and the measured geometry (geometry.*) beside "
                         "the prediction (predicted.*)")
    add_force_argument(p)
    return p


def run(args: argparse.Namespace) -> int:
    """Solve, compare with the theory (:func:`numerics.compare.compare_with_theory`) and print."""
    import time

    from igeom.commands._args import step_setting
    from numerics.compare import compare_with_theory
    from igeom.commands._table import flatten, fmt, geometry_lines, write_csv
    from theory.core.errors import ComputationError
    from theory.core.imbalance import Imbalance
    from theory.core.validate import positive_int, seed_value
    from theory.seli.cs_svm_problem import CSSVMProblem
    from theory.seli.seli_geometry import step_counts, step_groups
    from theory.seli.step_geometry import predict_step
    from theory.infra import budget
    from theory.infra.jsonout import print_json, require_finite

    setting = step_setting(args)
    k, k_minor, R, delta = setting.k, setting.k_minor, setting.R, setting.delta_ratio
    n_min = positive_int("n_min", args.n_min)
    seed = seed_value("seed", args.seed)
    counts = step_counts(k, k_minor, R, n_min) if args.reduced else Imbalance.step(k, k_minor, R, n_min)
    problem = CSSVMProblem(counts, setting.parameterization(), reduced=args.reduced, d=args.d)
    budget.require_within(budget.cs_svm(k, problem.columns) if args.solver == Solver.CONVEX else
                          budget.nonconvex_svm(k, problem.columns, problem.d), args.force)

    if args.solver == Solver.CONVEX:
        import cvxpy  # noqa: F401  (imported before the clock starts: "seconds" times the solve)

        from numerics.cs_svm import solve_cs_svm

        start = time.perf_counter()
        solution = solve_cs_svm(problem)
        solution.factors()  # ComputationError when d is below the rank of the solution
    else:
        from numerics.nonconvex import solve_nonconvex

        start = time.perf_counter()
        solution = solve_nonconvex(problem, starts=1, seed=seed)[0]
        if not solution.converged:
            raise ComputationError(f"non-convex solver did not converge from seed {seed} (violation "
                                   f"{solution.max_violation:.3g}, stationarity {solution.stationarity:.3g})")
    seconds = time.perf_counter() - start
    out = {"status": solution.status, **compare_with_theory(solution).summary(*step_groups(k, k_minor)),
           "seconds": seconds}
    require_finite(out)
    if R < 1:  # after the work: an error is then the only line on stderr
        sys.stderr.write("igeom: note: R < 1, so the leading k - k_minor classes ('maj') are the smaller ones\n")
    if args.json:
        print_json(out)
        return 0
    predicted = predict_step(setting)
    if args.csv:
        write_csv([flatten({**out, "predicted": {key: predicted[key] for key in out["geometry"]}})])
        return 0
    level = "class level" if args.reduced else "sample level"
    print(f"{args.loss}  k={k}  k_minor={k_minor}  R={R:g}  n_min={n_min}  Delta={delta:.6g}  "
          f"({args.solver}, {level})")
    for key in ("status", "objective", "predicted_objective", "max_abs_dev_Z", "collapse_error",
                "max_violation", "seconds"):
        value = out[key]
        print(f"{key:22}{value if isinstance(value, str) else fmt(value)}")
    print("\n".join(geometry_lines(out["geometry"], predicted)))
    return 0
