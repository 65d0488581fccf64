"""The logged history of a UFM sweep, held in memory or streamed to a file beside the checkpoint.

Each logged epoch is one fixed-size float64 record: the epoch, W and the class means M (B, d, k each),
the loss (B,) and the per-class training accuracy (B, k). Without a checkpoint the records stay in
memory. With one they are appended to ``<checkpoint>.history`` as they are logged, so a long sweep does
not grow in memory and no checkpoint rewrites the history: the checkpoint stores only the number of
records it covers, and resuming truncates the file to that number (records logged after the last
checkpoint are logged again, identically, by the resumed run).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from theory.core.errors import InputError


class SweepLog:
    """Records of B models of width d over k classes; see the module docstring."""

    def __init__(self, models: int, d: int, k: int, path: str | os.PathLike | None = None) -> None:
        self.shape = (models, d, k)
        self.size = 1 + 2 * models * d * k + models + models * k
        self.path = None if path is None else Path(path)
        self._records: list[np.ndarray] = []
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def append(self, epoch: int, W: torch.Tensor, M: torch.Tensor, loss: torch.Tensor, acc: torch.Tensor) -> None:
        """Add the record of one logged epoch (tensors on any device, converted to float64)."""
        parts = [torch.tensor([float(epoch)], dtype=torch.float64)] + [
            t.detach().to(device="cpu", dtype=torch.float64).reshape(-1) for t in (W, M, loss, acc)]
        record = torch.cat(parts).numpy()
        if record.size != self.size:
            raise ValueError(f"history record of {record.size} numbers, expected {self.size}")
        if self.path is None:
            self._records.append(record)
        else:
            with open(self.path, "ab") as fh:
                fh.write(record.tobytes())
        self._count += 1

    def sync(self) -> None:
        """Make the appended records durable (called before a checkpoint that counts them is written)."""
        if self.path is not None:
            with open(self.path, "ab") as fh:
                os.fsync(fh.fileno())

    def resume(self, count: int) -> None:
        """Keep the first ``count`` records of the file (the ones the checkpoint covers; 0: a fresh sweep)."""
        if self.path is None:
            raise ValueError("an in-memory history has nothing to resume")
        want = count * self.size * 8
        have = self.path.stat().st_size if self.path.is_file() else 0
        if have < want:
            raise InputError(f"history file {self.path} holds {have // (self.size * 8)} records but the "
                             f"checkpoint covers {count}; it is truncated or belongs to another run")
        with open(self.path, "ab") as fh:
            fh.truncate(want)
        self._count = count

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(epochs (T,), W (T, B, d, k), M (T, B, d, k), loss (T, B), acc (T, B, k)) as float64 arrays."""
        if self.path is None:
            flat = np.stack(self._records) if self._records else np.empty((0, self.size))
        else:
            flat = np.fromfile(self.path, dtype=np.float64, count=self._count * self.size).reshape(self._count, self.size)
        B, d, k = self.shape
        cuts = np.cumsum([1, B * d * k, B * d * k, B])
        epochs, W, M, loss, acc = np.split(flat, cuts, axis=1)
        T = flat.shape[0]
        return (epochs[:, 0].astype(np.int64), W.reshape(T, B, d, k), M.reshape(T, B, d, k), loss.reshape(T, B),
                acc.reshape(T, B, k))
