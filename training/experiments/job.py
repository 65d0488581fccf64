"""An experiment as a resumable job in an output directory.

``--out DIR`` holds ``job.json`` (the settings, written when the first training program starts, so that a run
refused for its inputs leaves nothing behind), one ``NAME.ckpt`` per training program
(the atomic checkpoint written after every epoch, reloaded with ``torch.load(..., weights_only=True)``),
the figures, and ``results.json`` (the report; also the marker of a finished job: running again returns
it unchanged). A directory holding a different experiment's settings is refused. Every file is written
through :func:`theory.infra.atomic.write_atomic`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from theory.core.errors import InputError
from training.checkpoint import load_state, read_json, write_json


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
        self._started = stored.is_file()
        if self._started and read_json(stored, ()) != self.settings:
            raise InputError(f"{self.out} holds a different experiment or settings ({stored}); use another --out "
                             "directory")
        if not self._started and (self.out / "results.json").is_file():
            raise InputError(f"{self.out / 'results.json'} has no job.json beside it; remove it or use another --out")

    def _start(self) -> None:
        """Write ``job.json`` (once, when the work starts: the inputs have been accepted by then)."""
        if self.out is not None and not self._started:
            self.out.mkdir(parents=True, exist_ok=True)
            write_json(self.out / "job.json", self.settings)
            self._started = True

    def finished(self) -> dict[str, Any] | None:
        """The stored report of a finished job, else None (a results.json that is not a JSON object is
        InputError naming it)."""
        if self.out is None or not (self.out / "results.json").is_file():
            return None
        return read_json(self.out / "results.json", ())

    def checkpoint(self, name: str) -> tuple[Path | None, dict | None]:
        """(checkpoint path, the state to resume from or None) of training program ``name``; the state is
        read by :func:`training.checkpoint.load_state` (InputError naming an unreadable file) and checked
        against the program by the trainer."""
        if self.out is None:
            return None, None
        self._start()
        path = self.out / f"{name}.ckpt"
        return path, load_state(path)

    def path(self, name: str) -> Path | None:
        """Where output file ``name`` goes (None without --out)."""
        self._start()
        return None if self.out is None else self.out / name

    def finish(self, report: dict[str, Any]) -> dict[str, Any]:
        """Store the report (atomically) and return it."""
        if self.out is not None:
            self._start()
            write_json(self.out / "results.json", report)
        return report
