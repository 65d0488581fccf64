"""Guards shared by the sub-commands: output locations checked and locked before the work, ``--force``.

The logic lives in :mod:`theory.infra.outdir` (location checks, lock, OSError as one line) and
:mod:`theory.infra.budget` (memory and time estimates); this module adapts them to argparse.
"""

from __future__ import annotations

import argparse
import functools
from typing import Callable


def add_force_argument(p: argparse.ArgumentParser) -> None:
    """``--force``: run even when the up-front memory or time estimate exceeds the limits."""
    p.add_argument("--force", action="store_true",
                   help="run even when the estimated memory exceeds what is available or the estimated "
                   "time exceeds one hour")


def guards_output(attr: str, option: str, directory: bool = True) -> Callable[[Callable[[argparse.Namespace], int]],
                                                                              Callable[[argparse.Namespace], int]]:
    """Decorate a command's ``run``: the location in ``args.<attr>`` (when given) is validated and locked
    before ``run`` starts and unlocked after it (:func:`theory.infra.outdir.claim_output`)."""

    def wrap(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        @functools.wraps(run)
        def guarded(args: argparse.Namespace) -> int:
            target = getattr(args, attr)
            if target is None:
                return run(args)
            from theory.infra.outdir import claim_output

            with claim_output(target, option, directory):
                return run(args)

        return guarded

    return wrap
