"""behnia2023 Fig. 2 (measured vs predicted geometry over gamma) and Fig. 4 (distance vs epoch), as PNG.

Theory curves come from :func:`theory.seli.step_geometry.predict_step` (the SymPy closed forms); VS is drawn
against CDT's curve and CE/wCE against CE's value (offsets and weights do not change the geometry).
Markers are the measured values at the last logged epoch, green where the run reached zero training
error and purple where it did not (the paper's convention). This module only draws: the training behind
the paper's figures is in :func:`training.convergence_study.paper_figures` (``igeom experiment figures``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from theory.core.imbalance import Imbalance
from theory.seli.step_geometry import predict_step
from theory.seli.step_setting import StepSetting
from theory.infra.atomic import write_atomic
from training.measurements import DISTANCES, Measurements

PANELS = [("W", "norm_ratio", "$\\|w_{maj}\\|^2/\\|w_{min}\\|^2$"), ("W", "cos_maj_maj", "cos(w_maj, w_maj')"),
          ("W", "cos_min_min", "cos(w_min, w_min')"), ("W", "cos_maj_min", "cos(w_maj, w_min)"),
          ("M", "norm_ratio", "$\\|\\mu_{maj}\\|^2/\\|\\mu_{min}\\|^2$"), ("M", "cos_maj_maj", "cos(mu_maj, mu_maj')"),
          ("M", "cos_min_min", "cos(mu_min, mu_min')"), ("M", "cos_maj_min", "cos(mu_maj, mu_min)"),
          ("WM", "cos_maj", "cos(w_maj, mu_maj)"), ("WM", "cos_min", "cos(w_min, mu_min)")]
THEORY_FAMILY = {"CDT": "CDT", "VS": "CDT", "LDT": "LDT", "CE": "CE", "wCE": "CE"}
COLORS = {"CDT": "tab:blue", "LDT": "tab:orange", "CE": "tab:gray"}
MARKERS = {"CDT": "o", "LDT": "s", "VS": "^", "CE": "D", "wCE": "v"}
ZERO_ERROR, NONZERO_ERROR = "tab:green", "tab:purple"


def _step_setting(imbalance: Imbalance) -> tuple[int, int, float]:
    maj, mnr = imbalance.groups()
    return imbalance.k, int(mnr.size), float(imbalance.counts[maj][0]) / float(imbalance.counts[mnr][0])


def theory_curves(families: Sequence[str], imbalance: Imbalance, gammas: np.ndarray) -> dict[str, dict[str, dict[str, np.ndarray]]]:
    """predict_step values {family: {block: {key: array over gammas}}} for CE/CDT/LDT families."""
    k, k_minor, R = _step_setting(imbalance)
    out: dict[str, dict[str, dict[str, np.ndarray]]] = {}
    for fam in families:
        preds = [predict_step(StepSetting(fam, k, k_minor, R, 1.0 if fam == "CE" else R ** g)) for g in gammas]
        out[fam] = {blk: {key: np.array([np.nan if p[blk][key] is None else p[blk][key] for p in preds])
                          for key in preds[0][blk]} for blk in ("W", "M", "WM")}
    return out


@dataclass(frozen=True)
class Point:
    """One trained model's marker: its loss, gamma, whether it reached zero training error, and its
    measured (centred) group quantities {block: {key: value}} at the last logged epoch."""

    loss: str
    gamma: float
    zero_error: bool
    geometry: Mapping[str, Mapping[str, float | None]]


def _panel(ax, panel: tuple[str, str, str], grid: np.ndarray, curves: Mapping, k: int,  # noqa: ANN001 - Axes
           points: Sequence[Point]) -> None:
    """One panel of Fig. 2: Thm 2 curves of the families present, the ETF value dashed, the markers."""
    blk, key, label = panel
    for fam in curves:
        ax.plot(grid, curves[fam][blk][key], color=COLORS[fam], lw=1.5, label=f"{fam} (Thm 2)")
    ax.axhline(1.0 if key == "norm_ratio" or blk == "WM" else -1.0 / (k - 1), color="k", ls="--", lw=0.8)
    for p in points:
        value = p.geometry[blk][key]
        ax.scatter(p.gamma, np.nan if value is None else value, marker=MARKERS[p.loss], s=30, zorder=3,
                   color=ZERO_ERROR if p.zero_error else NONZERO_ERROR, edgecolor=COLORS[THEORY_FAMILY[p.loss]])
    ax.set_xlabel("gamma  (Delta = R^gamma)")
    ax.set_title(label, fontsize=10)
    if key == "norm_ratio":
        ax.set_yscale("log")


def _legend(*axes) -> tuple[list, list[str]]:  # noqa: ANN002 - Axes
    """The curves of ``axes`` (each label once), the two marker colours and the ETF line."""
    import matplotlib.pyplot as plt

    seen: dict[str, object] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(label, handle)
    handles, labels = list(seen.values()), list(seen)
    handles += [plt.Line2D([], [], ls="", marker="o", color=ZERO_ERROR), plt.Line2D([], [], ls="", marker="o", color=NONZERO_ERROR),
                plt.Line2D([], [], ls="--", color="k")]
    return handles, labels + ["SGD, zero training error", "SGD, training error > 0", "ETF"]


def _save(fig, path: str | Path) -> Path:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    out = write_atomic(path, buf.getvalue())
    plt.close(fig)
    return out


def figure2(meas: Measurements, imbalance: Imbalance, path: str | Path, title: str | None = None) -> Path:
    """Fig. 2: measured (markers) vs predicted (lines) geometry over gamma; ETF values dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k, _, R = _step_setting(imbalance)
    gammas = np.array([s.gamma for s in meas.specs])
    grid = np.linspace(min(-1.5, gammas.min()), max(1.5, gammas.max()), 61)
    families = sorted({THEORY_FAMILY[s.loss] for s in meas.specs})
    curves = theory_curves(families, imbalance, grid)
    fig, axes = plt.subplots(3, 4, figsize=(15, 10.5), constrained_layout=True)
    points = [Point(s.loss, s.gamma, bool(z), {blk: {key: float(meas.centred[blk][key][-1, b]) for key in vals}
                                                for blk, vals in meas.centred.items()})
              for b, (s, z) in enumerate(zip(meas.specs, meas.zero_error))]
    for ax, panel in zip(axes.flat, PANELS):
        _panel(ax, panel, grid, curves, k, points)
    for ax in axes.flat[len(PANELS):]:
        ax.axis("off")
    axes.flat[-1].legend(*_legend(axes.flat[0]), loc="center")
    fig.suptitle(title or f"Measured (epoch {int(meas.epochs[-1])}) vs predicted geometry; k={k}, R={R:g}, "
                 "class means centred per Remark 4")
    return _save(fig, path)


