"""The sweep spec: a TOML file with the task ``kind``, a ``[grid]`` table (each key a non-empty list; the
sweep is their Cartesian product) and a ``[fixed]`` table (one value per key).

Everything is validated before anything runs: unknown top-level keys, unknown or missing parameters,
a key in both tables, empty or repeated grid lists, values of the wrong type, and every grid point is
checked by its kind (e.g. ``R = -1``, CE with gamma != 0). Each failure is one
:class:`~theory.core.errors.InputError` line naming the file and the key.

Grid points become tasks: points that differ only in the kind's ``batched`` keys form one task (one
batched program); a task's key is the SHA-256 of its canonical JSON (kind and resolved points), so the
same work always has the same key and a finished task is recognised on resume.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from igeom.sweep.kinds import KINDS, Kind, Point
from igeom.sweep.params import REQUIRED, Param
from theory.core.errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TOP_LEVEL = ("kind", "grid", "fixed")


@dataclass(frozen=True)
class Task:
    """One unit of work: the resolved points of one batch and the hash that keys it."""

    kind: str
    points: tuple[Point, ...]
    key: str


@dataclass(frozen=True)
class SweepSpec:
    """A validated spec: the kind, the grid (key -> values, in file order) and the fixed values."""

    kind: str
    grid: dict[str, list[Any]]
    fixed: dict[str, Any]

    @property
    def task_kind(self) -> Kind:
        """The :class:`Kind` this spec runs."""
        return KINDS[self.kind]

    def points(self) -> list[Point]:
        """Every grid point with the fixed values and the kind's defaults filled in (product order)."""
        defaults = {p.name: p.default for p in self.task_kind.params if p.default is not REQUIRED}
        keys = list(self.grid)
        return [{**defaults, **self.fixed, **dict(zip(keys, combo))}
                for combo in itertools.product(*(self.grid[k] for k in keys))]

    def tasks(self) -> list[Task]:
        """The points grouped into batches (same values outside the kind's ``batched`` keys), each keyed."""
        kind = self.task_kind
        groups: dict[str, list[Point]] = {}
        for point in self.points():
            shared = {k: v for k, v in point.items() if k not in kind.batched}
            groups.setdefault(_canonical(shared), []).append(point)
        return [Task(self.kind, tuple(pts), task_key(self.kind, pts)) for pts in groups.values()]


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def task_key(kind: str, points: list[Point] | tuple[Point, ...]) -> str:
    """Hex SHA-256 (first 16 digits) of the canonical JSON of the kind and the resolved points."""
    return hashlib.sha256(_canonical({"kind": kind, "points": list(points)}).encode()).hexdigest()[:16]


def parse_spec(data: dict[str, Any], source: str = "spec", force: bool = False) -> SweepSpec:
    """Validate a parsed TOML document (see the module docstring); :class:`InputError` on the first problem.

    Impossible work is refused before anything is built (:mod:`theory.infra.budget`, ``force`` to run it
    anyway): the grid's size from the lengths of its lists (a grid of 10^7 points is never enumerated),
    then each point's estimate (the kind's ``estimate``) before its check (which may build k x k arrays)."""
    unknown = sorted(set(data) - set(TOP_LEVEL))
    if unknown:
        raise InputError(f"{source}: unknown top-level key {unknown[0]!r} (allowed: {', '.join(TOP_LEVEL)})")
    name = data.get("kind")
    if not isinstance(name, str) or name not in KINDS:
        raise InputError(f"{source}: kind must be one of {', '.join(KINDS)}, got {name!r}")
    kind = KINDS[name]
    grid_in, fixed_in = data.get("grid", {}), data.get("fixed", {})
    for table, value in (("grid", grid_in), ("fixed", fixed_in)):
        if not isinstance(value, dict):
            raise InputError(f"{source}: [{table}] must be a table")
    grid: dict[str, list[Any]] = {}
    for key, values in grid_in.items():
        param = _param(kind, key, source, "grid")
        if not isinstance(values, list) or not values:
            raise InputError(f"{source}: grid.{key} must be a non-empty list of values")
        grid[key] = [param.coerce(v, f"{source}: grid.{key}[{i}]") for i, v in enumerate(values)]
        seen = [_canonical(v) for v in grid[key]]
        if len(set(seen)) != len(seen):
            raise InputError(f"{source}: grid.{key} repeats a value")
    fixed: dict[str, Any] = {}
    for key, value in fixed_in.items():
        param = _param(kind, key, source, "fixed")
        if key in grid:
            raise InputError(f"{source}: {key!r} is in both [grid] and [fixed]")
        fixed[key] = param.coerce(value, f"{source}: fixed.{key}")
    missing = [p.name for p in kind.params if p.default is REQUIRED and p.name not in grid and p.name not in fixed]
    if missing:
        raise InputError(f"{source}: kind {name!r} needs {', '.join(missing)} in [grid] or [fixed]")
    from theory.infra import budget

    size = math.prod(len(values) for values in grid.values())
    try:
        budget.require_within(budget.sweep_grid(size, size, 0), force)
    except InputError as exc:
        raise InputError(f"{source}: the [grid] of {size:.3g} points: {exc}") from None
    spec = SweepSpec(name, grid, fixed)
    for point in spec.points():
        where = ", ".join(f"{k}={point[k]!r}" for k in grid) or "fixed values"
        try:
            estimate = kind.estimate([point]) if kind.estimate is not None else None
        except Exception:  # noqa: BLE001 - a value the estimate cannot take: the check below names it
            estimate = None
        try:
            if estimate is not None:
                budget.require_within(estimate, force)
            kind.check(point)
        except ValueError as exc:  # InputError included
            raise InputError(f"{source}: grid point ({where}): {exc}") from None
    return spec


def task_estimate(spec: SweepSpec, tasks: list[Task]) -> tuple[float, float]:
    """(summed seconds, largest memory) of ``tasks`` by the kind's estimate (0, 0 without one)."""
    kind = spec.task_kind
    if kind.estimate is None or not tasks:
        return 0.0, 0.0
    estimates = []
    for task in tasks:
        try:
            estimates.append(kind.estimate(list(task.points)))
        except Exception:  # noqa: BLE001 - checked points; an estimate that cannot be formed counts as nothing
            continue
    return sum(e.seconds for e in estimates), max((e.memory for e in estimates), default=0.0)


def _param(kind: Kind, key: str, source: str, table: str) -> Param:
    param = kind.param(key)
    if param is None:
        raise InputError(f"{source}: unknown key {table}.{key} for kind {kind.name!r} "
                         f"(known: {', '.join(p.name for p in kind.params)})")
    return param


def load_spec(path: str | Path, force: bool = False) -> SweepSpec:
    """Read and validate a TOML spec file; :class:`InputError` (one line) for any problem (``force``: see
    :func:`parse_spec`)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"spec file {str(p)!r} does not exist")
    try:
        data = tomllib.loads(p.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{p.name}: not valid TOML: {exc}") from None
    return parse_spec(data, p.name, force)
