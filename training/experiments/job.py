"""An experiment as a resumable job in an output directory.

``--out DIR`` holds ``job.json`` (the settings, written first), one ``NAME.ckpt`` per training program
(the atomic checkpoint written after every epoch, reloaded with ``torch.load(..., weights_only=True)``),
the figures, and ``results.json`` (the report; also the marker of a finished job: running again returns
it unchanged). A directory holding a different experiment's settings is refused. Every file is written
through :func:`theory.infra.atomic.write_atomic`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from theory.core.errors import InputError
from training.checkpoint import write_json


class Job:
    """Output directory of one experiment run (or no directory: nothing is written, nothing resumed)."""

    def __init__(self, out: str | Path | None, settings: dict[str, Any]) -> None:
        self.settings = json.loads(json.dumps(settings))  # plain JSON types, as stored
        self.out = None if out is None else Path(out)
        if self.out is None:
            return
        if self.out.exists() and not self.out.is_dir():
            raise InputError(f"--out {self.out} exists and is not a directory")
        stored = self.out / "job.json"
        if stored.is_file():
            if json.loads(stored.read_text()) != self.settings:
                raise InputError(f"{self.out} holds a different experiment or settings; use another --out directory")
        else:
            self.out.mkdir(parents=True, exist_ok=True)
            write_json(stored, self.settings)

    def finished(self) -> dict[str, Any] | None:
        """The stored report of a finished job, else None."""
        if self.out is None or not (self.out / "results.json").is_file():
            return None
        return json.loads((self.out / "results.json").read_text())

    def checkpoint(self, name: str) -> tuple[Path | None, dict | None]:
        """(checkpoint path, the state to resume from or None) of training program ``name``."""
        if self.out is None:
            return None, None
        path = self.out / f"{name}.ckpt"
        return path, (torch.load(path, map_location="cpu", weights_only=True) if path.is_file() else None)

    def path(self, name: str) -> Path | None:
        """Where output file ``name`` goes (None without --out)."""
        return None if self.out is None else self.out / name

    def finish(self, report: dict[str, Any]) -> dict[str, Any]:
        """Store the report (atomically) and return it."""
        if self.out is not None:
            write_json(self.out / "results.json", report)
        return report
