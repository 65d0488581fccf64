"""``igeom experiment figures``: behnia2023 Fig. 2 (measured vs predicted geometry over gamma) and Fig. 4
(distance vs epoch for R in 2, 10, 100), trained with one recipe
(:func:`training.convergence_study.paper_figures`)."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from igeom.commands._args import integer
from igeom.commands._guard import guards_output
from igeom.experiment_kinds._recipes import recipe_name

NAME = "figures"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``experiment figures``."""
    p = sub.add_parser(NAME, help="behnia2023 Fig. 2 and Fig. 4 trained with one recipe",
                       description="Train the App. A.1 sweep and the Fig. 4 runs (CDT, R in 2, 10, 100, gamma in 0, "
                       "0.5, 1) with one recipe and draw fig2-RECIPE.png and fig4-RECIPE.png in --out; prints the "
                       "paths.")
    p.add_argument("--out", required=True, type=Path, help="output directory for fig2-RECIPE.png and fig4-RECIPE.png")
    p.add_argument("--recipe", type=recipe_name, default="paper",
                   help="training recipe (default 'paper': constant lr 5 as in App. A.1; 'best': the README's best "
                   "recipe; the weight-decay variants of the paper's; a wrong name is refused with the list)")
    p.add_argument("--epochs", type=integer, default=6000, help="epochs per run (default 6000, as in App. A.1)")
    return p


@guards_output("out", "--out")
def run(args: argparse.Namespace) -> int:
    """Train and draw both figures; print their paths."""
    # training (torch) is imported here, not at module level, so that `igeom --help` stays fast
    from training.convergence_study import paper_figures
    from training.recipes import RECIPES

    recipe = dataclasses.replace(RECIPES[args.recipe], epochs=args.epochs)  # validates --epochs up front
    for path in paper_figures(args.out, recipe, args.epochs, tag=f"-{args.recipe}"):
        print(path)
    return 0
