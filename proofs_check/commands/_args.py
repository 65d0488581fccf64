"""Argument types shared by the sub-commands: parse strictly, fail with a one-line message."""

from __future__ import annotations

import argparse
import math


def real(text: str) -> float:
    """A finite real number (rejects nan, inf and non-numbers)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
    return value


def integer(text: str) -> int:
    """An integer written in decimal."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def add_step_arguments(p: argparse.ArgumentParser, with_delta: bool = True) -> None:
    """--k, --k-minor, --R and (optionally) the exclusive --gamma / --delta-ratio of a STEP setting."""
    p.add_argument("--k", type=integer, required=True, help="number of classes (>= 2)")
    p.add_argument("--k-minor", type=integer, required=True, help="number of minority classes, in [1, k-1]")
    p.add_argument("--R", type=real, required=True, help="imbalance ratio n_maj / n_min (> 0)")
    if with_delta:
        g = p.add_mutually_exclusive_group()
        g.add_argument("--gamma", type=real, help="Delta = R^gamma (behnia2023 Appendix A.1)")
        g.add_argument("--delta-ratio", type=real, help="Delta = delta_maj / delta_min (> 0)")


def resolve_delta(loss: str, R: float, gamma: float | None, delta_ratio: float | None) -> float:
    """Delta for a STEP setting: R^gamma or the given ratio; CE has Delta = 1 and rejects any other."""
    from theory.seli.closed_forms import delta_from_gamma
    from theory.core.validate import positive_real

    positive_real("R", R)
    if gamma is not None:
        delta = delta_from_gamma(R, gamma)
    elif delta_ratio is not None:
        delta = positive_real("delta_ratio (Delta)", delta_ratio)
    elif loss.upper() == "CE":
        delta = 1.0
    else:
        raise ValueError(f"{loss} needs --gamma or --delta-ratio")
    if loss.upper() == "CE" and delta != 1.0:
        raise ValueError("CE has delta = 1: omit --gamma/--delta-ratio or use CDT/LDT")
    return delta
