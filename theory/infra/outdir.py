"""Output locations checked before the work starts, and locked while a command writes them.

Each command that writes files (``--out DIR``, ``--sheet FILE``) calls :func:`claim_output` first:

- the location is validated up front: not ``''``, not below a plain file, a directory (or a file)
  as asked, creatable and writable (a probe file is created and removed) - otherwise
  :class:`InputError` (exit 2) before any computation;
- an exclusive lock is taken for the whole run: ``.NAME.igeom-lock`` beside the target holds the PID
  of the writer and is locked with ``fcntl.flock``. The kernel drops the lock when its process dies,
  so a lock file left by a killed run (a dead PID) is simply taken over; a second live writer gets
  :class:`InputError` naming the PID that holds it;
- an ``OSError`` raised while the command runs (disk full, directory removed, permissions changed) is
  re-raised as :class:`OutputError` (a :class:`ComputationError`, exit 1) with one line naming the path;
- when the command fails, the directories the check created and that are still empty are removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path
from typing import Iterator

from theory.core.errors import ComputationError, InputError


class OutputError(ComputationError):
    """Writing a result failed (an ``OSError`` after the checks); the message names the path."""


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor or ".")


def _ensure_directory(directory: Path, option: str, target: str) -> None:
    """Create ``directory`` (and parents) and prove it writable with a probe file."""
    existing = _nearest_existing(directory)
    if not existing.is_dir():
        raise InputError(f"{option} {target!r}: {existing} is a file, not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".igeom-probe.")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(f"{option} {target!r}: cannot write in {directory} ({exc.strerror or exc})") from None


def check_output(path: str | os.PathLike, option: str, directory: bool = True) -> Path:
    """Validate an output location before any work (see the module docstring); returns it as a Path.

    ``directory=True``: ``path`` is a directory to create or reuse; ``False``: a file to (over)write.
    """
    text = os.fspath(path)
    if not str(text).strip():
        raise InputError(f"{option} must name a {'directory' if directory else 'file'}, got {text!r}")
    target = Path(text)
    if directory:
        if target.exists() and not target.is_dir():
            raise InputError(f"{option} {text!r} exists and is not a directory")
        _ensure_directory(target, option, text)
    else:
        if target.is_dir():
            raise InputError(f"{option} {text!r} is a directory, not a file")
        if target.exists() and not os.access(target, os.W_OK):
            raise InputError(f"{option} {text!r} is not writable")
        _ensure_directory(target.parent, option, text)
    return target


def lock_path(target: Path) -> Path:
    """The lock file of an output location: ``.NAME.igeom-lock`` in its parent directory."""
    resolved = target.resolve()
    return resolved.parent / f".{resolved.name or 'root'}.igeom-lock"


@contextlib.contextmanager
def output_lock(target: Path, option: str) -> Iterator[Path]:
    """Hold the exclusive lock of ``target`` for the duration of the block (see the module docstring)."""
    path = lock_path(target)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise InputError(f"{option} {os.fspath(target)!r} is in use by process {holder} "
                             f"(lock {path}); wait for it or choose another location") from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino  # not unlinked by a releasing holder meanwhile
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.close(fd)


@contextlib.contextmanager
def output_errors(target: Path) -> Iterator[None]:
    """Re-raise an ``OSError`` of the block as one-line :class:`OutputError` naming the file."""
    try:
        yield
    except BrokenPipeError:
        raise  # the reader of stdout went away: not a file error (the CLI exits quietly)
    except OSError as exc:
        name = exc.filename if exc.filename is not None else target
        raise OutputError(f"I/O error on {os.fspath(name)}: {exc.strerror or exc}") from None


def _remove_empty_chain(deepest: Path, top: Path) -> None:
    """Remove ``deepest`` and its parents up to ``top`` while they are empty directories."""
    current = deepest
    while True:
        try:
            current.rmdir()
        except OSError:
            return
        if current == top or current == current.parent:
            return
        current = current.parent


@contextlib.contextmanager
def claim_output(path: str | os.PathLike, option: str, directory: bool = True) -> Iterator[Path]:
    """Check ``path`` (:func:`check_output`), lock it (:func:`output_lock`) and turn later OSErrors into
    :class:`OutputError` for the duration of the block. When the block raises (bad input found by the
    command, a failed computation, Ctrl-C), the directories that the check created and that are still
    empty are removed again: refused work leaves no output location behind."""
    text = os.fspath(path)
    folder = Path(text) if directory else Path(text).parent
    missing = [d for d in (folder, *folder.parents) if not d.exists()] if str(text).strip() else []
    try:
        target = check_output(path, option, directory)
        with output_lock(target, option), output_errors(target):
            yield target
    except BaseException:
        if missing:
            _remove_empty_chain(folder, missing[-1])
        raise
