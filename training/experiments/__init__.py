"""The library side of ``igeom experiment``: the papers' deep-net experiments (one module each) and the
output-directory handling they share (:mod:`training.experiments.job`)."""
