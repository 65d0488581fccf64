"""The suite's vocabulary: every name a user types or a report prints, defined once.

Each enumeration is a ``str`` subclass, so a member compares equal to its spelling (``Loss.CDT == "CDT"``)
and serialises to JSON as that string. Validators, dataclasses, argparse ``choices`` and the report's
ordering derive from these classes; no other module spells these strings.
"""

from __future__ import annotations

from enum import Enum


class Word(str, Enum):
    """A vocabulary word: a ``str`` whose value is its spelling, with a case-insensitive parser."""

    def __str__(self) -> str:
        return self.value

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every spelling, in declaration order (the order reports and ``--help`` use)."""
        return tuple(m.value for m in cls)

    @classmethod
    def parse(cls, text: object) -> "Word":
        """The member spelled ``text`` (case-insensitive); ValueError naming the choices otherwise."""
        if isinstance(text, cls):
            return text
        if isinstance(text, str):
            for m in cls:
                if m.value.lower() == text.strip().lower():
                    return m
        raise ValueError(f"unknown {cls.__doc__.split(':')[0].strip().lower()} {text!r}; "
                         f"expected one of {', '.join(cls.names())}")


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
#: The losses with one multiplicative hyperparameter delta swept over gamma (behnia2023 App. A.1).
SWEPT_LOSSES: tuple[Loss, ...] = (Loss.CDT, Loss.LDT)


class Paper(Word):
    """paper: one of the three papers the suite checks."""

    BEHNIA2023 = "behnia2023"
    DANG2024 = "dang2024"
    YANG2022 = "yang2022"


class Status(Word):
    """status: the verdict of one check, in the order a report lists them (worst last)."""

    PASS = "pass"
    ERRATUM = "erratum"
    FAIL = "fail"
    ERROR = "error"


class CheckLevel(Word):
    """check level: how a check establishes its claim."""

    SYMBOLIC = "symbolic"
    NUMERIC = "numeric"
    TRAINING = "training"


class Depth(Word):
    """depth: how much of the registry a run executes (quick skips the long checks)."""

    QUICK = "quick"
    FULL = "full"
