"""Compatibility path of the registry's names, which now live in three layers: the model
(:mod:`proofs_check.model`: Claim, Check, Outcome, CheckRecord, Erratum, Evidence), the catalog
(:mod:`proofs_check.catalog`: discovery and link resolution) and the runner (:mod:`proofs_check.runner`:
the run-and-errata policy and the outcome builders). New code imports from those modules.
"""

from proofs_check.catalog import all_claims, errata_by_id
from proofs_check.model import Check, CheckRecord, Claim, Outcome
from proofs_check.runner import property_outcome, run_check, symbolic_outcome, within

__all__ = ["Check", "CheckRecord", "Claim", "Outcome", "all_claims", "errata_by_id", "property_outcome",
           "run_check", "symbolic_outcome", "within"]
