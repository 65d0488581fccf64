"""What a person sees in the figures (issue 22 item 6): Fig. 1's legend names each vector once; measure.png
numbers classes 1..k like check_param.png and the tables, and no two tick labels of an axis overlap."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def kept_figures(monkeypatch):
    """The figures a plotting function closes, kept open for inspection."""
    kept = []
    monkeypatch.setattr(plt, "close", lambda fig=None: kept.append(fig))
    yield kept
    monkeypatch.undo()
    plt.close("all")


def test_fig1_legend_has_no_repeated_label(tmp_path, kept_figures) -> None:
    from proofs_check.report_figures import geometry_3d

    geometry_3d(Path(tmp_path / "fig1.png"))
    (fig,) = kept_figures
    labels = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert len(labels) == 6 and len(set(labels)) == len(labels), labels


def _overlaps(labels) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent()) for t in labels if t.get_visible() and t.get_text()]
    return [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1:] if ba.overlaps(bb)]


@pytest.mark.parametrize("k", [4, 40])
def test_measure_png_classes_are_1_to_k_and_ticks_do_not_overlap(tmp_path, kept_figures, k) -> None:
    from proofs_check.tasks.feature_measurement import PredictionSpec, measure, plot

    counts = np.array([30] * (k // 2) + [3] * (k - k // 2))
    y = np.repeat(np.arange(k), counts)
    rng = np.random.default_rng(0)
    means = rng.standard_normal((k, k + 2))
    X = means[y] + 0.1 * rng.standard_normal((y.size, k + 2))
    plot(measure(X, y, means, PredictionSpec("CE")), tmp_path / "measure.png")
    (fig,) = kept_figures
    fig.canvas.draw()
    heat = [ax for ax in fig.axes if ax.images]
    assert heat
    for ax in heat:
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        assert ticks[0] == "1" and all(1 <= int(t) <= k for t in ticks), ticks  # 1-based, as check_param.png
        if k <= 16:
            assert ticks == [str(c) for c in range(1, k + 1)]
    for ax in fig.axes:
        for labels in (ax.get_xticklabels(), ax.get_yticklabels(),
                       ax.get_xticklabels(minor=True) + ax.get_xticklabels()):
            assert not _overlaps(labels), (ax.get_title(), _overlaps(labels))
