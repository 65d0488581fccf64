"""The registry's mutation score (issue 23): plant a misprint-sized error in a theory-side function and run the
registry's quick checks that depend on it; each mutant must make at least one of them fail.

A mutant is a wrapper of one function of :mod:`theory` (closed forms, SELI geometry, UFM+ minimiser, ETF,
presets, NC metrics) that perturbs its output: ``scale`` multiplies it by 1 + EPS (a wrong constant), ``entry``
multiplies its first entry along the last axis by 1 + EPS (a wrong constant in one place), ``swap`` exchanges the
first and last entries along the last axis (a swapped index). The wrapper replaces the function in every loaded
module that holds it (``from x import f`` copies the name), and every ``functools.lru_cache`` of the project is
cleared before and after, so no result computed before the patch masks it.

:func:`scan` (the default) runs the quick checks cheapest first (recorded seconds of docs/runs/verify-full.json)
with the mutant in place and stops at the first that does not end as unmutated (killed), or when the checks run
reach the budget (30 recorded seconds, about two thirds of the quick level): a survivor is then 'not caught by
the cheap checks'. :func:`score` (``--trace``) first traces which quick checks run each function (a profiler
over every quick check, ~35 min on the loaded 2-core machine) and runs only those. tests/test_mutation.py holds a fast subset to
fixed checks (default run) and the whole table to a score of at least 95 % with every survivor explained
(``-m slow``); ``python -m tests.mutation`` prints the table.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import importlib
import sys
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np
import sympy as sp

EPS = 0.02
"""The planted relative error: 2 %, in the 1-3 % of a misprint (a wrong constant, a dropped factor near 1)."""

PACKAGES = ("theory.", "numerics.", "proofs_check.", "training.")
PROGRESS = False
"""Print each traced check and each mutant to stderr (``python tests/mutation.py`` sets it)."""


@dataclass(frozen=True)
class Mutant:
    """``target`` ('module:function'), ``kind`` (scale | entry | swap) and, for outputs that are records,
    ``field`` (the attribute or key perturbed; for tuples an index)."""

    target: str
    kind: str
    field: str | int | None = None

    @property
    def name(self) -> str:
        return f"{self.target} [{self.kind}{'' if self.field is None else f' {self.field}'}]"


def _perturb_array(x: Any, kind: str) -> Any:
    if isinstance(x, sp.Basic):
        if kind == "scale":
            return x * sp.Rational(100 + int(EPS * 100), 100)
        raise TypeError("only 'scale' applies to a SymPy expression")
    if isinstance(x, (float, int, np.floating)) and not isinstance(x, bool):
        if kind != "scale":
            raise TypeError(f"{kind!r} needs an array")
        return type(x)(x * (1 + EPS)) if not isinstance(x, int) else x * (1 + EPS)
    a = np.array(x, dtype=float, copy=True)
    if kind == "scale":
        return a * (1 + EPS)
    if a.ndim == 0 or a.shape[-1] < 2:
        raise TypeError(f"{kind!r} needs at least two entries along the last axis")
    if kind == "entry":
        a[..., 0] *= 1 + EPS
    elif kind == "swap":
        a[..., [0, -1]] = a[..., [-1, 0]]
    else:
        raise ValueError(kind)
    return a


def perturb(out: Any, kind: str, field: str | int | None) -> Any:
    """The output with the mutation applied (to ``field`` of a record, tuple or dict when given)."""
    if field is None:
        return _perturb_array(out, kind)
    if isinstance(out, tuple):
        items = list(out)
        items[int(field)] = _perturb_array(items[int(field)], kind)
        return tuple(items)
    if isinstance(out, dict):
        new = copy.deepcopy(out)
        keys = str(field).split(".")
        node = new
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = _perturb_array(node[keys[-1]], kind)
        return new
    if dataclasses.is_dataclass(out):
        return dataclasses.replace(out, **{str(field): _perturb_array(getattr(out, str(field)), kind)})
    raise TypeError(f"cannot perturb field {field!r} of {type(out).__name__}")


def _resolve(target: str) -> tuple[Any, str, Callable]:
    module, name = target.split(":")
    mod = importlib.import_module(module)
    return mod, name, getattr(mod, name)


def _clear_caches() -> None:
    for mod in list(sys.modules.values()):
        if not getattr(mod, "__name__", "").startswith(PACKAGES):
            continue
        for value in list(vars(mod).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()


@functools.lru_cache(maxsize=None)
def _holders(target: str) -> tuple[tuple[str, str], ...]:
    """(module, attribute) pairs of every loaded project module that holds the target function."""
    _, _, original = _resolve(target)
    out = []
    for mod in list(sys.modules.values()):
        if not getattr(mod, "__name__", "").startswith(PACKAGES):
            continue
        for attr, value in list(vars(mod).items()):
            if value is original:
                out.append((mod.__name__, attr))
    return tuple(out)


class patched:
    """Context manager: the mutant in place in every holder, caches cleared on entry and exit."""

    def __init__(self, mutant: Mutant) -> None:
        self.mutant = mutant
        self.saved: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> "patched":
        _, _, original = _resolve(self.mutant.target)
        m = self.mutant

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return perturb(original(*args, **kwargs), m.kind, m.field)

        _clear_caches()
        for module, attr in _holders(m.target):
            mod = sys.modules[module]
            self.saved.append((mod, attr, getattr(mod, attr)))
            setattr(mod, attr, wrapper)
        return self

    def __exit__(self, *exc: Any) -> None:
        for mod, attr, value in self.saved:
            setattr(mod, attr, value)
        _clear_caches()


def quick_checks() -> list[tuple[Any, Any]]:
    """(claim, check) for every quick check of the registry."""
    from proofs_check.catalog import all_claims

    return [(c, ch) for c in all_claims() for ch in c.checks if ch.quick]


def _status(claim: Any, check: Any) -> str:
    from proofs_check.catalog import errata_by_id
    from proofs_check.runner import run_check

    return str(run_check(claim, check, errata_by_id()).status)


@functools.lru_cache(maxsize=None)
def dependencies(targets: tuple[str, ...]) -> dict[str, list[int]]:
    """For each target, the indices (into :func:`quick_checks`) of the quick checks during which it runs, and
    the baseline status of every quick check (key ``'baseline'``: indices of the checks that do not meet
    their expectation unmutated, i.e. neither pass nor erratum)."""
    codes = {}
    for t in targets:
        fn = _resolve(t)[2]
        codes[getattr(fn, "__wrapped__", fn).__code__] = t
    hits: dict[str, list[int]] = {t: [] for t in targets}
    hits["baseline"] = []
    seen: set[str] = set()

    def profiler(frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            t = codes.get(frame.f_code)
            if t is not None:
                seen.add(t)

    checks = quick_checks()
    for i, (claim, check) in enumerate(checks):
        if PROGRESS:
            print(f"trace {i + 1}/{len(checks)} {claim.id}", file=sys.stderr, flush=True)
        _clear_caches()
        seen.clear()
        sys.setprofile(profiler)
        try:
            status = _status(claim, check)
        finally:
            sys.setprofile(None)
        if status not in ("pass", "erratum"):
            hits["baseline"].append(i)
        for t in seen:
            hits[t].append(i)
    _clear_caches()
    return hits


def run_mutant(mutant: Mutant, checks: list[tuple[Any, Any]], first: bool = False) -> tuple[bool, list[str]]:
    """(killed, the checks that caught it): run ``checks`` with the mutant in place; a check that does not end
    as it does unmutated (pass, or erratum for a check of a printed statement) kills it. ``first``: stop at
    the first check that catches it."""
    caught = []
    with patched(mutant):
        for claim, check in checks:
            expected = "erratum" if check.erratum else "pass"
            if _status(claim, check) != expected:
                caught.append(f"{claim.id}: {check.description[:60]}")
                if first:
                    break
    return bool(caught), caught


def recorded_seconds() -> dict[tuple[str, str], float]:
    """(claim id, check description) -> seconds of the check in the recorded full run (docs/runs/verify-full.json,
    idle machine); used to run the cheap checks first."""
    import json
    from pathlib import Path

    record = json.loads((Path(__file__).resolve().parents[1] / "docs" / "runs" / "verify-full.json").read_text())
    return {(c["id"], c["check"]): float(c["seconds"]) for c in record["checks"]}


def scan(mutants: tuple[Mutant, ...] | None = None, budget: float = 30.0) -> list[tuple[Mutant, str, list[str]]]:
    """The score without the dependency trace: every quick check, cheapest first (recorded seconds; 1 s when not
    recorded), until the first that catches the mutant or until the checks run reach ``budget`` recorded
    seconds ('survived' then means: not caught by the cheapest checks worth ``budget`` s)."""
    mutants = MUTANTS if mutants is None else mutants
    secs = recorded_seconds()
    order = sorted(quick_checks(), key=lambda cc: secs.get((cc[0].id, cc[1].description), 1.0))
    chosen, total = [], 0.0
    for cc in order:
        total += secs.get((cc[0].id, cc[1].description), 1.0)
        if total > budget:
            break
        chosen.append(cc)
    out = []
    for m in mutants:
        if PROGRESS:
            print(f"mutant {m.name}", file=sys.stderr, flush=True)
        try:
            killed, caught = run_mutant(m, chosen, first=True)
        except TypeError as exc:
            out.append((m, "not applicable", [str(exc)]))
            continue
        out.append((m, "killed" if killed else "survived", caught))
        if PROGRESS:
            print(f"  -> {out[-1][1]}" + (f" by {caught[0]}" if caught else ""), file=sys.stderr, flush=True)
    return out


MUTANTS: tuple[Mutant, ...] = (
    # ETF (yang2022)
    Mutant("theory.etf.simplex:simplex_etf", "scale"),
    Mutant("theory.etf.simplex:simplex_etf", "entry"),
    Mutant("theory.etf.simplex:etf_gram", "scale"),
    Mutant("theory.etf.simplex:etf_gram", "entry"),
    Mutant("theory.etf.identities:optimal_scale", "scale"),
    Mutant("theory.etf.identities:dr_gradient_coefficient", "scale"),
    # SELI geometry and closed forms (behnia2023)
    Mutant("theory.seli.sel:sel_matrix", "scale"),
    Mutant("theory.seli.sel:sel_matrix", "entry"),
    Mutant("theory.seli.sel:sel_matrix", "swap"),
    Mutant("theory.seli.sel:z_hat", "scale"),
    Mutant("theory.seli.sel:z_hat", "entry"),
    Mutant("theory.seli.sel:class_logits", "entry"),
    Mutant("theory.seli.sel:class_logits", "swap"),
    Mutant("theory.seli.seli_geometry:seli_geometry", "entry", "G_W"),
    Mutant("theory.seli.seli_geometry:seli_geometry", "entry", "G_M"),
    Mutant("theory.seli.seli_geometry:seli_geometry", "swap", "G_WM"),
    Mutant("theory.seli.step_geometry:step_delta", "entry"),
    Mutant("theory.seli.step_geometry:step_delta", "swap"),
    Mutant("theory.seli.step_geometry:predict_step", "scale", "W.norm_ratio"),
    Mutant("theory.seli.step_geometry:predict_step", "scale", "M.cos_min_min"),
    Mutant("theory.seli.closed_forms:closed_form", "scale"),
    Mutant("theory.seli.closed_forms:evaluate", "scale", "W.norm_ratio"),
    Mutant("theory.seli.limits:limit_R_infinity", "scale"),
    # UFM+ minimiser (dang2024)
    Mutant("theory.ufm_plus.closed_form:margins", "scale"),
    Mutant("theory.ufm_plus.closed_form:margins", "swap"),
    Mutant("theory.ufm_plus.closed_form:predict", "scale", "h_norm_sq"),
    Mutant("theory.ufm_plus.closed_form:predict", "swap", "h_norm_sq"),
    Mutant("theory.ufm_plus.closed_form:predict", "entry", "w_gram"),
    Mutant("theory.ufm_plus.closed_form:predict", "scale", "logits"),
    Mutant("theory.ufm_plus.closed_form:minimizer", "scale", 0),
    Mutant("theory.ufm_plus.closed_form:minimizer", "swap", 0),
    Mutant("theory.ufm_plus.closed_form:minimizer", "entry", 1),
    Mutant("theory.ufm_plus.closed_form:collapse_threshold", "scale"),
    Mutant("theory.ufm_plus.closed_form:minority_collapse_ratio", "scale"),
    Mutant("theory.ufm_plus.closed_form:objective_value", "scale"),
    # NC metrics and measurements
    Mutant("theory.core.collapse_metrics:nc1", "scale"),
    Mutant("theory.core.collapse_metrics:nc2", "scale"),
    Mutant("theory.core.collapse_metrics:nc3", "scale"),
    Mutant("theory.core.collapse_metrics:class_means", "scale"),
    Mutant("theory.core.collapse_metrics:class_means", "swap"),
    Mutant("theory.core.collapse_metrics:ufm_plus_classifier", "entry"),
    Mutant("theory.core.collapse_metrics:ufm_plus_logits", "entry"),
    Mutant("theory.core.collapse_metrics:center", "entry"),
    Mutant("theory.core.collapse_metrics:cosines", "scale"),
    Mutant("theory.core.collapse_metrics:normalized_distance", "scale"),
    Mutant("theory.core.collapse_metrics:class_margins", "scale"),
    # presets
    Mutant("theory.core.loss_presets:preset_loss", "entry", "margins"),
)

EXPLAINED: dict[str, str] = {}
"""Surviving mutants with the reason no check can or need catch them (filled from the measured table)."""


def score(mutants: tuple[Mutant, ...] = MUTANTS) -> list[tuple[Mutant, str, list[str]]]:
    """(mutant, outcome, checks that caught it) for every mutant; outcome is 'killed', 'survived' or
    'not exercised' (no quick check runs the function) or 'not applicable' (the mutation does not apply to
    the function's output)."""
    targets = tuple(sorted({m.target for m in mutants}))
    deps = dependencies(targets)
    checks = quick_checks()
    out = []
    for m in mutants:
        if PROGRESS:
            print(f"mutant {m.name}", file=sys.stderr, flush=True)
        idx = [i for i in deps[m.target] if i not in deps["baseline"]]
        if not idx:
            out.append((m, "not exercised", []))
            continue
        try:
            killed, caught = run_mutant(m, [checks[i] for i in idx])
        except TypeError as exc:
            out.append((m, "not applicable", [str(exc)]))
            continue
        out.append((m, "killed" if killed else "survived", caught))
    return out


def _main() -> int:
    import time

    global PROGRESS
    PROGRESS = True
    t0 = time.perf_counter()
    nums = [int(a) for a in sys.argv[1:] if a.isdigit()]
    chosen = MUTANTS[nums[0]:nums[1]] if len(nums) == 2 else MUTANTS
    rows = score(chosen) if "--trace" in sys.argv else scan(chosen)
    killed = sum(1 for _, o, _ in rows if o == "killed")
    for m, outcome, caught in rows:
        print(f"{outcome:14s} {m.name}" + (f"  <- {caught[0]}" + (f" (+{len(caught) - 1})" if len(caught) > 1 else "")
                                           if caught else ""))
    print(f"score: {killed}/{len(rows)} killed ({100 * killed / len(rows):.1f} %), {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
