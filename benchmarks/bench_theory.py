"""Theory-core timings (issue: cold derivation <= 10 s, cached <= 0.5 s, `igeom geometry` <= 2 s).

Each figure is the median of several runs, each in a fresh Python process:
  cold    derive every closed form of CE/CDT/LDT with an empty disk cache
  cached  load them from the disk cache (the state every run after the first is in)
  cli     wall time of `igeom geometry ... --json` including interpreter start-up, symbolic and numeric
Ratios are printed against the cold derivation. Run: python benchmarks/bench_theory.py [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = ("import time, theory.seli.closed_forms as cf; t = time.perf_counter(); cf.closed_forms(); "
         "print(time.perf_counter() - t)")


def timed_child(cache: str) -> float:
    env = {**os.environ, "IGEOM_CACHE_DIR": cache}
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def wall(cmd: list[str], cache: str) -> float:
    env = {**os.environ, "IGEOM_CACHE_DIR": cache}
    t = time.perf_counter()
    subprocess.run(cmd, env=env, capture_output=True, check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    igeom = [sys.executable, "-m", "igeom.cli", "geometry", "--loss", "CDT", "--k", "10", "--k-minor", "5",
             "--R", "10", "--gamma", "0.5", "--json"]
    cold, cached, cli_sym, cli_num = [], [], [], []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(timed_child(cache))
            cached.append(timed_child(cache))
            cli_sym.append(wall(igeom, cache))
            cli_num.append(wall(igeom + ["--method", "numeric"], cache))
    rows = [("cold derivation (CE, CDT, LDT; 42 forms)", cold, 10.0),
            ("cached load from disk", cached, 0.5),
            ("igeom geometry --json, symbolic (wall)", cli_sym, 2.0),
            ("igeom geometry --json, numeric (wall)", cli_num, 2.0)]
    base = statistics.median(cold)
    print(f"{'figure':44}{'median s':>10}{'min s':>9}{'target s':>10}{'vs cold':>9}")
    for name, vals, target in rows:
        med = statistics.median(vals)
        print(f"{name:44}{med:10.3f}{min(vals):9.3f}{target:10.1f}{med / base:9.3f}")
    print(f"({args.repeats} repeats, load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
