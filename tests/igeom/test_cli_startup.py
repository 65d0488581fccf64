"""``igeom --help`` stays light: building the parser (every command and experiment registered) imports no
numerical library and no torch; the sub-commands import them when they run (issue 9, part 5). Measured
by importing in a fresh interpreter, not by timing."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "numpy", "scipy", "sympy", "cvxpy", "scs", "matplotlib", "sklearn", "training", "numerics")


def test_building_the_parser_imports_no_heavy_module():
    code = ("import sys\nfrom igeom.cli import build_parser\nbuild_parser()\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert "igeom" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))
