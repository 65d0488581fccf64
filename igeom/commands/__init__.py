"""Sub-commands of ``igeom``: each module defines ``add_parser(subparsers)`` and ``run(args) -> int``.

Modules here are discovered automatically; keep their top-level imports light (argparse only) and
import heavy libraries inside ``run`` so ``igeom --help`` and fast commands start quickly.
"""
