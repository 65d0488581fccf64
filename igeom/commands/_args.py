"""Argument types shared by the sub-commands: parse strictly, fail with a one-line message."""

from __future__ import annotations

import argparse
import math
from typing import Callable, Sequence

from theory.core.errors import InputError
from theory.core.vocabulary import Word


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


def word(cls: type[Word], among: Sequence[Word] | None = None) -> Callable[[str], Word]:
    """argparse ``type`` for a vocabulary word (:mod:`theory.core.vocabulary`): case-insensitive, limited
    to ``among`` when given; the error lists the choices in their canonical spelling."""
    choices = tuple(cls) if among is None else tuple(among)

    def parse(text: str) -> Word:
        try:
            return cls.parse(text, choices)
        except InputError:
            raise argparse.ArgumentTypeError(f"invalid choice: {text!r} (choose from "
                                             f"{', '.join(c.value for c in choices)})") from None

    parse.__name__ = cls.__name__.lower()
    return parse


def add_word_argument(p: argparse.ArgumentParser, flag: str, cls: type[Word], among: Sequence[Word] | None = None,
                      **kwargs: object) -> None:
    """``p.add_argument(flag, ...)`` whose type and choices derive from the vocabulary class ``cls``."""
    choices = tuple(cls) if among is None else tuple(among)
    p.add_argument(flag, type=word(cls, choices), choices=choices, **kwargs)


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
    from theory.core.vocabulary import Loss

    positive_real("R", R)
    if gamma is not None:
        delta = delta_from_gamma(R, gamma)
    elif delta_ratio is not None:
        delta = positive_real("delta_ratio (Delta)", delta_ratio)
    elif Loss.parse(loss) == Loss.CE:
        delta = 1.0
    else:
        raise InputError(f"{loss} needs --gamma or --delta-ratio")
    if Loss.parse(loss) == Loss.CE and delta != 1.0:
        raise InputError("CE has delta = 1: omit --gamma/--delta-ratio or use CDT/LDT")
    return delta
