"""Figures of a results table: a phase diagram over two grid axes and curves over one axis.

``phase_diagram``: the mean of a metric over the other parameters (e.g. seeds), one cell per (x, y)
grid value, values printed in the cells. ``curves``: the mean of a metric over seeds against one axis,
one line per value of an optional ``hue`` column, with the min-max band over seeds shaded.
Axis values are categorical (cells and points are placed at the grid values' ranks for the phase
diagram, at their numeric values for curves). Only rows with status ``ok`` are drawn.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from theory.core.errors import InputError
from theory.core.vocabulary import TaskOutcome
from theory.infra.atomic import write_atomic


def _frame(results: Any, columns: list[str]) -> Any:
    import pandas as pd

    df = results if isinstance(results, pd.DataFrame) else pd.read_parquet(results)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"results have no column {missing[0]!r} (columns: {', '.join(map(str, df.columns))})")
    if "status" in df.columns:
        df = df[df["status"] == str(TaskOutcome.OK)]
    if df[columns[-1]].notna().sum() == 0:
        raise InputError(f"no finished row has a value of {columns[-1]!r}")
    return df


def pooled_columns(df: Any, keep: list[str]) -> list[str]:
    """The parameter columns a figure averages over: every parameter of the results' kind (columns of
    :data:`igeom.sweep.kinds.KINDS`; ``seed`` when the kind is unknown) other than ``keep`` that takes more
    than one value among the rows drawn. A figure's title and ``igeom sweep-plot`` name them."""
    from igeom.sweep.kinds import KINDS

    kinds = set(df["kind"].dropna()) if "kind" in df.columns else set()
    names = [p.name for p in KINDS[kinds.pop()].params] if len(kinds) == 1 and next(iter(kinds)) in KINDS else ["seed"]
    out = []
    for name in names:
        if name in df.columns and name not in keep:
            try:
                varies = df[name].nunique(dropna=False) > 1
            except TypeError:  # unhashable cells
                varies = df[name].astype(str).nunique() > 1
            if varies:
                out.append(name)
    return out


def pooled_words(pooled: list[str]) -> str:
    """``"seed, R"``, or ``"nothing"`` when a figure averages over no parameter."""
    return ", ".join(pooled) if pooled else "nothing"


def _text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _save(fig: Any, path: str | Path) -> Path:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return write_atomic(path, buf.getvalue())


def phase_diagram(results: Any, x: str, y: str, metric: str, path: str | Path, title: str | None = None) -> Path:
    """PNG of ``metric`` (mean over the other columns) over the grid of ``x`` (columns) and ``y`` (rows)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = _frame(results, [x, y, metric])
    table = df.pivot_table(index=y, columns=x, values=metric, aggfunc="mean").sort_index().sort_index(axis=1)
    values = table.to_numpy(dtype=float)
    size = (max(4.0, 1.6 + 0.62 * values.shape[1]), max(3.0, 1.4 + 0.45 * values.shape[0]))
    fig, ax = plt.subplots(figsize=size, constrained_layout=True)
    im = ax.imshow(np.ma.masked_invalid(values), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(values.shape[1]), [_text(v) for v in table.columns], rotation=60 if values.shape[1] > 8 else 0)
    ax.set_yticks(range(values.shape[0]), [_text(v) for v in table.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if values.size <= 400:
        lo, hi = np.nanmin(values), np.nanmax(values)
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=6,
                        color="white" if v < (lo + hi) / 2 else "black")
    fig.colorbar(im, ax=ax, label=metric)
    pooled = pooled_columns(df, [x, y])
    ax.set_title(title or f"{metric} over {y} x {x}" + (f" (mean over {pooled_words(pooled)})" if pooled else ""),
                 fontsize=9)
    return _save(fig, path)


def curves(results: Any, x: str, metric: str, path: str | Path, hue: str | None = None,
           band: str = "seed", title: str | None = None) -> Path:
    """PNG of ``metric`` against ``x``, one line per ``hue`` value: the mean of the rows that share x (and
    hue), their min-max range shaded; the title names every parameter pooled into them
    (:func:`pooled_columns`: the seeds, and any other parameter that varies, e.g. R). ``band`` is kept
    for callers; the pooled columns decide."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = _frame(results, [x] + ([hue] if hue else []) + [metric])
    pooled = pooled_columns(df, [x] + ([hue] if hue else []))
    fig, ax = plt.subplots(figsize=(6.4, 4.2), constrained_layout=True)
    for label, part in (df.groupby(hue, sort=True) if hue else [(None, df)]):
        stats = part.groupby(x, sort=True)[metric].agg(["mean", "min", "max", "count"])
        line, = ax.plot(stats.index, stats["mean"], marker="o", ms=3,
                        label=None if hue is None else f"{hue}={_text(label)}")
        if pooled and (stats["count"] > 1).any():
            ax.fill_between(stats.index, stats["min"], stats["max"], color=line.get_color(), alpha=0.25, lw=0)
    ax.set_xlabel(x)
    ax.set_ylabel(metric)
    if hue:
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(title or f"{metric} against {x}" + (f" (mean and min-max over {pooled_words(pooled)})" if pooled else ""),
                 fontsize=9)
    return _save(fig, path)


def default_figure(spec: Any, results: str | Path, path: str | Path) -> Path:
    """``igeom sweep --plot``: the kind's default metric as a phase diagram over the first two grid axes
    with several values (seed excluded), or as curves over the one such axis."""
    axes = [k for k, v in spec.grid.items() if len(v) > 1 and k != "seed"]
    metric = spec.task_kind.metric
    if len(axes) >= 2:
        return phase_diagram(results, axes[0], axes[1], metric, path)
    if len(axes) == 1:
        return curves(results, axes[0], metric, path)
    raise InputError("--plot needs a grid key other than seed with at least two values")
