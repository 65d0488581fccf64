"""``igeom train``: batched SGD on the UFM over a gamma sweep, measured against Thm 2 (behnia2023 App. A)."""

from __future__ import annotations

import argparse
import re
import sys

from igeom.commands._args import add_word_argument, integer, real
from igeom.commands._guard import add_force_argument, guards_output
from igeom.commands._table import MISSING, add_format_arguments, flatten, write_csv
from theory.core.errors import InputError
from theory.core.vocabulary import Device, Loss, Normalization, Precision

MAX_GAMMAS = 10_000
"""Largest --gammas count (the grid is built while parsing, before the memory/time estimate can refuse it)."""

#: The losses ``igeom train`` offers: every family with a closed-form prediction (a custom matrix goes
#: through ``igeom check-param``).
TRAIN_LOSSES = tuple(loss for loss in Loss if loss != Loss.CUSTOM)
#: ``--recipe`` choices (:data:`training.recipes.RECIPES`) and the options a recipe sets
RECIPE_NAMES = ("paper", "best")
RECIPE_FIELDS = ("lr", "momentum", "nesterov", "normalize", "weight_decay")


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
    add_word_argument(p, "--loss", Loss, TRAIN_LOSSES, required=True,
                      help="the loss whose SELI geometry (behnia2023 Thm 2) the runs are measured against")
    p.add_argument("--recipe", choices=RECIPE_NAMES,
                   help="set --lr, --momentum, --nesterov, --normalize and --weight-decay from a recipe of "
                   "training/recipes.py (explicit options still override): 'paper' = App. A.1's constant lr 5; "
                   "'best' = loss-normalised steps with Nesterov momentum, the recipe that reaches the convergence "
                   "target (every distance <= TARGET = 0.05) at the App. A.1 size (the defaults of --k --k-minor "
                   "--R --n-min --d)")
    p.add_argument("--k", type=integer, default=10, help="classes (default 10)")
    p.add_argument("--k-minor", type=integer, default=5, help="minority classes (default 5)")
    p.add_argument("--R", type=real, default=10.0, help="imbalance ratio n_maj / n_min (default 10)")
    p.add_argument("--n-min", type=integer, default=5, help="samples per minority class (default 5)")
    p.add_argument("--d", type=integer, default=20, help="hidden width (default 20)")
    p.add_argument("--gammas", type=gamma_grid, default=None,
                   help="start:stop:count, Delta = R^gamma (default -1.5:1.5:13; 0 for CE)")
    p.add_argument("--epochs", type=integer, default=6000, help="epochs (default 6000)")
    p.add_argument("--lr", type=real, default=None, help="learning rate (default 5, constant as in App. A.1)")
    p.add_argument("--momentum", type=real, default=None, help="heavy-ball momentum in [0, 1) (default 0)")
    p.add_argument("--nesterov", action=argparse.BooleanOptionalAction, default=None,
                   help="Nesterov's form of the momentum (default off; needs --momentum > 0)")
    p.add_argument("--weight-decay", type=real, default=None, help="L2 weight decay on W and H (default 0)")
    p.add_argument("--batch-size", type=integer, default=None, help="mini-batch size (default: full batch)")
    p.add_argument("--milestones", type=int_list, default=[], help="epochs at which lr *= --lr-factor, e.g. 2000,4000")
    p.add_argument("--lr-factor", type=real, default=0.1, help="lr multiplier at each milestone (default 0.1)")
    add_word_argument(p, "--normalize", Normalization, default=None,
                      help="step normalisation: none (default), grad/L, or grad/(L ||theta||^2)")
    p.add_argument("--init-scale", type=real, default=None, help="std of the Gaussian initialisation (default 0.1)")
    p.add_argument("--tau", type=real, default=1.0, help="VS offsets iota_c = -tau log(n_c/n)")
    p.add_argument("--seeds", type=int_list, default=[0],
                   help="comma-separated seeds of the initialisation, one model per (gamma, seed) (default 0)")
    add_word_argument(p, "--dtype", Precision, default=Precision.FLOAT32,
                      help="floating-point precision of the parameters (default float32)")
    add_word_argument(p, "--device", Device, default=Device.AUTO,
                      help="cpu, cuda, or auto = cuda when available (default auto)")
    p.add_argument("--log-every", type=integer, default=None, help="measurement interval in epochs (default 100)")
    p.add_argument("--out", default=None, help="output directory (checkpoint, results.json, fig2.png); "
                   "re-running with the same --out resumes an interrupted sweep")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")
    add_format_arguments(p, "one row per (gamma, seed): measured geometry, distances, training error, verdict")
    add_force_argument(p)
    return p


