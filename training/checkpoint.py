"""Atomic result files and resumable training checkpoints.

Every file is written to a temporary name in the target directory and renamed over the target with
``os.replace``, so a reader (or a resumed run) sees either the old file or the complete new one, never a
partial write.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import torch


def atomic_write(path: str | os.PathLike, write: Callable[[Any], None], binary: bool = True) -> Path:
    """Call ``write(file_object)`` on a temporary file next to ``path``, then rename it to ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb" if binary else "w") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are meant to be shared
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` as indented JSON, atomically."""
    return atomic_write(path, lambda fh: json.dump(obj, fh, indent=1), binary=False)


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` atomically."""
    return atomic_write(path, lambda fh: fh.write(text), binary=False)


def save_state(path: str | os.PathLike, state: dict[str, Any]) -> Path:
    """``torch.save`` a training state atomically."""
    buf = io.BytesIO()
    torch.save(state, buf)
    return atomic_write(path, lambda fh: fh.write(buf.getvalue()))


def load_state(path: str | os.PathLike) -> dict[str, Any] | None:
    """The state saved by :func:`save_state`, or ``None`` when no checkpoint exists."""
    p = Path(path)
    if not p.is_file():
        return None
    return torch.load(p, map_location="cpu", weights_only=False)
