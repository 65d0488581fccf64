"""training.features (forward hook -> streaming statistics) and training.preset_training (presets in torch)."""

import numpy as np
import pytest
import torch

from theory.core.imbalance import Imbalance

from theory.core.errors import InputError
from theory.core.loss_presets import preset_loss
from training.features import collect_features, linear_classifier, nearest_centre_disagreement
from training.nets import MLP
from training.preset_training import log_preset_loss, train_ufm_presets


def _model_and_loader(seed=0, n=300, k=4):
    torch.manual_seed(seed)
    model = MLP(12, k, d=10, hidden=(16,))
    X = torch.randn(n, 12)
    y = torch.randint(0, k, (n,))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64)
    return model, loader, X, y


def test_hooked_features_equal_the_direct_computation():
    """Streaming through the hook on the classifier's input gives the class means and scatter of
    model.features(X) computed in one shot (float32 features, float64 statistics: 1e-10 relative)."""
    model, loader, X, y = _model_and_loader()
    model.train()
    stats = collect_features(model, model.classifier, loader, 4)
    assert model.training  # mode restored
    with torch.no_grad():
        H = model.features(X).double().numpy()
    yy = y.numpy()
    M = np.stack([H[yy == c].mean(axis=0) for c in range(4)])
    C = H - M[yy]
    np.testing.assert_array_equal(stats.counts, np.bincount(yy, minlength=4))
    assert np.abs(stats.means.T - M).max() <= 1e-10 * np.abs(M).max()
    assert np.abs(stats.within_scatter - C.T @ C).max() <= 1e-10 * np.abs(C.T @ C).max()
    W = linear_classifier(model.classifier)
    np.testing.assert_array_equal(W, model.classifier.weight.detach().double().numpy())
    # NC4 against a direct count: classifier decision vs nearest class mean
    logits = H @ W.T
    dist = ((H[:, None, :] - M[None, :, :]) ** 2).sum(axis=2)
    expected = float(np.mean(np.argmax(logits, axis=1) != np.argmin(dist, axis=1)))
    assert nearest_centre_disagreement(model, model.classifier, loader, stats.means, W) == expected


def test_hook_on_a_layer_output():
    model, loader, X, y = _model_and_loader(1)
    stats = collect_features(model, model.body, loader, 4, capture="output")
    with torch.no_grad():
        H = model.features(X).double().numpy()
    assert np.abs(stats.means @ stats.counts - H.sum(axis=0)).max() <= 1e-10 * np.abs(H).sum()


def test_hook_errors():
    model, loader, _, _ = _model_and_loader()
    with pytest.raises(InputError, match="not a module"):
        collect_features(model, torch.nn.Linear(2, 2), loader, 4)
    with pytest.raises(InputError, match="capture"):
        collect_features(model, model.classifier, loader, 4, capture="grad")
    with pytest.raises(InputError, match="nn.Linear"):
        linear_classifier(model.body)


@pytest.mark.parametrize("name,hp", [("CE", {}), ("wCE", {"gamma": 1.0}), ("CDT", {"gamma": 0.5}), ("LDT", {"gamma": -0.5}),
                                     ("VS", {"gamma": 0.5, "tau": 1.0}), ("LA", {"tau": 0.5}), ("balanced-softmax", {}),
                                     ("LDAM", {"ldam_c": 1.0}), ("focal", {"focal_gamma": 2.0})])
def test_torch_loss_equals_the_numpy_definition(name, hp):
    """exp(log_preset_loss) is the preset's loss (theory.core.loss_presets.PresetLoss.loss, itself checked against
    plain-loop references), to 1e-12."""
    counts = Imbalance([30, 30, 9, 4])
    rng = np.random.default_rng(0)
    z, y = 3.0 * rng.standard_normal((50, 4)), rng.integers(0, 4, 50)
    loss = preset_loss(name, counts, **hp)
    value = float(torch.exp(log_preset_loss(loss, torch.tensor(z), torch.tensor(y))))
    assert value == pytest.approx(loss.loss(z, y), rel=1e-12)


def test_tiny_losses_keep_finite_gradients():
    """Margins of 1000 (loss ~ e^-1000, below float64's range): log L and its gradient stay finite."""
    loss = preset_loss("LDAM", Imbalance([2, 2]), ldam_c=0.5)
    z = torch.tensor([[1000.0, 0.0], [0.0, 1000.0], [800.0, 0.0], [0.0, 900.0]], dtype=torch.float64, requires_grad=True)
    value = log_preset_loss(loss, z, torch.tensor([0, 1, 0, 1]))
    (g,) = torch.autograd.grad(value, z)
    assert torch.isfinite(value) and float(value.detach()) < -700 and torch.isfinite(g).all()


def test_autograd_gd_follows_the_analytic_trainer():
    """For CE the autograd GD path reproduces training.ufm's analytic-gradient loss-norm recipe (same seed, same
    initial point) to rounding: 1e-14 relative after 5 epochs. (The first steps of lr 300 multiply the norm by
    ~50, which amplifies rounding differences: measured 2e-10 after 10 epochs and 4e-6 after 30, so the
    comparison is made where both are still exact to rounding.)"""
    from training.specs import RunSpec
    from training.ufm import TrainConfig, UFMProblem, train_sweep

    problem = UFMProblem.step(4, 2, 4, 2, 6)
    config = TrainConfig(epochs=5, lr=300.0, normalize="loss-norm", dtype="float64", log_every=5)
    ref = train_sweep(problem, [RunSpec("CE", 0.0, 0)], config)
    ours = train_ufm_presets([preset_loss("CE", problem.imbalance)], 6, epochs=5, lr=300.0, seed=0)
    assert np.abs(ours.W[0] - ref.final_W[0]).max() <= 1e-14 * np.abs(ref.final_W[0]).max()
    assert np.abs(ours.H[0] - ref.final_H[0]).max() <= 1e-14 * np.abs(ref.final_H[0]).max()
