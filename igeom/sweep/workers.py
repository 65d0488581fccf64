"""Set-up of the embedded cluster's worker processes: intra-op threads and pre-imported modules.

Imported only when a LocalCluster starts (it imports :mod:`distributed`).
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

from distributed import WorkerPlugin

#: intra-op thread variables set for embedded worker processes (read by OpenMP, MKL, OpenBLAS at load)
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


class ThreadLimit(WorkerPlugin):
    """``threads`` intra-op threads in a worker process (torch when imported, and every BLAS/OpenMP pool
    that threadpoolctl finds), applied when the worker starts: modules a forkserver imported before the
    worker's environment variables were set obey it too."""

    name = "igeom-thread-limit"

    def __init__(self, threads: int) -> None:
        self.threads = threads

    def setup(self, worker: Any) -> None:  # noqa: ARG002 - the WorkerPlugin interface
        """Apply the limit in the worker's process, which also ignores Ctrl-C: a terminal's SIGINT reaches the
        whole process group, and the sweep's own process stops the cluster (workers printing their
        KeyboardInterrupt tracebacks was 57 lines on stderr)."""
        import signal
        import threading

        from threadpoolctl import threadpool_limits

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)

        threadpool_limits(self.threads)
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(self.threads)


def forkserver_preload(modules: Sequence[str]) -> None:
    """Make embedded workers fork from a server process that has imported ``modules`` (a kind's
    :attr:`~igeom.sweep.kinds.Kind.modules`). Takes effect when this process starts its first
    forkserver (the first cluster); later clusters reuse that server and import the rest on demand."""
    from distributed.utils import get_mp_context

    get_mp_context().set_forkserver_preload(["distributed", "igeom.sweep.engine", *modules])
