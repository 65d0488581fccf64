"""``igeom experiment convergence``: how close SGD gets to behnia2023 Thm 2 in the App. A.1 UFM setting
(k=10, R=10, rho=1/2, n_min=5, d=20; CDT and LDT at 13 gammas) per training recipe; the App. A.4 distances
after the last epoch (:func:`training.convergence_study.study`)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from igeom.commands._args import integer
from igeom.commands._guard import guards_output
from igeom.experiment_kinds._recipes import recipe_names
from theory.core.errors import ComputationError

NAME = "convergence"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``experiment convergence``."""
    p = sub.add_parser(NAME, help="distances of SGD to Thm 2 after training, per recipe (behnia2023 App. A.1/A.4)",
                       description="Train the App. A.1 sweep (k=10, R=10, rho=1/2, n_min=5, d=20; CDT and LDT at 13 "
                       "gammas in [-1.5, 1.5]) with each recipe and write convergence.json and convergence.md: per "
                       "loss and gamma the App. A.4 distances of W^T W, M^T M, W^T M to Thm 2 after the last epoch. "
                       "Exit status 1 when a run diverged (its distances are null in the JSON).")
    p.add_argument("--out", required=True, type=Path,
                   help="output directory for convergence.json, convergence.md (and the PNGs with --figures)")
    p.add_argument("--recipes", type=recipe_names, default=None,
                   help="comma-separated recipe names (default: every recipe: paper, the paper with three weight "
                   "decays, best); a wrong name is refused with the list")
    p.add_argument("--epochs", type=integer, default=6000, help="epochs per run (default 6000, as in App. A.1)")
    p.add_argument("--figures", action="store_true",
                   help="also draw Fig. 2 / Fig. 4 for the recipes 'paper' and 'best' (fig2-RECIPE.png, fig4-RECIPE.png)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")
    p.add_argument("--json", action="store_true", help="print convergence.json's table instead of the Markdown")
    return p


@guards_output("out", "--out")
def run(args: argparse.Namespace) -> int:
    """Train every chosen recipe, write and print the table, optionally draw the figures."""
    # training (torch) is imported here, not at module level, so that `igeom --help` stays fast
    from training.checkpoint import write_json, write_text
    from training.convergence_study import diverged_runs, markdown, paper_figures, study
    from training.recipes import RECIPES
    from theory.infra.jsonout import print_json

    recipes = {name: RECIPES[name] for name in (args.recipes or RECIPES)}
    for cfg in recipes.values():  # validate --epochs before any training starts
        dataclasses.replace(cfg, epochs=args.epochs)
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    table = study(recipes, epochs=args.epochs, progress=progress)
    write_json(args.out / "convergence.json", table)
    write_text(args.out / "convergence.md", markdown(table))
    if args.json:
        print_json(table)
    else:
        print(markdown(table))
    if args.figures:
        for name in ("paper", "best"):
            for path in paper_figures(args.out, RECIPES[name], args.epochs, tag=f"-{name}"):
                sys.stderr.write(f"wrote {path}\n")
    bad = diverged_runs(table)
    if bad:
        raise ComputationError(f"{len(bad)} runs diverged (NaN/inf): {', '.join(bad)}")
    return 0
