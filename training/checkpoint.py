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

from theory.core.errors import InputError
from theory.infra.atomic import write_atomic
from theory.infra.jsonout import dumps


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` as indented JSON, atomically."""
    return write_atomic(path, dumps(obj, indent=1))


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` atomically."""
    return write_atomic(path, text)


def save_state(path: str | os.PathLike, state: dict[str, Any]) -> Path:
    """``torch.save`` a training state atomically."""
    buf = io.BytesIO()
    torch.save(state, buf)
    return write_atomic(path, buf.getvalue())


def load_state(path: str | os.PathLike) -> dict[str, Any] | None:
    """The state saved by :func:`save_state`, or ``None`` when no checkpoint exists.

    Read with ``torch.load(weights_only=True)``: only tensors and plain types are unpickled, so a crafted
    file cannot run code. A file that is not such a dictionary (empty, truncated, random bytes, another
    format) is :class:`InputError` naming it; the caller validates the entries against its sweep."""
    p = Path(path)
    if not p.is_file():
        return None
    try:
        state = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types (EOFError, RuntimeError, UnpicklingError, ...)
        raise InputError(f"checkpoint {p} cannot be read ({type(exc).__name__}): it is corrupt or not a "
                         "checkpoint; remove it or use another --out") from None
    if not isinstance(state, dict):
        raise InputError(f"checkpoint {p} holds a {type(state).__name__}, not a checkpoint; remove it or use "
                         "another --out")
    return state


def read_json(path: str | os.PathLike, keys: tuple[str, ...]) -> dict[str, Any]:
    """The JSON object in ``path``, which must have ``keys``; :class:`InputError` naming the file when
    it is not valid JSON, not an object, or lacks a key."""
    p = Path(path)
    try:
        obj = json.loads(p.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{p} is not valid JSON ({exc}); remove it or use another --out") from None
    if not isinstance(obj, dict) or not all(key in obj for key in keys):
        raise InputError(f"{p} is not a results file (expected an object with keys {', '.join(keys)}); "
                         "remove it or use another --out")
    return obj
