"""The results table of a sweep: ``DIR/results.parquet``, one row per grid point.

Columns: every parameter of the kind (grid, fixed and defaults; arrays as JSON text), the kind's
metrics, ``status`` (:class:`~theory.core.vocabulary.TaskOutcome`), ``error`` (message or null),
``seconds`` (wall time of the task that computed the row, shared by the points of one batch),
``task`` (the task's hash) and ``kind``. The file is rewritten atomically
(:func:`theory.infra.atomic.write_atomic`) as tasks finish, so a reader or an interrupted sweep
never sees a partial file. Rows of failed tasks are replaced when the task runs again on resume.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

from theory.core.errors import InputError
from theory.core.vocabulary import TaskOutcome
from theory.infra.atomic import write_atomic

FILENAME = "results.parquet"
BOOKKEEPING = ("status", "error", "seconds", "task", "kind")


def column_value(value: Any) -> Any:
    """A parameter value as a Parquet cell: arrays (counts, matrices) as JSON text, scalars unchanged."""
    return json.dumps(value) if isinstance(value, (list, tuple)) else value


class ResultStore:
    """Rows of one results file; ``add`` as tasks finish, ``flush`` (atomic) at most every ``flush_every`` s."""

    def __init__(self, out_dir: str | Path, kind: str, flush_every: float = 1.0) -> None:
        out = Path(out_dir)
        if out.exists() and not out.is_dir():
            raise InputError(f"--out {out} exists and is not a directory")
        self.path = out / FILENAME
        self.kind = kind
        self.flush_every = flush_every
        self._tasks: dict[str, list[dict[str, Any]]] = {}
        for r in read_rows(self.path) if self.path.is_file() else []:
            self._tasks.setdefault(r["task"], []).append(r)
        other = {r.get("kind") for r in self.rows} - {kind}
        if other:
            raise InputError(f"{self.path} holds results of kind {sorted(map(str, other))[0]!r}, not {kind!r}; "
                             "use another --out")
        self._last = 0.0
        self._dirty = False

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Every row, task by task (in the order the tasks were first recorded)."""
        return [r for rows in self._tasks.values() for r in rows]

    def finished(self) -> set[str]:
        """Hashes of the tasks whose rows are final (status ok or diverged); failed tasks run again."""
        return {key for key, rows in self._tasks.items() if all(r["status"] != TaskOutcome.FAILED for r in rows)}

    def add(self, rows: list[dict[str, Any]]) -> None:
        """Record the rows of one task (replacing earlier rows of that task) and flush if it is time."""
        for key in {r["task"] for r in rows}:
            self._tasks[key] = [r for r in rows if r["task"] == key]
        self._dirty = True
        if time.monotonic() - self._last >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        """Write every row to ``results.parquet`` atomically (no-op when nothing changed)."""
        if not self._dirty:
            return
        write_atomic(self.path, table_bytes(self.rows))
        self._last = time.monotonic()
        self._dirty = False


def table_bytes(rows: list[dict[str, Any]]) -> bytes:
    """The Parquet file of ``rows`` (columns in first-seen order; types inferred over all rows)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: dict[str, None] = {}
    for r in rows:
        columns.update(dict.fromkeys(r))
    ordered = [c for c in columns if c not in BOOKKEEPING] + [c for c in BOOKKEEPING if c in columns]
    table = pa.table({c: pa.array([r.get(c) for r in rows]) for c in ordered})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a results file as dictionaries (nulls as None)."""
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()
