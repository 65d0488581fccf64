"""The experiments of ``igeom experiment NAME``: one module per experiment.

Each module defines ``NAME`` (the sub-command's name, e.g. ``"convergence"``), ``add_parser(sub)`` which
registers its parser on the given sub-parsers object and returns it, and ``run(args) -> int``. The
library code an experiment calls lives in :mod:`training` (which has no entry points of its own).
"""
