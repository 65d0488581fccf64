"""``igeom experiment presets``: which loss presets change the implicit geometry, measured by SGD on the UFM
(:mod:`proofs_check.tasks.preset_geometry`): per preset, the distance of the trained UFM to its own prediction and
to CE's."""

from __future__ import annotations

import argparse
import json

from igeom.commands._args import integer

NAME = "presets"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``presets``."""
    p = sub.add_parser(NAME, help="table: SGD distance of every loss preset to its own and to CE's prediction",
                       description="Train the UFM with every loss preset (CE, wCE, LA, balanced softmax, LDAM, VS, CDT, "
                       "LDT, focal) and measure the largest W/M/WM distance to the preset's predicted geometry and to "
                       "CE's, on the given class counts.")
    p.add_argument("--counts", default="step:4,2,4,2", help="class counts or profile (default step:4,2,4,2 = 8,8,2,2)")
    p.add_argument("--epochs", type=integer, default=2000, help="full-batch GD epochs (default 2000)")
    p.add_argument("--d", type=integer, help="UFM width (default k + 2)")
    p.add_argument("--seed", type=integer, default=0, help="seed of the random initialisation (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    from igeom.commands._guard import add_force_argument

    add_force_argument(p)
    return p


def run(args: argparse.Namespace) -> int:
    """Print the table (markdown) or JSON."""
    from proofs_check.tasks.preset_geometry import CASES, CHANGED, sgd_rows
    from theory.core.errors import InputError
    from theory.core.profiles import parse_counts
    from theory.core.validate import positive_int, seed_value
    from theory.infra import budget

    try:
        counts = parse_counts(args.counts)
    except InputError as exc:
        raise InputError(f"--counts: {exc}") from None
    epochs = positive_int("--epochs", args.epochs)
    d = counts.k + 2 if args.d is None else positive_int("--d", args.d)
    seed_value("--seed", args.seed)
    # one UFM per preset, full-batch GD, measured once at the end (preset_training.train_ufm_presets)
    budget.require_within(budget.ufm_sweep(len(CASES), counts.k, counts.n, d, epochs, epochs), args.force)
    rows = sgd_rows(counts, d=d, epochs=epochs, seed=args.seed)
    if args.json:
        print(json.dumps({"counts": counts.counts.tolist(), "epochs": args.epochs, "rows": [r.as_dict() for r in rows]}))
        return 0
    print(f"counts {','.join(map(str, counts.counts))}, {args.epochs} epochs; largest W/M/WM distance (App. A.4)")
    print("| preset | options | to its own prediction | to CE's prediction | geometry changed |")
    print("|---|---|---|---|---|")
    for r in rows:
        opts = ", ".join(f"{k}={v:g}" for k, v in r.options.items()) or "-"
        own = "no prediction" if r.own is None else f"{r.own:.4f}"
        print(f"| {r.preset} | {opts} | {own} | {r.to_ce:.4f} | {'yes' if r.to_ce > CHANGED else 'no'} |")
    return 0
