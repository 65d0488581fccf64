"""Argument types naming the training recipes of :data:`training.recipes.RECIPES` (behnia2023 App. A.1
and the README's best recipe), shared by the ``convergence`` and ``figures`` experiments.

The recipes live beside torch-based code, so they are imported when an option is parsed, not when the
parser is built: ``igeom --help`` stays fast.
"""

from __future__ import annotations

import argparse


def _recipe_names() -> tuple[str, ...]:
    from training.recipes import RECIPES

    return tuple(RECIPES)


def recipe_name(text: str) -> str:
    """One recipe name, exactly as spelled in :data:`training.recipes.RECIPES`."""
    names = _recipe_names()
    if text not in names:
        raise argparse.ArgumentTypeError(f"unknown recipe {text!r}; expected one of {', '.join(names)}")
    return text


def recipe_names(text: str) -> list[str]:
    """Comma-separated recipe names, at least one, none repeated."""
    chosen = [recipe_name(t.strip()) for t in text.split(",") if t.strip()]
    if not chosen:
        raise argparse.ArgumentTypeError(f"expected comma-separated recipe names, got {text!r}")
    if len(set(chosen)) != len(chosen):
        raise argparse.ArgumentTypeError(f"a recipe is named twice in {text!r}")
    return chosen
