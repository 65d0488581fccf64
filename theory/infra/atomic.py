"""Atomic file writes: write to a temporary name in the same directory, then rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from theory.core.errors import InputError


def write_atomic(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` (text or bytes) to ``path`` so that readers never see a half-written file."""
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{target} is a directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb" if isinstance(data, bytes) else "w") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; results are meant to be shared
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


_RENAME_EXCHANGE = 2  # linux/fs.h: swap two paths atomically (renameat2, Linux >= 3.15, glibc >= 2.28)
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap the directories ``a`` and ``b`` in one step with ``renameat2(RENAME_EXCHANGE)``; ``False``
    where the platform, C library or file system does not offer it."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def replace_directory(staged: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Put the complete directory ``staged`` at ``target`` (same parent file system), replacing what was
    there as a whole: a reader of ``target`` sees the old set of files or the new one, never a mix, and
    no file of the old set survives beside the new one.

    Where the kernel offers it the two directories are exchanged in one step and the old one is then
    removed; elsewhere the old directory is first renamed aside (for that instant ``target`` is absent,
    which a reader also never mistakes for a mixed set).
    """
    import shutil

    staged, target = Path(staged), Path(target)
    if not staged.is_dir():
        raise ValueError(f"{staged} is not a directory")
    if not target.exists():
        os.rename(staged, target)
        return target
    if not target.is_dir():
        raise ValueError(f"{target} exists and is not a directory")
    if _exchange(staged, target):
        shutil.rmtree(staged)  # now holds the old set
        return target
    aside = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old."))
    os.rename(target, aside / target.name)
    os.rename(staged, target)
    shutil.rmtree(aside)
    return target
