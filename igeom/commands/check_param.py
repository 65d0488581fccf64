"""``igeom check-param``: a new logit-scaling parameterization against its predicted geometry."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from igeom.commands._args import PREDICTING_PRESETS, integer, preset_prediction_options, real
from igeom.commands._guard import add_force_argument, guards_output
from igeom.commands._table import add_format_arguments
from theory.core.errors import InputError
from theory.core.vocabulary import Preset

if TYPE_CHECKING:
    from proofs_check.tasks.parameterization_check import CertifiedPrediction
    from theory.core.imbalance import Imbalance
    from theory.core.parameterization import Parameterization


def _counts(text: str) -> "Imbalance":
    """Counts ``n1,n2,...`` or a profile ``step:...`` / ``exp:...`` (:func:`theory.core.profiles.parse_counts`)."""
    from theory.core.profiles import parse_counts

    try:
        return parse_counts(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``check-param``."""
    p = sub.add_parser("check-param", help="predicted geometry of a new logit-scaling matrix vs SGD",
                       description="Solve the CS-SVM of a k x k positive logit-scaling matrix (entry [y, c] "
                       "multiplies logit c for label y) as a certified convex program, train the UFM with SGD on "
                       "the corresponding loss, and report the distances between normalised Gram matrices.")
    source = p.add_mutually_exclusive_group(required=True)  # where the parameterization comes from
    source.add_argument("--scaling", metavar="FILE", help="k x k matrix, .csv (rows) or .json (nested lists)")
    source.add_argument("--loss", choices=[str(x) for x in PREDICTING_PRESETS], metavar="PRESET",
                        help=f"a loss preset instead of --scaling ({', '.join(map(str, PREDICTING_PRESETS))}; focal has "
                        "no prediction); with --predict-only")
    p.add_argument("--gamma", type=real, help="with --loss: wCE weights n_c^-gamma; CDT/LDT/VS delta_c = (n_c/n_max)^gamma")
    p.add_argument("--tau", type=real, help="with --loss: LA and VS offsets -tau log(prior) (default 1)")
    p.add_argument("--ldam-c", type=real, help="with --loss LDAM: margins C n_c^(-1/4)")
    p.add_argument("--counts", required=True, type=_counts, help="class counts n1,n2,... or a profile step:K,K_MINOR,R[,N_MIN] / exp:K,R[,N_MAX]")
    p.add_argument("--iota", metavar="FILE", help="additive offsets (k numbers), .csv or .json")
    p.add_argument("--epochs", type=integer, default=3000, help="SGD epochs (default 3000)")
    p.add_argument("--d", type=integer, help="UFM width (default k)")
    p.add_argument("--seed", type=integer, default=0, help="seed of SGD's initialisation (default 0)")
    p.add_argument("--predict-only", action="store_true",
                   help="print the certified prediction (Gram matrices at the SVM normalisation) without training")
    p.add_argument("--lambda-w", type=real, help="finite weight decay of W (with --lambda-h and --predict-only): the "
                   "certified regularised-UFM prediction instead of the max-margin one (docs/finite-lambda.md)")
    p.add_argument("--lambda-h", type=real, help="finite weight decay of H (with --lambda-w)")
    p.add_argument("--out", help="directory for check_param.json and check_param.png (prediction.json with --predict-only)")
    add_format_arguments(p, "one row per class: predicted norms, squared-norm ratios and cos(w_c, mu_c), "
                         "predicted and after SGD (with --predict-only: the prediction only)")
    add_force_argument(p)
    return p


def _parameterization(args: argparse.Namespace) -> "Parameterization":
    """The parameterization named by the arguments: ``--scaling`` with optional ``--iota``, or the
    offset-free parameterization whose CS-SVM predicts a ``--loss`` preset's geometry (offsets, margins and
    weights do not enter behnia2023 eq. 3; theory.core.loss_presets)."""
    from proofs_check.tasks.parameterization_check import read_matrix
    from theory.core.parameterization import Parameterization

    if args.loss is not None:
        from theory.core.loss_presets import preset_loss

        options = preset_prediction_options(args.loss, args)  # focal: no prediction, said first
        if not args.predict_only:
            raise InputError("--loss PRESET needs --predict-only (SGD on a preset's loss: igeom experiment presets)")
        if args.iota is not None:
            raise InputError("--iota goes with --scaling, not with --loss")
        return preset_loss(args.loss, args.counts, **options).svm_parameterization()
    given = [name for name, value in (("--gamma", args.gamma), ("--tau", args.tau), ("--ldam-c", args.ldam_c))
             if value is not None]
    if given:
        raise InputError(f"{', '.join(given)} go with --loss PRESET, not with --scaling")
    iota = None if args.iota is None else read_matrix(args.iota, "offsets").reshape(-1)
    return Parameterization.custom(read_matrix(args.scaling), iota)


def _print_prediction(prediction: "CertifiedPrediction") -> None:
    """Text form of ``--predict-only``: program, certificate, per-class norms (a summary when k > 20)."""
    geo, cert = prediction.geometry, prediction.certificate
    print(f"prediction: {prediction.program} program, certified (relative gap {cert.relative_gap:.1e}, "
          f"rank {cert.rank}), k = {geo.k}, ||W||^2 + ||H||^2 = {cert.primal_objective:.6g}, "
          f"{prediction.seconds:.1f} s")
    rows = prediction.class_rows()
    if geo.k <= 20:
        print("class  count  ||w_c||  ||mu_c||  cos(w_c, mu_c)")
        for r in rows:
            print(f"{r['class']:5d}  {r['count']:5g}  {r['w_norm']:7.4f}  {r['mu_norm']:8.4f}  {r['cos_w_mu']:14.4f}")
        return
    for name, key in (("||w_c||", "w_norm"), ("||mu_c||", "mu_norm"), ("cos(w_c, mu_c)", "cos_w_mu")):
        values = sorted(r[key] for r in rows)
        print(f"{name}: min {values[0]:.4f}  median {values[len(values) // 2]:.4f}  max {values[-1]:.4f}")
    print("(--json or --out for the Gram matrices)")


