"""Claim modules: one per paper (and per proof), each exposing ``CLAIMS: list[Claim]``.

Modules are discovered by :func:`proofs_check.registry.all_claims`; adding a module here adds its claims
to ``igeom verify``, the report and the pytest run.
"""
