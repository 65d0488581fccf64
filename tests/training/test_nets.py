"""Deep nets written in the project, trained on STEP-imbalanced digits with the UFM's measurements."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from training.data import digits_step
from training.batched import SGDConfig
from training.deepnet import NetConfig, train_nets
from training.measurements import measure
from training.nets import MLP, ResNet, build
from training.specs import RunSpec


@pytest.mark.parametrize("arch,shape", [("mlp", (1, 8, 8)), ("cnn", (1, 8, 8)), ("cnn", (3, 32, 32)),
                                        ("resnet", (1, 8, 8)), ("resnet", (3, 32, 32))])
@pytest.mark.parametrize("relu", [False, True])
def test_shapes_and_bias_free_classifier(arch: str, shape: tuple[int, int, int], relu: bool) -> None:
    net = build(arch, shape, k=10, seed=0, relu_features=relu,
                **({"d": 12} if arch in ("mlp", "cnn") else {"widths": (4, 8, 12)}))
    x = torch.rand(5, *shape)
    with torch.no_grad():
        feats = net.features(x)
    assert feats.shape == (5, 12)
    assert net.classifier.bias is None and net.classifier_matrix.shape == (12, 10)
    with torch.no_grad():
        torch.testing.assert_close(net(x), feats @ net.classifier_matrix)
    if relu or arch == "resnet":  # ReLU features, and average-pooled ReLU outputs, are non-negative
        assert float(feats.min()) >= 0.0
    else:  # a linear feature layer gives features of both signs
        assert float(feats.min()) < 0.0 < float(feats.max())


def test_resnet18_cifar_variant() -> None:
    """ResNet-18 (CIFAR): 3x3 stem, stages 64-128-256-512 of two basic blocks, 512-d features; a
    projection shortcut exactly where the shape changes (3 stages); 11,173,962 parameters in the usual
    CIFAR ResNet-18 (kuangliu/pytorch-cifar), less the 10 biases of its last layer."""
    net = build("resnet18", (3, 32, 32), k=10, seed=0)
    assert net.features(torch.rand(2, 3, 32, 32)).shape == (2, 512)
    assert len(net.blocks) == 8 and net.stem[0].kernel_size == (3, 3)
    projections = [b for b in net.blocks if not isinstance(b.shortcut, torch.nn.Identity)]
    assert len(projections) == 3
    assert sum(p.numel() for p in net.parameters()) == 11_173_962 - 10


def test_resnet32_cifar_variant() -> None:
    """ResNet-32 (He et al. 2016, Sec. 4.2; yang2022 App. D): a 3x3 stem of 16 maps, then 3 stages of n = 5 basic
    blocks with 16, 32, 64 maps (6n + 2 = 32 weighted layers), 64-d average-pooled features. He et al. give 0.46M
    parameters with zero-padding shortcuts; here the two stage changes use 1x1 projections (+ batch norm), counted
    below from that description."""
    net = build("resnet32", (3, 32, 32), k=10, seed=0)
    assert net.features(torch.rand(2, 3, 32, 32)).shape == (2, 64)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d) and m.kernel_size == (3, 3)]
    assert len(convs) + 1 == 32  # 31 3x3 convolutions and the classifier
    conv3 = lambda a, b: 9 * a * b  # noqa: E731
    bn = lambda c: 2 * c  # noqa: E731
    stem = conv3(3, 16) + bn(16)
    stage = lambda c_in, c: conv3(c_in, c) + conv3(c, c) + 2 * bn(c) + 4 * (2 * conv3(c, c) + 2 * bn(c))  # noqa: E731
    projections = (16 * 32 + bn(32)) + (32 * 64 + bn(64))
    expected = stem + stage(16, 16) + stage(16, 32) + stage(32, 64) + projections + 64 * 10
    assert sum(p.numel() for p in net.parameters()) == expected
    assert abs(expected - 0.46e6) < 0.01e6


def test_build_is_seeded_and_leaves_the_global_rng_alone() -> None:
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a, b, c = build("mlp", (1, 8, 8), 10, seed=4), build("mlp", (1, 8, 8), 10, seed=4), build("mlp", (1, 8, 8), 10, seed=5)
    assert torch.equal(torch.rand(1), before)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters()))
    with pytest.raises(ValueError, match="unknown architecture"):
        build("vgg", (1, 8, 8), 10, seed=0)
    with pytest.raises(ValueError, match="H, W >= 4"):
        build("cnn", (1, 2, 2), 10, seed=0)
    with pytest.raises(ValueError):
        MLP(64, 1)
    with pytest.raises(ValueError):
        ResNet(1, 10, widths=())


def test_mlp_interpolates_step_digits_and_is_measured() -> None:
    """Measured fact: a width-16 MLP trained with CE reaches zero training error on (5, 1/2)-STEP
    digits (n = 300) within 60 epochs, with the loss down tenfold; the geometry is measurable
    (finite distances) and the balanced test accuracy exceeds 70 %."""
    data = digits_step(k_minor=5, R=5, n_min=10, seed=0)
    sgd = SGDConfig(epochs=60, lr=0.05, momentum=0.9, batch_size=64)
    result = train_nets(data, [RunSpec("CE", 0.0, 0)], NetConfig(arch="mlp", width=16, sgd=sgd, log_every=20, device="cpu"))
    meas = measure(result)
    assert meas.train_error[-1, 0] == 0.0 and meas.zero_error[0]
    assert meas.loss[-1, 0] < 0.1 * meas.loss[0, 0]
    assert np.isfinite(result.test_class_accuracy).all() and result.test_class_accuracy[-1].mean() > 0.7
    for key in ("W", "M", "WM"):
        assert np.isfinite(meas.distance[key]).all()
