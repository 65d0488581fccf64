"""Text and CSV output shared by the sub-commands: the group-geometry table (keys W, M, WM of ``igeom
geometry --json``), the exclusive ``--json`` / ``--csv`` options and one CSV table on stdout."""

from __future__ import annotations

import argparse
import csv
import sys
from typing import Any, Iterable, Mapping, Sequence

#: text output writes a missing value (JSON ``null``) as an em dash
MISSING = "—"
#: column titles of the group keys; ``norm_ratio`` is ||maj||^2 / ||min||^2 (behnia2023 Thm 2)
TITLES = {"norm_ratio": "squared-norm ratio", "cos_maj_maj": "cos maj-maj", "cos_min_min": "cos min-min",
          "cos_maj_min": "cos maj-min", "cos_maj": "cos maj", "cos_min": "cos min"}
_COLS = ("norm_ratio", "cos_maj_maj", "cos_min_min", "cos_maj_min")
_W = 20
_L = 26


def fmt(v: float | None) -> str:
    """A number with 10 significant digits, or :data:`MISSING`."""
    return MISSING if v is None else f"{v:.10g}"


def geometry_lines(block: Mapping[str, Mapping[str, float | None]],
                   predicted: Mapping[str, Mapping[str, float | None]] | None = None) -> list[str]:
    """Rows for classifiers W, class means M (squared-norm ratio, three cosines) and cos(w_c, mu_c);
    with ``predicted`` each measured row is followed by the predicted one."""
    rows = [("W", "classifiers W"), ("M", "class means M")]
    lines = [f"{'':{_L}}" + "".join(f"{TITLES[c]:>{_W}}" for c in _COLS)]

    def add(label: str, key: str, cols: Sequence[str]) -> None:
        tag = "" if predicted is None else " (measured)"
        lines.append(f"{label + tag:{_L}}" + "".join(f"{fmt(block[key][c]):>{_W}}" for c in cols))
        if predicted is not None:
            lines.append(f"{'  (predicted)':{_L}}" + "".join(f"{fmt(predicted[key][c]):>{_W}}" for c in cols))

    for key, label in rows:
        add(label, key, _COLS)
    lines.append(f"{'':{_L}}{TITLES['cos_maj']:>{_W}}{TITLES['cos_min']:>{_W}}")
    add("cos(w_c, mu_c)", "WM", ("cos_maj", "cos_min"))
    return lines


def flatten(obj: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dictionaries as one level with dotted keys (``{"W": {"norm_ratio": x}}`` -> ``W.norm_ratio``)."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def add_format_arguments(p: argparse.ArgumentParser, csv_rows: str) -> None:
    """The exclusive ``--json`` and ``--csv`` options of a command with tabular output (``csv_rows``
    says what one CSV row is)."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="print one JSON object")
    g.add_argument("--csv", action="store_true", help=f"print one CSV table with a header row, {csv_rows}")


def write_csv(rows: Iterable[Mapping[str, Any]]) -> None:
    """One CSV table on stdout: the keys of the first row as header (every row has the same keys), a
    missing value as an empty field."""
    rows = list(rows)
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
