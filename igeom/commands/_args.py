"""Argument types shared by the sub-commands: parse strictly, fail with a one-line message."""

from __future__ import annotations

import argparse
import math
import re
from typing import TYPE_CHECKING, Callable, Sequence

from theory.core.errors import InputError
from theory.core.vocabulary import Preset, Word, did_you_mean

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


#: a value that starts like a negative number or a negative grid (``-1``, ``-.5``, ``-1:1:3``) is a value,
#: not an option, in every sub-command (``--gammas -1:1:3`` parses alike in ``geometry`` and ``train``)
NEGATIVE_VALUE = re.compile(r"^-\d+$|^-\d*\.\d+$|^-\d*\.?\d+:")


def invalid_choice(text: str, names: Sequence[str]) -> str:
    """The one error of every choice flag: the value, the closest spelling, the choices."""
    return f"invalid choice: {text!r}{did_you_mean(text, names)} (choose from {', '.join(names)})"


def choice(names: Sequence[str]) -> Callable[[str], str]:
    """argparse ``type`` for a fixed set of spellings: case-insensitive, returns the canonical spelling;
    the error suggests the closest one."""
    names = tuple(str(n) for n in names)

    def parse(text: str) -> str:
        for name in names:
            if name.lower() == text.strip().lower():
                return name
        raise argparse.ArgumentTypeError(invalid_choice(text, names))

    parse.__name__ = "choice"
    return parse


def one_grammar(parser: argparse.ArgumentParser) -> None:
    """Give ``parser`` and every sub-parser below it the suite's one grammar: every option with string
    choices parses them case-insensitively with a "did you mean" (an option with a ``type`` of its own
    keeps it), and values that look like negative numbers or grids (``-1:1:3``) are values."""
    parser._negative_number_matcher = NEGATIVE_VALUE
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                one_grammar(sub)
        elif action.choices is not None and action.type is None and all(isinstance(c, str) for c in action.choices):
            action.type = choice(tuple(action.choices))


def word(cls: type[Word], among: Sequence[Word] | None = None) -> Callable[[str], Word]:
    """argparse ``type`` for a vocabulary word (:mod:`theory.core.vocabulary`): case-insensitive, limited
    to ``among`` when given; the error lists the choices in their canonical spelling and suggests the
    closest one."""
    choices = tuple(cls) if among is None else tuple(among)

    def parse(text: str) -> Word:
        try:
            return cls.parse(text, choices)
        except InputError:
            raise argparse.ArgumentTypeError(invalid_choice(text, [c.value for c in choices])) from None

    parse.__name__ = cls.__name__.lower()
    return parse


def add_word_argument(p: argparse.ArgumentParser, flag: str, cls: type[Word], among: Sequence[Word] | None = None,
                      **kwargs: object) -> None:
    """``p.add_argument(flag, ...)`` whose type and choices derive from the vocabulary class ``cls``."""
    choices = tuple(cls) if among is None else tuple(among)
    p.add_argument(flag, type=word(cls, choices), choices=choices, **kwargs)


#: the flag of each loss hyperparameter (:data:`theory.core.loss_presets.HYPERPARAMETERS`): errors name flags
PRESET_FLAGS = {"gamma": "--gamma", "tau": "--tau", "ldam_c": "--ldam-c", "focal_gamma": "--focal-gamma"}
#: the ``--loss`` choices of the commands that predict a geometry: every preset with a prediction (focal
#: has none and says so; a custom matrix is ``--scaling FILE``, not a --loss word)
PREDICTING_PRESETS = tuple(p for p in Preset if p is not Preset.CUSTOM)


def preset_prediction_options(preset: str, args: argparse.Namespace, max_margin: bool = True) -> dict[str, object]:
    """The hyperparameters of ``--loss preset`` for its predicted geometry, from the flags of ``args``:
    InputError naming the flag for a flag the preset does not take or for a missing one that changes the
    prediction. The max-margin prediction (``max_margin``) depends on gamma only: flags that do not change it
    (wCE's gamma, LDAM's C) are not demanded (:func:`theory.core.loss_presets.prediction_options`) and focal, which
    has none, is refused first. At finite weight decay (``max_margin=False``) every hyperparameter of the loss
    enters the minimiser, so each one :func:`theory.core.loss_presets.preset_loss` needs is demanded."""
    from theory.core.loss_presets import (HYPERPARAMETERS, PREDICTION_HYPERPARAMETERS, REQUIRED_HYPERPARAMETERS,
                                     prediction_options)

    name = Preset.parse(preset)
    if name is Preset.FOCAL and max_margin:
        raise InputError("--loss focal has no prediction: the focal loss is not a logit-scaling loss, so no "
                         "max-margin prediction exists to compare with (SGD only: igeom experiment presets)")
    given = {key: getattr(args, key) for key in PRESET_FLAGS if getattr(args, key, None) is not None}
    extra = [PRESET_FLAGS[key] for key in given if key not in HYPERPARAMETERS[name]]
    if extra:
        raise InputError(f"--loss {name} takes no {', '.join(extra)}")
    needed = (PREDICTION_HYPERPARAMETERS if max_margin else REQUIRED_HYPERPARAMETERS).get(name, ())
    missing = [PRESET_FLAGS[key] for key in needed if key in PRESET_FLAGS and key not in given]
    if missing:
        why = ("delta_c = (n_c/n_max)^gamma enters the margins and sets the predicted geometry" if max_margin else
               "at finite weight decay every hyperparameter of the loss moves the minimiser")
        raise InputError(f"--loss {name} needs {' and '.join(missing)} ({why})")
    return prediction_options(name, given) if max_margin else given


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
    if Loss.parse(args.loss) != Loss.CE:
        raise InputError(f"{args.loss} needs --gamma or --delta-ratio")
    return StepSetting(args.loss, args.k, args.k_minor, args.R)
