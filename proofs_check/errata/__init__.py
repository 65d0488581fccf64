"""Errata: places where a paper's printed statement differs from what the suite's checks establish.

Each paper has a module here (``behnia2023.py``, ``dang2024.py``, ``yang2022.py``; the proof-step
findings of yang2022 in ``yang2022_proofs.py``) exposing a list ``ERRATA`` of
:class:`proofs_check.model.Erratum`, discovered by :mod:`proofs_check.catalog`. An erratum carries its
evidence as a callable that re-derives it (a SymPy identity, a counter-example evaluated numerically) by a
route independent of the check it excuses: the tests run every ``evidence`` and the report shows its
outcome, so an erratum is a checked finding, not a comment. Errata import the proof objects of
:mod:`proofs_check.proof_objects`, never a claim module.
"""
