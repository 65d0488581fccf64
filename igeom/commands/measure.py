"""``igeom measure``: a trained network's features against the geometry its loss predicts (issue 12)."""

from __future__ import annotations

import argparse
import json
import sys

from igeom.commands._args import PREDICTING_PRESETS, integer, preset_prediction_options, real
from igeom.commands._guard import add_force_argument, guards_output
from theory.core.vocabulary import Preset


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``measure``."""
    p = sub.add_parser("measure", help="NC1-NC4 and the Gram geometry of features against a loss's prediction",
                       description="Stream penultimate features (n x d) with their labels, measure class means, "
                       "classifier and their Gram matrices, and compare them with the geometry the loss predicts "
                       "for the class counts found in the labels (behnia2023 CS-SVM, or dang2024's UFM+ with "
                       "--relu-features). FILE: .npy, .npz (FILE:KEY), .pt (tensor or FILE:KEY); labels and "
                       "classifier also .csv/.txt.")
    p.add_argument("--features", required=True, metavar="FILE", help="features, n x d")
    p.add_argument("--labels", required=True, metavar="FILE", help="integer labels in [0, k), n of them")
    p.add_argument("--classifier", metavar="FILE", help="classifier k x d (rows w_c)")
    p.add_argument("--loss", choices=[str(x) for x in PREDICTING_PRESETS], metavar="PRESET", default=None,
                   help=f"loss preset: {', '.join(map(str, PREDICTING_PRESETS))} (default CE; focal has no "
                   "prediction; a custom matrix: --scaling)")
    p.add_argument("--gamma", type=real, help="wCE: weights n_c^-gamma; CDT/LDT/VS: delta_c = (n_c/n_max)^gamma")
    p.add_argument("--tau", type=real, help="LA and VS offsets -tau log(prior) (default 1)")
    p.add_argument("--ldam-c", type=real, help="LDAM margins C n_c^(-1/4)")
    p.add_argument("--focal-gamma", type=real, help="focal loss exponent (no max-margin prediction exists)")
    p.add_argument("--scaling", metavar="FILE", help="custom k x k logit-scaling matrix (.csv or .json)")
    p.add_argument("--iota", metavar="FILE", help="custom offsets, k numbers (.csv or .json); with --scaling")
    p.add_argument("--relu-features", action="store_true", help="predict dang2024's UFM+ minimiser instead")
    p.add_argument("--lambda-w", type=real, help="weight decay on W: with --relu-features dang2024's UFM+, otherwise "
                   "the certified regularised-UFM prediction of the loss (docs/finite-lambda.md)")
    p.add_argument("--lambda-h", type=real, help="weight decay on H (with --lambda-w)")
    p.add_argument("--batch-rows", type=integer, default=None, help="feature rows per batch (default 16384)")
    p.add_argument("--two-pass", action="store_true", help="second pass over the features for NC4 (needs --classifier)")
    p.add_argument("--out", metavar="DIR", help="write measure.json and measure.png here")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_force_argument(p)
    return p


def _spec(args: argparse.Namespace):
    """The PredictionSpec of the arguments; InputError for combinations that make no sense."""
    from proofs_check.tasks.parameterization_check import read_matrix
    from proofs_check.tasks.feature_measurement import PredictionSpec
    from theory.core.errors import InputError

    preset_args = {"gamma": args.gamma, "tau": args.tau, "ldam_c": args.ldam_c, "focal_gamma": args.focal_gamma}
    if args.relu_features:
        if args.lambda_w is None or args.lambda_h is None:
            raise InputError("--relu-features needs --lambda-w and --lambda-h")
        given = [f"--{k.replace('_', '-')}" for k, v in preset_args.items() if v is not None]
        if args.loss is not None or args.scaling is not None or given:
            raise InputError("--relu-features predicts the UFM+ minimiser: drop --loss, --scaling and their options")
        return PredictionSpec(relu=(args.lambda_w, args.lambda_h))
    decay = None
    if args.lambda_w is not None or args.lambda_h is not None:  # the finite-lambda prediction (issue 25)
        for flag, value in (("--lambda-w", args.lambda_w), ("--lambda-h", args.lambda_h)):
            if value is None:
                raise InputError(f"{flag} is needed with the other weight decay")
            if not value > 0:
                raise InputError(f"{flag} must be a positive number, got {value:g}")
        decay = (args.lambda_w, args.lambda_h)
    if args.iota is not None and args.scaling is None:
        raise InputError("--iota goes with --scaling")
    if args.scaling is not None:
        if args.loss is not None:
            raise InputError("give either --loss PRESET or --scaling FILE, not both")
        options = {"scaling": read_matrix(args.scaling),
                   "offsets": None if args.iota is None else read_matrix(args.iota, "offsets").reshape(-1)}
        return PredictionSpec(Preset.CUSTOM, options, decay=decay)
    preset = Preset.parse(args.loss or Preset.CE.value)
    return PredictionSpec(preset, preset_prediction_options(preset, args, max_margin=decay is None), decay=decay)


@guards_output("out", "--out")
def run(args: argparse.Namespace) -> int:
    """Read, stream, compare; print a table or JSON and write the files of --out."""
    from pathlib import Path

    from proofs_check.tasks.feature_measurement import DEFAULT_BATCH_ROWS, measure, open_files, plot
    from proofs_check.tasks.prediction_verdict import measure_verdict
    from theory.core.errors import InputError
    from theory.infra.atomic import write_atomic

    if args.batch_rows is not None and args.batch_rows < 1:
        raise InputError(f"--batch-rows must be >= 1, got {args.batch_rows}")
    spec = _spec(args)
    source, labels, W = open_files(args.features, args.labels, args.classifier)
    result = measure(source, labels, W, spec, batch_rows=args.batch_rows or DEFAULT_BATCH_ROWS, two_pass=args.two_pass,
                     force=args.force)
    verdict = measure_verdict(result.distance, result.nc["nc1"])
    obj = {**result.as_dict(), **verdict.as_dict()}
    text = json.dumps(obj, allow_nan=False)
    if args.out is not None:
        out = Path(args.out)
        write_atomic(out / "measure.json", json.dumps(obj, indent=1, allow_nan=False))
        plot(result, out / "measure.png")
        sys.stderr.write(f"igeom: wrote {out / 'measure.json'} and {out / 'measure.png'}\n")
    if args.json:
        print(text)
        return 0
    fmt = lambda v: "n/a" if v is None else f"{v:.4f}"  # noqa: E731
    counts = result.counts.tolist()
    print(f"counts: {counts if len(counts) <= 12 else str(counts[:12])[:-1] + ', ...]'} (k = {len(counts)}, "
          f"n = {int(result.counts.sum())})")
    print(f"predicted: {result.prediction.name} -- {result.prediction.rationale}")
    d = result.distance
    print(f"distances (App. A.4, normalised Gram matrices): W {fmt(d['W'])}   M {fmt(d['M'])}   WM {fmt(d['WM'])}")
    nc = result.nc
    nc3 = fmt(nc["nc3"]) if nc["nc3"] is not None else "n/a (needs --classifier)"
    nc4 = (fmt(nc["nc4"]) if nc["nc4"] is not None else
           "n/a (needs --two-pass)" if W is not None else "n/a (needs --classifier and --two-pass)")
    print(f"NC1 {fmt(nc['nc1'])}   NC2 = the M distance above (to the simplex ETF: {fmt(nc['nc2_etf'])})   "
          f"NC3 {nc3}   NC4 {nc4}")
    print(verdict.sentence)
    return 0
