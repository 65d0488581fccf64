"""The suite's vocabulary: every name a user types or a report prints, defined once.

Each enumeration is a ``str`` subclass, so a member compares equal to its spelling (``Loss.CDT == "CDT"``)
and serialises to JSON as that string. Validators, dataclasses, argparse ``choices`` and the report's
ordering derive from these classes; no other module spells these strings.
"""

from __future__ import annotations

from enum import Enum
from typing import Sequence

from theory.core.errors import InputError


class Word(str, Enum):
    """A vocabulary word: a ``str`` whose value is its spelling, with a case-insensitive parser."""

    def __str__(self) -> str:
        return self.value

    def __hash__(self) -> int:  # Enum hashes the member name; a str must hash as its spelling ("wCE")
        return str.__hash__(self)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every spelling, in declaration order (the order reports and ``--help`` use)."""
        return tuple(m.value for m in cls)

    @classmethod
    def parse(cls, text: object, among: Sequence["Word"] | None = None) -> "Word":
        """The member spelled ``text`` (case-insensitive), restricted to ``among`` when given;
        InputError naming the choices otherwise."""
        choices = tuple(cls) if among is None else tuple(among)
        if isinstance(text, str):
            for m in choices:
                if m.value.lower() == text.strip().lower():
                    return m
        raise InputError(f"unknown {cls.__doc__.split(':')[0].strip().lower()} {text!r}; "
                         f"expected one of {', '.join(m.value for m in choices)}")


class Loss(Word):
    """loss: a CE parameterization family (behnia2023 Sec. 2; Kini et al. 2021 for VS)."""

    CE = "CE"
    WCE = "wCE"
    CDT = "CDT"
    LDT = "LDT"
    VS = "VS"
    CUSTOM = "custom"


class Preset(Word):
    """preset: a named loss researchers use on imbalanced data, mapped by :mod:`theory.core.presets` to a
    logit-scaling matrix, offsets, label margins and per-sample weights."""

    CE = "CE"
    WCE = "wCE"
    CDT = "CDT"
    LDT = "LDT"
    VS = "VS"
    LA = "LA"
    BALANCED_SOFTMAX = "balanced-softmax"
    LDAM = "LDAM"
    FOCAL = "focal"
    CUSTOM = "custom"


#: The losses whose SELI geometry has closed forms under STEP imbalance (behnia2023 Thm 2, Cor. 3).
CLOSED_FORM_LOSSES: tuple[Loss, ...] = (Loss.CE, Loss.CDT, Loss.LDT)
#: The families of :class:`theory.core.parameterization.Parameterization` (wCE weights samples; it is
#: CE's logit scaling with a per-class weight, not a parameterization of its own).
PARAMETERIZATION_FAMILIES: tuple[Loss, ...] = (Loss.CE, Loss.CDT, Loss.LDT, Loss.VS, Loss.CUSTOM)
#: The losses with one multiplicative hyperparameter delta swept over gamma (behnia2023 App. A.1).
SWEPT_LOSSES: tuple[Loss, ...] = (Loss.CDT, Loss.LDT)


class ETFLoss(Word):
    """ETF loss: a loss of the fixed simplex-ETF classifier (yang2022: CE eq. 3, dot regression DR eq. 14)."""

    CE = "CE"
    DR = "DR"


class Paper(Word):
    """paper: one of the three papers the suite checks."""

    BEHNIA2023 = "behnia2023"
    DANG2024 = "dang2024"
    YANG2022 = "yang2022"


class Status(Word):
    """status: the verdict of one check, in the order a report lists them (worst last). ``inconclusive``:
    the experiment did not meet the premise of the statement (e.g. a theorem about the separable regime and
    networks that keep a training error), so the check can neither confirm nor refute it; it is not a
    failure (``igeom verify`` exits 0) but is counted and shown on its own."""

    PASS = "pass"
    ERRATUM = "erratum"
    INCONCLUSIVE = "inconclusive"
    FAIL = "fail"
    ERROR = "error"


class Criterion(Word):
    """criterion: how a check's measured figure is held to its bound (``Outcome.criterion``): ``<=`` passes
    when the figure is at most the tolerance (a deviation, a residual, a count of failures), ``>=`` when it
    is at least the margin (a strict inequality's gap, a negative control's distance, a trend)."""

    AT_MOST = "<="
    AT_LEAST = ">="


class CheckLevel(Word):
    """check level: how a check establishes its claim."""

    SYMBOLIC = "symbolic"
    NUMERIC = "numeric"
    TRAINING = "training"


class Setting(Word):
    """setting: how a training-level check's experiment relates to the paper's own (issue 21). ``paper``: data,
    architecture, schedule and loss follow the paper (where the paper is silent, e.g. the UFM step size, the
    choice made is listed as a departure marked :data:`PAPER_SILENT`); ``reduced``: the experiment departs from
    the paper (dataset, width, epochs, ...), listed as departures, and its outcome is reported as consistent /
    inconsistent in a reduced setting, never as the paper's pass or fail."""

    PAPER = "paper"
    REDUCED = "reduced"


#: the prefix of a departure that fills in what the paper does not state (allowed in the ``paper`` setting)
PAPER_SILENT = "paper silent: "


class Depth(Word):
    """depth: how much of the registry a run executes (quick skips the long checks)."""

    QUICK = "quick"
    FULL = "full"


class Normalization(Word):
    """normalization: how a UFM training step scales the gradient (``training.ufm``, module docstring)."""

    NONE = "none"
    LOSS = "loss"
    LOSS_NORM = "loss-norm"


class Precision(Word):
    """precision: the floating-point type of a training run."""

    FLOAT32 = "float32"
    FLOAT64 = "float64"


class Device(Word):
    """device: where a training run computes (auto: CUDA when available, else the CPU)."""

    AUTO = "auto"
    CPU = "cpu"
    CUDA = "cuda"


class Route(Word):
    """route: how ``igeom geometry`` computes a prediction (closed forms, or the eigen route)."""

    SYMBOLIC = "symbolic"
    NUMERIC = "numeric"


class Solver(Word):
    """solver: how the CS-SVM of behnia2023 eq. (3) is solved (certified convex program, or over (W, H))."""

    CONVEX = "convex"
    NONCONVEX = "nonconvex"


class TaskOutcome(Word):
    """outcome: how one task of a sweep ended (``igeom sweep``'s ``status`` column)."""

    OK = "ok"
    FAILED = "failed"
    DIVERGED = "diverged"


class Dataset(Word):
    """dataset: the image data of the deep-net experiments (digits ships with scikit-learn; the others are
    read from a local folder)."""

    DIGITS = "digits"
    MNIST = "mnist"
    FASHION_MNIST = "fashion-mnist"
    CIFAR10 = "cifar10"
    CIFAR100 = "cifar100"


class ETFMethod(Word):
    """method: a classifier and loss of yang2022's Table 1 (learnable+CE* is CE weighted by class)."""

    LEARNABLE_CE = "learnable+CE"
    LEARNABLE_WCE = "learnable+CE*"
    ETF_CE = "ETF+CE"
    ETF_DR = "ETF+DR"


class Architecture(Word):
    """architecture: a deep network of the experiments (``training.nets``)."""

    MLP = "mlp"
    CNN = "cnn"
    RESNET = "resnet"
    RESNET18 = "resnet18"
    RESNET32 = "resnet32"
