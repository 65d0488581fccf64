"""Convergence study: how close does SGD get to Thm 2 in the paper's UFM setting within 6000 epochs?

Setting (behnia2023 App. A.1): k=10, R=10, rho=1/2, n_min=5, d=20, CDT and LDT at 13 gammas in
[-1.5, 1.5], full-batch GD for 6000 epochs. Recipes (:data:`RECIPES`):

- ``paper``: constant learning rate, no weight decay, float32 (what App. A.1 describes);
- ``paper+wd1e-5`` / ``paper+wd1e-4`` / ``paper+wd5e-4``: the same with weight decay (App. A.2 uses 1e-5
  for ResNets; the UFM value of the released experiments is not stated);
- ``best``: the best recipe found by the search reported in the README: loss-normalised steps
  lr / (L ||theta||^2) (GD on log L with a step that shrinks like the squared scale, lr = 3000) with
  Nesterov momentum 0.9, float32.

``python -m training.convergence OUT_DIR`` writes ``convergence.json`` and ``convergence.md`` (per loss
and gamma, the three App. A.4 distances after the last epoch, per recipe) and ``fig2-*.png`` / ``fig4.png``.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from training.checkpoint import write_json, write_text
from training.measurements import DISTANCES, measure
from training.specs import RunSpec
from training.ufm import TrainConfig, UFMProblem, train_sweep

PAPER = dict(k=10, k_minor=5, R=10, n_min=5, d=20)
GAMMAS = tuple(float(g) for g in np.round(np.linspace(-1.5, 1.5, 13), 6))
RECIPES: dict[str, TrainConfig] = {
    "paper": TrainConfig(lr=5.0),
    "paper+wd1e-5": TrainConfig(lr=5.0, weight_decay=1e-5),
    "paper+wd1e-4": TrainConfig(lr=5.0, weight_decay=1e-4),
    "paper+wd5e-4": TrainConfig(lr=5.0, weight_decay=5e-4),
    "best": TrainConfig(lr=3000.0, momentum=0.9, nesterov=True, normalize="loss-norm"),
}
TARGET = 0.05


def paper_problem(R: float = 10) -> UFMProblem:
    """The App. A.1 UFM problem (R may be changed for Fig. 4)."""
    return UFMProblem.step(PAPER["k"], PAPER["k_minor"], R, PAPER["n_min"], PAPER["d"])


def paper_specs(losses: Sequence[str] = ("CDT", "LDT"), gammas: Sequence[float] = GAMMAS, seed: int = 0) -> list[RunSpec]:
    """One model per (loss, gamma)."""
    return [RunSpec(loss, g, seed) for loss in losses for g in gammas]


def study(recipes: dict[str, TrainConfig], epochs: int = 6000, progress: bool = False) -> dict[str, Any]:
    """Train the paper sweep with each recipe; per run the final distances, error flag and diverged flag."""
    problem, specs = paper_problem(), paper_specs()
    out: dict[str, Any] = {"setting": PAPER, "epochs": epochs, "target": TARGET, "recipes": {}}
    for name, cfg in recipes.items():
        cfg = dataclasses.replace(cfg, epochs=epochs)
        t0 = time.perf_counter()
        meas = measure(train_sweep(problem, specs, cfg, progress=progress))
        seconds = time.perf_counter() - t0
        runs = [{"loss": s.loss, "gamma": s.gamma, **{key: float(meas.distance[key][-1, b]) for key in DISTANCES},
                 "zero_error": bool(meas.zero_error[b]), "diverged": bool(meas.diverged[b])} for b, s in enumerate(specs)]
        inner = [r for r in runs if abs(r["gamma"]) <= 1.0 + 1e-9]
        worst = {key: max(r[key] for r in inner) for key in DISTANCES}
        out["recipes"][name] = {"config": dataclasses.asdict(cfg), "seconds": seconds, "runs": runs,
                                "worst_abs_gamma_le_1": worst,
                                "meets_target": all(v <= TARGET for v in worst.values())}
    return out


def markdown(table: dict[str, Any], recipes: Sequence[str] | None = None) -> str:
    """Per-recipe markdown tables: rows gamma, columns CDT and LDT distances "W / M / WM" (* = error > 0)."""
    names = list(table["recipes"]) if recipes is None else list(recipes)
    lines = [f"Distances to Thm 2 after {table['epochs']} epochs (W^T W / M^T M / W^T M, App. A.4; "
             "`*` = training error > 0 at the end)", ""]
    header = "| gamma | " + " | ".join(f"{name} CDT | {name} LDT" for name in names) + " |"
    lines += [header, "| --- |" + " --- | --- |" * len(names)]
    for g in GAMMAS:
        cells = []
        for name in names:
            for loss in ("CDT", "LDT"):
                r = next(r for r in table["recipes"][name]["runs"] if r["loss"] == loss and abs(r["gamma"] - g) < 1e-9)
                cells.append("/".join(f"{r[key]:.3f}" for key in DISTANCES) + ("" if r["zero_error"] else "*"))
        lines.append(f"| {g:+.2f} | " + " | ".join(cells) + " |")
    lines += ["", "| recipe | worst W | worst M | worst WM over abs(gamma) <= 1 | target <= 0.05 | seconds |",
              "| --- | --- | --- | --- | --- | --- |"]
    for name in names:
        rec = table["recipes"][name]
        w = rec["worst_abs_gamma_le_1"]
        lines.append(f"| {name} | {w['W']:.3f} | {w['M']:.3f} | {w['WM']:.3f} | "
                     f"{'met' if rec['meets_target'] else 'not met'} | {rec['seconds']:.1f} |")
    return "\n".join(lines) + "\n"


def paper_figures(out: str | Path, recipe: TrainConfig, epochs: int = 6000, tag: str = "") -> list[Path]:
    """Fig. 2 (CDT and LDT over gamma) and Fig. 4 (CDT distance vs epoch for R in 2, 10, 100 and
    gamma in 0, 0.5, 1) trained with ``recipe``; returns the PNG paths."""
    from training.figures import figure2, figure4

    out = Path(out)
    cfg = dataclasses.replace(recipe, epochs=epochs, log_every=50)
    problem = paper_problem()
    meas = measure(train_sweep(problem, paper_specs(), cfg))
    paths = [figure2(meas, problem.imbalance, out / f"fig2{tag}.png")]
    curves = []
    for R in (2, 10, 100):
        specs = paper_specs(("CDT",), (0.0, 0.5, 1.0))
        m = measure(train_sweep(paper_problem(R), specs, cfg))
        curves += [(f"R={R}, gamma={s.gamma:g}", m.epochs, {key: m.distance[key][:, b] for key in DISTANCES})
                   for b, s in enumerate(specs)]
    paths.append(figure4(curves, out / f"fig4{tag}.png", title=f"CDT, k=10, rho=1/2, n_min=5, d=20 ({tag.strip('-') or 'recipe'})"))
    return paths


def _main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.convergence", description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--recipes", default=",".join(RECIPES), help=f"comma-separated subset of {', '.join(RECIPES)}")
    p.add_argument("--epochs", type=int, default=6000)
    p.add_argument("--figures", action="store_true", help="also draw Fig. 2 / Fig. 4 for 'paper' and 'best'")
    args = p.parse_args(argv)
    names = [r for r in args.recipes.split(",") if r]
    unknown = [r for r in names if r not in RECIPES]
    if unknown:
        p.error(f"unknown recipe(s) {unknown}; expected {', '.join(RECIPES)}")
    table = study({name: RECIPES[name] for name in names}, epochs=args.epochs, progress=True)
    write_json(args.out / "convergence.json", table)
    write_text(args.out / "convergence.md", markdown(table))
    print(markdown(table))
    if args.figures:
        for name in ("paper", "best"):
            for path in paper_figures(args.out, RECIPES[name], args.epochs, tag=f"-{name}"):
                print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
