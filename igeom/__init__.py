"""The application: the ``igeom`` command line (``cli.py``), its sub-commands (``commands/``), the
experiment commands (``experiment_kinds/``) and the Dask parameter sweeps (``sweep/``).

It turns text into typed values and asks the layers below for work: the registry
(:mod:`proofs_check`: what is checked, how it is run and reported, and the tasks its claims share with the
commands, :mod:`proofs_check.tasks`), and the libraries :mod:`theory`, :mod:`numerics`, :mod:`training`.
Nothing below imports this package.
"""
