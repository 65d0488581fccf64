"""On-disk cache of SymPy derivations, keyed by the deriving source and the SymPy version.

A derivation is re-run whenever one of its source files changes, so a stale cache is never read. The
cache lives in $IGEOM_CACHE_DIR or ~/.cache/implicit-geometry; a corrupt or unwritable cache only costs
time (the derivation runs again), never a wrong formula.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable

import sympy as sp

from theory.infra.atomic import write_atomic


def cache_dir() -> Path:
    """Directory of the on-disk formula cache ($IGEOM_CACHE_DIR or ~/.cache/implicit-geometry)."""
    return Path(os.environ.get("IGEOM_CACHE_DIR", Path.home() / ".cache" / "implicit-geometry"))


def source_key(*module_files: str) -> str:
    """Hash of the named files (paths relative to the ``theory`` package) and of the SymPy version."""
    here = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(sp.__version__.encode())
    for name in module_files:
        h.update((here / name).read_bytes())
    return h.hexdigest()[:16]


def cached(name: str, sources: tuple[str, ...], derive: Callable[[], dict[str, sp.Expr]],
           symbols: dict[str, sp.Symbol], use_disk_cache: bool = True) -> dict[str, sp.Expr]:
    """``derive()`` or its cached result (``symbols`` maps names back to the symbols with assumptions)."""
    path = cache_dir() / f"{name}-{source_key(*sources)}.json"
    if use_disk_cache and path.is_file():
        try:
            data = json.loads(path.read_text())
            return {key: sp.sympify(text, locals=symbols) for key, text in data.items()}
        except (OSError, ValueError, sp.SympifyError):
            pass  # a corrupt cache is re-derived below
    forms = derive()
    if use_disk_cache:
        try:
            write_atomic(path, json.dumps({key: sp.srepr(v) for key, v in forms.items()}))
        except OSError:
            pass  # read-only cache directory: the derivation still works, only slower next time
    return forms
