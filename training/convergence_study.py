"""Convergence study: how close does SGD get to behnia2023 Thm 2 in the App. A.1 UFM setting within
6000 epochs, per recipe of :data:`training.recipes.RECIPES`; and the paper's Fig. 2 / Fig. 4 trained with
one recipe.

:func:`study` trains the sweep per recipe and returns, per loss and gamma, the three App. A.4 distances
after the last epoch; :func:`markdown` renders that table. ``igeom experiment convergence`` and
``igeom experiment figures`` (:mod:`igeom.experiment_kinds`) are the commands that run them.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any, Sequence

from theory.core.vocabulary import SWEPT_LOSSES, Loss
from training.paper_figures import figure2, figure4
from training.measurements import DISTANCES, finite_or_none, measure
from training.recipes import GAMMAS, PAPER, TARGET, paper_problem, paper_specs
from training.ufm import TrainConfig, train_sweep


def study(recipes: dict[str, TrainConfig], epochs: int = 6000, progress: bool = False) -> dict[str, Any]:
    """Train the paper sweep with each recipe; per run the final distances (``None`` where the run
    diverged), error flag and diverged flag; per recipe the worst distances over |gamma| <= 1 (``None``
    when a run there diverged) and whether they meet :data:`training.recipes.TARGET`."""
    problem, specs = paper_problem(), paper_specs()
    out: dict[str, Any] = {"setting": PAPER, "epochs": epochs, "target": TARGET, "recipes": {}}
    for name, cfg in recipes.items():
        cfg = dataclasses.replace(cfg, epochs=epochs)
        t0 = time.perf_counter()
        meas = measure(train_sweep(problem, specs, cfg, progress=progress))
        seconds = time.perf_counter() - t0
        runs = [{"loss": s.loss, "gamma": s.gamma,
                 **{key: finite_or_none(meas.distance[key][-1, b]) for key in DISTANCES},
                 "zero_error": bool(meas.zero_error[b]), "diverged": bool(meas.diverged[b])} for b, s in enumerate(specs)]
        inner = [r for r in runs if abs(r["gamma"]) <= 1.0 + 1e-9]
        worst = {key: None if any(r[key] is None for r in inner) else max(r[key] for r in inner) for key in DISTANCES}
        out["recipes"][name] = {"config": dataclasses.asdict(cfg), "seconds": seconds, "runs": runs,
                                "worst_abs_gamma_le_1": worst,
                                "meets_target": all(v is not None and v <= TARGET for v in worst.values())}
    return out


def diverged_runs(table: dict[str, Any]) -> list[str]:
    """``"recipe loss gamma=g"`` for every run of a :func:`study` table that diverged (NaN/inf)."""
    return [f"{name} {r['loss']} gamma={r['gamma']:g}" for name, rec in table["recipes"].items()
            for r in rec["runs"] if r["diverged"]]


def _distance(v: float | None) -> str:
    return "diverged" if v is None else f"{v:.3f}"


def markdown(table: dict[str, Any], recipes: Sequence[str] | None = None) -> str:
    """Per-recipe markdown tables: rows gamma, columns CDT and LDT distances "W / M / WM" (* = error > 0)."""
    names = list(table["recipes"]) if recipes is None else list(recipes)
    lines = [f"Distances to Thm 2 after {table['epochs']} epochs (W^T W / M^T M / W^T M, App. A.4; "
             "`*` = training error > 0 at the end)", ""]
    header = "| gamma | " + " | ".join(" | ".join(f"{name} {loss}" for loss in SWEPT_LOSSES) for name in names) + " |"
    lines += [header, "| --- |" + " --- |" * (len(SWEPT_LOSSES) * len(names))]
    for g in GAMMAS:
        cells = []
        for name in names:
            for loss in SWEPT_LOSSES:
                r = next(r for r in table["recipes"][name]["runs"] if r["loss"] == loss and abs(r["gamma"] - g) < 1e-9)
                cells.append("/".join(_distance(r[key]) for key in DISTANCES) + ("" if r["zero_error"] else "*"))
        lines.append(f"| {g:+.2f} | " + " | ".join(cells) + " |")
    lines += ["", "| recipe | worst W | worst M | worst WM over abs(gamma) <= 1 | target <= 0.05 | seconds |",
              "| --- | --- | --- | --- | --- | --- |"]
    for name in names:
        rec = table["recipes"][name]
        w = rec["worst_abs_gamma_le_1"]
        lines.append(f"| {name} | {_distance(w['W'])} | {_distance(w['M'])} | {_distance(w['WM'])} | "
                     f"{'met' if rec['meets_target'] else 'not met'} | {rec['seconds']:.1f} |")
    return "\n".join(lines) + "\n"


def paper_figure2(path: str | Path, recipe: TrainConfig, epochs: int = 6000, title: str | None = None) -> Path:
    """behnia2023 Fig. 2: CDT and LDT over the 13 gammas of App. A.1, trained with ``recipe`` for
    ``epochs``, measured at the last epoch against Thm 2; returns the PNG path."""
    cfg = dataclasses.replace(recipe, epochs=epochs, log_every=epochs)
    problem = paper_problem()
    return figure2(measure(train_sweep(problem, paper_specs(), cfg)), problem.imbalance, path, title=title)


def paper_figure4(path: str | Path, recipe: TrainConfig, epochs: int = 6000, title: str | None = None) -> Path:
    """behnia2023 Fig. 4: App. A.4 distances vs epoch for CDT with R in 2, 10, 100 and gamma in 0, 0.5, 1,
    trained with ``recipe`` (measured every 50 epochs); returns the PNG path."""
    cfg = dataclasses.replace(recipe, epochs=epochs, log_every=50)
    curves = []
    for R in (2, 10, 100):
        specs = paper_specs((Loss.CDT,), (0.0, 0.5, 1.0))
        m = measure(train_sweep(paper_problem(R), specs, cfg))
        curves += [(f"R={R}, gamma={s.gamma:g}", m.epochs, {key: m.distance[key][:, b] for key in DISTANCES})
                   for b, s in enumerate(specs)]
    return figure4(curves, path, title=title)


def paper_figures(out: str | Path, recipe: TrainConfig, epochs: int = 6000, tag: str = "") -> list[Path]:
    """Fig. 2 and Fig. 4 (:func:`paper_figure2`, :func:`paper_figure4`) trained with ``recipe``, written
    as ``fig2{tag}.png`` and ``fig4{tag}.png`` in ``out``; returns the PNG paths."""
    out = Path(out)
    label = tag.strip("-") or "recipe"
    return [paper_figure2(out / f"fig2{tag}.png", recipe, epochs),
            paper_figure4(out / f"fig4{tag}.png", recipe, epochs,
                          title=f"CDT, k=10, rho=1/2, n_min=5, d=20 ({label})")]
