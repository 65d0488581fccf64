#!/usr/bin/env bash
# CUDA checks, for a session on a GPU machine (run from the repository root; logs go to $OUT when set):
#   1. the gpu-marked tests (CPU vs CUDA agreement, sweep vs models alone, NaN isolation);
#   2. the Fig. 2 UFM sweep (26 models x 6000 epochs) as one batched program, CPU against CUDA;
#   3. the digits deep-net sweep (13 models, MLP and small ResNet) as one program, CPU against CUDA;
#   4. the epoch time of a 13-model ResNet-18 gamma sweep on CIFAR-10-shaped data (STEP R = 10,
#      n = 27500), batched against one model at a time, exact float32 and TF32 (timed on 10 steps and
#      scaled to the epoch's 215; benchmarks/bench_deepnet.py --cuda-resnet18).
# No dataset is needed: the ResNet-18 timing uses seeded random images of CIFAR-10's shape and counts.
# Each step has its own time limit, so one slow step cannot take the others' figures with it.
set -uo pipefail
PY=${PYTHON:-python}
LOG=${OUT:-.}/gpu_check.log
export PYTHONUNBUFFERED=1 PYTHONPATH=${PYTHONPATH:+$PYTHONPATH:}$PWD
step() { local limit=$1; shift; echo "== $* (limit ${limit} s)" | tee -a "$LOG"
         timeout "$limit" "$@" 2>&1 | tee -a "$LOG"; echo "== exit ${PIPESTATUS[0]}" | tee -a "$LOG"; }
step 30 "$PY" -c "import torch; assert torch.cuda.is_available(), 'no CUDA'; print(torch.__version__, torch.cuda.get_device_name(0), torch.get_num_threads(), 'CPU threads')"
step 100 "$PY" -m pytest -q -p no:cacheprovider -m gpu tests/training/test_batched_gpu.py
step 90 "$PY" benchmarks/bench_ufm_sweep.py --repeats "${REPEATS:-3}" --no-baseline
step 100 "$PY" benchmarks/bench_deepnet.py --cpu-vs-cuda --repeats "${REPEATS:-3}" --epochs 5
step 150 "$PY" benchmarks/bench_deepnet.py --cuda-resnet18 --repeats 1 --steps 10
step 100 "$PY" benchmarks/bench_deepnet.py --cuda-resnet18 --repeats 1 --steps 10 --tf32
# issue 24: the streaming NC accumulator on CUDA against the CPU, and the monitor's cost per measurement
# against a ResNet-18 epoch of CIFAR-10's size (random images; 50,000 x 3 x 32 x 32, batch 128)
step 100 "$PY" -m pytest -q -p no:cacheprovider -m gpu tests/training/test_collapse_stream.py
step 200 "$PY" benchmarks/bench_monitor.py --arch resnet18 --device cuda --n 50000 --batch 128 --k 10 --repeats 1
