"""Neural-collapse metrics inside a training loop: every N steps or epochs, measure on a given loader and log.

:class:`CollapseMonitor` attaches to a model's classifier (an ``nn.Linear``, rows w_c of its weight) and reads
the penultimate features with a forward hook on it (its input; or the output of another ``feature_layer``).
A measurement puts the model in eval mode, runs the loader under ``torch.no_grad()`` with the hook attached
(pass 1: :class:`training.collapse_stream.CollapseAccumulator`; pass 2, unless ``nc4=False``: the NC4
decisions), removes the hook and restores the mode of every module, then computes
:class:`theory.core.measure.CollapseMetrics` (NC1 trace form and CDNV, NC2 to the simplex ETF and, given a
``predicted`` geometry, to the geometry the loss predicts for these counts, NC3, NC4, GNC2, UNC3, the Gram
distances) and logs the scalars to TensorBoard (``torch.utils.tensorboard``, needs the optional
``tensorboard`` package), to a Parquet or CSV table (rewritten after each measurement) and to a callback.
Between measurements nothing is attached: training runs at its own speed.

Cost of one measurement: one forward pass over the loader per pass (two with NC4) plus the accumulation,
O(n d^2 + n d k) flops in float64 on the features' device; each row of the table records its wall seconds
(``seconds``). docs/monitor.md states the measured figures.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import torch

from theory.core.errors import InputError
from theory.core.measure import CollapseMetrics, Conventions
from theory.core.validate import positive_int
from training.collapse_stream import CollapseAccumulator, DecisionAccumulator

UNITS = ("step", "epoch")


class CollapseMonitor:
    """Measure NC metrics every ``every`` steps or epochs (``unit``) on ``loader`` (module docstring).

    ``model``: the network; ``classifier``: its last ``nn.Linear`` (k x d weight, rows w_c; a bias is not part
    of the geometry and is left out); ``loader``: yields (inputs, integer labels) batches; ``k``: classes.
    ``feature_layer``/``capture``: where the features are read (default: the classifier's input).
    ``predicted``/``centering``: Gram matrices G_W, G_M, G_WM of a predicted geometry and how the measured
    means are centred for them (see :func:`theory.core.measure.collapse_metrics`); ``conventions``: the
    metric conventions (docs/metrics.md). Sinks: ``tensorboard`` (a log directory or a ``SummaryWriter``),
    ``table`` (a ``.parquet`` or ``.csv`` path), ``callback(index, metrics, row)``.
    """

    def __init__(self, model: torch.nn.Module, classifier: torch.nn.Module, loader: Iterable, k: int, *,
                 every: int = 1, unit: str = "epoch", feature_layer: torch.nn.Module | None = None,
                 capture: str = "input", device: torch.device | str | None = None, nc4: bool = True,
                 predicted: Any = None, centering: Any = "global", conventions: Conventions = Conventions(),
                 tensorboard: Any = None, table: str | Path | None = None,
                 callback: Callable[[int, CollapseMetrics, dict], None] | None = None, tag: str = "collapse") -> None:
        if not isinstance(classifier, torch.nn.Linear):
            raise InputError(f"the classifier must be an nn.Linear, got {type(classifier).__name__}")
        layer = classifier if feature_layer is None else feature_layer
        if not any(m is layer for m in model.modules()) or not any(m is classifier for m in model.modules()):
            raise InputError("the classifier and the feature layer must be modules of the model")
        if capture not in ("input", "output"):
            raise InputError(f"capture must be 'input' or 'output', got {capture!r}")
        if unit not in UNITS:
            raise InputError(f"unit must be one of {', '.join(UNITS)}, got {unit!r}")
        self.model, self.classifier, self.layer, self.loader = model, classifier, layer, loader
        self.k = positive_int("k", k, minimum=2)
        if classifier.out_features != self.k:
            raise InputError(f"the classifier has {classifier.out_features} outputs but k = {self.k}")
        self.every, self.unit, self.capture, self.nc4 = positive_int("every", every), unit, capture, nc4
        self.device = device
        self.predicted, self.centering, self.conventions = predicted, centering, conventions
        self.callback, self.tag = callback, tag
        self.table = None if table is None else Path(table)
        if self.table is not None and self.table.suffix not in (".parquet", ".csv"):
            raise InputError(f"the table must be a .parquet or .csv file, got {self.table.name}")
        self._writer = self._open_writer(tensorboard)
        self.rows: list[dict[str, Any]] = []
        self._count = 0

    @staticmethod
    def _open_writer(tensorboard: Any) -> Any:
        if tensorboard is None or hasattr(tensorboard, "add_scalar"):
            return tensorboard
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise InputError("TensorBoard logging needs the optional package tensorboard (pip install tensorboard)") from None
        return SummaryWriter(log_dir=str(tensorboard))

    # ----------------------------------------------------------------------------------------- schedule
    def tick(self, index: int | None = None) -> CollapseMetrics | None:
        """Call once per step or epoch (``unit``); measures when the running count (or ``index``, 1-based)
        is a multiple of ``every``. Returns the metrics when it measured, else ``None``."""
        self._count = self._count + 1 if index is None else int(index)
        if self._count % self.every:
            return None
        return self.measure(self._count)

    # -------------------------------------------------------------------------------------- measurement
    def _features(self, sink: Callable[[torch.Tensor, torch.Tensor], None]) -> None:
        seen: list[torch.Tensor] = []

        def hook(_module: torch.nn.Module, inputs: tuple, output: torch.Tensor) -> None:
            seen.append((inputs[0] if self.capture == "input" else output).detach())

        device = self.device or next(self.model.parameters()).device
        handle = self.layer.register_forward_hook(hook)
        try:
            for batch in self.loader:
                x, y = batch[0], batch[1]
                seen.clear()
                self.model(x.to(device))
                if len(seen) != 1:
                    raise InputError(f"the hooked layer ran {len(seen)} times in one forward pass; hook a layer "
                                     "that runs once")
                sink(seen[0].reshape(seen[0].shape[0], -1), torch.as_tensor(y).to(seen[0].device))
        finally:
            handle.remove()

    def measure(self, index: int) -> CollapseMetrics:
        """One measurement now (eval mode, no gradients, modes restored), logged under ``index``."""
        modes = [(m, m.training) for m in self.model.modules()]
        start = time.perf_counter()
        self.model.eval()
        try:
            with torch.no_grad():
                acc: list[CollapseAccumulator] = []

                def first(h: torch.Tensor, y: torch.Tensor) -> None:
                    if not acc:
                        acc.append(CollapseAccumulator(self.k, h.shape[1], device=h.device))
                    acc[0].update(h, y)

                self._features(first)
                if not acc:
                    raise InputError("the loader yielded no batch")
                W = self.classifier.weight.detach()
                decisions: DecisionAccumulator | None = None
                if self.nc4:
                    decisions = acc[0].decisions(W.to(acc[0].device))
                    self._features(lambda h, y: decisions.update(h, y))
                metrics = acc[0].compute(W, decisions, self.predicted, self.centering, self.conventions)
        finally:
            for m, mode in modes:
                m.training = mode
        seconds = time.perf_counter() - start
        row = {self.unit: int(index), "seconds": seconds, "n": int(metrics.counts.sum()), **metrics.scalars()}
        self.rows.append(row)
        self._log(index, metrics, row)
        return metrics

    # ------------------------------------------------------------------------------------------ logging
    def _log(self, index: int, metrics: CollapseMetrics, row: dict[str, Any]) -> None:
        if self._writer is not None:
            for name, value in row.items():
                if name != self.unit and value is not None and math.isfinite(value):
                    self._writer.add_scalar(f"{self.tag}/{name}", value, index)
            self._writer.flush()
        if self.table is not None:
            self._write_table()
        if self.callback is not None:
            self.callback(index, metrics, row)

    def _write_table(self) -> None:
        import pandas as pd

        from theory.infra.atomic import write_atomic

        frame = pd.DataFrame(self.rows)
        self.table.parent.mkdir(parents=True, exist_ok=True)
        if self.table.suffix == ".csv":
            write_atomic(self.table, frame.to_csv(index=False))
        else:
            tmp = self.table.with_name(self.table.name + ".tmp")
            frame.to_parquet(tmp, index=False)
            tmp.replace(self.table)

    def close(self) -> None:
        """Flush and close the TensorBoard writer the monitor opened."""
        if self._writer is not None:
            self._writer.flush()
            self._writer.close()
