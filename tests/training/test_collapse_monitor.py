"""The training-loop monitor (training.collapse_monitor, issue 24) and its worked example docs/examples/monitor_digits.py:
the TensorBoard event file and the Parquet table it writes are read back and checked against the metrics
recomputed here from the final model's features; modes, gradients and hooks are left as they were."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

from theory.core.errors import InputError
from theory.core.measure import center, nc1, normalized_distance
from training.collapse_monitor import CollapseMonitor

ROOT = Path(__file__).resolve().parents[2]


def _example():
    spec = importlib.util.spec_from_file_location("monitor_digits", ROOT / "docs" / "examples" / "monitor_digits.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_example_writes_tensorboard_and_parquet_that_read_back(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from proofs_check.tasks.feature_measurement import PredictionSpec, predict
    from training.data import digits_step

    monitor = _example().main(tmp_path, epochs=4, every=2, quiet=True)
    table = pd.read_parquet(tmp_path / "collapse.parquet")
    assert table["epoch"].tolist() == [2, 4]
    events = list((tmp_path / "tb").glob("events.out.tfevents.*"))
    assert len(events) == 1
    acc = EventAccumulator(str(events[0]))
    acc.Reload()
    for name in ("nc1", "nc1_cdnv", "nc2", "nc2_etf", "nc3", "nc4", "distance_W", "seconds"):
        scalars = acc.Scalars(f"collapse/{name}")
        assert [s.step for s in scalars] == [2, 4]
        # TensorBoard stores float32: equal to the table's float64 to 2^-24 relative
        np.testing.assert_allclose([s.value for s in scalars], table[name], rtol=2.0**-23)
    # the last row against the definitions, recomputed from the final model's features on all samples
    data = digits_step(k_minor=5, R=10, n_min=15, seed=0)
    model = monitor.model
    model.eval()
    with torch.no_grad():
        H = model.features(data.X_train).double().numpy()
    y = data.y_train.numpy()
    last = table.iloc[-1]
    assert last["nc1"] == pytest.approx(float(nc1(H.T, y, 10)), rel=1e-8)
    M = np.stack([H[y == c].mean(axis=0) for c in range(10)], axis=1)
    W = model.classifier.weight.detach().double().numpy()
    ncc = np.argmin(((H[:, :, None] - M[None]) ** 2).sum(axis=1), axis=1)
    assert last["nc4"] == pytest.approx(np.mean(ncc != np.argmax(H @ W.T, axis=1)), abs=1e-15)
    prediction = predict(data.imbalance.counts, PredictionSpec("CE"))
    Mc = center(M, prediction.centering)
    assert last["nc2"] == pytest.approx(float(normalized_distance(Mc.T @ Mc, prediction.geometry.G_M)), rel=1e-9)
    assert last["n"] == y.size and (table["seconds"] > 0).all()


class _Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.BatchNorm1d(8), torch.nn.Dropout(0.5),
                                        torch.nn.ReLU(), torch.nn.Linear(8, 6))
        self.classifier = torch.nn.Linear(6, 3, bias=False)

    def forward(self, x):
        return self.classifier(self.body(x))


def _setup(seed=0):
    torch.manual_seed(seed)
    X, y = torch.randn(90, 5), torch.arange(90) % 3
    return _Net(), torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32)


def test_a_measurement_restores_modes_and_leaves_training_state_alone(tmp_path):
    """Eval mode during the measurement (BatchNorm's running statistics untouched, dropout off: two
    measurements agree exactly), every module's own mode restored, no gradient, no hook left behind."""
    model, loader = _setup()
    model.train()
    model.body[2].eval()  # a module deliberately in the other mode
    bn = model.body[1]
    running = bn.running_mean.clone()
    calls = []
    monitor = CollapseMonitor(model, model.classifier, loader, 3, every=3, unit="step", table=tmp_path / "t.csv",
                              callback=lambda i, m, row: calls.append((i, row["nc1"])))
    results = [monitor.tick() for _ in range(7)]
    assert [r is not None for r in results] == [False, False, True, False, False, True, False]
    assert [c[0] for c in calls] == [3, 6] and calls[0][1] == calls[1][1]  # deterministic in eval mode
    assert torch.equal(bn.running_mean, running)
    assert model.training and not model.body[2].training and model.body[1].training
    assert all(p.grad is None for p in model.parameters())
    assert not model.classifier._forward_hooks
    assert (tmp_path / "t.csv").read_text().splitlines()[0].startswith("step,seconds,n,nc1")


def test_the_monitor_refuses_bad_settings(tmp_path):
    model, loader = _setup()
    with pytest.raises(InputError, match="nn.Linear"):
        CollapseMonitor(model, model.body, loader, 3)
    with pytest.raises(InputError, match="unit"):
        CollapseMonitor(model, model.classifier, loader, 3, unit="batch")
    with pytest.raises(InputError, match="parquet or .csv"):
        CollapseMonitor(model, model.classifier, loader, 3, table=tmp_path / "t.json")
    with pytest.raises(InputError, match="outputs"):
        CollapseMonitor(model, model.classifier, loader, 4)
    with pytest.raises(InputError, match="modules of the model"):
        CollapseMonitor(model, torch.nn.Linear(6, 3), loader, 3)
