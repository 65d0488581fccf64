"""Deep nets written in the project (torchvision is not used): an MLP, a small CNN and ResNets.

Each maps an image batch (N, C, H, W) to penultimate features h (N, d) via ``features`` and to logits
W^T h via a bias-free linear classifier (as in the UFM and behnia2023 eq. 1), exposed as
``classifier_matrix`` (d x k). The ResNet follows He et al.'s basic block (two 3x3 convolutions with
batch normalisation and an identity or 1x1-projection shortcut), sized for 8 x 8 digits or 32 x 32 CIFAR;
``resnet18`` is the CIFAR variant of ResNet-18 used by behnia2023 App. A.2 and yang2022 Table 1 (3x3 stem,
no max-pool, stages 64-128-256-512 of two blocks each); ``resnet32`` is He et al.'s CIFAR ResNet-32 (Sec. 4.2 of
"Deep residual learning": 6n + 2 = 32 layers, n = 5 blocks in each of the stages 16-32-64), used by yang2022
App. D for Table 1. ``relu_features`` puts a ReLU on the penultimate
features (dang2024 Sec. 6: the UFM+ setting, H >= 0).
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from theory.core.errors import InputError
from theory.core.vocabulary import Architecture
from theory.core.validate import positive_int


class _Classified(nn.Module):
    """Common head of the nets below (each defines ``features``): ``forward(x) = classifier(features(x))``."""

    classifier: nn.Linear

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, k)."""
        return self.classifier(self.features(x))  # type: ignore[attr-defined]

    @property
    def classifier_matrix(self) -> torch.Tensor:
        """W (d x k): column c is the classifier vector w_c."""
        return self.classifier.weight.T


class MLP(_Classified):
    """Flatten -> [Linear -> ReLU] per hidden width -> Linear(d) features [-> ReLU] -> Linear(k, no bias).

    By default the feature layer is linear, so features are unconstrained in sign as in the UFM;
    ``relu_features=True`` makes them non-negative, the UFM+ setting of dang2024 (whose 6-layer MLP is
    ``hidden = (w,) * 4, d = w``: five ReLU layers and the classifier).
    """

    def __init__(self, in_features: int, k: int, d: int = 32, hidden: Sequence[int] = (128, 128),
                 relu_features: bool = False) -> None:
        super().__init__()
        in_features, k, d = positive_int("in_features", in_features), positive_int("k", k, 2), positive_int("d", d)
        widths = [in_features, *[positive_int("hidden width", h) for h in hidden], d]
        layers: list[nn.Module] = [nn.Flatten()]
        for a, b in zip(widths[:-2], widths[1:-1]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        layers.append(nn.Linear(widths[-2], d))
        if relu_features:
            layers.append(nn.ReLU())
        self.body = nn.Sequential(*layers)
        self.classifier = nn.Linear(d, k, bias=False)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate features (N, d)."""
        return self.body(x)


class BasicBlock(nn.Module):
    """3x3 conv-BN-ReLU, 3x3 conv-BN, plus shortcut (1x1 conv-BN when shape changes), then ReLU."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Residual block output."""
        out = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class ResNet(_Classified):
    """Stem conv -> ``depth`` BasicBlocks per stage width (the first of each later stage with stride 2) ->
    global average pool -> features [-> ReLU]. Average-pooled ReLU outputs are already non-negative,
    so ``relu_features`` only matters for the name: it is accepted for a uniform interface."""

    def __init__(self, in_channels: int, k: int, widths: Sequence[int] = (16, 32, 64), depth: int = 1,
                 relu_features: bool = False) -> None:
        super().__init__()
        in_channels, k = positive_int("in_channels", in_channels), positive_int("k", k, 2)
        widths = [positive_int("width", w) for w in widths]
        depth = positive_int("blocks per stage", depth)
        if not widths:
            raise InputError("ResNet needs at least one stage width")
        self.stem = nn.Sequential(nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False),
                                  nn.BatchNorm2d(widths[0]), nn.ReLU())
        blocks: list[nn.Module] = []
        for i, w in enumerate(widths):
            c_in = widths[max(i - 1, 0)]
            blocks.append(BasicBlock(c_in, w, stride=1 if i == 0 else 2))
            blocks += [BasicBlock(w, w) for _ in range(depth - 1)]
        self.blocks = nn.Sequential(*blocks)
        self.classifier = nn.Linear(widths[-1], k, bias=False)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Globally average-pooled features (N, widths[-1])."""
        return self.blocks(self.stem(x)).mean(dim=(2, 3))


class CNN(_Classified):
    """A small CNN for CPU runs: two [3x3 conv -> ReLU -> 2x2 max-pool] stages (c, 2c channels) ->
    flatten -> Linear(d) features [-> ReLU] -> Linear(k, no bias)."""

    def __init__(self, in_shape: Sequence[int], k: int, channels: int = 16, d: int = 32,
                 relu_features: bool = False) -> None:
        super().__init__()
        c_in, h, w = (positive_int("input size", v) for v in in_shape)
        c, d, k = positive_int("channels", channels), positive_int("d", d), positive_int("k", k, 2)
        if h < 4 or w < 4:
            raise InputError(f"the CNN pools twice: inputs need H, W >= 4, got {h} x {w}")
        layers: list[nn.Module] = [nn.Conv2d(c_in, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                   nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                                   nn.Linear(2 * c * (h // 4) * (w // 4), d)]
        if relu_features:
            layers.append(nn.ReLU())
        self.body = nn.Sequential(*layers)
        self.classifier = nn.Linear(d, k, bias=False)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate features (N, d)."""
        return self.body(x)


ARCHS = Architecture.names()


def build(arch: str, in_shape: Sequence[int], k: int, seed: int, **kwargs: object) -> _Classified:
    """An ``"mlp"``, ``"cnn"``, ``"resnet"``, ``"resnet18"`` (CIFAR ResNet-18) or ``"resnet32"`` for inputs of shape
    (C, H, W), initialised from ``seed`` without touching the global RNG state."""
    if arch not in ARCHS:
        raise InputError(f"unknown architecture {arch!r}; expected one of {', '.join(ARCHS)}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if arch == "mlp":
            c, h, w = in_shape
            return MLP(c * h * w, k, **kwargs)  # type: ignore[arg-type]
        if arch == "cnn":
            return CNN(in_shape, k, **kwargs)  # type: ignore[arg-type]
        if arch == "resnet18":
            kwargs = {"widths": (64, 128, 256, 512), "depth": 2, **kwargs}
        if arch == "resnet32":
            kwargs = {"widths": (16, 32, 64), "depth": 5, **kwargs}
        return ResNet(in_shape[0], k, **kwargs)  # type: ignore[arg-type]
