"""``igeom experiment NAME``: the papers' experiments, one sub-command per module of
:mod:`igeom.experiment_kinds`, with the strict parsing and exit codes of every ``igeom`` command."""

from __future__ import annotations

import argparse
import importlib
import pkgutil

import igeom.experiment_kinds as experiments_pkg


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``experiment`` and one sub-command per experiment module."""
    p = sub.add_parser("experiment", help="run one of the papers' experiments (see 'igeom experiment -h')",
                       description="Run one of the papers' experiments; each writes its results under --out.")
    inner = p.add_subparsers(dest="experiment", metavar="EXPERIMENT", parser_class=type(p))
    inner.required = True
    for info in sorted(pkgutil.iter_modules(experiments_pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{experiments_pkg.__name__}.{info.name}")
        module.add_parser(inner).set_defaults(_experiment_run=module.run)
    return p


def run(args: argparse.Namespace) -> int:
    """Dispatch to the chosen experiment (its parser set ``_experiment_run``)."""
    return int(args._experiment_run(args) or 0)
