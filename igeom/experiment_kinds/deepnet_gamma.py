"""``igeom experiment deepnet-gamma``: behnia2023 Figs. 3 and 5 for deep nets (a CDT / LDT gamma sweep
trained as one batched program, measured against Thm 2); see :mod:`training.experiments.gamma_sweep`."""

from __future__ import annotations

import argparse

from igeom.commands._guard import guards_output
from igeom.commands._args import integer, real
from igeom.experiment_kinds._common import (add_data_arguments, add_output_arguments, add_training_arguments,
                                              allow_negative_values, emit_json, fmt, name_tuple, net_config, progress,
                                              require_net_budget)

NAME = "deepnet-gamma"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``deepnet-gamma``."""
    from igeom.commands.train import gamma_grid

    p = sub.add_parser(NAME, help="behnia2023 Figs. 3/5: CDT/LDT gamma sweep of deep nets vs Thm 2",
                       description="Train one network per (loss, gamma) on STEP-imbalanced data as one batched "
                       "program (behnia2023 App. A.2 recipe by default) and compare the measured geometry with "
                       "Thm 2; writes fig3.png (measured vs predicted over gamma) and fig5.png (balanced training "
                       "accuracy over epochs) under --out.")
    allow_negative_values(p)
    add_data_arguments(p, n_min=15)
    p.add_argument("--R", type=real, default=10.0, help="imbalance ratio n_maj / n_min (default 10)")
    p.add_argument("--k-minor", type=integer, default=None, help="minority classes (default k/2: rho = 1/2)")
    p.add_argument("--losses", type=name_tuple, default=("CDT", "LDT"), help="comma-separated, from CDT, LDT "
                   "(default CDT,LDT)")
    p.add_argument("--gammas", type=gamma_grid, default=None, help="start:stop:count or one value, Delta = R^gamma "
                   "(default -1.5:1.5:13)")
    add_training_arguments(p, arch="mlp", width=32, hidden="64,64", epochs=350, lr=0.1, momentum=0.9,
                           weight_decay=1e-5, batch_size=128, milestones="116,232", log_every=10)
    add_output_arguments(p)
    return p


def config(args: argparse.Namespace):  # noqa: ANN201 - a training.experiments.gamma_sweep.GammaSweep
    """The sweep the parsed options describe (no options: ``GammaSweep.digits()``, tested)."""
    from training.data import DATASETS
    from training.experiments.gamma_sweep import GAMMAS, GammaSweep

    k = DATASETS[args.dataset][0]
    return GammaSweep(dataset=args.dataset, data_dir=args.data, losses=args.losses,
                      gammas=tuple(args.gammas) if args.gammas is not None else GAMMAS, R=args.R,
                      k_minor=k // 2 if args.k_minor is None else args.k_minor, n_min=args.n_min, seed=args.seed,
                      net=net_config(args))


@guards_output("out", "--out")
def run(args: argparse.Namespace) -> int:
    """Train (or resume), print the report; exit 1 when a model diverged."""
    from theory.core.errors import ComputationError
    from theory.core.validate import seed_value
    from training.data import DATASETS, make_imbalance
    from training.experiments.gamma_sweep import run as run_sweep

    seed_value("--seed", args.seed)
    sweep = config(args)
    imbalance = make_imbalance("step", DATASETS[sweep.dataset][0], sweep.R, sweep.n_min, sweep.k_minor)
    require_net_budget(args, sweep.dataset, imbalance.counts, len(sweep.specs()), sweep.net)
    rep = run_sweep(sweep, args.out, progress=progress(args))
    if args.json:
        emit_json(rep)
    else:
        print(f"{rep['arch']} on {rep['dataset']}  counts={rep['counts']}  device={rep['device']}  "
              f"{rep['seconds']} s")
        print(f"{'loss':>5}{'gamma':>8}{'dist W':>9}{'dist M':>9}{'dist WM':>9}{'train err':>10}{'bal test':>9}")
        for r in rep["runs"]:
            d = r["distance"]
            print(f"{r['loss']:>5}{r['gamma']:8.3f} {fmt(d['W'])} {fmt(d['M'])} {fmt(d['WM'])}  "
                  f"{fmt(r['train_error'])} {fmt(r['test_balanced_accuracy'])}")
        print("Spearman rank correlation over gamma, measured vs Thm 2:")
        for loss, row in rep["trend"].items():
            print(f"  {loss}: " + "  ".join(f"{key} {fmt(v, 6, 2).strip()}" for key, v in row.items()))
    if rep["diverged"]:
        raise ComputationError(f"{len(rep['diverged'])} of {len(rep['runs'])} models diverged (NaN/inf): "
                               + "; ".join(rep["diverged"]))
    return 0
