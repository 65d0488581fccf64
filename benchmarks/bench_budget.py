"""Up-front estimates of theory.infra.budget against measured peak memory and wall time.

Each case runs in a fresh interpreter (heavy imports done before the clock starts); the peak resident
memory (ru_maxrss) includes the imports, as the estimates do (BASE_MEMORY). Prints estimate, measurement
(median of ``--repeat`` runs) and their ratio side by side; the models are meant to be right within a
factor of a few (enough to refuse impossible work), not to predict run times.

    python benchmarks/bench_budget.py [--repeat 3] [--case TEXT]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from theory.infra import budget

ROOT = Path(__file__).resolve().parents[1]
PRE = "import numpy, scipy, cvxpy, torch, resource, time\n"
POST = "\nprint(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)"
SVM = ("from theory.core.imbalance import Imbalance\nfrom theory.core.parameterization import Parameterization\n"
       "from theory.seli.step_setting import step_delta\nfrom theory.seli.seli_geometry import step_counts\n")


def cases() -> list[tuple[str, str, budget.Estimate]]:
    """(label, code timed after ``t0``, estimate) of each measured case."""
    geo = ("from theory.seli.step_geometry import predict_step\nfrom theory.seli.step_setting import StepSetting\n"
           "t0 = time.perf_counter()\n")
    cs = SVM + "from numerics.cs_svm import solve_cs_svm\nt0 = time.perf_counter()\n"
    nc = SVM + "from numerics.nonconvex import solve_nonconvex\nt0 = time.perf_counter()\n"
    up = ("from numerics.ufm_plus_solver import UFMPlusProblem, solve\nfrom theory.core.imbalance import Imbalance\nfrom theory.ufm_plus.closed_form import predict\n"
          "t0 = time.perf_counter()\n")
    tr = ("from training.ufm import TrainConfig, UFMProblem, train_sweep\nfrom training.specs import RunSpec\n"
          "t0 = time.perf_counter()\n")
    par = "Parameterization.from_name('CDT', step_delta({k}, {m}, 2.0))"
    return [
        ("geometry numeric k=40", geo + "predict_step(StepSetting('CDT', 40, 20, 10.0, 2.0), method='numeric')",
         budget.geometry_numeric(40)),
        ("svm class level k=150", cs + f"solve_cs_svm(step_counts(150, 75, 10.0, 5), {par.format(k=150, m=75)}, "
         "reduced=True)", budget.cs_svm(150, 150)),
        ("svm sample level k=40 n=1100", cs + f"solve_cs_svm(Imbalance.step(40, 20, 10.0, 5), {par.format(k=40, m=20)})",
         budget.cs_svm(40, 1100)),
        ("svm nonconvex k=10 n=275 d=1000", nc + "solve_nonconvex(Imbalance.step(10, 5, 10.0, 5), "
         f"{par.format(k=10, m=5)}, d=1000, starts=1)", budget.nonconvex_svm(10, 275, 1000)),
        ("ufm-plus closed form K=2000", up + "predict([5] * 1000 + [2] * 1000, 1e-3, 1e-3)",
         budget.ufm_plus_closed_form(2000)),
        ("ufm-plus solve K=20 N=200 d=40 2 starts", up + "solve(UFMPlusProblem(Imbalance([15] * 10 + [5] * 10), 5e-3, 5e-3, 40), "
         "starts=2)", budget.ufm_plus_solve(20, 200, 40, 2)),
        ("train 26 models k=10 n=275 d=20 6000 epochs", tr + "train_sweep(UFMProblem.step(10, 5, 10.0, 5, 20), "
         "[RunSpec('CDT', g / 10, 0) for g in range(26)], TrainConfig(epochs=6000))",
         budget.ufm_sweep(26, 10, 275, 20, 6000, 100)),
        ("train 1 model 6000 epochs, log every epoch", tr + "train_sweep(UFMProblem.step(10, 5, 10.0, 5, 20), "
         "[RunSpec('CDT', 0.5, 0)], TrainConfig(epochs=6000, log_every=1))", budget.ufm_sweep(1, 10, 275, 20, 6000, 1)),
    ]


def measure(code: str) -> tuple[float, float]:
    """(seconds, peak bytes) of ``code`` in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", PRE + code + POST], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout.split()
    return float(out[-2]), float(out[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--case", default="", help="only the cases whose label contains this text")
    args = parser.parse_args()
    print(f"{'case':45}{'est. memory':>13}{'peak':>11}{'ratio':>7}{'est. time':>11}{'median':>9}{'ratio':>7}")
    for label, code, est in cases():
        if args.case not in label:
            continue
        runs = [measure(code) for _ in range(args.repeat)]
        seconds = statistics.median(r[0] for r in runs)
        peak = statistics.median(r[1] for r in runs)
        print(f"{label:45}{budget.human_bytes(est.memory):>13}{budget.human_bytes(peak):>11}{est.memory / peak:7.2f}"
              f"{budget.human_seconds(est.seconds):>11}{seconds:9.2f}{est.seconds / seconds:7.2f}", flush=True)


if __name__ == "__main__":
    main()
