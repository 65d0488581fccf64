#!/usr/bin/env bash
# CUDA checks of the deep-net program, for a session on a GPU machine (run from the repository root):
#   1. the gpu-marked tests (CPU vs CUDA agreement, sweep vs models alone, NaN isolation);
#   2. the epoch time of a 13-model ResNet-18 gamma sweep on CIFAR-10-shaped data (STEP R = 10,
#      n = 27500), batched against one model at a time (benchmarks/bench_deepnet.py --cuda-resnet18).
# No dataset is needed: the timing uses seeded random images of CIFAR-10's shape and counts.
set -euo pipefail
PY=${PYTHON:-python}
"$PY" -c "import torch; assert torch.cuda.is_available(), 'no CUDA'; print(torch.cuda.get_device_name(0))"
"$PY" -m pytest -q -m gpu tests/training/test_batched_gpu.py
"$PY" benchmarks/bench_deepnet.py --cuda-resnet18 --repeats "${REPEATS:-2}"
