"""``igeom train``: batched SGD on the UFM over a gamma sweep, measured against Thm 2 (behnia2023 App. A)."""

from __future__ import annotations

import argparse
import re
import sys

from proofs_check.commands._args import add_word_argument, integer, real
from proofs_check.commands._guard import add_force_argument, guards_output
from theory.core.errors import InputError
from theory.core.vocabulary import Device, Loss, Normalization, Precision

MAX_GAMMAS = 10_000
"""Largest --gammas count (the grid is built while parsing, before the memory/time estimate can refuse it)."""

#: The losses ``igeom train`` offers: every family with a closed-form prediction (a custom matrix goes
#: through ``igeom check-param``).
TRAIN_LOSSES = tuple(loss for loss in Loss if loss != Loss.CUSTOM)


def gamma_grid(text: str) -> list[float]:
    """``start:stop:count`` (inclusive, evenly spaced) or a single value."""
    parts = text.split(":")
    if len(parts) == 1:
        return [real(parts[0])]
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"--gammas must be start:stop:count, got {text!r}")
    start, stop, count = real(parts[0]), real(parts[1]), integer(parts[2])
    if not 1 <= count <= MAX_GAMMAS:
        raise argparse.ArgumentTypeError(f"--gammas count must lie in [1, {MAX_GAMMAS}], got {count}")
    if count == 1:
        if start != stop:
            raise argparse.ArgumentTypeError("--gammas with count 1 needs start == stop")
        return [start]
    step = (stop - start) / (count - 1)
    return [round(start + i * step, 12) for i in range(count)]


def int_list(text: str) -> list[int]:
    """Comma-separated integers, e.g. ``0,1,2``."""
    try:
        return [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``train``."""
    p = sub.add_parser("train", help="train the UFM by SGD over a gamma sweep and compare with Thm 2",
                       description="Batched full-batch GD / mini-batch SGD on the unconstrained features model "
                       "(behnia2023 App. A.1) for every (gamma, seed); reports the measured geometry (class means "
                       "centred per Remark 4), the App. A.4 distances to the prediction and the training error.")
    # let "--gammas -1.5:1.5:13" parse: a value that starts like a negative number is not an option
    p._negative_number_matcher = re.compile(r"^-\d+$|^-\d*\.\d+$|^-\d*\.?\d+:")
    add_word_argument(p, "--loss", Loss, TRAIN_LOSSES, required=True)
    p.add_argument("--k", type=integer, default=10, help="classes (default 10)")
    p.add_argument("--k-minor", type=integer, default=5, help="minority classes (default 5)")
    p.add_argument("--R", type=real, default=10.0, help="imbalance ratio n_maj / n_min (default 10)")
    p.add_argument("--n-min", type=integer, default=5, help="samples per minority class (default 5)")
    p.add_argument("--d", type=integer, default=20, help="hidden width (default 20)")
    p.add_argument("--gammas", type=gamma_grid, default=None,
                   help="start:stop:count, Delta = R^gamma (default -1.5:1.5:13; 0 for CE)")
    p.add_argument("--epochs", type=integer, default=6000, help="epochs (default 6000)")
    p.add_argument("--lr", type=real, default=None, help="learning rate (default 5, constant as in App. A.1)")
    p.add_argument("--momentum", type=real, default=0.0)
    p.add_argument("--nesterov", action="store_true")
    p.add_argument("--weight-decay", type=real, default=0.0)
    p.add_argument("--batch-size", type=integer, default=None, help="mini-batch size (default: full batch)")
    p.add_argument("--milestones", type=int_list, default=[], help="epochs at which lr *= --lr-factor, e.g. 2000,4000")
    p.add_argument("--lr-factor", type=real, default=0.1)
    add_word_argument(p, "--normalize", Normalization, default=Normalization.NONE,
                   help="step normalisation: none, grad/L, or grad/(L ||theta||^2)")
    p.add_argument("--init-scale", type=real, default=None, help="std of the Gaussian initialisation (default 0.1)")
    p.add_argument("--tau", type=real, default=1.0, help="VS offsets iota_c = -tau log(n_c/n)")
    p.add_argument("--seeds", type=int_list, default=[0], help="comma-separated seeds (default 0)")
    add_word_argument(p, "--dtype", Precision, default=Precision.FLOAT32)
    add_word_argument(p, "--device", Device, default=Device.AUTO)
    p.add_argument("--log-every", type=integer, default=None, help="measurement interval in epochs (default 100)")
    p.add_argument("--out", default=None, help="output directory (checkpoint, results.json, fig2.png); "
                   "re-running with the same --out resumes an interrupted sweep")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_force_argument(p)
    return p


def _fmt(v: float | None) -> str:
    return "     nan" if v is None else f"{v:8.4f}"


@guards_output("out", "--out")
def run(args: argparse.Namespace) -> int:
    """Validate, train (or resume), print the report; exit 1 if a run diverged."""
    from theory.core.errors import ComputationError
    from training.runner import run_sweep
    from training.specs import RunSpec
    from training.ufm import TrainConfig, UFMProblem, resolve_device
    from theory.infra import budget
    from theory.infra.jsonout import print_json

    problem = UFMProblem.step(args.k, args.k_minor, args.R, args.n_min, args.d)
    gammas = args.gammas if args.gammas is not None else ([0.0] if args.loss == Loss.CE else gamma_grid("-1.5:1.5:13"))
    if not args.seeds:
        raise InputError("--seeds needs at least one seed")
    if len(set(args.seeds)) != len(args.seeds):
        raise InputError("--seeds must not repeat a seed")
    log_every = TrainConfig.log_every if args.log_every is None else args.log_every
    budget.require_within(budget.ufm_sweep(len(gammas) * len(args.seeds), problem.imbalance.k, problem.imbalance.n,
                                           problem.d, max(args.epochs, 1), max(log_every, 1)), args.force)
    specs = [RunSpec(args.loss, g, s, tau=args.tau) for g in gammas for s in args.seeds]
    overrides = {key: getattr(args, attr) for key, attr in (("lr", "lr"), ("init_scale", "init_scale"),
                                                             ("log_every", "log_every")) if getattr(args, attr) is not None}
    config = TrainConfig(epochs=args.epochs, momentum=args.momentum, nesterov=args.nesterov,
                         weight_decay=args.weight_decay, batch_size=args.batch_size, milestones=tuple(args.milestones),
                         lr_factor=args.lr_factor, normalize=args.normalize, dtype=args.dtype, device=args.device,
                         **overrides)
    resolve_device(config.device)
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    rep, _ = run_sweep(problem, specs, config, out=args.out, progress=progress)
    if args.json:
        print_json(rep)
    else:
        print(f"{args.loss}  k={problem.imbalance.k}  counts={problem.imbalance.counts.tolist()}  d={problem.d}  "
              f"epochs={config.epochs}  device={rep['device']}")
        print(f"{'gamma':>8}{'seed':>6}{'dist W':>9}{'dist M':>9}{'dist WM':>9}{'train err':>11}  zero error")
        for r in rep["runs"]:
            d = r["distance"]
            print(f"{r['gamma']:8.3f}{r['seed']:6d} {_fmt(d['W'])} {_fmt(d['M'])} {_fmt(d['WM'])}  "
                  f"{_fmt(r['train_error'])}   {'yes' if r['zero_error'] else 'no'}")
    bad = [r for r in rep["runs"] if r["diverged"]]
    if bad:
        raise ComputationError(f"{len(bad)} of {len(rep['runs'])} runs diverged (NaN/inf): "
                               + ", ".join(f"gamma={r['gamma']:g} seed={r['seed']}" for r in bad))
    return 0
