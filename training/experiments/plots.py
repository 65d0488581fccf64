"""Small plotting helpers of the deep-net experiments (PNG written atomically)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Sequence

import numpy as np

from theory.infra.atomic import write_atomic


def pyplot():  # noqa: ANN201 - the matplotlib.pyplot module, on the non-interactive Agg backend
    """matplotlib.pyplot with the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_png(fig, path: str | Path) -> Path:  # noqa: ANN001 - a matplotlib Figure
    """Write ``fig`` as PNG atomically and close it."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    pyplot().close(fig)
    return write_atomic(path, buf.getvalue())


def curves(ax, x: np.ndarray, ys: np.ndarray, labels: Sequence[str], cmap: str = "viridis") -> None:  # noqa: ANN001
    """One line per row of ``ys`` (NaN gaps kept), coloured along ``cmap``, with ``labels``."""
    colors = pyplot().get_cmap(cmap)(np.linspace(0.0, 0.9, max(len(labels), 1)))
    for y, label, c in zip(ys, labels, colors):
        ax.plot(x, y, color=c, lw=1.2, label=label)
