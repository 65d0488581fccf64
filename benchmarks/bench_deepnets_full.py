"""Time of the deep-net part of ``igeom verify --level full`` (issue 21: the full level within 20 minutes on 2
cores): the six deep-net claims, filtered with ``--claim``, on the data the full level chooses (Fashion-MNIST when
Debian's dataset-fashion-mnist is installed), in a child process. Prints the wall time, the child's CPU time (user
+ system: on a shared machine the wall time scales with the load, the CPU time much less) and the load average
before and after. On an idle 2-core machine the wall time lies between CPU / 2 (both cores busy throughout) and
CPU (one).

Run: ``python benchmarks/bench_deepnets_full.py [--out DIR]`` from the repository root.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

CLAIMS = ("behnia2023 Fig. 3 deep nets", "behnia2023 Fig. 5", "dang2024 NC deep nets", "dang2024 Cor. 4(a) deep nets",
          "yang2022 Table 1 deep nets", "yang2022 Fig. 4 deep nets")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="bench-deepnets-report", help="report directory (replaced)")
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    argv = [sys.executable, "-c", "import sys; from igeom.cli import main; sys.exit(main())", "verify", "--level",
            "full", "--out", args.out]
    for claim in CLAIMS:
        argv += ["--claim", claim]
    load0, t0 = os.getloadavg(), time.perf_counter()
    rc = subprocess.call(argv, cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    print(f"exit {rc}; wall {wall:.0f} s; CPU {cpu:.0f} s (user {usage.ru_utime:.0f}, system {usage.ru_stime:.0f}); "
          f"load average before {load0[0]:.1f}, after {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
