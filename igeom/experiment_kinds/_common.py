"""Options and output shared by the deep-net experiments (dataset, network, SGD, device, --out, --json)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from theory.core.vocabulary import Architecture, Dataset
from igeom.commands._args import integer, real


def int_tuple(text: str) -> tuple[int, ...]:
    """Comma-separated integers, e.g. ``116,232`` (empty: no values)."""
    try:
        return tuple(int(t) for t in text.split(",") if t.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def real_tuple(text: str) -> tuple[float, ...]:
    """Comma-separated finite reals, e.g. ``1,10,50`` (empty: no values)."""
    return tuple(real(t) for t in text.split(",") if t.strip())


def name_tuple(text: str) -> tuple[str, ...]:
    """Comma-separated names, e.g. ``CDT,LDT``."""
    names = tuple(t.strip() for t in text.split(",") if t.strip())
    if not names:
        raise argparse.ArgumentTypeError("expected at least one name")
    return names


def allow_negative_values(p: argparse.ArgumentParser) -> None:
    """Let ``--gammas -1.5:1.5:13`` and ``--lr -1`` parse as values (rejected later with a clear message)."""
    p._negative_number_matcher = re.compile(r"^-\d+$|^-\d*\.\d+$|^-\d*\.?\d+:")


def add_data_arguments(p: argparse.ArgumentParser, n_min: int) -> None:
    """--dataset, --data, --seed."""

    p.add_argument("--dataset", choices=Dataset.names(), default="digits",
                   help="digits (sklearn, offline, default) or a local copy given by --data")
    p.add_argument("--data", metavar="DIR", default=None,
                   help="folder holding the dataset files (MNIST/Fashion-MNIST IDX files, CIFAR python-pickle "
                        "batches); nothing is downloaded")
    p.add_argument("--n-min", type=integer, default=n_min, help=f"samples of the rarest class (default {n_min})")
    p.add_argument("--seed", type=integer, default=0, help="seed of the subset, initialisation and batches (default 0)")


def add_training_arguments(p: argparse.ArgumentParser, arch: str, width: int, hidden: str, epochs: int, lr: float,
                           momentum: float, weight_decay: float, batch_size: int, milestones: str,
                           log_every: int) -> None:
    """Network and SGD options with the experiment's defaults."""

    p.add_argument("--arch", choices=Architecture.names(), default=arch, help=f"network (default {arch})")
    p.add_argument("--width", type=integer, default=width, help=f"feature dimension d of mlp/cnn; stage width of "
                   f"resnet (default {width})")
    p.add_argument("--hidden", type=int_tuple, default=int_tuple(hidden), help=f"MLP hidden widths (default {hidden})")
    p.add_argument("--epochs", type=integer, default=epochs, help=f"epochs (default {epochs})")
    p.add_argument("--lr", type=real, default=lr, help=f"initial learning rate (default {lr:g})")
    p.add_argument("--momentum", type=real, default=momentum, help=f"SGD momentum (default {momentum:g})")
    p.add_argument("--weight-decay", type=real, default=weight_decay, help=f"weight decay (default {weight_decay:g})")
    p.add_argument("--batch-size", type=integer, default=batch_size, help=f"mini-batch size (default {batch_size})")
    p.add_argument("--milestones", type=int_tuple, default=int_tuple(milestones),
                   help=f"epochs at which lr is divided by 10 (default {milestones or 'none'})")
    p.add_argument("--log-every", type=integer, default=log_every, help=f"measurement interval in epochs "
                   f"(default {log_every})")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="auto: CUDA when available")
    p.add_argument("--tf32", action="store_true", help="CUDA: allow TF32 and non-deterministic cuDNN kernels "
                   "(about 3x faster for batched ResNet-18, not reproducible); default exact float32")


def add_output_arguments(p: argparse.ArgumentParser) -> None:
    """--out, --json, --progress."""
    p.add_argument("--out", metavar="DIR", default=None,
                   help="output directory (job.json, checkpoints, figures, results.json); running again with "
                        "the same --out resumes an interrupted run or returns the finished one")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")
    from igeom.commands._guard import add_force_argument

    add_force_argument(p)


def require_net_budget(args: argparse.Namespace, dataset: str, counts: object, models: int, net: Any) -> None:
    """Refuse (InputError naming the estimate and --force) a deep-net program whose estimated memory or
    time exceeds the limits of :mod:`theory.infra.budget`, before any data is loaded or anything is
    allocated (:func:`training.deepnet.program_estimate` builds the network on the meta device)."""
    from theory.infra import budget
    from training.data import DATASETS
    from training.deepnet import program_estimate

    k, in_shape, _ = DATASETS[dataset]
    n = int(sum(int(c) for c in counts))
    budget.require_within(program_estimate(in_shape, k, n, models, net), getattr(args, "force", False))


def net_config(args: argparse.Namespace, relu_features: bool = False):  # noqa: ANN201 - a NetConfig
    """The :class:`training.deepnet.NetConfig` of the parsed options."""
    from training.batched import SGDConfig
    from training.deepnet import NetConfig

    sgd = SGDConfig(epochs=args.epochs, lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay,
                    batch_size=args.batch_size, milestones=args.milestones, tf32=args.tf32)
    return NetConfig(arch=args.arch, width=args.width, hidden=args.hidden, relu_features=relu_features, sgd=sgd,
                     log_every=args.log_every, device=args.device)


def progress(args: argparse.Namespace) -> bool:
    """Whether to draw the progress bar."""
    return sys.stderr.isatty() if args.progress is None else bool(args.progress)


def fmt(v: float | None, width: int = 8, digits: int = 4) -> str:
    """A number or ``null``, right-aligned."""
    return f"{'null':>{width}}" if v is None else f"{v:{width}.{digits}f}"


def emit_json(report: dict[str, Any]) -> None:
    """Print the report as one JSON line (NaN never appears: missing values are null)."""
    print(json.dumps(report, allow_nan=False))
