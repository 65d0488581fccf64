"""In-process ``igeom`` runs for the CLI tests (imported by name: pytest puts ``tests/`` on the path)."""

from __future__ import annotations

import pytest

from igeom.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``igeom ARGV`` (argparse's SystemExit for usage errors and --version
    becomes the code)."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code)
    out, err = capsys.readouterr()
    return code, out, err
