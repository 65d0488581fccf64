"""Claim modules: one per paper (and per proof), each exposing ``CLAIMS: list[Claim]``.

Modules are discovered by :mod:`proofs_check.catalog`; adding a module here adds its claims to
``igeom verify``, the report and the pytest run. Claims import the proof objects of
:mod:`proofs_check.proof_objects`, never an errata module.
"""