@guards_output("out", "--out")
def run(args: argparse.Namespace) -> int:
    """Read the inputs, run the check (or only the prediction), print and write the results."""
    from pathlib import Path

    from proofs_check.tasks.parameterization_check import (check_parameterization, class_rows, estimate, plot, predict,
                                                           predict_estimate)
    from proofs_check.tasks.prediction_verdict import check_param_verdict
    from igeom.commands._table import write_csv
    from theory.infra import budget
    from theory.infra.atomic import write_atomic
    from theory.infra.jsonout import dumps, print_json

    if args.lambda_w is not None or args.lambda_h is not None:
        return _run_finite_lambda(args)
    if args.predict_only:  # refused before the k x k scaling matrix is built
        budget.require_within(predict_estimate(args.counts, bool(args.json or args.csv or args.out)), args.force)
    param = _parameterization(args)
    if args.predict_only:
        prediction = predict(param, args.counts)
        obj = prediction.as_dict()
        if args.out is not None:
            path = write_atomic(Path(args.out) / "prediction.json", dumps(obj, indent=1))
            sys.stderr.write(f"igeom: wrote {path}\n")
        if args.json:
            print_json(obj)
        elif args.csv:
            write_csv(prediction.class_rows())
        else:
            _print_prediction(prediction)
        return 0
    budget.require_within(estimate(args.counts, epochs=args.epochs, d=args.d), args.force)
    result = check_parameterization(param.scaling, args.counts, param.offsets, epochs=args.epochs, d=args.d,
                                    seed=args.seed)
    verdict = check_param_verdict(result.distance, result.train_error)
    obj = {**result.as_dict(), **verdict.as_dict()}
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
    print(verdict.sentence)
    return 0


def _run_finite_lambda(args: argparse.Namespace) -> int:
    """``--lambda-w X --lambda-h Y --predict-only``: the certified regularised-UFM prediction
    (:func:`proofs_check.tasks.parameterization_check.predict_regularised`)."""
    from pathlib import Path

    from proofs_check.tasks.parameterization_check import predict_regularised
    from theory.infra.atomic import write_atomic
    from theory.infra.jsonout import dumps, print_json

    for flag, value in (("--lambda-w", args.lambda_w), ("--lambda-h", args.lambda_h)):
        if value is None:
            raise InputError(f"{flag} is needed with {'--lambda-h' if flag == '--lambda-w' else '--lambda-w'}")
        if not value > 0:
            raise InputError(f"{flag} must be a positive number, got {value:g}")
    if not args.predict_only:
        raise InputError("--lambda-w/--lambda-h need --predict-only (SGD at finite weight decay is not wired into "
                         "check-param yet; the registry claim 'behnia2023 ext. GD reaches the regularised optimum' "
                         "checks gradient descent)")
    if args.loss is not None and Preset.parse(args.loss) is Preset.FOCAL:
        raise InputError("--loss focal: focal loss is not convex in the logits, so the regularised UFM is not a "
                         "convex program and no certified finite-lambda prediction exists")
    if args.loss is not None:
        obj = predict_regularised(args.counts, args.lambda_w, args.lambda_h, preset=args.loss,
                                  options=preset_prediction_options(args.loss, args, max_margin=False))
    else:
        from proofs_check.tasks.parameterization_check import read_matrix

        iota = None if args.iota is None else read_matrix(args.iota, "offsets").reshape(-1)
        obj = predict_regularised(args.counts, args.lambda_w, args.lambda_h, scaling=read_matrix(args.scaling),
                                  offsets=iota)
    if args.out is not None:
        path = write_atomic(Path(args.out) / "prediction.json", dumps(obj, indent=1))
        sys.stderr.write(f"igeom: wrote {path}\n")
    if args.json:
        print_json(obj)
        return 0
    cert, col = obj["certificate"], obj["minority_collapse"]
    print(f"prediction: regularised UFM at lambda_W = {obj['lambda_w']:g}, lambda_H = {obj['lambda_h']:g} "
          f"(lambda sqrt(N) = {obj['lambda_eff']:.4g}), {obj['method']}, certified (relative gap "
          f"{cert['relative_gap']:.1e}), objective {obj['objective']:.8g}, {obj['seconds']:.1f} s")
    if col["complete_collapse"]:
        print("complete collapse: W = H = 0 is optimal (KKT at 0: ||grad F(0)||_2 <= lambda sqrt(N))")
        return 0
    print(f"minority collapse (tolerance {col['tolerance']:g}): coinciding classifiers "
          f"{[[c + 1 for c in g] for g in col['coinciding_classifiers']] or 'none'}; aligned classifiers (cos >= 1 - tol) "
          f"{[[c + 1 for c in g] for g in col['aligned_classifiers']] or 'none'}; zero classifiers "
          f"{[c + 1 for c in col['zero_classifiers']] or 'none'}; zero class means "
          f"{[c + 1 for c in col['zero_class_means']] or 'none'}")
    if len(obj["counts"]) <= 20:
        print("class  count  ||w_c||  ||mu_c||")
        for c, (n, w, m) in enumerate(zip(obj["counts"], col["classifier_norms"], col["class_mean_norms"])):
            print(f"{c + 1:5d}  {n:5g}  {w:7.4f}  {m:8.4f}")
    return 0
