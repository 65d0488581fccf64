"""Imported first by the forkserver of an embedded cluster (:func:`igeom.sweep.workers.forkserver_preload`),
never by the sweep's own process: the forkserver and the worker processes forked from it ignore Ctrl-C.

A terminal's SIGINT reaches the whole process group; the sweep's process alone handles it (exit 130, one
line) and stops the cluster. Without this the forkserver, still importing torch for the workers, and
the workers printed their own KeyboardInterrupt tracebacks (57 lines on stderr, issue 26). The
forkserver restores the handlers it found for each child, so the workers inherit SIG_IGN.
"""

from __future__ import annotations

import signal
import sys


def _in_forkserver() -> bool:
    """True while ``multiprocessing.forkserver.main`` imports its preload modules (an import anywhere else,
    e.g. a test that imports every module, changes nothing)."""
    frame = sys._getframe()
    while frame is not None:
        if frame.f_code.co_name == "main" and frame.f_code.co_filename.endswith("forkserver.py"):
            return True
        frame = frame.f_back
    return False


if _in_forkserver():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