def _fmt(v: float | None) -> str:
    return f"{MISSING:>8}" if v is None else f"{v:8.4f}"


def recipe_options(args: argparse.Namespace) -> dict[str, object]:
    """TrainConfig keywords of the optimiser options: an explicit option, else the value of ``--recipe``
    (training/recipes.py), else nothing (TrainConfig's default)."""
    from training.recipes import RECIPES

    out: dict[str, object] = {}
    for key in RECIPE_FIELDS:
        value = getattr(args, key)
        if value is None and args.recipe is not None:
            value = getattr(RECIPES[args.recipe], key)
        if value is not None:
            out[key] = value
    return out


def converged(run: dict) -> bool:
    """Every App. A.4 distance of a run is finite and <= :data:`training.recipes.TARGET`."""
    from training.recipes import TARGET

    return all(v is not None and v <= TARGET for v in run["distance"].values())


def _resume_line(out: str, problem, specs, config) -> str | None:
    """``resumed from epoch N`` when ``out`` holds a checkpoint of this very sweep that is not finished
    (read before the run, printed once the run has accepted the checkpoint)."""
    from pathlib import Path

    from training.checkpoint import load_state
    from training.ufm import config_fingerprint

    path = Path(out)
    if (path / "results.json").is_file() or not (path / "checkpoint.pt").is_file():
        return None
    saved = load_state(path / "checkpoint.pt")
    if saved is None or saved.get("fingerprint") != config_fingerprint(problem, specs, config):
        return None  # run_sweep reports the mismatch
    return f"igeom: resumed from epoch {int(saved['epoch'])} of {config.epochs} ({path / 'checkpoint.pt'})"


@guards_output("out", "--out")
def run(args: argparse.Namespace) -> int:
    """Validate, train (or resume), print the report; exit 1 if a run diverged."""
    from theory.core.errors import ComputationError
    from training.resumable_sweep import run_sweep
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
    overrides = {key: getattr(args, key) for key in ("init_scale", "log_every") if getattr(args, key) is not None}
    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, milestones=tuple(args.milestones),
                         lr_factor=args.lr_factor, dtype=args.dtype, device=args.device, **recipe_options(args),
                         **overrides)
    resolve_device(config.device)
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    resumed = None if args.out is None else _resume_line(args.out, problem, specs, config)
    rep, result = run_sweep(problem, specs, config, out=args.out, progress=progress)
    if resumed:  # after run_sweep validated the checkpoint: a checkpoint it refuses gives one error line only
        sys.stderr.write(resumed + "\n")
    if args.out is not None and result is None:
        sys.stderr.write(f"igeom: {args.out} already holds this sweep, complete; its stored results follow\n")
    if args.json:
        print_json(rep)
    elif args.csv:
        write_csv([{"loss": args.loss, "gamma": r["gamma"], "seed": r["seed"], **flatten(r["geometry"]),
                    **{f"distance.{key}": v for key, v in r["distance"].items()}, "train_error": r["train_error"],
                    "zero_error": r["zero_error"], "converged": converged(r)} for r in rep["runs"]])
    else:
        print(f"{args.loss}  k={problem.imbalance.k}  counts={problem.imbalance.counts.tolist()}  d={problem.d}  "
              f"epochs={config.epochs}  device={rep['device']}")
        print(f"{'gamma':>8}{'seed':>6}{'dist W':>9}{'dist M':>9}{'dist WM':>9}{'train err':>11}  zero error  verdict")
        for r in rep["runs"]:
            d = r["distance"]
            print(f"{r['gamma']:8.3f}{r['seed']:6d} {_fmt(d['W'])} {_fmt(d['M'])} {_fmt(d['WM'])}  "
                  f"{_fmt(r['train_error'])}   {'yes' if r['zero_error'] else 'no':10}  "
                  f"{'converged' if converged(r) else 'not converged'}")
        from training.recipes import TARGET

        behind = sum(1 for r in rep["runs"] if not converged(r))
        if behind:
            advice = "more --epochs" if args.recipe == "best" else "--recipe best (at the App. A.1 size) or more --epochs"
            print(f"hint: {behind} of {len(rep['runs'])} runs have a distance > {TARGET} (converged: every distance "
                  f"<= {TARGET}); try {advice}")
    bad = [r for r in rep["runs"] if r["diverged"]]
    if bad:
        raise ComputationError(f"{len(bad)} of {len(rep['runs'])} runs diverged (NaN/inf): "
                               + ", ".join(f"gamma={r['gamma']:g} seed={r['seed']}" for r in bad))
    return 0
