"""Argument types shared by the sub-commands: parse strictly, fail with a one-line message."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING, Callable, Sequence

from theory.core.errors import InputError
from theory.core.vocabulary import Word

if TYPE_CHECKING:
    from theory.seli.step_setting import StepSetting


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


def step_setting(args: argparse.Namespace) -> "StepSetting":
    """The typed STEP setting of ``--loss --k --k-minor --R [--gamma | --delta-ratio]``, built once here
    (:class:`theory.seli.step_setting.StepSetting` validates it, CE's Delta = 1 included); CDT and LDT need
    --gamma or --delta-ratio, CE takes neither (or --gamma 0)."""
    from theory.core.vocabulary import Loss
    from theory.seli.step_setting import StepSetting

    if args.gamma is not None:
        return StepSetting.from_gamma(args.loss, args.k, args.k_minor, args.R, args.gamma)
    if args.delta_ratio is not None:
        return StepSetting(args.loss, args.k, args.k_minor, args.R, args.delta_ratio)
    if args.loss != Loss.CE:
        raise InputError(f"{args.loss} needs --gamma or --delta-ratio")
    return StepSetting(args.loss, args.k, args.k_minor, args.R)
