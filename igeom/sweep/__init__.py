"""``igeom sweep``: parameter grids over the suite's experiments on Dask distributed (issue 14).

- :mod:`.spec`: the TOML spec (``kind``, ``[grid]``, ``[fixed]``), parsed and validated before anything runs;
- :mod:`.kinds`: the task kinds, small adapters over the library functions of the other commands;
- :mod:`.engine`: tasks (batched grid points keyed by a hash of their spec) run on a Dask cluster;
- :mod:`.results`: the Parquet results table, written atomically as tasks finish, read for resume;
- :mod:`.plot`: phase diagrams over two grid axes and curves over one axis with seed bands.
"""
