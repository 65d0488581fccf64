"""Collect a network's penultimate features into the streaming NC accumulator (``igeom measure``'s Python API).

A forward hook on a chosen module records either its input (hook the final ``nn.Linear``: the input is the
penultimate feature h and the weight is the classifier W, rows w_c) or its output (hook the feature layer);
a DataLoader is run through the model under ``torch.no_grad()`` on any device, and each batch is folded
into a :class:`training.collapse_stream.CollapseAccumulator` in float64 on the features' device, so the
features never sit in memory whole (nor leave the device). The result goes to
:func:`proofs_check.tasks.feature_measurement.measure_statistics` or :meth:`CollapseAccumulator.compute`.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import torch

from theory.core.errors import InputError
from training.collapse_stream import CollapseAccumulator, DecisionAccumulator

CAPTURE = ("input", "output")


def _run(model: torch.nn.Module, layer: torch.nn.Module, loader: Iterable, capture: str,
         device: torch.device | str, sink) -> None:
    """Run ``loader`` through ``model`` with a hook on ``layer`` handing (features, labels) to ``sink``."""
    if capture not in CAPTURE:
        raise InputError(f"capture must be one of {', '.join(CAPTURE)}, got {capture!r}")
    if not any(m is layer for m in model.modules()):
        raise InputError("the hooked layer is not a module of the model")
    seen: list[torch.Tensor] = []

    def hook(_module: torch.nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        seen.append((inputs[0] if capture == "input" else output).detach())

    handle = layer.register_forward_hook(hook)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            for batch in loader:
                x, y = batch[0], batch[1]
                seen.clear()
                model(x.to(device))
                if len(seen) != 1:
                    raise InputError(f"the hooked layer ran {len(seen)} times in one forward pass; hook a layer that runs once")
                sink(seen[0].reshape(seen[0].shape[0], -1), torch.as_tensor(y))
    finally:
        handle.remove()
        model.train(was_training)


def collect_features(model: torch.nn.Module, layer: torch.nn.Module, loader: Iterable, k: int, *,
                     capture: str = "input", device: torch.device | str = "cpu") -> CollapseAccumulator:
    """Class counts, means and within-class scatter of the features seen at ``layer`` over ``loader``.

    ``loader`` yields (inputs, labels) batches (a DataLoader); labels are integers in [0, k). The model is
    put in eval mode for the pass and restored afterwards; ``device`` is where the inputs are sent (the
    model must already be there).
    """
    for name, value in (("model", model), ("layer", layer)):
        if not isinstance(value, torch.nn.Module):
            raise InputError(f"{name} must be a torch.nn.Module, got {type(value).__name__}")
    stats: list[CollapseAccumulator] = []

    def sink(feats: torch.Tensor, y: torch.Tensor) -> None:
        if not stats:
            stats.append(CollapseAccumulator(k, feats.shape[1], device=feats.device))
        stats[0].update(feats, y)

    _run(model, layer, loader, capture, device, sink)
    if not stats:
        raise InputError("the loader yielded no batch")
    return stats[0]


def nearest_centre_disagreement(model: torch.nn.Module, layer: torch.nn.Module, loader: Iterable,
                                means: np.ndarray, classifier: np.ndarray, *, capture: str = "input",
                                device: torch.device | str = "cpu") -> float:
    """NC4 over ``loader`` (second pass): the fraction of samples whose classifier decision differs from the
    nearest class mean (:class:`training.collapse_stream.DecisionAccumulator`); ``means`` d x k, ``classifier``
    k x d."""
    agreement = DecisionAccumulator(np.asarray(means, dtype=np.float64).T, classifier, device=device)
    _run(model, layer, loader, capture, device, lambda feats, y: agreement.update(feats, y))
    return agreement.disagreement


def linear_classifier(layer: torch.nn.Module) -> np.ndarray:
    """The weight of an ``nn.Linear`` head as the k x d classifier (rows w_c), float64. A bias is not part
    of the UFM's geometry (behnia2023 eq. 3 has none) and is left out."""
    if not isinstance(layer, torch.nn.Linear):
        raise InputError(f"the classifier must be an nn.Linear, got {type(layer).__name__}")
    return layer.weight.detach().to("cpu", torch.float64).numpy().copy()