def figure_rows(rows: Sequence[tuple[str, Imbalance, Sequence[Point]]], path: str | Path,
                title: str | None = None) -> Path:
    """behnia2023 Figs. 2 and 3 side by side: one row of the ten Fig. 2 panels per model (e.g. the UFM,
    an MLP and a ResNet), each row's markers on the Thm 2 curves of its own STEP counts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(rows), len(PANELS), figsize=(2.7 * len(PANELS), 2.6 * len(rows) + 0.8),
                             constrained_layout=True, squeeze=False)
    for ax_row, (label, imbalance, points) in zip(axes, rows):
        k, _, R = _step_setting(imbalance)
        gammas = np.array([p.gamma for p in points])
        grid = np.linspace(min(-1.5, gammas.min()), max(1.5, gammas.max()), 61)
        curves = theory_curves(sorted({THEORY_FAMILY[p.loss] for p in points}), imbalance, grid)
        for ax, panel in zip(ax_row, PANELS):
            _panel(ax, panel, grid, curves, k, points)
            ax.set_xlabel("")
        ax_row[0].set_ylabel(f"{label}\nk={k}, R={R:g}", fontsize=11)
    for ax in axes[-1]:
        ax.set_xlabel("gamma")
    fig.legend(*_legend(*axes[:, 0]), loc="outside lower center", ncol=6, fontsize=9)
    fig.suptitle(title or "Measured (markers) vs Thm 2 (lines) over gamma; class means centred per Remark 4")
    return _save(fig, path)


def figure4(curves: Sequence[tuple[str, np.ndarray, dict[str, np.ndarray]]], path: str | Path,
            title: str | None = None) -> Path:
    """Fig. 4: Appendix A.4 distances vs epoch; ``curves`` holds (label, epochs, {"W","M","WM": values})."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4), constrained_layout=True)
    names = {"W": "$W^TW$", "M": "$M^TM$ (centred)", "WM": "$W^TM$"}
    for ax, key in zip(axes, DISTANCES):
        for label, epochs, dist in curves:
            ax.plot(np.maximum(epochs, 1), dist[key], label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_title(f"distance of {names[key]} to Thm 2")
        ax.grid(alpha=0.3)
    axes[-1].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return _save(fig, path)
