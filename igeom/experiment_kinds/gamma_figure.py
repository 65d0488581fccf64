"""``igeom experiment gamma-figure``: behnia2023 Figs. 2 and 3 in one picture, one row per model.

Each row is a finished gamma sweep: the ``results.json`` of ``igeom experiment deepnet-gamma --out DIR``
(an MLP, a ResNet, ... on any dataset) or the output of ``igeom train --json`` saved to a file (the UFM).
The row's markers are its runs' measured geometry at the last logged epoch (class means centred per
Remark 4), drawn on the Thm 2 curves of the row's own STEP counts (:func:`training.paper_figures.figure_rows`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from igeom.commands._guard import guards_output
from igeom.experiment_kinds._common import emit_json

NAME = "gamma-figure"


def row_spec(text: str) -> tuple[str, tuple[Path, ...]]:
    """``LABEL=PATH[,PATH...]`` (each PATH a JSON file or a directory holding ``results.json``; the runs of
    several files, e.g. a CDT and an LDT sweep of ``igeom train``, share the row)."""
    label, sep, paths = text.partition("=")
    files = tuple(Path(p.strip()) for p in paths.split(",") if p.strip())
    if not sep or not label.strip() or not files:
        raise argparse.ArgumentTypeError(f"expected LABEL=PATH[,PATH...], got {text!r}")
    return label.strip(), files


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``experiment gamma-figure``."""
    p = sub.add_parser(NAME, help="behnia2023 Figs. 2/3: measured vs Thm 2 over gamma, one row per model",
                       description="Draw the Fig. 2 panels once per finished gamma sweep (rows: e.g. the UFM from "
                       "'igeom train --json > ufm.json', an MLP and a ResNet from 'igeom experiment deepnet-gamma "
                       "--out DIR'), each on the Thm 2 curves of its own STEP counts.")
    p.add_argument("--row", dest="rows", action="append", type=row_spec, required=True, metavar="LABEL=PATH[,PATH]",
                   help="a row: its label and results JSON files or deepnet-gamma output directories of the same "
                   "counts (repeatable)")
    p.add_argument("--out", required=True, type=Path, help="the PNG file to write")
    p.add_argument("--json", action="store_true", help="print one JSON object (the figure and its rows)")
    return p


def _load(label: str, path: Path) -> dict[str, Any]:
    from theory.core.errors import InputError

    file = path / "results.json" if path.is_dir() else path
    try:
        data = json.loads(file.read_text())
    except FileNotFoundError:
        raise InputError(f"row {label!r}: no file {file}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"row {label!r}: {file} is not readable JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict) or not isinstance(data.get("counts"), list) or not isinstance(data.get("runs"), list) \
            or not data["runs"]:
        raise InputError(f"row {label!r}: {file} has no 'counts' and 'runs' (expected the output of "
                         "'igeom train --json' or 'igeom experiment deepnet-gamma')")
    return data


def rows(specs: list[tuple[str, tuple[Path, ...]]]) -> list[tuple[str, Any, list[Any]]]:
    """(label, Imbalance, [Point]) per row; InputError for a file that is not a STEP gamma sweep."""
    from theory.core.errors import InputError
    from theory.core.imbalance import Imbalance
    from training.paper_figures import THEORY_FAMILY, Point

    out = []
    for label, paths in specs:
        files = [(path, _load(label, path)) for path in paths]
        counts = files[0][1]["counts"]
        points = []
        for path, data in files:
            if data["counts"] != counts:
                raise InputError(f"row {label!r}: {path} has counts {data['counts']}, not {counts}")
            try:
                points += [Point(str(r["loss"]), float(r["gamma"]), bool(r["zero_error"]), r["geometry"])
                           for r in data["runs"] if not r.get("diverged")]
            except (KeyError, TypeError, ValueError) as exc:
                raise InputError(f"row {label!r}: malformed runs in {path} ({type(exc).__name__}: {exc})") from None
        if len(set(counts)) != 2:
            raise InputError(f"row {label!r}: counts {counts} are not STEP (two values): Thm 2's curves "
                             "need a majority and a minority group")
        imbalance = Imbalance(counts)
        unknown = sorted({p.loss for p in points} - set(THEORY_FAMILY))
        if unknown or not points:
            raise InputError(f"row {label!r}: no gamma sweep to draw (losses {unknown or 'none'})")
        out.append((label, imbalance, points))
    return out


@guards_output("out", "--out", directory=False)
def run(args: argparse.Namespace) -> int:
    """Draw the figure; print its path (or the JSON summary)."""
    from training.paper_figures import figure_rows

    drawn = rows(args.rows)
    path = figure_rows(drawn, args.out)
    if args.json:
        emit_json({"figure": str(path), "rows": [{"label": label, "counts": imb.counts.tolist(), "runs": len(points)}
                                                 for label, imb, points in drawn]})
    else:
        print(path)
    return 0
