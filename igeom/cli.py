"""The ``igeom`` command: one sub-command per module of :mod:`igeom.commands`.

Exit statuses, each with exactly one line on stderr (``--debug`` or ``IGEOM_DEBUG=1`` adds the traceback):

* 2, ``igeom: error: ...``: bad input, an argparse error or :class:`theory.core.errors.InputError`;
* 1, ``igeom: failed: ...``: a failed computation, :class:`theory.core.errors.ComputationError`
  (solver, certificate, training) or numpy's ``LinAlgError`` (an SVD or eigensolver that did not
  converge: a ``ValueError`` by inheritance, never bad input);
* 1, ``igeom: internal error: ...``: any other exception, a plain ``ValueError`` from a library
  included: a defect of the suite, not of the input;
* 130, ``igeom: interrupted``: Ctrl-C;
* 141 (128 + SIGPIPE, what a shell reports for a process killed by a closed pipe), nothing printed:
  the reader of stdout went away (``igeom latex | head``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import traceback
from typing import NoReturn, Sequence

import igeom.commands as commands_pkg
from theory.core.errors import ComputationError, InputError

#: exit status after the reader of stdout closed the pipe
EXIT_BROKEN_PIPE = 128 + 13
#: environment variable that turns on ``--debug``
DEBUG_VARIABLE = "IGEOM_DEBUG"


class OneLineParser(argparse.ArgumentParser):
    """argparse parser whose usage errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        import re

        from igeom.commands._args import did_you_mean

        # argparse's own check of a choice (a sub-command name): add the closest spelling
        match = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)$", message)
        if match and "did you mean" not in message:
            names = [n.strip().strip("'") for n in match.group(2).split(",")]
            message = message.replace(match.group(0), f"invalid choice: {match.group(1)!r}"
                                      f"{did_you_mean(match.group(1), names)} (choose from {match.group(2)})")
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
    """The top-level parser with every sub-command found in :mod:`igeom.commands`."""
    parser = OneLineParser(prog="igeom", description="Verify the implicit geometry of CE parameterizations "
                           "(behnia2023, dang2024, yang2022).")
    parser.add_argument("--debug", action="store_true",
                        help=f"print the traceback of an error (also: environment variable {DEBUG_VARIABLE}=1)")
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    sub.required = True
    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"igeom.commands.{info.name}")
        p = module.add_parser(sub)
        p.set_defaults(_run=module.run)
    from igeom.commands._args import one_grammar

    one_grammar(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``igeom`` console script; returns the exit status (module docstring)."""
    args = build_parser().parse_args(argv)
    debug = args.debug or os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")
    try:
        from numerics.solve import start_blas_threads

        start_blas_threads()
        status = int(args._run(args) or 0)
        sys.stdout.flush()  # a closed pipe surfaces here, inside the handlers, not at interpreter exit
        return status
    except InputError as exc:
        return _report(f"igeom: error: {exc}", 2, debug)
    except ComputationError as exc:
        return _report(f"igeom: failed: {exc}", 1, debug)
    except KeyboardInterrupt:
        import signal

        # a Ctrl-C reaches the whole process group: further interrupts while worker processes and
        # atexit handlers shut down must not turn exit 130 into a death by SIGINT or a second traceback.
        # Only when this is the process's own command line (argv None): a caller of main() in its own
        # process (tests, scripts) keeps its Ctrl-C
        if argv is None:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        return _report("igeom: interrupted", 130, debug)
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # noqa: BLE001 - a defect of the suite: one line, never a bare traceback
        if _is_linalg_error(exc):
            return _report(f"igeom: failed: {exc}", 1, debug)
        detail = f": {exc}" if str(exc) else ""
        return _report(f"igeom: internal error: {type(exc).__name__}{detail}", 1, debug)


def _is_linalg_error(exc: BaseException) -> bool:
    """numpy's LinAlgError, without importing numpy (``igeom --help`` stays light): a command that raised
    it has imported numpy already."""
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(exc, numpy.linalg.LinAlgError)


def _report(line: str, status: int, debug: bool) -> int:
    """Write the traceback (when ``debug``) and then ``line``, made one line, to stderr; return ``status``."""
    if debug:
        traceback.print_exc(file=sys.stderr)
    sys.stderr.write(" ".join(line.split("\n")) + "\n")
    return status


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that flushing it at exit cannot raise again (Python documentation,
    "Note on SIGPIPE"); a stdout without a file descriptor (a test's capture) is left alone."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


if __name__ == "__main__":
    raise SystemExit(main())
