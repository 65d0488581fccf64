"""Computations that the registry's claims and the application's commands share, one task function per
computation: checking a parameterization against its predicted geometry (``parameterization_check``),
measuring features against a prediction (``feature_measurement``, reading arrays through
``feature_files``), the loss presets' geometry under SGD (``preset_geometry``). The ``igeom`` commands
call these; they parse and print, the tasks compute.
"""
