"""Atomic result files and resumable training checkpoints.

Every file goes through :func:`theory.infra.atomic.write_atomic` (temporary name in the target directory, then
``os.replace``), so a reader (or a resumed run) sees either the old file or the complete new one, never a
partial write.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import torch

from theory.infra.atomic import write_atomic


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` as indented JSON, atomically."""
    return write_atomic(path, json.dumps(obj, indent=1))


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` atomically."""
    return write_atomic(path, text)


def save_state(path: str | os.PathLike, state: dict[str, Any]) -> Path:
    """``torch.save`` a training state atomically."""
    buf = io.BytesIO()
    torch.save(state, buf)
    return write_atomic(path, buf.getvalue())


def load_state(path: str | os.PathLike) -> dict[str, Any] | None:
    """The state saved by :func:`save_state`, or ``None`` when no checkpoint exists."""
    p = Path(path)
    if not p.is_file():
        return None
    return torch.load(p, map_location="cpu", weights_only=False)
