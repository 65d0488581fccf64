"""``igeom experiment nc-relu``: dang2024 Figs. 1-3 for deep nets (NC1-NC3 over epochs with ReLU features
and weight decay, H^T H at the end, minority collapse past R*); see :mod:`training.experiments.nc_relu_training`."""

from __future__ import annotations

import argparse

from igeom.commands._guard import guards_output
from igeom.commands._args import integer, real
from igeom.experiment_kinds._common import (add_data_arguments, add_output_arguments, add_training_arguments,
                                              emit_json, fmt, net_config, progress, real_tuple)

NAME = "nc-relu"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``nc-relu``."""
    p = sub.add_parser(NAME, help="dang2024 Figs. 1-3: NC1-NC3 of an MLP with ReLU features and weight decay",
                       description="Train a network with ReLU penultimate features, weight decay lambda_W and the "
                       "feature penalty lambda_H by SGD with CE on imbalanced data (counts n_min x 1,1,2,2,3,3,4,4,5,5); "
                       "report NC1-NC3 (dang2024 eqs. 19-21) over epochs against the UFM+ prediction for these counts "
                       "and lambdas, the normalised H^T H at the end, and minority collapse as R grows past R*. "
                       "Writes fig-nc.png under --out.")
    add_data_arguments(p, n_min=20)
    p.add_argument("--feature-decay", type=real, default=1e-5, help="lambda_H of the feature penalty (default 1e-5)")
    add_training_arguments(p, arch="mlp", width=64, hidden="64,64,64,64", epochs=300, lr=0.01, momentum=0.9,
                           weight_decay=1e-4, batch_size=32, milestones="150", log_every=10)
    p.add_argument("--collapse-R", type=real_tuple, default=(1.0, 2.0, 4.0, 6.0, 8.0, 10.0),
                   help="imbalance ratios of the minority-collapse sweep (default 1,2,4,6,8,10; empty string: skip)")
    p.add_argument("--collapse-n-min", type=integer, default=15, help="minority count of that sweep (default 15)")
    p.add_argument("--collapse-lambda", type=real, default=8e-3,
                   help="lambda_W = lambda_H of that sweep (default 8e-3: R* = 5.1 with n_min 15)")
    p.add_argument("--collapse-epochs", type=integer, default=150, help="epochs per network of that sweep (default 150)")
    add_output_arguments(p)
    return p


def config(args: argparse.Namespace):  # noqa: ANN201 - a training.experiments.nc_relu_training.NCExperiment
    """The experiment the parsed options describe (no options: ``NCExperiment.digits()``, tested)."""
    from training.experiments.nc_relu_training import NCExperiment

    return NCExperiment(dataset=args.dataset, data_dir=args.data, n_min=args.n_min, feature_decay=args.feature_decay,
                        seed=args.seed, net=net_config(args, relu_features=True), collapse_R=args.collapse_R,
                        collapse_n_min=args.collapse_n_min, collapse_lambda=args.collapse_lambda,
                        collapse_epochs=args.collapse_epochs)


@guards_output("out", "--out")
def run(args: argparse.Namespace) -> int:
    """Train (or resume), print the report; exit 1 when the network diverged."""
    from theory.core.errors import ComputationError
    from training.experiments.nc_relu_training import NC_KEYS, run as run_nc

    exp = config(args)
    rep = run_nc(exp, args.out, progress=progress(args))
    if args.json:
        emit_json(rep)
    else:
        print(f"{exp.net.arch} (ReLU features) on {rep['dataset']}  counts={rep['counts']}  device={rep['device']}  "
              f"{rep['seconds']} s")
        print(f"{'epoch':>6}" + "".join(f"{k:>9}" for k in NC_KEYS))
        for t, epoch in enumerate(rep["epochs"]):
            print(f"{epoch:6d}" + "".join(f" {fmt(rep['nc'][k][t])}" for k in NC_KEYS))
        f = rep["final"]
        print(f"train error {fmt(f['train_error']).strip()}  balanced test accuracy "
              f"{fmt(f['test_balanced_accuracy']).strip()}  H^T H/max: within classes "
              f"{fmt(f['gram_mean_within_classes']).strip()}, between {fmt(f['gram_mean_between_classes']).strip()}")
        if "minority_collapse" in rep:
            mc = rep["minority_collapse"]
            print(f"minority collapse (lambda {mc['lambda']:g}, R* = {mc['R_star']:.3f}): ||h_min|| / ||h_maj||")
            for r in mc["runs"]:
                print(f"  R {r['R']:6g}  measured {fmt(r['ratio'])}  UFM+ {fmt(r['predicted_ratio'])}")
    if rep["diverged"]:
        raise ComputationError("the network diverged (NaN/inf loss)")
    return 0
