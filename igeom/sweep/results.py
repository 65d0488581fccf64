"""The results table of a sweep: ``DIR/results.parquet``, one row per grid point.

Columns: every parameter of the kind (grid, fixed and defaults; arrays as JSON text), the kind's
metrics, ``status`` (:class:`~theory.core.vocabulary.TaskOutcome`), ``error`` (message or null),
``seconds`` (wall time of the task that computed the row, shared by the points of one batch),
``task`` (the task's hash) and ``kind``. A table read back for a resume is validated first
(:func:`read_rows`, :meth:`ResultStore.check_against`): readable Parquet, the bookkeeping columns with
their types, a known status, finite numbers (NaN is never written: missing metrics are null), and for
every task of the requested spec exactly its points; anything else is :class:`InputError` naming the
file, so a resume never counts, skips or keeps a row that a fresh run would not. The file is rewritten atomically
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
        for r in read_rows(self.path) if self.path.exists() else []:
            self._tasks.setdefault(r["task"], []).append(r)
        other = {r.get("kind") for r in self.rows} - {kind}
        if other:
            raise InputError(f"{self.path} holds results of kind {sorted(map(str, other))[0]!r}, not {kind!r}; "
                             "use another --out")
        self._last = 0.0
        self._dirty = False

    def check_against(self, tasks: list[Any]) -> None:
        """InputError naming the file unless the rows of each task of ``tasks`` (:class:`igeom.sweep.spec.Task`)
        are exactly its points, once each (rows of tasks of other specs of this kind are left alone)."""
        for task in tasks:
            rows = self._tasks.get(task.key)
            if rows is None:
                continue
            want = sorted(_canonical_point(p) for p in task.points)
            have = sorted(_canonical_point({k: r.get(k) for k in task.points[0]}) for r in rows)
            if have != want:
                raise _unusable(self.path, f"task {task.key} has {len(rows)} rows for its {len(task.points)} points "
                                "(duplicated, missing or altered rows)")

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


def _unusable(path: Path, why: str) -> InputError:
    return InputError(f"{path} cannot be resumed from: {why}; remove it or use another --out")


def _canonical_point(point: dict[str, Any]) -> str:
    return json.dumps({k: column_value(v) for k, v in point.items()}, sort_keys=True, default=str)


STATUSES = frozenset(str(o) for o in TaskOutcome)


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a results file as dictionaries (nulls as None), validated: a Parquet table with the
    bookkeeping columns (``task`` and ``kind`` text, ``status`` a known outcome, ``error`` text or null,
    ``seconds`` a number >= 0) and no NaN or infinite number anywhere; InputError naming ``path`` otherwise."""
    import math

    import pyarrow.parquet as pq

    p = Path(path)
    if not p.is_file():
        raise _unusable(p, "it is not a file")
    try:
        rows = pq.read_table(p).to_pylist()
    except Exception as exc:  # noqa: BLE001 - pyarrow raises ArrowInvalid, OSError, ...: a corrupt table
        raise _unusable(p, f"not a Parquet table ({type(exc).__name__})") from None
    for i, r in enumerate(rows):
        missing = [c for c in BOOKKEEPING if c not in r]
        if missing:
            raise _unusable(p, f"no column {missing[0]!r} (not a results table of igeom sweep)")
        if not isinstance(r["task"], str) or not isinstance(r["kind"], str):
            raise _unusable(p, f"row {i}: task and kind must be text")
        if r["status"] not in STATUSES:
            raise _unusable(p, f"row {i}: unknown status {r['status']!r} (known: {', '.join(sorted(STATUSES))})")
        if r["error"] is not None and not isinstance(r["error"], str):
            raise _unusable(p, f"row {i}: error must be text or null")
        seconds = r["seconds"]
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds < math.inf:
            raise _unusable(p, f"row {i}: seconds must be a number >= 0, got {seconds!r}")
        for column, value in r.items():
            if isinstance(value, float) and not math.isfinite(value):
                raise _unusable(p, f"row {i}: column {column!r} is {value} (results hold finite numbers or null)")
    return rows
