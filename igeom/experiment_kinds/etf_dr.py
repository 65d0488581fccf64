"""``igeom experiment etf-dr``: yang2022 Table 1 and Fig. 4 for deep nets (learnable / fixed-ETF
classifier, CE / weighted CE / DR loss, across imbalance ratios and seeds); see
:mod:`training.experiments.etf_table`."""

from __future__ import annotations

import argparse

from theory.core.vocabulary import Dataset, ETFMethod
from igeom.commands._guard import guards_output
from igeom.commands._args import integer
from igeom.experiment_kinds._common import (add_output_arguments, add_training_arguments, emit_json, int_tuple,
                                              name_tuple, net_config, progress, real_tuple)

NAME = "etf-dr"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``etf-dr``."""

    p = sub.add_parser(NAME, help="yang2022 Table 1: fixed ETF + DR vs learnable classifier + CE across ratios",
                       description="Train each method (" + ", ".join(ETFMethod.names()) + ") on long-tailed data at each "
                       "imbalance ratio for several seeds (the seeds of one method and ratio as one batched program); "
                       "report the balanced test accuracy (mean and std, %) and the alignment cos(h_c - h_G, w_c) of "
                       "yang2022 Fig. 4. Writes fig-etf.png under --out.")
    p.add_argument("--dataset", choices=Dataset.names(), default="digits",
                   help="digits (sklearn, offline, default) or a local copy given by --data")
    p.add_argument("--data", metavar="DIR", default=None, help="folder holding the dataset files; nothing is downloaded")
    p.add_argument("--ratios", type=real_tuple, default=(1.0, 10.0, 50.0, 100.0),
                   help="imbalance ratios n_max / n_min (default 1,10,50,100; yang2022 also 200, which needs "
                        "n_max >= 200: CIFAR)")
    p.add_argument("--n-max", type=integer, default=150, help="samples of the largest class (default 150)")
    p.add_argument("--seeds", type=int_tuple, default=(0, 1, 2), help="comma-separated seeds (default 0,1,2)")
    p.add_argument("--methods", type=name_tuple, default=ETFMethod.names(), help="comma-separated subset of "
                   + ",".join(ETFMethod.names()) + " (default all)")
    add_training_arguments(p, arch="mlp", width=32, hidden="64,64", epochs=200, lr=0.1, momentum=0.9,
                           weight_decay=2e-4, batch_size=128, milestones="160,180", log_every=200)
    add_output_arguments(p)
    return p


def config(args: argparse.Namespace):  # noqa: ANN201 - a training.experiments.etf_table.ETFTable
    """The table the parsed options describe (no options: ``ETFTable.digits()``, tested)."""
    from training.experiments.etf_table import ETFTable

    return ETFTable(dataset=args.dataset, data_dir=args.data, ratios=args.ratios, seeds=args.seeds, n_max=args.n_max,
                    methods=args.methods, net=net_config(args))


@guards_output("out", "--out")
def run(args: argparse.Namespace) -> int:
    """Train (or resume), print the table; exit 1 when a model diverged."""
    from theory.core.errors import ComputationError
    from training.experiments.etf_table import markdown, run as run_table

    table = config(args)
    rep = run_table(table, args.out, progress=progress(args))
    if args.json:
        emit_json(rep)
    else:
        print(f"{table.net.arch} on long-tailed {rep['dataset']}, seeds {list(table.seeds)}, device={rep['device']}, "
              f"{rep['seconds']} s")
        print(markdown(rep))
    if rep["diverged"]:
        raise ComputationError(f"{len(rep['diverged'])} models diverged (NaN/inf): " + "; ".join(rep["diverged"]))
    return 0
