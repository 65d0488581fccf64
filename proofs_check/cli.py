"""The ``igeom`` command: one sub-command per module of :mod:`proofs_check.commands`.

Bad input prints one line ``igeom: error: ...`` on stderr and exits with status 2; a failed
computation (solver, certificate, training) prints one line and exits with status 1.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import NoReturn, Sequence

import proofs_check.commands as commands_pkg
from theory.core.errors import ComputationError


class OneLineParser(argparse.ArgumentParser):
    """argparse parser whose usage errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"igeom: error: {message}\n")
        raise SystemExit(2)


DISTRIBUTION = "implicit-geometry"


class VersionAction(argparse.Action):
    """``--version``: print ``igeom <version>`` from the installed package metadata and exit 0 (read
    when asked, so building the parser costs no metadata lookup)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print 'igeom VERSION' and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> NoReturn:
        from importlib.metadata import PackageNotFoundError, version

        try:
            text = version(DISTRIBUTION)
        except PackageNotFoundError:
            sys.stderr.write(f"igeom: error: the {DISTRIBUTION} package is not installed (pip install -e .)\n")
            raise SystemExit(1) from None
        sys.stdout.write(f"igeom {text}\n")
        raise SystemExit(0)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every sub-command found in :mod:`proofs_check.commands`."""
    parser = OneLineParser(prog="igeom", description="Verify the implicit geometry of CE parameterizations "
                           "(behnia2023, dang2024, yang2022).")
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    sub.required = True
    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"proofs_check.commands.{info.name}")
        p = module.add_parser(sub)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``igeom`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except ValueError as exc:
        sys.stderr.write(f"igeom: error: {exc}\n")
        return 2
    except ComputationError as exc:
        sys.stderr.write(f"igeom: failed: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("igeom: interrupted\n")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
